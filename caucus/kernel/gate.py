"""Practices 6 and 7: no substantive work before onboarding is complete, and no content for
a participant who has not signed the current agreements. Each action declares its gate in
the rules table (`caucus.kernel.permissions.RULES`); `require` applies it.

What onboarding still lacks is the cases domain's to know; it registers the two questions
(`register_onboarding`, from its AppConfig.ready) and the kernel asks them. Until it has, the
gate refuses everything: a kernel that cannot ask fails closed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from caucus.kernel.errors import Conflict
from caucus.kernel.parties import (
    BEFORE_ONBOARDING_ENDS,
    FINISHED,
    CaseLike,
    ParticipantLike,
    Status,
)


class Gate(StrEnum):
    """Which onboarding gate an action passes."""

    # Onboarding itself, concerns (a concern may be the reason not to sign) and who is in
    # the case: open to every participant from the start.
    NONE = "none"
    # Reading the record: after onboarding, by someone who signed; still after the close.
    CONTENT = "content"
    # Substantive work: only in an active case, by someone who signed.
    SUBSTANTIVE = "substantive"


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


def signed(participant: ParticipantLike) -> bool:
    return _onboarding().has_signed_all(participant)


def refusal(participant: ParticipantLike, gate: Gate, has_signed: Callable[[], bool]) -> str | None:
    """Why `gate` refuses the participant now (a 409 code), or None. `has_signed` is asked
    last and at most once: it is the one question that costs a query."""
    if gate == Gate.NONE:
        return None
    status = participant.case.status
    if status in BEFORE_ONBOARDING_ENDS:
        return "onboarding_incomplete"
    if gate == Gate.SUBSTANTIVE:
        if status in FINISHED:
            return "case_closed"
        if status != Status.ACTIVE:
            return "case_not_active"
    if not has_signed():
        return "agreements_unsigned"
    return None


def conflict(code: str, case: CaseLike) -> Conflict:
    """The 409 for a refusal of `refusal` or of the closed-case rule."""
    if code == "onboarding_incomplete":
        return Conflict(
            code,
            "The structure, the agreements and the ground rules come first.",
            missing=_onboarding().missing(case),
        )
    if code == "agreements_unsigned":
        return Conflict(
            code, "Sign the agreement to mediate and the confidentiality agreement first."
        )
    if code == "case_closed":
        return Conflict(code, f"This case is {case.status}: nothing in it changes now.")
    return Conflict(code, f"This case is {case.status}.")


def is_open(case: CaseLike) -> bool:
    return case.status not in FINISHED


def require_open(case: CaseLike) -> None:
    """Every write to a case passes here (through `require`): a finished case answers 409
    `case_closed`."""
    if not is_open(case):
        raise conflict("case_closed", case)


def require_gate(participant: ParticipantLike, gate: Gate) -> None:
    code = refusal(participant, gate, lambda: signed(participant))
    if code is not None:
        raise conflict(code, participant.case)


def require_substantive(participant: ParticipantLike) -> None:
    require_gate(participant, Gate.SUBSTANTIVE)


def require_content_access(participant: ParticipantLike) -> None:
    """Reading the record of a case: allowed while it runs and after it closes (until the
    purge), never before onboarding or to someone who has not signed."""
    require_gate(participant, Gate.CONTENT)
