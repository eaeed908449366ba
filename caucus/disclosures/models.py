"""Requests that need named approvers (disclosures, consents) and concerns.

A disclosure and its proposed wording belong to the side whose item it discloses: until it
is released, only that side and the mediators know it exists. Consents are asked of every
party, so they are the case's. A concern is the raiser's side's and the mediators'."""

from __future__ import annotations

import uuid

from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.audience import AudienceScoped


class DisclosureStatus(models.TextChoices):
    PENDING = "pending"
    RELEASED = "released"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Answer(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Disclosure(AudienceScoped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("meetings.Item", on_delete=models.CASCADE, related_name="+")
    drafted_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    # Where the wording goes when released: the case, or one other side.
    to_kind = models.CharField(max_length=16)
    to_side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text_sealed = models.BinaryField()
    status = models.CharField(
        max_length=16, choices=DisclosureStatus.choices, default=DisclosureStatus.PENDING
    )
    released_item = models.ForeignKey(
        "meetings.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True)

    text = Sealed("text_sealed")

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class DisclosureApproval(models.Model):
    """One named approver's answer. The set of approvers is fixed when the draft is made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=16, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "approver"], name="one_answer_each"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class ConsentKind(models.TextChoices):
    ADD_EXPERT = "add_expert"
    ADMIT_GUEST = "admit_guest"


class ConsentStatus(models.TextChoices):
    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"
    CANCELLED = "cancelled"


class Consent(models.Model):
    """Nobody new without consent (practice 11): every party approves, one denial denies."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    requested_by = models.ForeignKey(
        "cases.Participant", on_delete=models.CASCADE, related_name="+"
    )
    name_sealed = models.BinaryField()
    email_sealed = models.BinaryField(null=True)
    purpose_sealed = models.BinaryField()
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # An expert retained by one side; none for a neutral expert.
    side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.PENDING
    )
    invitation = models.ForeignKey(
        "cases.Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The granted expert's invitation link, for the mediator to send: the last approval is a
    # party's, and the link must not go to them. Sealed like content; mediators only.
    invite_token_sealed = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True)

    name = Sealed("name_sealed")
    invite_token = Sealed("invite_token_sealed")
    email = Sealed("email_sealed")
    purpose = Sealed("purpose_sealed")

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class ConsentVote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="votes")
    party = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=16, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "party"], name="one_vote_each"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class ConcernTopic(models.TextChoices):
    IMPARTIALITY = "impartiality"
    CONFIDENTIALITY = "confidentiality"
    SAFETY = "safety"
    OTHER = "other"


class Concern(AudienceScoped):
    """Its audience is the raiser's side (the mediators only, for someone without a side);
    whoever raised it always sees it too (see `visible_q`'s `author`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    raised_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=16, choices=ConcernTopic.choices)
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = Sealed("body_sealed")

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class ConcernResponse(models.Model):
    """The mediator's answer; seen by whoever may see its concern."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = Sealed("body_sealed")

    def __str__(self) -> str:
        return str(self.id)
