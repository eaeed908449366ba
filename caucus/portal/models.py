"""Portal messages: asynchronous, encrypted at rest, every read audited (practice 10)."""

from __future__ import annotations

import uuid

from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.audience import AudienceScoped


class Message(AudienceScoped):
    """Audience `mediators`, the author's side, or the case. The author always sees their
    own message, even one addressed to the mediators only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = Sealed("body_sealed")

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class MessagesRead(models.Model):
    """How far one participant has read their case's messages (issue 15): the time of the
    newest message on the list they last opened. It holds no content and names no message;
    the unread count compares the times of the messages they may see with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    participant = models.OneToOneField(
        "cases.Participant", on_delete=models.CASCADE, related_name="+"
    )
    read_until = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.id)
