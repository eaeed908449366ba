"""The access log (practice 17): every read of content is one audit entry plus one row per
object read, so a party can see who read their side's content and when. `record_read` is the
one way a read is audited, for every kind of content; the kernel names each row's owner from
its audience (`caucus.kernel.reads.owners`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from caucus.audit.chain import record
from caucus.audit.models import AccessRecord
from caucus.kernel import paging
from caucus.kernel.parties import ParticipantLike
from caucus.kernel.reads import access_log_q, object_type_of, owners


def _uuid(object_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(object_id)
    except ValueError:
        return None


def record_read(
    viewer: ParticipantLike, rows: Sequence[Model], *, object_type: str = "", action: str = ""
) -> None:
    """One audit entry per call, in the same transaction as the access rows. `rows` are of
    one content model; `object_type` names a special read of it (`note_pdf`)."""
    if not rows:
        return
    object_type = object_type_of(rows, object_type)
    action = action or f"{object_type}.read"
    objects = owners(rows)
    ids = [object_id for object_id, _ in objects]
    with transaction.atomic():
        entry = record(
            action,
            case_id=viewer.case_id,
            actor_user_id=viewer.user_id,
            actor_participant_id=viewer.id,
            object_type=object_type,
            object_id=ids[0] if len(ids) == 1 else "",
            details={"ids": ids},
        )
        at = entry.at or timezone.now()
        AccessRecord.objects.bulk_create(
            [
                AccessRecord(
                    case_id=viewer.case_id,
                    at=at,
                    participant_id=viewer.id,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    object_uuid=_uuid(object_id),
                    owner_side_id=side_id,
                )
                for object_id, side_id in objects
            ]
        )


Row = TypeVar("Row", bound=Model)
Viewer = TypeVar("Viewer", bound=ParticipantLike)


def audited_page(page: paging.Page[Row], viewer: Viewer) -> tuple[paging.Page[Row], Viewer]:
    """A list selector's page, its read recorded: the audited read of a list."""
    record_read(viewer, page.rows)
    return page, viewer


def audited_row(row: Row, viewer: Viewer) -> tuple[Row, Viewer]:
    """A detail selector's answer, its read recorded: the audited read of one row."""
    record_read(viewer, [row])
    return row, viewer


def log_page(
    me: ParticipantLike, *, cursor: str | None, limit: int | None
) -> paging.Page[AccessRecord]:
    """The access log `me` may see, newest first, a page at a time: reads of the caller's
    side's content that the caller may see; the mediators see every read. The caller has
    resolved `me` through the kernel and its content gate."""
    shown = access_log_q(me)
    if shown is None:
        return paging.Page([], None)
    return paging.page(
        AccessRecord.objects.filter(shown), ("-at", "-id"), cursor=cursor, limit=limit
    )


def log_for(me: ParticipantLike, *, limit: int = 500) -> list[AccessRecord]:
    """The newest `limit` reads of the log `me` may see."""
    return log_page(me, cursor=None, limit=limit).rows
