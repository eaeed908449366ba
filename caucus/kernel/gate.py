"""Practices 6 and 7: no substantive work before onboarding is complete, and no content for
a participant who has not signed the current agreements.

What onboarding still lacks is the cases domain's to know; it registers the two questions
(`register_onboarding`, from its AppConfig.ready) and the kernel asks them. Until it has, the
gate refuses everything: a kernel that cannot ask fails closed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from caucus.kernel.errors import Conflict
from caucus.kernel.parties import (
    BEFORE_ONBOARDING_ENDS,
    FINISHED,
    CaseLike,
    ParticipantLike,
    Status,
)


@dataclass(frozen=True)
class Onboarding:
    missing: Callable[[CaseLike], list[str]]
    has_signed_all: Callable[[ParticipantLike], bool]


_registered: list[Onboarding] = []


def register_onboarding(
    missing: Callable[[CaseLike], list[str]], has_signed_all: Callable[[ParticipantLike], bool]
) -> None:
    _registered[:] = [Onboarding(missing, has_signed_all)]


def _onboarding() -> Onboarding:
    if not _registered:
        raise RuntimeError("The cases domain has not registered its onboarding with the kernel.")
    return _registered[0]


def require_open(case: CaseLike) -> None:
    """Every write to a case passes here (through `require`, `require_proposer` and the
    onboarding gate): a finished case answers 409 `case_closed`."""
    if case.status in FINISHED:
        raise Conflict("case_closed", f"This case is {case.status}: nothing in it changes now.")


def require_substantive(participant: ParticipantLike) -> None:
    case = participant.case
    _require_onboarded(participant)
    require_open(case)
    if case.status != Status.ACTIVE:
        raise Conflict("case_not_active", f"This case is {case.status}.")
    _require_signed(participant)


def require_content_access(participant: ParticipantLike) -> None:
    """Reading the record of a case: allowed while it runs and after it closes (until the
    purge), never before onboarding or to someone who has not signed."""
    _require_onboarded(participant)
    _require_signed(participant)


def _require_onboarded(participant: ParticipantLike) -> None:
    case = participant.case
    if case.status in BEFORE_ONBOARDING_ENDS:
        raise Conflict(
            "onboarding_incomplete",
            "The structure, the agreements and the ground rules come first.",
            missing=_onboarding().missing(case),
        )


def _require_signed(participant: ParticipantLike) -> None:
    if not _onboarding().has_signed_all(participant):
        raise Conflict(
            "agreements_unsigned",
            "Sign the agreement to mediate and the confidentiality agreement first.",
        )
