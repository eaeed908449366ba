"""What a case still needs before substantive work may start (practice 6)."""

from __future__ import annotations

from django.utils import timezone

from caucus.cases.models import Case, Invitation, Participant, Role, Status

# Steps whose data and endpoints come with the onboarding work (issue 3). Until they exist
# they are honestly missing, so no case in onboarding can be reported complete.
NOT_YET_RECORDED = ("structure_acknowledgements", "agreement_signatures", "ground_rules")


def missing(case: Case) -> list[str]:
    if case.status == Status.INTAKE:
        return ["screening"]
    if case.status != Status.ONBOARDING:
        return []
    gaps: list[str] = []
    parties = Participant.objects.filter(case=case, role=Role.PARTY).count()
    if parties < 2:
        gaps.append("parties")
    pending = Invitation.objects.filter(
        case=case, used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()
    if pending:
        gaps.append("invitations_pending")
    gaps.extend(NOT_YET_RECORDED)
    return gaps
