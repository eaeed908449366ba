"""Permission checks for actions on objects the caller can already see.

Each action is one row of `RULES`: who may take it, which onboarding gate it passes and
whether it changes anything. `require` applies the row and raises Conflict (409: the gate,
or `case_closed` for a write in a closed or declined case) or Forbidden (403);
`allowed_actions` answers from the same rows. Visibility itself is decided in
`caucus.kernel.visibility`, and an object that is not visible never reaches these checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from caucus.kernel import gate
from caucus.kernel.errors import Forbidden
from caucus.kernel.gate import Gate
from caucus.kernel.parties import BEFORE_ONBOARDING_ENDS, ParticipantLike, Role, Status, UserLike


class Action(StrEnum):
    INVITE = "case.invite"
    SCREEN = "case.screen"
    CLOSE = "case.close"
    READ_SCREENING_NOTE = "case.read_screening_note"
    LIST_PARTICIPANTS = "case.list_participants"
    READ_RECORD = "case.read_record"
    SET_STRUCTURE = "onboarding.set_structure"
    ACKNOWLEDGE_STRUCTURE = "onboarding.acknowledge_structure"
    EDIT_AGREEMENT = "onboarding.edit_agreement"
    READ_AGREEMENT = "onboarding.read_agreement"
    SIGN_AGREEMENT = "onboarding.sign_agreement"
    PROPOSE_RULE = "onboarding.propose_rule"
    AMEND_RULE = "onboarding.amend_rule"
    RESPOND_TO_RULE = "onboarding.respond_to_rule"
    SUBMIT_INTAKE = "onboarding.submit_intake"
    READ_ALL_INTAKE = "onboarding.read_all_intake"
    SEE_ATTENDANCE = "meetings.see_attendance"
    SCHEDULE_MEETING = "meetings.schedule"
    RUN_MEETING = "meetings.run"
    JOIN_MEETING = "meetings.join"
    RAISE_ITEM = "meetings.raise_item"
    DECIDE_ITEM = "meetings.decide_item"
    CONFIRM_ITEM = "meetings.confirm_item"
    WRITE_NOTES = "meetings.write_notes"
    GIVE_FEEDBACK = "meetings.give_feedback"
    DRAFT_DISCLOSURE = "disclosures.draft"
    ANSWER_DISCLOSURE = "disclosures.answer"
    REQUEST_CONSENT = "consents.request"
    ANSWER_CONSENT = "consents.answer"
    RAISE_CONCERN = "concerns.raise"
    READ_CONCERNS = "concerns.read"
    RESPOND_TO_CONCERN = "concerns.respond"
    POST_MESSAGE = "messages.post"
    UPLOAD_DOCUMENT = "documents.upload"
    REDACT_DOCUMENT = "documents.redact"
    # issue 16
    DRAFT_SETTLEMENT = "settlement.draft"
    COMMENT_ON_SETTLEMENT = "settlement.comment"
    SIGN_SETTLEMENT = "settlement.sign"
    # issue 15 (invitations)
    LIST_INVITATIONS = "case.list_invitations"
    # issue 15
    WITHDRAW = "case.withdraw"
    # issue 15
    REMOVE_ATTORNEY = "case.remove_attorney"


@dataclass(frozen=True)
class Rule:
    """`who`: the roles that may take the action. `gate`: the onboarding gate it passes
    (`caucus.kernel.gate`).
        `read_only`: it changes nothing, so it stays allowed once the case is closed; every other
        action is refused in a closed or declined case (409 `case_closed`)."""

    who: Callable[[ParticipantLike], bool]
    gate: Gate
    read_only: bool = False
    # The states of the case in which the action is possible at all, and the 409 code that
    # refuses it in any other; None: every state the gate and the closed-case rule allow.
    states: frozenset[str] | None = None
    refusal: str = ""


def _is_mediator(participant: ParticipantLike) -> bool:
    return participant.role == Role.MEDIATOR


def _any_participant(participant: ParticipantLike) -> bool:
    return True


def _is_party(participant: ParticipantLike) -> bool:
    return participant.role == Role.PARTY


def _mediator_or_party(participant: ParticipantLike) -> bool:
    return participant.role in (Role.MEDIATOR, Role.PARTY)


def _not_mediator(participant: ParticipantLike) -> bool:
    return participant.role != Role.MEDIATOR


_NONE, _CONTENT, _SUBSTANTIVE = Gate.NONE, Gate.CONTENT, Gate.SUBSTANTIVE
_SCREENABLE = frozenset({Status.INTAKE})
_CLOSABLE = frozenset({Status.ONBOARDING, Status.ACTIVE})
# The structure, the agreements, the ground rules and the intake are settled during
# onboarding and fixed once the case is active.
_ONBOARDING, _SETTLED = BEFORE_ONBOARDING_ENDS, "onboarding_closed"

# Every action, once: who may take it, the gate it passes and whether it changes anything.
# `require` applies all three, `allowed_actions` answers from the same rows.
RULES: dict[Action, Rule] = {
    Action.INVITE: Rule(_is_mediator, _NONE),
    Action.SCREEN: Rule(_is_mediator, _NONE, states=_SCREENABLE, refusal="invalid_transition"),
    Action.CLOSE: Rule(_is_mediator, _NONE, states=_CLOSABLE, refusal="invalid_transition"),
    Action.READ_SCREENING_NOTE: Rule(_is_mediator, _NONE, read_only=True),
    Action.LIST_PARTICIPANTS: Rule(_any_participant, _NONE, read_only=True),
    Action.READ_RECORD: Rule(_any_participant, _CONTENT, read_only=True),
    Action.SET_STRUCTURE: Rule(_is_mediator, _NONE, states=_ONBOARDING, refusal=_SETTLED),
    Action.ACKNOWLEDGE_STRUCTURE: Rule(_is_party, _NONE, states=_ONBOARDING, refusal=_SETTLED),
    Action.EDIT_AGREEMENT: Rule(_is_mediator, _NONE, states=_ONBOARDING, refusal="agreement_fixed"),
    Action.READ_AGREEMENT: Rule(_any_participant, _NONE, read_only=True),
    Action.SIGN_AGREEMENT: Rule(_any_participant, _NONE),
    Action.PROPOSE_RULE: Rule(_mediator_or_party, _NONE, states=_ONBOARDING, refusal=_SETTLED),
    # Only whoever proposed the rule (`require_proposer`).
    Action.AMEND_RULE: Rule(_any_participant, _NONE, states=_ONBOARDING, refusal=_SETTLED),
    Action.RESPOND_TO_RULE: Rule(_is_party, _NONE, states=_ONBOARDING, refusal=_SETTLED),
    Action.SUBMIT_INTAKE: Rule(_is_party, _NONE, states=_ONBOARDING, refusal=_SETTLED),
    Action.READ_ALL_INTAKE: Rule(_is_mediator, _NONE, read_only=True),
    Action.SEE_ATTENDANCE: Rule(_is_mediator, _CONTENT, read_only=True),
    Action.SCHEDULE_MEETING: Rule(_is_mediator, _SUBSTANTIVE),
    Action.RUN_MEETING: Rule(_is_mediator, _SUBSTANTIVE),
    Action.JOIN_MEETING: Rule(_not_mediator, _SUBSTANTIVE),
    Action.RAISE_ITEM: Rule(_mediator_or_party, _SUBSTANTIVE),
    Action.DECIDE_ITEM: Rule(_is_mediator, _SUBSTANTIVE),
    # Only the party of the item's side (`can_confirm_item`).
    Action.CONFIRM_ITEM: Rule(_is_party, _SUBSTANTIVE),
    # Notes and feedback may be finished after the meeting, but not once the case closed.
    Action.WRITE_NOTES: Rule(_is_mediator, _CONTENT),
    Action.GIVE_FEEDBACK: Rule(_any_participant, _CONTENT),
    Action.DRAFT_DISCLOSURE: Rule(_is_mediator, _SUBSTANTIVE),
    # Only the approvers named at drafting (`require_named_approver`).
    Action.ANSWER_DISCLOSURE: Rule(_any_participant, _SUBSTANTIVE),
    Action.REQUEST_CONSENT: Rule(_is_mediator, _SUBSTANTIVE),
    Action.ANSWER_CONSENT: Rule(_is_party, _SUBSTANTIVE),
    Action.RAISE_CONCERN: Rule(_any_participant, _NONE),
    Action.READ_CONCERNS: Rule(_any_participant, _NONE, read_only=True),
    Action.RESPOND_TO_CONCERN: Rule(_is_mediator, _NONE),
    Action.POST_MESSAGE: Rule(_any_participant, _SUBSTANTIVE),
    Action.UPLOAD_DOCUMENT: Rule(_any_participant, _SUBSTANTIVE),
    Action.REDACT_DOCUMENT: Rule(_is_mediator, _SUBSTANTIVE),
    # issue 16: the memorandum of understanding. Who signs is the practice's policy
    # (`caucus.settlement.services.signers`); the rule admits every participant to ask.
    Action.DRAFT_SETTLEMENT: Rule(_is_mediator, _SUBSTANTIVE),
    Action.COMMENT_ON_SETTLEMENT: Rule(_any_participant, _SUBSTANTIVE),
    Action.SIGN_SETTLEMENT: Rule(_any_participant, _SUBSTANTIVE),
    # issue 15 (invitations)
    Action.LIST_INVITATIONS: Rule(_is_mediator, _NONE, read_only=True),
    # issue 15: any party may end the mediation (the agreement to mediate says so).
    Action.WITHDRAW: Rule(_is_party, _NONE, states=_CLOSABLE, refusal="invalid_transition"),
    # issue 15: the mediator ends an attorney's participation, so the side can have another.
    Action.REMOVE_ATTORNEY: Rule(_is_mediator, _NONE),
}


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
    """Whether the participant's role may take the action at all, whatever the state of the
    case. What is possible now is `allowed_actions`."""
    return RULES[action].who(participant)


def require(participant: ParticipantLike, action: Action) -> None:
    """The one check every service passes: the action's gate, the closed-case rule for
    writes, the role, then the states the action is possible in. Raises Conflict (409) or
    Forbidden (403)."""
    rule = RULES[action]
    gate.require_gate(participant, rule.gate)
    if not rule.read_only:
        gate.require_open(participant.case)
    if not rule.who(participant):
        raise Forbidden("forbidden", "Your role in this case does not allow this.")
    if rule.states is not None and participant.case.status not in rule.states:
        raise gate.conflict(rule.refusal, participant.case)


def allowed_actions(participant: ParticipantLike) -> frozenset[Action]:
    """Every action `require` lets the participant take now, from the same rows of the same
    table through the same gates: at most one query (whether they signed)."""
    signed: list[bool] = []

    def has_signed() -> bool:
        if not signed:
            signed.append(gate.signed(participant))
        return signed[0]

    passes = {g: gate.refusal(participant, g, has_signed) is None for g in Gate}
    is_open = gate.is_open(participant.case)
    status = participant.case.status
    return frozenset(
        action
        for action, rule in RULES.items()
        if passes[rule.gate]
        and (rule.read_only or is_open)
        and rule.who(participant)
        and (rule.states is None or status in rule.states)
    )


def require_proposer(participant: ParticipantLike, proposed_by_id: uuid.UUID) -> None:
    """Only whoever proposed a ground rule amends or withdraws it."""
    require(participant, Action.AMEND_RULE)
    if participant.id != proposed_by_id:
        raise Forbidden("forbidden", "Only whoever proposed this rule may change it.")


def can_open_case(user: UserLike) -> bool:
    return user.is_active and user.practice_id is not None


def require_open_case(user: UserLike) -> uuid.UUID:
    """The practice the new case belongs to: the mediator's own."""
    if not can_open_case(user) or user.practice_id is None:
        raise Forbidden("forbidden", "Only mediators open cases.")
    return user.practice_id
