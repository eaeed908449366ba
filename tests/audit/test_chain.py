from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from caucus.audit.chain import read_details, record, verify
from caucus.audit.models import AuditEntry
from caucus.cases import services
from caucus.kernel.errors import Invalid
from tests.conftest import World


def run_verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_it_verifies_an_untouched_chain_and_counts_the_entries(world: World) -> None:
    count = AuditEntry.objects.count()
    assert count >= 8
    assert verify().ok
    assert run_verify().strip() == f"audit chain intact: {count} entries checked"


def test_it_names_a_modified_entry(world: World) -> None:
    victim = AuditEntry.objects.order_by("seq")[3]
    AuditEntry.objects.filter(seq=victim.seq).update(action="case.something_else")
    verdict = verify()
    assert not verdict.ok
    assert verdict.broken_seq == victim.seq
    assert "modified" in verdict.reason
    with pytest.raises(CommandError, match=f"entry {victim.seq}: contents modified"):
        run_verify()


def test_it_names_the_entry_after_a_deleted_one(world: World) -> None:
    victim = AuditEntry.objects.order_by("seq")[2]
    AuditEntry.objects.filter(seq=victim.seq).delete()
    verdict = verify()
    assert not verdict.ok
    assert verdict.broken_seq == victim.seq + 1
    assert "deleted" in verdict.reason
    with pytest.raises(CommandError, match=f"entry {victim.seq + 1}"):
        run_verify()


def test_it_names_a_reordered_entry(world: World) -> None:
    first, second = AuditEntry.objects.order_by("seq")[4:6]
    # Swap two entries' positions, keeping each entry's own bytes and hash consistent:
    # recompute nothing, just exchange the sequence numbers.
    AuditEntry.objects.filter(seq=first.seq).update(seq=-1)
    AuditEntry.objects.filter(seq=second.seq).update(seq=first.seq)
    AuditEntry.objects.filter(seq=-1).update(seq=second.seq)
    verdict = verify()
    assert not verdict.ok
    assert verdict.broken_seq == first.seq
    with pytest.raises(CommandError, match=f"entry {first.seq}"):
        run_verify()


def test_it_notices_entries_missing_from_the_end(world: World) -> None:
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    last.delete()
    verdict = verify()
    assert not verdict.ok
    assert "end of the chain" in verdict.reason


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
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == "case.closed"
    assert entry.actor_user_id == world.mediator.user.id
    assert entry.case_id == world.case.id
