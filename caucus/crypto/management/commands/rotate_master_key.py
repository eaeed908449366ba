from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from caucus.crypto.keyring import rewrap_all


class Command(BaseCommand):
    help = (
        "Re-wrap every case key under the current master key (CAUCUS_MASTER_KEY), unwrapping "
        "with the retired ones in CAUCUS_PREVIOUS_MASTER_KEYS. Content is not re-encrypted."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = rewrap_all()
        self.stdout.write(f"re-wrapped {count} data keys")
