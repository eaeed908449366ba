from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from caucus.cases.demo import MEDIATOR_EMAIL


class Command(BaseCommand):
    help = "Development only: print the demo mediator's current TOTP code."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Not available in production.")
        device = TOTPDevice.objects.filter(user__email=MEDIATOR_EMAIL, confirmed=True).first()
        if device is None:
            raise CommandError("No demo mediator; run `caucus demo` first.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
