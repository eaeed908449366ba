"""A purge takes the memorandum with the case (issue 16 with issue 8): versions, comments,
signatures, the public-record proposal and its document leave no row behind."""

from __future__ import annotations

from caucus.retention.purge import run_purge
from caucus.settlement.models import (
    Settlement,
    SettlementComment,
    SettlementSignature,
    SettlementVersion,
)
from tests.conftest import World
from tests.retention.scenario import after_purge_after
from tests.retention.test_purge import rows_left
from tests.settlement.memoranda import ready, sign_by_everyone


def test_a_purge_leaves_nothing_of_the_memorandum(active_world: World) -> None:
    w = active_world
    s = w.mediator.client.post(
        f"cases/{w.case.id}/settlement", {"text": "Ada Party pays Bea Party 10."}
    ).json()
    w.party_a.client.post(f"settlement/{s['id']}/comments", {"body": "Side A only."})
    w.party_b.client.post(f"settlement/{s['id']}/comments", {"body": "All.", "audience": "case"})
    sign_by_everyone(w, ready(w, s))
    assert w.mediator.client.post(f"settlement/{s['id']}/public-record").status_code == 201
    closed = w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "settled"})
    assert closed.status_code == 200
    before = rows_left(w.case.id)
    assert before["settlement.SettlementComment"] == 2
    assert before["settlement.SettlementSignature"] == 3
    report = run_purge(after_purge_after(w.case.id))
    assert report.purged == [w.case.id]
    assert rows_left(w.case.id) == {}
    for model in (Settlement, SettlementVersion, SettlementComment, SettlementSignature):
        assert not model.objects.filter(case_id=w.case.id).exists()
