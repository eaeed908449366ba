"""Reads of portal messages: one SQL query filtered by the kernel. The audited reads are
`services.read_messages` and `services.read_message`."""

from __future__ import annotations

import uuid

from caucus.accounts.models import User
from caucus.cases.models import Participant
from caucus.kernel.gate import require_content_access
from caucus.kernel.permissions import Action, can
from caucus.kernel.visibility import access_case, access_visible, visible
from caucus.portal.models import Message


def messages(user: User, case_id: uuid.UUID) -> tuple[list[Message], Participant]:
    me = access_case(user, case_id)
    require_content_access(me)
    found = list(visible(me, Message).select_related("author__user").order_by("created_at", "id"))
    return found, me


def message(user: User, message_id: uuid.UUID) -> tuple[Message, Participant]:
    found, me = access_visible(user, Message, message_id)
    require_content_access(me)
    return found, me


def may_post(me: Participant) -> bool:
    return can(me, Action.POST_MESSAGE) and me.case.status == "active"
