"""Reads of portal messages: one SQL query filtered by the kernel. The audited reads are
`services.read_messages` and `services.read_message`."""

from __future__ import annotations

import uuid

from caucus.accounts.models import User
from caucus.cases.access import access_case, access_visible
from caucus.cases.models import Participant
from caucus.kernel import paging
from caucus.kernel.permissions import Action, allowed_actions, require
from caucus.kernel.visibility import visible
from caucus.portal.models import Message


def messages(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Message], Participant]:
    """The messages the caller may see, oldest first, a page at a time."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    qs = visible(me, Message).select_related("author__user")
    return paging.page(qs, ("created_at", "id"), cursor=cursor, limit=limit), me


def message(user: User, message_id: uuid.UUID) -> tuple[Message, Participant]:
    found, me = access_visible(user, Message, message_id)
    require(me, Action.READ_RECORD)
    return found, me


def may_post(me: Participant) -> bool:
    return Action.POST_MESSAGE in allowed_actions(me)
