from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from caucus.cases.demo import logins_file, seed


class Command(BaseCommand):
    help = "Seed the demo practice (once) and say where its logins are."

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed()
        if result is None:
            self.stdout.write(f"The demo is seeded already; its logins are in {logins_file()}.")
            return
        logins, secret = result
        self.stdout.write("Demo practice seeded. Sign in with:")
        for login in logins:
            self.stdout.write(f"  {login.role:<11} {login.email}  password: {login.password}")
        self.stdout.write(
            f"  The mediator also needs a TOTP code: add key {secret} to an authenticator app,\n"
            "  or run `.venv/bin/caucus totp-code` for the current code.\n"
            f"  These logins are kept in {logins_file()} (readable by you only)."
        )
