"""The access log (practice 17): every read of content is one audit entry plus one row per
object read, so a party can see who read their side's content and when."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from caucus.accounts.models import User
from caucus.audit.chain import record
from caucus.audit.models import AccessRecord
from caucus.cases.models import Participant
from caucus.kernel.gate import require_content_access
from caucus.kernel.reads import access_log_q, read_owners
from caucus.kernel.visibility import access_case


def _uuid(object_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(object_id)
    except ValueError:
        return None


def record_reads(
    participant: Participant,
    object_type: str,
    object_ids: Sequence[uuid.UUID | str],
    *,
    action: str = "",
) -> None:
    """One audit entry per call, in the same transaction as the access rows; the kernel
    decides whose content each object is (`read_owners`)."""
    if not object_ids:
        return
    action = action or f"{object_type}.read"
    objects = read_owners(object_type, object_ids)
    ids = [object_id for object_id, _ in objects]
    with transaction.atomic():
        entry = record(
            action,
            case_id=participant.case_id,
            actor_user_id=participant.user_id,
            actor_participant_id=participant.id,
            object_type=object_type,
            object_id=ids[0] if len(ids) == 1 else "",
            details={"ids": ids},
        )
        at = entry.at or timezone.now()
        AccessRecord.objects.bulk_create(
            [
                AccessRecord(
                    case_id=participant.case_id,
                    at=at,
                    participant_id=participant.id,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    object_uuid=_uuid(object_id),
                    owner_side_id=side_id,
                )
                for object_id, side_id in objects
            ]
        )


def access_log(user: User, case_id: uuid.UUID, *, limit: int = 500) -> list[AccessRecord]:
    """Reads of the caller's side's content that the caller may see, newest first; the
    mediators see every read."""
    me = access_case(user, case_id)
    require_content_access(me)
    return log_for(me, limit=limit)


def log_for(me: Participant, *, limit: int = 500) -> list[AccessRecord]:
    """The access log `me` may see; the caller has resolved `me` through the kernel."""
    shown = access_log_q(me)
    if shown is None:
        return []
    rows: QuerySet[AccessRecord] = AccessRecord.objects.filter(shown)
    return list(rows.order_by("-at", "-id")[:limit])
