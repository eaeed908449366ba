from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.audit.chain import verify


class Command(BaseCommand):
    help = (
        "Audit log tools. `caucus audit verify` checks every hash chain (one per case, one "
        "for the practice) and names the first broken entry of each broken chain."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.ok:
            for found in verdict.breaks:
                self.stderr.write(f"{found.chain_name} broken at entry {found.seq}: {found.reason}")
            first = verdict.breaks[0]
            raise CommandError(
                f"audit chain broken: {first.chain_name} at entry {first.seq}: {first.reason} "
                f"({len(verdict.breaks)} broken; {verdict.checked} entries of "
                f"{verdict.chains} chains verified)"
            )
        self.stdout.write(
            f"audit chain intact: {verdict.checked} entries checked in {verdict.chains} chains"
        )
