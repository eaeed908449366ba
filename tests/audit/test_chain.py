"""The audit log: one hash chain per case and one for practice events. `caucus audit verify`
checks every chain and names, for each broken one, its first modified, deleted, reordered or
inserted entry; a case nobody touched still verifies."""

from __future__ import annotations

import threading
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from caucus.audit.chain import (
    PRACTICE_CHAIN,
    chain_hash,
    read_details,
    record,
    verify,
)
from caucus.audit.models import AuditEntry, AuditHead
from caucus.cases import services
from caucus.kernel.errors import Invalid
from tests.conftest import World, build_world


def run_verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def chain(key: uuid.UUID) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=key).order_by("seq"))


def shift_up_from(key: uuid.UUID, seq: int) -> None:
    """Moves every entry of the chain from `seq` on one place up, the last first (the pair
    chain and seq is unique)."""
    for entry in reversed(chain(key)):
        if entry.seq >= seq:
            AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)


def practice_events(world: World) -> None:
    """Events of no case: they go to the practice chain."""
    assert world.mediator.user is not None
    for _ in range(3):
        with transaction.atomic():
            record("auth.token_issued", actor_user_id=world.mediator.user.id, object_type="token")


def assert_only_break(key: uuid.UUID, seq: int, reason: str) -> None:
    verdict = verify()
    assert not verdict.ok
    assert [(b.chain, b.seq) for b in verdict.breaks] == [(key, seq)], verdict.breaks
    assert reason in verdict.breaks[0].reason
    name = "the practice chain" if key == PRACTICE_CHAIN else f"the chain of case {key}"
    with pytest.raises(CommandError, match=f"{name} at entry {seq}: .*{reason}"):
        run_verify()


def test_it_verifies_untouched_chains_and_counts_the_entries_and_chains(world: World) -> None:
    count = AuditEntry.objects.count()
    chains = AuditEntry.objects.values("chain").distinct().count()
    practice_events(world)
    count = AuditEntry.objects.count()
    assert count >= 8 and chains == 2  # the two cases, and now the practice chain
    verdict = verify()
    assert verdict.ok and verdict.checked == count and verdict.chains == 3
    assert run_verify().strip() == f"audit chain intact: {count} entries checked in 3 chains"


def test_it_keeps_a_chain_and_a_head_per_case_and_one_for_the_practice(world: World) -> None:
    practice_events(world)
    mine, other = chain(world.case.id), chain(world.other_case.id)
    practice = chain(PRACTICE_CHAIN)
    assert mine and other and practice
    assert all(e.case_id == world.case.id for e in mine)
    assert all(e.case_id is None for e in practice)
    for entries in (mine, other, practice):
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        head = AuditHead.objects.get(chain=entries[0].chain)
        assert (head.last_seq, head.last_hash) == (entries[-1].seq, entries[-1].hash)


def test_it_names_a_modified_entry_of_one_case_and_still_verifies_the_other(
    world: World,
) -> None:
    victim = chain(world.case.id)[3]
    AuditEntry.objects.filter(pk=victim.pk).update(action="case.something_else")
    assert_only_break(world.case.id, victim.seq, "contents modified")


def test_it_names_the_entry_after_a_deleted_one(world: World) -> None:
    victim = chain(world.case.id)[2]
    AuditEntry.objects.filter(pk=victim.pk).delete()
    assert_only_break(world.case.id, victim.seq + 1, "deleted")


def test_it_names_a_reordered_entry(world: World) -> None:
    first, second = chain(world.case.id)[4:6]
    # Swap two entries' places, keeping each entry's own bytes and hash: only the sequence
    # numbers are exchanged.
    AuditEntry.objects.filter(pk=first.pk).update(seq=-1)
    AuditEntry.objects.filter(pk=second.pk).update(seq=first.seq)
    AuditEntry.objects.filter(pk=first.pk).update(seq=second.seq)
    assert_only_break(world.case.id, first.seq, "modified")


def test_it_names_the_entry_after_an_inserted_one(world: World) -> None:
    """A forger who links the new entry properly to the one before it still breaks the entry
    after it: moved one place up, its place no longer matches its hash."""
    entries = chain(world.case.id)
    before = entries[2]
    shift_up_from(world.case.id, before.seq + 1)
    forged = AuditEntry(
        chain=world.case.id,
        seq=before.seq + 1,
        at=before.at,
        case_id=world.case.id,
        action="case.viewed",
        details_sealed=b"",
        prev_hash=before.hash,
    )
    forged.hash = chain_hash(forged, before.hash)
    forged.save(force_insert=True)
    assert_only_break(world.case.id, before.seq + 2, "modified")


