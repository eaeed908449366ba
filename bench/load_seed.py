"""The practice of bench/load.py (issue 18), made in-process through the domain services on
the servers' own PostgreSQL database, key store and bucket: M mediators (as `caucus
create-mediator --no-mfa` makes them) and C cases, each screened, with two invited parties who
accept, acknowledge the structure, sign both agreements (the mediator too) and agree to every
ground rule; then a running joint meeting both parties are admitted to, and a memorandum ready
to sign. Each person gets an API token as `POST /auth/token` would give.

Every bench account has the same password, so one Argon2 hash of it serves every account (a
hash verifies whatever account holds it): setup pays one hash per process instead of one per
account. Mediators and their cases are shared out between `--jobs` processes.

Run by bench/load.py in the servers' environment; prints one JSON list of seats."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")

PASSWORD = "Orchard-boundary-7-bench"  # noqa: S105  (bench accounts on a scratch database)
MEMORANDUM = "MEMORANDUM\n1. The fence moves one metre north.\n2. Each side pays half.\n"
Seat = dict[str, Any]


def _one_hash_for_every_account(encoded: str) -> None:
    from django.contrib.auth import base_user

    real = base_user.make_password

    def make_password(password: str | None, *args: Any, **kwargs: Any) -> str:
        return encoded if password == PASSWORD else real(password, *args, **kwargs)

    base_user.make_password = make_password  # type: ignore[assignment]


def _one_case(mediator: Any, mediator_token: str, n: int) -> list[Seat]:
    from django.utils import timezone

    from caucus.cases import onboarding_services as onboarding
    from caucus.cases import services
    from caucus.cases.models import Agreement, GroundRule
    from caucus.crypto.keyring import key_scope
    from caucus.meetings import services as meetings
    from caucus.settlement import services as settlement

    with key_scope():
        me = services.open_case(
            mediator, title=f"Orchard boundary {n}", kind="civil", litigated=False
        )
        case_id = me.case_id
        services.screen_case(
            mediator, case_id, decision="accept", reason_code=None, private_note=None
        )
        parties = []
        for side, name in (("a", "Ada Appleby"), ("b", "Ben Birch")):
            issued = services.invite(
                mediator,
                case_id,
                email=f"party-{side}-{n}@bench.test",
                name=name,
                role="party",
                side_id=None,
            )
            accepted = services.accept_invitation(
                issued.token, name=name, password=PASSWORD, user=None
            )
            parties.append((accepted.participant, accepted.token))
        for party, _ in parties:
            onboarding.acknowledge_structure(party.user, case_id)
        for user in (mediator, *(p.user for p, _ in parties)):
            for agreement in Agreement.objects.filter(case_id=case_id):
                onboarding.sign_agreement(
                    user, agreement.id, typed_name=user.name, text_sha256=agreement.text_sha256
                )
        for rule in GroundRule.objects.filter(case_id=case_id, withdrawn_at__isnull=True):
            for party, _ in parties:
                onboarding.respond_to_rule(party.user, rule.id, agrees=True, comment=None)
        meeting = meetings.schedule_meeting(
            mediator,
            case_id,
            kind="joint",
            side_id=None,
            mode="virtual",
            starts_at=timezone.now(),
        )
        meetings.start_meeting(mediator, meeting.id)
        for party, _ in parties:
            meetings.join_meeting(
                party.user,
                meeting.id,
                private_location=True,
                not_recording=True,
                others_present=[],
            )
            meetings.admit(mediator, meeting.id, party.id)
        memorandum = settlement.draft(mediator, case_id, text=MEMORANDUM, template=None)
        settlement.mark_ready(mediator, memorandum.id)
    common = {"case_id": str(case_id), "meeting_id": str(meeting.id)}
    common["settlement_id"] = str(memorandum.id)
    seats = [{**common, "token": mediator_token, "name": mediator.name, "mediator": True}]
    for party, token in parties:
        seats.append({**common, "token": token, "name": party.user.name, "mediator": False})
    return seats


def _part(job: tuple[int, int, int, int, str, str]) -> list[Seat]:
    part, jobs, mediators, cases, practice_id, encoded = job
    import django

    django.setup()
    _one_hash_for_every_account(encoded)
    from caucus.accounts.services import new_api_token
    from caucus.cases.models import Practice
    from caucus.cases.practices import create_mediator
    from caucus.crypto.keyring import key_scope

    practice = Practice.objects.get(pk=practice_id)
    seats: list[Seat] = []
    for m in range(part, mediators, jobs):
        with key_scope():
            user, _ = create_mediator(
                email=f"mediator-{m}@bench.test",
                name=f"Mara Mediator {m}",
                password=PASSWORD,
                mfa=False,
                practice=practice,
            )
        token = new_api_token(user)
        for n in range(m, cases, mediators):
            seats += _one_case(user, token, n)
    return seats


def seed(mediators: int, cases: int, jobs: int) -> list[Seat]:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connections

    from caucus.cases.practices import new_practice
    from caucus.crypto.keyring import key_scope

    with key_scope():
        practice = new_practice("Bench practice")
    encoded = make_password(PASSWORD)
    # The invitation links need the URL configuration (the whole API, 3 s to import): once,
    # before the fork, not once per process.
    import caucus.urls  # noqa: F401

    # Each process opens its own connections: none may be inherited across the fork.
    connections.close_all()
    work = [(p, jobs, mediators, cases, str(practice.id), encoded) for p in range(jobs)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_part, work)
    return [seat for part in parts for seat in part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mediators", type=int, required=True)
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = max(1, min(args.jobs, args.mediators))
    json.dump(seed(args.mediators, args.cases, jobs), sys.stdout)


if __name__ == "__main__":
    main()
