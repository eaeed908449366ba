"""Writing and verifying the hash-chained audit log: one chain per case, and one for practice
events that belong to no case (the nil UUID, the owner of the system key)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from caucus.audit.models import AuditEntry, AuditHead, ChainSplit
from caucus.crypto.keyring import SYSTEM_OWNER, cipher_for
from caucus.kernel.parties import ParticipantLike

GENESIS = "0" * 64
TABLE = "audit_auditentry"
PRACTICE_CHAIN = SYSTEM_OWNER


def chain_of(case_id: uuid.UUID | None) -> uuid.UUID:
    """The chain an entry belongs to: its case's, or the practice chain."""
    return case_id or PRACTICE_CHAIN


def _body(entry: AuditEntry, seq: int) -> list[Any]:
    return [
        seq,
        entry.at.isoformat(),
        str(entry.case_id) if entry.case_id else None,
        str(entry.actor_user_id) if entry.actor_user_id else None,
        str(entry.actor_participant_id) if entry.actor_participant_id else None,
        entry.action,
        entry.object_type,
        entry.object_id,
        base64.b64encode(bytes(entry.details_sealed)).decode(),
    ]


def _digest(prev_hash: str, body: list[Any]) -> str:
    text = json.dumps(body, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


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
    """The hash of the single chain every entry was written to before the split (its `seq`
    global). Stored hashes depend on it: it never changes."""
    entry = AuditEntry(
        at=at,
        case_id=case_id,
        actor_user_id=actor_user_id,
        actor_participant_id=actor_participant_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details_sealed=details_sealed,
    )
    return legacy_hash_of(entry, seq, prev_hash)


def legacy_hash_of(entry: AuditEntry, legacy_seq: int, prev_hash: str) -> str:
    """The entry's hash in the old single chain, from the fields it still stores."""
    return _digest(prev_hash, _body(entry, legacy_seq))


def chain_hash(entry: AuditEntry, prev_hash: str) -> str:
    """The entry's hash in its chain: every stored byte, the chain, its place in the chain
    and, for an entry written before the split, its place and hash in the old chain. Stored
    hashes depend on it: it never changes."""
    body = _body(entry, entry.seq)
    body += [str(entry.chain), entry.legacy_seq, entry.legacy_hash]
    return _digest(prev_hash, body)


def _sealed_row(entry: AuditEntry) -> str | int:
    # The old global number for entries sealed before the split (their ciphertext is bound
    # to it and a purged case's key cannot re-seal them); the place in the chain otherwise.
    if entry.legacy_seq is not None:
        return entry.legacy_seq
    return f"{entry.chain}/{entry.seq}"


def _locked_head(chain: uuid.UUID) -> AuditHead:
    """The chain's head row, locked for this transaction. It is created by the chain's
    first entry (or rebuilt from its last entry after a flush); two first entries racing
    both end up locking the one row that won."""
    head = AuditHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    last = AuditEntry.objects.filter(chain=chain).order_by("-seq").first()
    try:
        with transaction.atomic():
            AuditHead.objects.create(
                chain=chain,
                last_seq=last.seq if last else 0,
                last_hash=last.hash if last else GENESIS,
            )
    except IntegrityError:
        pass
    return AuditHead.objects.select_for_update().get(chain=chain)


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
    """Appends one entry to the chain of `case_id` (the practice chain without one). Must run
    inside the transaction of the action it records, so the entry exists if and only if the
    action happened. Only that chain's head is locked: other cases write on."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("audit.record must run inside the action's transaction")
    chain = chain_of(case_id)
    if getattr(settings, "CAUCUS_BENCH_AUDIT_ONE_LOCK", False) and chain != PRACTICE_CHAIN:
        # bench/audit.py's baseline only: every append also waits for the practice head,
        # as every append waited for the one head before the chains were split.
        _locked_head(PRACTICE_CHAIN)
    head = _locked_head(chain)
    entry = AuditEntry(
        chain=chain,
        seq=head.last_seq + 1,
        at=timezone.now(),
        case_id=case_id,
        actor_user_id=actor_user_id,
        actor_participant_id=actor_participant_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        prev_hash=head.last_hash,
    )
    entry.details_sealed = cipher_for(chain).seal(
        TABLE,
        _sealed_row(entry),
        "details",
        json.dumps(details or {}, sort_keys=True, default=str),
    )
    entry.hash = chain_hash(entry, head.last_hash)
    entry.save(force_insert=True)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


def record_action(
    actor: ParticipantLike, action: str, object_type: str, object_id: object, **details: Any
) -> AuditEntry:
    """`record` of what a participant did in their case: the one audit helper of services."""
    return record(
        action,
        case_id=actor.case_id,
        actor_user_id=actor.user_id,
        actor_participant_id=actor.id,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


def read_details(entry: AuditEntry) -> dict[str, Any]:
    plain = cipher_for(entry.chain).open(
        TABLE, _sealed_row(entry), "details", bytes(entry.details_sealed)
    )
    result: dict[str, Any] = json.loads(plain)
    return result


@dataclass(frozen=True)
class Break:
    """The first entry of one chain that does not verify. `chain` is the case's id, the
    nil UUID for the practice chain, None for the old single chain (before the split)."""

    chain: uuid.UUID | None
    seq: int
    reason: str

    @property
    def chain_name(self) -> str:
        if self.chain is None:
            return "the single chain before the split"
        if self.chain == PRACTICE_CHAIN:
            return "the practice chain"
        return f"the chain of case {self.chain}"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    chain: uuid.UUID | None = None
    chains: int = 0
    breaks: list[Break] = field(default_factory=list)


class _Walk:
    """One chain, entry by entry, in `seq` order."""

    def __init__(self, chain: uuid.UUID, genesis: str) -> None:
        self.chain = chain
        self.expected_prev = genesis
        self.expected_seq = 1
        self.broken: Break | None = None

    def step(self, entry: AuditEntry) -> bool:
        if entry.seq != self.expected_seq:
            missing = f"entry {self.expected_seq} to {entry.seq - 1} missing (deleted)"
            return self._break(entry.seq, missing)
        if chain_hash(entry, entry.prev_hash) != entry.hash:
            return self._break(entry.seq, "contents modified")
        if entry.prev_hash != self.expected_prev:
            return self._break(
                entry.seq, "does not follow the entry before it (deleted, reordered or inserted)"
            )
        self.expected_prev = entry.hash
        self.expected_seq += 1
        return True

    def finish(self, head: AuditHead | None) -> None:
        if self.broken is None and head is not None:
            last = self.expected_seq - 1
            if head.last_seq != last or head.last_hash != self.expected_prev:
                self._break(self.expected_seq, "entries at the end of the chain missing")

    def _break(self, seq: int, reason: str) -> bool:
        self.broken = Break(self.chain, seq, reason)
        return False


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("chain", "seq").iterator(chunk_size=2000)


def legacy_break(
    entries: Iterable[AuditEntry], *, old_entries: int, old_head_hash: str
) -> Break | None:
    """Recomputes the old single chain from `legacy_seq` and `legacy_hash` (the entries in
    `legacy_seq` order): the first entry that was modified, or that follows a deleted or
    reordered one, and a tail that does not end at the recorded head."""
    expected_prev, expected_seq = GENESIS, 1
    for entry in entries:
        seq = entry.legacy_seq or 0
        if seq != expected_seq:
            return Break(None, seq, f"entry {expected_seq} missing (deleted)")
        if legacy_hash_of(entry, seq, expected_prev) != entry.legacy_hash:
            return Break(None, seq, "modified, deleted or reordered")
        expected_prev = entry.legacy_hash
        expected_seq += 1
    if expected_seq - 1 != old_entries or expected_prev != old_head_hash:
        return Break(None, expected_seq, "entries at the end of the chain missing")
    return None


def verify() -> Verdict:
    """Walks every chain. For each broken one, reports the first entry that was modified,
    or that follows a deleted, reordered or inserted one, and a missing tail against the
    chain's head row. After a split, also recomputes the old single chain from the entries
    it held, so an entry lost or altered in the split (or before it) is reported too."""
    heads = {head.chain: head for head in AuditHead.objects.all()}
    split = ChainSplit.objects.order_by("id").first()
    breaks: list[Break] = []
    checked = 0
    walk: _Walk | None = None
    seen: set[uuid.UUID] = set()

    def close(walk: _Walk | None) -> None:
        if walk is not None:
            walk.finish(heads.get(walk.chain))
            if walk.broken is not None:
                breaks.append(walk.broken)

    for entry in _entries():
        if walk is None or entry.chain != walk.chain:
            close(walk)
            from_split = split is not None and entry.legacy_seq is not None
            walk = _Walk(entry.chain, split.old_head_hash if split and from_split else GENESIS)
            seen.add(entry.chain)
        if walk.broken is None and walk.step(entry):
            checked += 1
    close(walk)
    for chain, head in sorted(heads.items(), key=lambda item: str(item[0])):
        if chain not in seen and head.last_seq:
            breaks.append(Break(chain, 1, "entries at the end of the chain missing"))
    if split is not None:
        legacy = AuditEntry.objects.filter(legacy_seq__isnull=False).order_by("legacy_seq")
        old = legacy_break(
            legacy.iterator(chunk_size=2000),
            old_entries=split.old_entries,
            old_head_hash=split.old_head_hash,
        )
        if old is not None:
            breaks.append(old)
    if not breaks:
        return Verdict(True, checked, chains=len(seen))
    first = breaks[0]
    return Verdict(False, checked, first.seq, first.reason, first.chain, len(seen), breaks)
