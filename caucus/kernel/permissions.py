"""Permission checks for actions on objects the caller can already see.

`can` answers; `require` raises Forbidden (403), and Conflict (409 `case_closed`) for any
action that changes something in a closed or declined case. Visibility itself is decided in
`caucus.kernel.visibility`, and an object that is not visible never reaches these checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum

from caucus.kernel.errors import Forbidden
from caucus.kernel.gate import require_open
from caucus.kernel.parties import ParticipantLike, Role, UserLike


class Action(StrEnum):
    INVITE = "case.invite"
    SCREEN = "case.screen"
    CLOSE = "case.close"
    READ_SCREENING_NOTE = "case.read_screening_note"
    LIST_PARTICIPANTS = "case.list_participants"
    SET_STRUCTURE = "onboarding.set_structure"
    ACKNOWLEDGE_STRUCTURE = "onboarding.acknowledge_structure"
    EDIT_AGREEMENT = "onboarding.edit_agreement"
    SIGN_AGREEMENT = "onboarding.sign_agreement"
    PROPOSE_RULE = "onboarding.propose_rule"
    RESPOND_TO_RULE = "onboarding.respond_to_rule"
    SUBMIT_INTAKE = "onboarding.submit_intake"
    READ_ALL_INTAKE = "onboarding.read_all_intake"
    SEE_ATTENDANCE = "meetings.see_attendance"
    SCHEDULE_MEETING = "meetings.schedule"
    RUN_MEETING = "meetings.run"
    JOIN_MEETING = "meetings.join"
    RAISE_ITEM = "meetings.raise_item"
    DECIDE_ITEM = "meetings.decide_item"
    WRITE_NOTES = "meetings.write_notes"
    GIVE_FEEDBACK = "meetings.give_feedback"
    DRAFT_DISCLOSURE = "disclosures.draft"
    REQUEST_CONSENT = "consents.request"
    ANSWER_CONSENT = "consents.answer"
    RAISE_CONCERN = "concerns.raise"
    RESPOND_TO_CONCERN = "concerns.respond"
    POST_MESSAGE = "messages.post"
    UPLOAD_DOCUMENT = "documents.upload"
    REDACT_DOCUMENT = "documents.redact"


def _is_mediator(participant: ParticipantLike) -> bool:
    return participant.role == Role.MEDIATOR


def _any_participant(participant: ParticipantLike) -> bool:
    return True


def _is_party(participant: ParticipantLike) -> bool:
    return participant.role == Role.PARTY


def _mediator_or_party(participant: ParticipantLike) -> bool:
    return participant.role in (Role.MEDIATOR, Role.PARTY)


RULES: dict[Action, Callable[[ParticipantLike], bool]] = {
    Action.INVITE: _is_mediator,
    Action.SCREEN: _is_mediator,
    Action.CLOSE: _is_mediator,
    Action.READ_SCREENING_NOTE: _is_mediator,
    Action.LIST_PARTICIPANTS: _any_participant,
    Action.SET_STRUCTURE: _is_mediator,
    Action.ACKNOWLEDGE_STRUCTURE: _is_party,
    Action.EDIT_AGREEMENT: _is_mediator,
    Action.SIGN_AGREEMENT: _any_participant,
    Action.PROPOSE_RULE: _mediator_or_party,
    Action.RESPOND_TO_RULE: _is_party,
    Action.SUBMIT_INTAKE: _is_party,
    Action.READ_ALL_INTAKE: _is_mediator,
    Action.SCHEDULE_MEETING: _is_mediator,
    Action.RUN_MEETING: _is_mediator,
    Action.SEE_ATTENDANCE: _is_mediator,
    Action.JOIN_MEETING: lambda p: p.role != Role.MEDIATOR,
    Action.RAISE_ITEM: _mediator_or_party,
    Action.DECIDE_ITEM: _is_mediator,
    Action.WRITE_NOTES: _is_mediator,
    Action.GIVE_FEEDBACK: _any_participant,
    Action.DRAFT_DISCLOSURE: _is_mediator,
    Action.REQUEST_CONSENT: _is_mediator,
    Action.ANSWER_CONSENT: _is_party,
    Action.RAISE_CONCERN: _any_participant,
    Action.RESPOND_TO_CONCERN: _is_mediator,
    Action.POST_MESSAGE: _any_participant,
    Action.UPLOAD_DOCUMENT: _any_participant,
    Action.REDACT_DOCUMENT: _is_mediator,
}


# The actions that change nothing. Every other action is a write, refused once the case is
# closed: a new action is a write unless it is named here, so a forgotten one fails closed.
READ_ONLY: frozenset[Action] = frozenset(
    {
        Action.READ_SCREENING_NOTE,
        Action.LIST_PARTICIPANTS,
        Action.READ_ALL_INTAKE,
        Action.SEE_ATTENDANCE,
    }
)


def can_confirm_item(participant: ParticipantLike, origin_side_id: uuid.UUID | None) -> bool:
    """The party whose side the item came from confirms its confidentiality decision."""
    return (
        participant.role == Role.PARTY
        and origin_side_id is not None
        and participant.side_id == origin_side_id
    )


def require_named_approver(participant: ParticipantLike, approver_ids: set[uuid.UUID]) -> None:
    """A disclosure is answered only by the approvers named when it was drafted."""
    if participant.id not in approver_ids:
        raise Forbidden("not_an_approver", "You are not asked to approve this.")


def can(participant: ParticipantLike, action: Action) -> bool:
    return RULES[action](participant)


def require(participant: ParticipantLike, action: Action) -> None:
    if action not in READ_ONLY:
        require_open(participant.case)
    if not can(participant, action):
        raise Forbidden("forbidden", "Your role in this case does not allow this.")


def require_proposer(participant: ParticipantLike, proposed_by_id: uuid.UUID) -> None:
    """Only whoever proposed a ground rule amends or withdraws it."""
    require_open(participant.case)
    if participant.id != proposed_by_id:
        raise Forbidden("forbidden", "Only whoever proposed this rule may change it.")


def can_open_case(user: UserLike) -> bool:
    return user.is_active and user.practice_id is not None


def require_open_case(user: UserLike) -> uuid.UUID:
    """The practice the new case belongs to: the mediator's own."""
    if not can_open_case(user) or user.practice_id is None:
        raise Forbidden("forbidden", "Only mediators open cases.")
    return user.practice_id
