"""What a case still needs before substantive work may start (practice 6)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from caucus.cases.models import Case, Invitation, Participant, Role, Status

# Steps whose data and endpoints come with the onboarding work (issue 3). Until they exist
# they are honestly missing, so no case in onboarding can be reported complete.
NOT_YET_RECORDED = ("structure_acknowledgements", "agreement_signatures", "ground_rules")


@dataclass(frozen=True)
class Facts:
    parties: int
    invitations_pending: bool


def facts_for(case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Facts]:
    """The facts of several cases in two queries, for lists."""
    ids = list(case_ids)
    parties = dict(
        Participant.objects.filter(case_id__in=ids, role=Role.PARTY)
        .values_list("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    pending = set(
        Invitation.objects.filter(
            case_id__in=ids, used_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("case_id", flat=True)
    )
    return {i: Facts(parties.get(i, 0), i in pending) for i in ids}


def missing(case: Case, facts: Facts | None = None) -> list[str]:
    if case.status == Status.INTAKE:
        return ["screening"]
    if case.status != Status.ONBOARDING:
        return []
    if facts is None:
        facts = facts_for([case.id])[case.id]
    gaps: list[str] = []
    if facts.parties < 2:
        gaps.append("parties")
    if facts.invitations_pending:
        gaps.append("invitations_pending")
    gaps.extend(NOT_YET_RECORDED)
    return gaps
