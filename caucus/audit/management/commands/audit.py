from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.audit.chain import verify


class Command(BaseCommand):
    help = "Audit log tools. `caucus audit verify` checks the whole hash chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.ok:
            raise CommandError(
                f"audit chain broken at entry {verdict.broken_seq}: {verdict.reason} "
                f"({verdict.checked} entries verified before it)"
            )
        self.stdout.write(f"audit chain intact: {verdict.checked} entries checked")
