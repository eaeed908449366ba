"""Benchmark: purging N expired cases costs time per case, not per byte (issue 8, item 6).

Builds N closed cases past their purge_after in a fresh data directory, half with small
content (short items) and half with large content (the same number of rows, each item
`--large-bytes` long), falling due in alternating rounds; purges round after round and prints
the time per case of each kind and their ratio. A ratio near 1 means the purge's cost follows the
number of cases and rows, not the bytes they hold: the key is destroyed in one step whatever
the case's size, and the rows go by primary key.

The cases are built straight into the tables (sealed with each case's real key), not
through the services: building 10,000 cases through the services would measure Argon2 and
the audit log, not the purge.

    .venv/bin/python bench/purge.py                 # 10,000 cases
    .venv/bin/python bench/purge.py --cases 200     # a quick run

Set DATABASE_URL to run it on PostgreSQL (a database of its own: it is flushed first).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5, help="items per case")
    parser.add_argument("--small-bytes", type=int, default=64)
    parser.add_argument("--large-bytes", type=int, default=64 * 1024)
    args = parser.parse_args()
    if args.cases < 2:
        parser.error("--cases must be at least 2")

    os.environ.setdefault("CAUCUS_DATA_DIR", tempfile.mkdtemp(prefix="caucus-bench-purge-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
    os.environ["CAUCUS_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if os.environ.get("DATABASE_URL"):
        call_command("flush", verbosity=0, interactive=False)

    from django.utils import timezone

    from caucus.crypto.keyring import key_scope
    from caucus.retention.purge import run_purge

    half = args.cases // 2
    rounds = max(1, min(10, half // 10))
    per_round = half // rounds
    half = per_round * rounds
    start = timezone.now() - timedelta(days=30)
    print(f"data dir: {os.environ['CAUCUS_DATA_DIR']}")
    print(f"building {half} small and {half} large cases, {args.items} items each ...")
    t0 = time.perf_counter()
    # Small and large cases fall due in alternating rounds, so that load from elsewhere on
    # the machine weighs on both kinds alike.
    schedule: list[tuple[str, datetime]] = []
    written = {"small": 0, "large": 0}
    with key_scope():
        for _round in range(rounds):
            for kind, size in (("small", args.small_bytes), ("large", args.large_bytes)):
                due_at = start + timedelta(hours=len(schedule))
                written[kind] += build(per_round, args.items, size, due_at)
                schedule.append((kind, due_at))
    print(f"built in {time.perf_counter() - t0:.1f} s")

    spent = {"small": 0.0, "large": 0.0}
    with key_scope():
        for kind, due_at in schedule:
            t0 = time.perf_counter()
            report = run_purge(due_at + timedelta(minutes=30))
            spent[kind] += time.perf_counter() - t0
            assert len(report.purged) == per_round, (kind, len(report.purged))

    per_case = {kind: spent[kind] / half * 1000 for kind in spent}
    for kind in ("small", "large"):
        print(
            f"{kind} cases: {half} purged, {written[kind] / half / 1024:.1f} KiB sealed content"
            f" each, {spent[kind]:.2f} s, {per_case[kind]:.2f} ms per case"
        )
    print(f"bytes ratio large/small: {written['large'] / max(written['small'], 1):.0f}x")
    print(f"time ratio large/small per case: {per_case['large'] / per_case['small']:.2f}")


def build(count: int, items: int, size: int, purge_after: datetime) -> int:
    """Closed cases with a mediator, two parties on two sides, one meeting and `items`
    items of `size` characters each. Returns the sealed bytes written."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from caucus.accounts.models import User
    from caucus.cases.models import Case, Participant, Practice, Role, Side, Status
    from caucus.crypto.keyring import create_case_key
    from caucus.meetings.models import Item, Meeting

    practice = Practice.objects.create(name="Bench practice")
    mediator = User.objects.create(
        email=f"bench-{uuid.uuid4().hex}@example.test",
        name="Bench mediator",
        practice=practice,
        password=make_password(None),
    )
    text = "x" * size
    written = 0
    batch = 200
    for start in range(0, count, batch):
        n = min(batch, count - start)
        cases, users, sides, parts, meetings, rows = [], [], [], [], [], []
        for _ in range(n):
            case = Case(id=uuid.uuid4(), practice=practice, kind="family", status=Status.CLOSED)
            create_case_key(case.id)
            case.title = "Bench case"
            case.closed_at = purge_after
            case.purge_after = purge_after
            cases.append(case)
            med = Participant(id=uuid.uuid4(), case=case, user=mediator, role=Role.MEDIATOR)
            parts.append(med)
            for _side in range(2):
                side = Side(id=uuid.uuid4(), case=case)
                sides.append(side)
                user = User(
                    id=uuid.uuid4(),
                    email=f"p-{uuid.uuid4().hex}@example.test",
                    name="Bench party",
                    password=make_password(None),
                )
                users.append(user)
                parts.append(
                    Participant(id=uuid.uuid4(), case=case, user=user, role=Role.PARTY, side=side)
                )
            meeting = Meeting(
                id=uuid.uuid4(),
                case=case,
                kind="joint",
                mode="in_person",
                starts_at=purge_after,
                audience_kind="case",
                status="ended",
            )
            meetings.append(meeting)
            for _i in range(items):
                item = Item(
                    id=uuid.uuid4(),
                    case=case,
                    meeting=meeting,
                    raised_by=med,
                    audience_kind="case",
                )
                item.text = text
                written += len(bytes(item.text_sealed))
                rows.append(item)
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            User.objects.bulk_create(users)
            Side.objects.bulk_create(sides)
            Participant.objects.bulk_create(parts)
            Meeting.objects.bulk_create(meetings)
            Item.objects.bulk_create(rows)
    return written


if __name__ == "__main__":
    main()
