"""Reads of the retention domain: the tombstone of a purged case and its certificate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caucus.accounts.models import User
from caucus.cases.models import Case, Status
from caucus.kernel.errors import Gone
from caucus.retention.models import DeletionCertificate
from caucus.retention.signing import document


def certificate_document(case_id: uuid.UUID) -> dict[str, Any] | None:
    cert = DeletionCertificate.objects.filter(case_id=case_id).first()
    if cert is None:
        return None
    return document(cert.body, bytes(cert.signature))


@dataclass(frozen=True)
class Tombstone:
    case_id: uuid.UUID
    purged_at: datetime
    certificate: dict[str, Any]


def tombstone_for(user: User, case_id: uuid.UUID | str) -> Tombstone | None:
    """A purged case, as its practice's mediators see it; None for anyone else, who must
    get the same answer as for a case that never existed. The participant rows are gone,
    so the practice is what ties a mediator to the case now."""
    try:
        case_uuid = uuid.UUID(str(case_id))
    except ValueError:
        return None
    if user.practice_id is None:
        return None
    case = (
        Case.objects.filter(pk=case_uuid, status=Status.PURGED, practice_id=user.practice_id)
        .only("id", "purged_at")
        .first()
    )
    if case is None or case.purged_at is None:
        return None
    doc = certificate_document(case.id)
    if doc is None:
        return None
    return Tombstone(case.id, case.purged_at, doc)


def raise_if_purged(user: User, case_id: uuid.UUID | str) -> None:
    """For a case the caller cannot reach: 410 with the certificate when it is a purged case
    of the caller's practice (API.md, Retention). Otherwise returns, and the caller answers
    404 as for any case it cannot see."""
    stone = tombstone_for(user, case_id)
    if stone is not None:
        raise Gone(
            "purged",
            "This case was purged: its data is deleted.",
            purged_at=stone.purged_at.isoformat(),
            certificate=stone.certificate,
        )
