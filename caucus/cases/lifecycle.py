"""The case lifecycle: the only code that writes Case.status."""

from __future__ import annotations

from caucus.cases.models import Case, Status
from caucus.kernel.errors import Conflict

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.INTAKE: frozenset({Status.ONBOARDING, Status.DECLINED}),
    Status.ONBOARDING: frozenset({Status.ACTIVE, Status.CLOSED}),
    Status.ACTIVE: frozenset({Status.CLOSED}),
    # A purge passes through `purging` so that a purge killed half-way is recognisable and
    # resumed (caucus.retention.purge); the case is hidden from everyone from that moment.
    Status.CLOSED: frozenset({Status.PURGING}),
    Status.DECLINED: frozenset({Status.PURGING}),
    Status.PURGING: frozenset({Status.PURGED}),
    Status.PURGED: frozenset(),
}


def can_move(case: Case, to: Status) -> bool:
    return to in TRANSITIONS[case.status]


def move(case: Case, to: Status) -> None:
    """Sets the new status on `case`; the caller saves it inside its transaction."""
    if not can_move(case, to):
        raise Conflict(
            "invalid_transition",
            f"A case that is {case.status} cannot become {to}.",
        )
    case.status = to
