"""Reads on cases, each filtered through the kernel."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from caucus.accounts.models import User
from caucus.cases import onboarding
from caucus.cases.access import visible_cases
from caucus.cases.models import Case, Participant
from caucus.crypto.keyring import preload


@dataclass(frozen=True)
class Row:
    case: Case
    me: Participant
    onboarding_missing: list[str]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def encode_cursor(created_at: datetime, case_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{case_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Raises ValueError for anything this API did not give out."""
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("bad cursor") from None
    when, _, ident = raw.partition("|")
    created = datetime.fromisoformat(when)
    if created.tzinfo is None:
        raise ValueError("bad cursor")
    return created, uuid.UUID(ident)


def my_cases(user: User, *, after: tuple[datetime, uuid.UUID] | None, limit: int) -> Page:
    """The caller's cases, newest first, with the caller's participation and onboarding
    progress, in a fixed number of queries whatever the number of cases."""
    qs: QuerySet[Case] = visible_cases(user).order_by("-created_at", "-id")
    if after is not None:
        created, last_id = after
        qs = qs.filter(created_at__lt=created) | qs.filter(created_at=created, id__lt=last_id)
        qs = qs.order_by("-created_at", "-id")
    cases = list(qs[: limit + 1])
    more = len(cases) > limit
    cases = cases[:limit]
    mine = {
        p.case_id: p
        for p in Participant.objects.filter(user=user, case_id__in=[c.id for c in cases])
    }
    preload(c.id for c in cases)
    facts = onboarding.facts_for(c.id for c in cases)
    cursor = None
    if more and cases:
        cursor = encode_cursor(cases[-1].created_at, cases[-1].id)
    rows = [Row(c, mine[c.id], onboarding.missing(c, facts[c.id])) for c in cases]
    return Page(rows, cursor)
