from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.accounts.services import create_mediator
from caucus.crypto.keyring import key_scope
from caucus.kernel.errors import Invalid


class Command(BaseCommand):
    help = "Create a mediator account. Reads the password from standard input when piped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--no-mfa",
            action="store_true",
            help="API logins need no TOTP code (for scripts); web logins still follow the "
            "practice's MFA policy.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("The passwords differ.")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            with key_scope():
                user, enrollment = create_mediator(
                    email=options["email"],
                    name=options["name"],
                    password=password,
                    mfa=not options["no_mfa"],
                )
        except Invalid as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.extra["fields"].items())
            raise CommandError(problems) from None
        self.stdout.write(f"Created mediator {user.id}.")
        if enrollment is not None:
            self.stdout.write(
                "Add this key to an authenticator app (TOTP, 30 s, 6 digits):\n"
                f"  {enrollment.secret_b32}\n  {enrollment.uri}"
            )
