from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """Append-only. Ids and action names are in the clear, details sealed under the case's
    key (or the system key), and `hash` covers `prev_hash` and every stored byte, so the
    chain verifies even after a purge has made the details unreadable."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    case_id = models.UUIDField(null=True, db_index=True)
    actor_user_id = models.UUIDField(null=True)
    actor_participant_id = models.UUIDField(null=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    details_sealed = models.BinaryField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [models.Index(fields=["case_id", "action"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """One row: the last sequence number and hash. Locking it serialises writers so the
    chain never forks, on PostgreSQL as on SQLite."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"


class AccessRecord(models.Model):
    """Who read which content, and when (practice 17). Written beside the audit entry of the
    read, in the same transaction; `owner_side` is whose content it was (None: the
    mediators'), so a side's log is one indexed SQL filter; `object_uuid` is the object's id
    as the content tables store it, so whether the viewer may see the object is SQL too."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    participant = models.ForeignKey("cases.Participant", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    object_uuid = models.UUIDField(null=True)
    owner_side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["case", "owner_side", "at"])]

    def __str__(self) -> str:
        return f"{self.object_type} read"
