from __future__ import annotations

import uuid

from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.audience import AudienceScoped


class Redaction(AudienceScoped):
    """A proposal to redact one document, reviewed by the mediators. It holds the document's
    extracted text, so its audience is always the mediators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("vault.Document", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)
    generalise = models.BooleanField(default=False)
    text_sealed = models.BinaryField()
    result_document = models.ForeignKey(
        "vault.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    text = Sealed("text_sealed")

    def __str__(self) -> str:
        return str(self.id)


class RedactionSpan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    redaction = models.ForeignKey(Redaction, on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=16)
    # proposed by the engine (True) or added by the mediator at review (False)
    proposed = models.BooleanField(default=True)
    accepted = models.BooleanField(null=True)
    text_sealed = models.BinaryField()

    text = Sealed("text_sealed")

    class Meta:
        indexes = [models.Index(fields=["redaction", "start"])]

    def __str__(self) -> str:
        return str(self.id)
