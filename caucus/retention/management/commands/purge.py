from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.crypto.keyring import key_scope
from caucus.retention.purge import run_purge


def parse_as_of(raw: str) -> datetime:
    """An ISO date (midnight UTC) or an ISO date-time (UTC when no offset is given)."""
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--as-of must be an ISO date or date-time, got {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Purge every closed case past its purge_after: destroy its data key, delete its "
        "content and blobs and the accounts of people with no other live case, and leave a "
        "signed deletion certificate. Finishes any purge that was interrupted."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            help="Judge 'past purge_after' against this ISO date or date-time instead of now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_as_of(options["as_of"]) if options["as_of"] else None
        with key_scope():
            report = run_purge(as_of)
        for case_id in report.purged:
            self.stdout.write(f"purged {case_id}")
        self.stdout.write(f"{len(report.purged)} cases purged")
