"""Portal messages: written through the kernel, sealed at rest, notified without content."""

from __future__ import annotations

import uuid

from django.db import transaction

from caucus.accounts.models import User
from caucus.audit.access import audited_row, record_read
from caucus.audit.chain import record_action
from caucus.cases.access import access_case, requested_audience
from caucus.cases.models import Participant
from caucus.kernel.errors import checked_text
from caucus.kernel.paging import Page
from caucus.kernel.permissions import Action, require
from caucus.portal import notify, selectors, unread
from caucus.portal.models import Message

BODY_MAX = 20_000


def post_message(user: User, case_id: uuid.UUID, *, body: str, audience: str) -> Message:
    actor = access_case(user, case_id)
    require(actor, Action.POST_MESSAGE)
    kind, side_id = requested_audience(actor, audience)
    body = checked_text("body", body, BODY_MAX)
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
        record_action(actor, "message.posted", "message", message.id, audience=message.audience)
        notify.something_waiting(notify.audience_members(message), exclude=actor)
    return message


def read_message_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[Page[Message], Participant]:
    """The messages the caller may see, a page at a time; the read is audited (practice
    10) and moves the caller's read marker."""
    found, me = selectors.messages(user, case_id, cursor=cursor, limit=limit)
    if found.rows:
        record_read(me, found.rows)
        unread.mark_read(me, found.rows)
    return found, me


def read_messages(user: User, case_id: uuid.UUID) -> tuple[list[Message], Participant]:
    """Every message the caller may see, audited."""
    found, me = read_message_page(user, case_id)
    return found.rows, me


def read_message(user: User, message_id: uuid.UUID) -> tuple[Message, Participant]:
    return audited_row(*selectors.message(user, message_id))
