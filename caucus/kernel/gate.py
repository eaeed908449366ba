"""Practices 6 and 7: no substantive work before onboarding is complete, and no content for
a participant who has not signed the current agreements. Every substantive service calls
`require_substantive` right after resolving the caller's participation."""

from __future__ import annotations

from caucus.cases import onboarding
from caucus.cases.models import Participant, Status
from caucus.kernel.errors import Conflict
from caucus.kernel.permissions import require_open


def require_substantive(participant: Participant) -> None:
    case = participant.case
    if case.status in (Status.INTAKE, Status.ONBOARDING):
        raise Conflict(
            "onboarding_incomplete",
            "The structure, the agreements and the ground rules come first.",
            missing=onboarding.missing(case),
        )
    require_open(case)
    if case.status != Status.ACTIVE:
        raise Conflict("case_not_active", f"This case is {case.status}.")
    if not onboarding.has_signed_all(participant):
        raise Conflict(
            "agreements_unsigned",
            "Sign the agreement to mediate and the confidentiality agreement first.",
        )


def require_content_access(participant: Participant) -> None:
    """Reading the record of a case: allowed while it runs and after it closes (until the
    purge), never before onboarding or to someone who has not signed."""
    case = participant.case
    if case.status in (Status.INTAKE, Status.ONBOARDING):
        raise Conflict(
            "onboarding_incomplete",
            "The structure, the agreements and the ground rules come first.",
            missing=onboarding.missing(case),
        )
    if not onboarding.has_signed_all(participant):
        raise Conflict(
            "agreements_unsigned",
            "Sign the agreement to mediate and the confidentiality agreement first.",
        )
