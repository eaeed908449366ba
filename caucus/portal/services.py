"""Portal messages: written through the kernel, sealed at rest, notified without content."""

from __future__ import annotations

import uuid

from django.db import transaction

from caucus.accounts.models import User
from caucus.audit.chain import record
from caucus.cases.models import Participant
from caucus.kernel.audience import AudienceKind
from caucus.kernel.errors import Invalid
from caucus.kernel.gate import require_substantive
from caucus.kernel.permissions import Action, require
from caucus.kernel.visibility import access_case
from caucus.meetings.services import record_read
from caucus.portal import notify, selectors
from caucus.portal.models import Message

BODY_MAX = 20_000
AUDIENCES = ("mediators", "own_side", "case")


def message_audience(actor: Participant, audience: str) -> tuple[str, uuid.UUID | None]:
    if audience == "mediators":
        return AudienceKind.MEDIATORS, None
    if audience == "case":
        return AudienceKind.CASE, None
    if audience == "own_side" and actor.side_id is not None:
        return AudienceKind.SIDE, actor.side_id
    if audience == "own_side":
        raise Invalid({"audience": ["You belong to no side: write to the mediators or the case."]})
    raise Invalid({"audience": ["Choose one of: " + ", ".join(AUDIENCES) + "."]})


def post_message(user: User, case_id: uuid.UUID, *, body: str, audience: str) -> Message:
    actor = access_case(user, case_id)
    require_substantive(actor)
    require(actor, Action.POST_MESSAGE)
    kind, side_id = message_audience(actor, audience)
    body = body.strip()
    if not body:
        raise Invalid({"body": ["This field is required."]})
    if len(body) > BODY_MAX:
        raise Invalid({"body": [f"At most {BODY_MAX} characters."]})
    with transaction.atomic():
        message = Message(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            author=actor,
            audience_kind=kind,
            audience_side_id=side_id,
        )
        message.body = body
        message.save()
        record(
            "message.posted",
            case_id=actor.case_id,
            actor_user_id=actor.user_id,
            actor_participant_id=actor.id,
            object_type="message",
            object_id=message.id,
            details={"audience": message.audience},
        )
        notify.something_waiting(notify.audience_members(message), exclude=actor)
    return message


def read_messages(user: User, case_id: uuid.UUID) -> tuple[list[Message], Participant]:
    """The messages the caller may see; the read is audited (practice 10)."""
    found, me = selectors.messages(user, case_id)
    if found:
        record_read(me, "message", [str(m.id) for m in found])
    return found, me


def read_message(user: User, message_id: uuid.UUID) -> tuple[Message, Participant]:
    found, me = selectors.message(user, message_id)
    record_read(me, "message", [str(found.id)])
    return found, me
