"""Unread portal messages (issue 15, "what needs me"): a per-participant read marker, moved
forward when they open the conversation, and counts of what they may see past it. Counts
and ids only: nothing here decrypts a message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from django.db.models import F, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from caucus.cases.models import Participant
from caucus.kernel.visibility import visible
from caucus.portal.models import Message, MessagesRead

NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def mark_read(me: Participant, shown: Sequence[Message]) -> None:
    """The marker moves to the newest message shown, never back: a page of older messages
    read later does not make newer ones unread again."""
    newest = max((m.created_at for m in shown), default=None)
    if newest is None:
        return
    # One statement once the marker exists, whatever moved: the list's queries stay fixed.
    found = MessagesRead.objects.filter(participant=me).update(
        read_until=Greatest(F("read_until"), Value(newest))
    )
    if not found:
        MessagesRead.objects.get_or_create(
            participant=me, defaults={"case_id": me.case_id, "read_until": newest}
        )


def read_until(participant: Participant) -> Coalesce:
    """The marker's time for `participant` as an SQL expression; a participant who never
    opened the messages has read nothing."""
    marker = MessagesRead.objects.filter(participant=participant).values("read_until")[:1]
    return Coalesce(Subquery(marker), Value(NEVER))


def unread(me: Participant) -> QuerySet[Message]:
    """The messages `me` may see, by others, newer than their marker: one query."""
    return (
        visible(me, Message)
        .exclude(author=me)
        .filter(created_at__gt=read_until(me))
        .order_by("created_at", "id")
    )
