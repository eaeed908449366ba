"""`GET /me/attention` (issue 15): what waits on the caller, as codes and ids."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from caucus.api.schemas import ErrorOut
from caucus.api.security import caller
from caucus.disclosures.attention import attention

router = Router(tags=["accounts"])


class AttentionItem(Schema):
    kind: str
    case_id: uuid.UUID
    object_id: uuid.UUID
    at: datetime
    # How many the row stands for: the unread messages of a case are one row.
    count: int = 1


class AttentionList(Schema):
    items: list[AttentionItem]
    next: str | None


@router.get(
    "/me/attention",
    response={200: AttentionList, 401: ErrorOut},
    summary="What waits on the caller across their cases (codes and ids only)",
)
def my_attention(request: HttpRequest) -> AttentionList:
    rows = attention(caller(request))
    return AttentionList(
        items=[
            AttentionItem(
                kind=w.kind, case_id=w.case_id, object_id=w.object_id, at=w.at, count=w.count
            )
            for w in rows
        ],
        next=None,
    )
