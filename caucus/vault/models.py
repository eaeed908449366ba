from __future__ import annotations

import uuid

from django.db import models

from caucus.crypto.fields import Sealed
from caucus.kernel.audience import AudienceScoped


class Document(AudienceScoped):
    """A stored file. The bytes are a blob of AES-GCM segments under the document's own key
    (`key_b64`, sealed under the case key); name, content type and digest are sealed too.
    The row exists only once the blob's last segment is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    uploaded_by = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    origin_side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name_sealed = models.BinaryField()
    content_type_sealed = models.BinaryField()
    sha256_sealed = models.BinaryField()
    key_sealed = models.BinaryField()
    blob_name = models.CharField(max_length=200, unique=True)
    size = models.BigIntegerField()
    public_record = models.BooleanField(default=False)
    source_document = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    name = Sealed("name_sealed")
    content_type = Sealed("content_type_sealed")
    sha256 = Sealed("sha256_sealed")
    key_b64 = Sealed("key_sealed")

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)
