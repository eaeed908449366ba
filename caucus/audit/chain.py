"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from caucus.audit.models import AuditEntry, AuditHead
from caucus.crypto.keyring import SYSTEM_OWNER, cipher_for

GENESIS = "0" * 64
TABLE = "audit_auditentry"


def entry_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    case_id: uuid.UUID | None,
    actor_user_id: uuid.UUID | None,
    actor_participant_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str,
    details_sealed: bytes,
) -> str:
    body = json.dumps(
        [
            seq,
            at.isoformat(),
            str(case_id) if case_id else None,
            str(actor_user_id) if actor_user_id else None,
            str(actor_participant_id) if actor_participant_id else None,
            action,
            object_type,
            object_id,
            base64.b64encode(details_sealed).decode(),
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _locked_head() -> AuditHead:
    """The head row, locked for this transaction. The migration creates it; should it be
    missing (a flushed database), it is rebuilt from the last entry so the chain continues."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-seq").first()
    AuditHead.objects.get_or_create(
        pk=1,
        defaults={
            "last_seq": last.seq if last else 0,
            "last_hash": last.hash if last else GENESIS,
        },
    )
    return AuditHead.objects.select_for_update().get(pk=1)


def record(
    action: str,
    *,
    case_id: uuid.UUID | None = None,
    actor_user_id: uuid.UUID | None = None,
    actor_participant_id: uuid.UUID | None = None,
    object_type: str = "",
    object_id: object = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Appends one entry. Must run inside the transaction of the action it records, so the
    entry exists if and only if the action happened."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("audit.record must run inside the action's transaction")
    head = _locked_head()
    seq = head.last_seq + 1
    at = timezone.now()
    owner = case_id or SYSTEM_OWNER
    sealed = cipher_for(owner).seal(
        TABLE, seq, "details", json.dumps(details or {}, sort_keys=True, default=str)
    )
    digest = entry_hash(
        head.last_hash,
        seq,
        at,
        case_id,
        actor_user_id,
        actor_participant_id,
        action,
        object_type,
        str(object_id),
        sealed,
    )
    entry = AuditEntry.objects.create(
        seq=seq,
        at=at,
        case_id=case_id,
        actor_user_id=actor_user_id,
        actor_participant_id=actor_participant_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details_sealed=sealed,
        prev_hash=head.last_hash,
        hash=digest,
    )
    head.last_seq, head.last_hash = seq, digest
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


def read_details(entry: AuditEntry) -> dict[str, Any]:
    owner = entry.case_id or SYSTEM_OWNER
    plain = cipher_for(owner).open(TABLE, entry.seq, "details", bytes(entry.details_sealed))
    result: dict[str, Any] = json.loads(plain)
    return result


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify() -> Verdict:
    """Walks the whole chain. Reports the first entry that was modified, or that follows a
    deleted or reordered one, and a missing tail against the head row."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return Verdict(
                False,
                checked,
                entry.seq,
                f"entry {expected_seq} to {entry.seq - 1} missing (deleted)",
            )
        recomputed = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.case_id,
            entry.actor_user_id,
            entry.actor_participant_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            bytes(entry.details_sealed),
        )
        if recomputed != entry.hash:
            return Verdict(False, checked, entry.seq, "contents modified")
        if entry.prev_hash != expected_prev:
            return Verdict(
                False,
                checked,
                entry.seq,
                "does not follow the entry before it (deleted or reordered)",
            )
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return Verdict(False, checked, checked + 1, "entries at the end of the chain missing")
    return Verdict(True, checked)
