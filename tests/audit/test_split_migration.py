"""Migration 0006: the single audit chain of before becomes one chain per case and one for
practice events. Each entry keeps its place in its case's history and its readable details;
the old chain is verified before the split and stays verifiable after it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from caucus.audit.chain import (
    GENESIS,
    PRACTICE_CHAIN,
    TABLE,
    entry_hash,
    read_details,
    record,
    verify,
)
from caucus.audit.models import AuditEntry, AuditHead, ChainSplit
from caucus.crypto.keyring import SYSTEM_OWNER, cipher_for, create_case_key

BEFORE = ("audit", "0004_access_object_uuid")
CASE_A, CASE_B = uuid.uuid4(), uuid.uuid4()
# The old chain, in order: the cases' and the practice's entries interleaved.
HISTORY = [CASE_A, None, CASE_B, CASE_A, CASE_A, None, CASE_B, CASE_A]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def old_apps(transactional_db: None) -> Iterator[Any]:
    """The database as it was before the split; put back to the latest state after."""
    executor = _executor()
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())


def write_old_chain(apps: Any, *, tamper_seq: int | None = None) -> str:
    """Writes HISTORY the way the code before the split did; returns the head hash."""
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditHead")
    create_case_key(CASE_A)
    create_case_key(CASE_B)
    prev, start = GENESIS, timezone.now()
    for seq, case_id in enumerate(HISTORY, start=1):
        at = start + timedelta(seconds=seq)
        sealed = cipher_for(case_id or SYSTEM_OWNER).seal(
            TABLE, seq, "details", json.dumps({"n": seq})
        )
        action = f"old.{seq}"
        digest = entry_hash(prev, seq, at, case_id, None, None, action, "", "", sealed)
        if seq == tamper_seq:
            action = "old.rewritten"
        entry_model.objects.create(
            seq=seq,
            at=at,
            case_id=case_id,
            action=action,
            details_sealed=sealed,
            prev_hash=prev,
            hash=digest,
        )
        prev = digest
    head_model.objects.filter(pk=1).update(last_seq=len(HISTORY), last_hash=prev)
    return prev


def migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_splits_the_old_chain_into_chains_that_verify(old_apps: Any) -> None:
    old_head = write_old_chain(old_apps)
    migrate_to_latest()

    verdict = verify()
    assert verdict.ok, verdict.breaks
    assert (verdict.checked, verdict.chains) == (len(HISTORY), 3)
    split = ChainSplit.objects.get()
    assert (split.old_entries, split.old_head_hash, split.chains) == (len(HISTORY), old_head, 3)
    assert split.old_chain_verdict == f"intact: {len(HISTORY)} entries"
    for key, case_id in ((CASE_A, CASE_A), (CASE_B, CASE_B), (PRACTICE_CHAIN, None)):
        entries = list(AuditEntry.objects.filter(chain=key).order_by("seq"))
        old_places = [seq for seq, c in enumerate(HISTORY, start=1) if c == case_id]
        # In its original order, each entry re-linked, its old place and details kept.
        assert [e.legacy_seq for e in entries] == old_places
        assert [e.seq for e in entries] == list(range(1, len(old_places) + 1))
        assert [read_details(e)["n"] for e in entries] == old_places
        # Each new chain starts where the old one ended.
        assert entries[0].prev_hash == old_head
        head = AuditHead.objects.get(chain=key)
        assert (head.last_seq, head.last_hash) == (len(entries), entries[-1].hash)


def test_it_appends_to_the_split_chains_and_still_verifies(old_apps: Any) -> None:
    write_old_chain(old_apps)
    migrate_to_latest()
    from django.db import transaction

    with transaction.atomic():
        entry = record("case.viewed", case_id=CASE_A, details={"n": "new"})
    assert entry.seq == HISTORY.count(CASE_A) + 1 and entry.legacy_seq is None
    assert read_details(entry) == {"n": "new"}
    assert verify().ok


def test_it_still_names_an_entry_lost_in_or_after_the_split(old_apps: Any) -> None:
    write_old_chain(old_apps)
    migrate_to_latest()
    # The second entry of case B's chain (old entry 7): gone.
    AuditEntry.objects.filter(legacy_seq=7).delete()
    verdict = verify()
    assert [(b.chain, b.seq) for b in verdict.breaks] == [(CASE_B, 2), (None, 8)]
    assert "deleted" in verdict.breaks[1].reason


def test_it_records_a_broken_old_chain_and_keeps_reporting_it(old_apps: Any) -> None:
    write_old_chain(old_apps, tamper_seq=4)
    migrate_to_latest()
    assert ChainSplit.objects.get().old_chain_verdict.startswith("broken at entry 4")
    verdict = verify()
    # The re-linked chains are sound; the old chain they came from is not, and says where.
    assert [(b.chain, b.seq) for b in verdict.breaks] == [(None, 4)]


def test_it_splits_nothing_on_a_fresh_database(old_apps: Any) -> None:
    migrate_to_latest()
    assert not ChainSplit.objects.exists()
    assert verify().ok
