"""Reads on cases, each filtered through the kernel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from caucus.accounts.models import User
from caucus.cases.models import Case, Participant
from caucus.crypto.keyring import preload
from caucus.kernel.visibility import visible_cases


@dataclass(frozen=True)
class Page:
    rows: list[tuple[Case, Participant]]
    next_cursor: str | None


def my_cases(user: User, *, after: tuple[datetime, uuid.UUID] | None, limit: int) -> Page:
    """The caller's cases, newest first, with the caller's participation, in two queries."""
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
    cursor = None
    if more and cases:
        last = cases[-1]
        cursor = f"{last.created_at.isoformat()}|{last.id}"
    return Page([(c, mine[c.id]) for c in cases], cursor)