def test_it_notices_entries_missing_from_the_end_of_a_chain(world: World) -> None:
    AuditEntry.objects.filter(pk=chain(world.case.id)[-1].pk).delete()
    assert_only_break(world.case.id, len(chain(world.case.id)) + 1, "end of the chain")


def test_it_notices_a_chain_deleted_whole(world: World) -> None:
    AuditEntry.objects.filter(chain=world.other_case.id).delete()
    assert_only_break(world.other_case.id, 1, "end of the chain")


@pytest.mark.parametrize("tamper", ["modify", "delete", "reorder", "insert"])
def test_it_names_the_broken_entry_of_the_practice_chain(world: World, tamper: str) -> None:
    practice_events(world)
    entries = chain(PRACTICE_CHAIN)
    assert len(entries) >= 2
    first, second = entries[0], entries[1]
    if tamper == "modify":
        AuditEntry.objects.filter(pk=second.pk).update(object_id="someone-else")
        expected = (second.seq, "modified")
    elif tamper == "delete":
        first.delete()
        expected = (second.seq, "deleted")
    elif tamper == "reorder":
        AuditEntry.objects.filter(pk=first.pk).update(seq=-1)
        AuditEntry.objects.filter(pk=second.pk).update(seq=first.seq)
        AuditEntry.objects.filter(pk=first.pk).update(seq=second.seq)
        expected = (first.seq, "modified")
    else:
        shift_up_from(PRACTICE_CHAIN, first.seq)
        forged = AuditEntry(
            chain=PRACTICE_CHAIN,
            seq=first.seq,
            at=first.at,
            action="auth.login",
            details_sealed=b"",
            prev_hash=first.prev_hash,
        )
        forged.hash = chain_hash(forged, first.prev_hash)
        forged.save(force_insert=True)
        expected = (first.seq + 1, "modified")
    assert_only_break(PRACTICE_CHAIN, *expected)


def test_it_reports_every_broken_chain(world: World) -> None:
    practice_events(world)
    AuditEntry.objects.filter(pk=chain(world.case.id)[1].pk).update(action="x")
    AuditEntry.objects.filter(pk=chain(PRACTICE_CHAIN)[0].pk).update(action="x")
    verdict = verify()
    assert {b.chain for b in verdict.breaks} == {world.case.id, PRACTICE_CHAIN}
    assert world.other_case.id not in {b.chain for b in verdict.breaks}


def test_it_seals_details_under_the_case_key(world: World) -> None:
    entry = AuditEntry.objects.filter(action="case.invited", case_id=world.case.id).first()
    assert entry is not None
    assert b"party" not in bytes(entry.details_sealed)
    assert read_details(entry)["role"] == "party"


def test_it_refuses_to_record_outside_a_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError):
        record("case.viewed")


def test_it_keeps_no_entry_when_the_action_fails(world: World) -> None:
    assert world.mediator.user is not None
    before = AuditEntry.objects.count()
    with pytest.raises(Invalid):
        services.close_case(
            world.mediator.user, world.case.id, outcome="nonsense", note_to_parties=None
        )
    try:
        with transaction.atomic():
            record("case.viewed", case_id=world.case.id)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert AuditEntry.objects.count() == before
    assert verify().ok


def test_it_records_each_action_with_its_actor(world: World) -> None:
    assert world.mediator.user is not None
    services.close_case(world.mediator.user, world.case.id, outcome="settled", note_to_parties=None)
    entry = chain(world.case.id)[-1]
    assert entry.action == "case.closed"
    assert entry.actor_user_id == world.mediator.user.id
    assert entry.case_id == world.case.id


def test_it_locks_only_the_head_of_the_case_it_writes_to(world: World) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record("case.viewed", case_id=world.case.id)
    heads = [q["sql"] for q in queries.captured_queries if "audit_chainhead" in q["sql"]]
    assert heads and all(world.case.id.hex in h.replace("-", "") for h in heads), heads


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer for the whole file"
)
def test_it_lets_another_case_write_while_one_case_holds_its_chain(
    transactional_db: None,
) -> None:
    world = build_world()
    holding, release = threading.Event(), threading.Event()
    wrote: list[int] = []

    def hold_first_case() -> None:
        try:
            with transaction.atomic():
                record("case.viewed", case_id=world.case.id)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    def write_other_case() -> None:
        try:
            with transaction.atomic():
                wrote.append(record("case.viewed", case_id=world.other_case.id).seq)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first_case)
    holder.start()
    assert holding.wait(30)
    other = threading.Thread(target=write_other_case)
    other.start()
    other.join(30)
    # The other case's entry committed while the first case's head was still locked.
    finished_while_held = not other.is_alive()
    release.set()
    holder.join(30)
    other.join(30)
    assert finished_while_held and wrote
    assert verify().ok
