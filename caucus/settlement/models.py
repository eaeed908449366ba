"""The memorandum of understanding (issue 16): one per case, drafted by the mediator as
numbered versions, commented on by each side, and signed by every signer of one version.

Every version's text is the whole case's. A comment is its author's side's and the
mediators' unless its author shares it with the case. A signature binds to one version's
SHA-256; a new version leaves the earlier signatures void (they stay, bound to their text)."""

from __future__ import annotations

import uuid

from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.audience import AudienceScoped


class SettlementStatus(models.TextChoices):
    DRAFT = "draft"
    READY = "ready"
    SIGNED = "signed"


class Settlement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=8, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT
    )
    # The number of the current version; every save adds one.
    version = models.PositiveIntegerField(default=1)
    template = models.CharField(max_length=32, blank=True, default="")
    created_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True)
    # The latest redaction proposed for the public record (mediators only, like every
    # redaction); its finalized copy is the public-record text.
    public_record = models.ForeignKey(
        "redaction.Redaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The mediator said, when marking it ready, that it settles part of the dispute: the
    # last signature records the outcome `partial` instead of `settled`.
    partial = models.BooleanField(default=False)
    # The reviewed public-record copy as the mediator showed it to everyone in the case
    # (the redacted memorandum, so no wider than its case-wide text); each party's further
    # removals are applied to it, and it is final when `record_final_at` is set.
    record_text_sealed = models.BinaryField(null=True)
    record_shown_at = models.DateTimeField(null=True)
    record_final_at = models.DateTimeField(null=True)

    record_text = Sealed("record_text_sealed")

    def __str__(self) -> str:
        return str(self.id)


class SettlementVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text_sealed = models.BinaryField()
    text_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    text = Sealed("text_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["settlement", "number"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class SettlementComment(AudienceScoped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="+")
    # The version the comment was written on.
    version = models.PositiveIntegerField()
    author = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = Sealed("body_sealed")

    class Meta:
        indexes = [models.Index(fields=["settlement", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class SettlementSignature(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        SettlementVersion, on_delete=models.CASCADE, related_name="signatures"
    )
    participant = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    typed_name_sealed = models.BinaryField()
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(auto_now_add=True)

    typed_name = Sealed("typed_name_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "participant"], name="one_settlement_signature_per_version"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class SettlementPolicy(models.Model):
    """A practice's rules for its memoranda. Without a row: the defaults below."""

    practice = models.OneToOneField(
        "cases.Practice", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Whether each attorney signs the memorandum beside their party (off: the parties and
    # the mediator sign, the attorneys review).
    attorneys_sign = models.BooleanField(default=False)

    def __str__(self) -> str:
        return str(self.practice_id)


class RemovalRequest(AudienceScoped):
    """A party's (or attorney's) request that one more passage leave the public-record
    copy. Its audience is the requester's side and the mediators: what a side wants kept
    off the record is not the other side's to read."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    passage_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True)

    passage = Sealed("passage_sealed")

    class Meta:
        indexes = [models.Index(fields=["settlement", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)
