from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from caucus.cases.practices import create_mediator, new_practice, practice_named
from caucus.crypto.keyring import key_scope
from caucus.kernel.errors import Invalid


class Command(BaseCommand):
    help = "Create a mediator account. Reads the password from standard input when piped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--practice",
            metavar="NAME_OR_ID",
            help="The practice the mediator joins. Needed when there are several.",
        )
        where.add_argument(
            "--new-practice", metavar="NAME", help="Create this practice for the mediator."
        )
        parser.add_argument(
            "--no-mfa",
            action="store_true",
            help="API logins need no TOTP code (for scripts); web logins still follow the "
            "practice's MFA policy. Refused in production unless "
            "CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS=true.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("The passwords differ.")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            with key_scope(), transaction.atomic():
                practice = None
                if options["new_practice"] is not None:
                    practice = new_practice(options["new_practice"])
                elif options["practice"] is not None:
                    practice = practice_named(options["practice"])
                user, enrollment = create_mediator(
                    email=options["email"],
                    name=options["name"],
                    password=password,
                    mfa=not options["no_mfa"],
                    practice=practice,
                )
        except Invalid as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.extra["fields"].items())
            raise CommandError(problems) from None
        assert user.practice is not None  # noqa: S101  (every mediator has one)
        self.stdout.write(
            f"Created mediator {user.id} in practice {user.practice.name!r} ({user.practice.id})."
        )
        if enrollment is not None:
            self.stdout.write(
                "Add this key to an authenticator app (TOTP, 30 s, 6 digits):\n"
                f"  {enrollment.secret_b32}\n  {enrollment.uri}"
            )
