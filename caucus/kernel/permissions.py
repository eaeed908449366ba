"""Permission checks for actions on objects the caller can already see.

`can` answers; `require` raises Forbidden (403). Visibility itself is decided in
`caucus.kernel.visibility`, and an object that is not visible never reaches these checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from caucus.cases.models import Participant, Role
from caucus.kernel.errors import Forbidden

if TYPE_CHECKING:
    from caucus.accounts.models import User


class Action(StrEnum):
    INVITE = "case.invite"
    SCREEN = "case.screen"
    CLOSE = "case.close"
    READ_SCREENING_NOTE = "case.read_screening_note"
    LIST_PARTICIPANTS = "case.list_participants"


def _is_mediator(participant: Participant) -> bool:
    return participant.role == Role.MEDIATOR


def _any_participant(participant: Participant) -> bool:
    return True


RULES: dict[Action, Callable[[Participant], bool]] = {
    Action.INVITE: _is_mediator,
    Action.SCREEN: _is_mediator,
    Action.CLOSE: _is_mediator,
    Action.READ_SCREENING_NOTE: _is_mediator,
    Action.LIST_PARTICIPANTS: _any_participant,
}


def can(participant: Participant, action: Action) -> bool:
    return RULES[action](participant)


def require(participant: Participant, action: Action) -> None:
    if not can(participant, action):
        raise Forbidden("forbidden", "Your role in this case does not allow this.")


def can_open_case(user: User) -> bool:
    return user.is_active and user.practice_id is not None


def require_open_case(user: User) -> uuid.UUID:
    """The practice the new case belongs to: the mediator's own."""
    if not can_open_case(user) or user.practice_id is None:
        raise Forbidden("forbidden", "Only mediators open cases.")
    return user.practice_id
