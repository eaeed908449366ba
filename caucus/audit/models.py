from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """Append-only. One hash chain per case, and one (`chain` = the nil UUID) for practice
    events that belong to no case, so actions in different cases never wait for each other.
    Ids and action names are in the clear, details sealed under the case's key (or the
    system key), and `hash` covers `prev_hash` and every stored byte, so each chain verifies
    even after a purge has made the details unreadable. Entries written before the split
    into chains keep their place in the old single chain (`legacy_seq`, `legacy_hash`), so
    that chain can still be recomputed from them."""

    id = models.BigAutoField(primary_key=True)
    chain = models.UUIDField()
    seq = models.BigIntegerField()
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
    legacy_seq = models.BigIntegerField(null=True, unique=True)
    legacy_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["case_id", "action"])]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """One row per chain: its last sequence number and hash. Locking a chain's row
    serialises the writers of that chain only, so it never forks, on PostgreSQL as on
    SQLite, while other cases write on."""

    chain = models.UUIDField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_chainhead"

    def __str__(self) -> str:
        return f"head #{self.last_seq}"


class ChainSplit(models.Model):
    """The record of the migration that split the single chain into one per case: the old
    chain's length and head hash (also the `prev_hash` of the first entry of every chain it
    created) and whether it verified just before the split."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    old_entries = models.BigIntegerField()
    old_head_hash = models.CharField(max_length=64)
    old_chain_verdict = models.CharField(max_length=200)
    chains = models.IntegerField()

    def __str__(self) -> str:
        return f"split of {self.old_entries} entries"


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
