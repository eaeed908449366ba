from __future__ import annotations

import secrets
import uuid

from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.audience import AudienceScoped
from caucus.kernel.audience import Decision as Decision


def room_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingKind(models.TextChoices):
    JOINT = "joint"
    CAUCUS = "caucus"


class Mode(models.TextChoices):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"  # issue 15: by the mediator, before it started


class Meeting(AudienceScoped):
    """A joint meeting (audience: the case) or a caucus (audience: its side). Who may attend
    is exactly who may see it, so attendance never needs its own rule."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=8, choices=MeetingKind.choices)
    side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=16, choices=Mode.choices)
    starts_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    room = models.CharField(max_length=64, unique=True, default=room_token)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # issue 15: how long it is planned to last, and how many times it was moved or
    # cancelled (the calendar invite's SEQUENCE: calendars update the same event).
    duration_minutes = models.PositiveIntegerField(default=60)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["case", "starts_at"])]

    def __str__(self) -> str:
        return str(self.id)


class AttendanceState(models.TextChoices):
    LOBBY = "lobby"
    ADMITTED = "admitted"
    LEFT = "left"


class Attendance(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=AttendanceState.choices)
    attestation_sealed = models.BinaryField()
    at = models.DateTimeField(auto_now=True)

    attestation_json = Sealed("attestation_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="one_attendance"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Item(AudienceScoped):
    """Something said or given in a meeting that matters. Its audience starts as the
    meeting's; only the disclosure executor and the structure rule widen it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="items")
    meeting = models.ForeignKey(Meeting, null=True, on_delete=models.CASCADE, related_name="items")
    origin_side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    text_sealed = models.BinaryField()
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True, default="")
    wording_sealed = models.BinaryField(null=True)
    confirmed_by = models.ForeignKey(
        "cases.Participant", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True)
    # The party's own wording, offered at close-out instead of the mediator's proposal. Until
    # the mediator accepts it the decision is `keep_confidential`: nothing travels on it.
    proposed_wording_sealed = models.BinaryField(null=True)
    source_item = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    text = Sealed("text_sealed")
    wording = Sealed("wording_sealed")
    proposed_wording = Sealed("proposed_wording_sealed")

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def __str__(self) -> str:
        return str(self.id)


class Note(AudienceScoped):
    """The mediator's notes of a meeting: the durable record instead of a recording."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    current_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)


class NoteVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = Sealed("body_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="one_row_per_version"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Feedback(AudienceScoped):
    """A correction or comment on a note. Its audience is the mediators and the side of whoever
    gave it (mediators only for someone without a side), whatever the note's audience."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    on_version = models.PositiveIntegerField()
    body_sealed = models.BinaryField()
    resolved_in_version = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    body = Sealed("body_sealed")

    def __str__(self) -> str:
        return str(self.id)
