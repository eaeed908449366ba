"""The public-record copy before it is final (issue 16, Deliver 4): each party reads it and
may ask for more to be removed, never less; a side's request is its own and the mediators'.
And the `partial` outcome (Deliver 3)."""

from __future__ import annotations

from typing import Any

import pytest

from caucus.audit.chain import read_details
from caucus.audit.models import AuditEntry
from caucus.cases.models import Case
from caucus.settlement.models import RemovalRequest, Settlement
from caucus.settlement.services import REMOVED, remove_passages
from tests.conftest import World
from tests.settlement.memoranda import drafted, ready, sign

pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

TEXT = (
    "1. PARTIES\nAda Party and Bea Party.\n2. SCHEDULE OF PAYMENTS\n"
    "| Payer | Payee | Amount |\n| Ada Party | Bea Party | 1,200 |\n"
    "3. The boat at Harbour Lane berth 7 is sold.\n4. The dog stays with the younger child.\n"
)


def reviewed(w: World) -> dict[str, Any]:
    """A signed memorandum whose public-record proposal the mediator has reviewed."""
    s = ready(w, drafted(w, TEXT))
    for who in (w.party_a, w.party_b, w.mediator):
        assert sign(who, s).status_code == 200
    proposed = w.mediator.client.post(f"settlement/{s['id']}/public-record").json()
    made = w.mediator.client.post(
        f"redactions/{proposed['id']}/finalize",
        {"accept": [span["id"] for span in proposed["spans"]], "add": []},
    )
    assert made.status_code == 201, made.content
    return s


def test_the_mediator_marks_partial_and_the_case_records_partial(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    marked = w.mediator.client.post(f"settlement/{s['id']}/ready", {"partial": True})
    assert marked.status_code == 200, marked.content
    assert Settlement.objects.get(pk=s["id"]).partial is True
    for who in (w.party_a, w.party_b, w.mediator):
        assert sign(who, s).status_code == 200
    assert Case.objects.get(pk=w.case.id).outcome == "partial"
    assert w.party_b.client.get(f"cases/{w.case.id}").json()["outcome"] == "partial"
    entry = AuditEntry.objects.filter(action="settlement.signed").order_by("-seq").first()
    assert entry is not None and read_details(entry)["outcome"] == "partial"


def test_a_revision_marked_ready_without_partial_settles(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    w.mediator.client.post(f"settlement/{s['id']}/ready", {"partial": True})
    w.mediator.client.put(f"settlement/{s['id']}", {"text": "All of it is settled."})
    s = ready(w, s)
    for who in (w.party_a, w.party_b, w.mediator):
        assert sign(who, s).status_code == 200
    assert Case.objects.get(pk=w.case.id).outcome == "settled"


def test_each_party_reads_the_copy_and_asks_for_more_to_be_removed(active_world: World) -> None:
    w = active_world
    s = reviewed(w)
    copy = f"settlement/{s['id']}/public-record"
    # Not shown yet: nobody reads it through this door, nobody asks.
    assert w.party_a.client.get(copy).status_code == 404
    early = w.party_a.client.post(f"{copy}/requests", {"passage": "Harbour Lane"})
    assert early.status_code == 409 and early.json()["error"] == "public_record_not_shown"
    assert w.party_a.client.post(f"{copy}/show").status_code == 403
    shown = w.mediator.client.post(f"{copy}/show")
    assert shown.status_code == 200, shown.content
    assert w.mediator.client.post(f"{copy}/show").status_code == 409
    for who in (w.party_a, w.attorney_a, w.party_b):
        read = who.client.get(copy).json()
        assert "Harbour Lane" in read["text"] and "Ada" not in read["text"]
        assert read["final"] is False and read["requests"] == []
    assert w.outsider.client.get(copy).status_code == 404

    # A request names text of the copy; the mediators do not ask, they finalize.
    missing = w.party_a.client.post(f"{copy}/requests", {"passage": "Ada Party"})
    assert missing.status_code == 400 and "passage" in missing.json()["fields"]
    assert w.mediator.client.post(f"{copy}/requests", {"passage": "Harbour"}).status_code == 403
    asked = w.party_a.client.post(f"{copy}/requests", {"passage": "Harbour Lane berth 7"})
    assert asked.status_code == 201, asked.content
    mine = asked.json()
    assert w.party_a.participant is not None
    assert mine["audience"] == f"side:{w.party_a.participant.side_id}"
    theirs = w.party_b.client.post(f"{copy}/requests", {"passage": "the younger child"}).json()

    # Each side's request is its own and the mediators': never the other side's.
    assert w.party_b.client.get(f"{copy}/requests/{mine['id']}").status_code == 404
    assert w.party_a.client.get(f"{copy}/requests/{theirs['id']}").status_code == 404
    assert w.outsider.client.get(f"{copy}/requests/{mine['id']}").status_code == 404
    assert w.attorney_a.client.get(f"{copy}/requests/{mine['id']}").status_code == 200
    assert w.mediator.client.get(f"{copy}/requests/{theirs['id']}").status_code == 200
    seen = [
        {r["passage"] for r in who.client.get(copy).json()["requests"]}
        for who in (w.party_a, w.attorney_a, w.party_b, w.mediator)
    ]
    assert seen == [
        {"Harbour Lane berth 7"},
        {"Harbour Lane berth 7"},
        {"the younger child"},
        {"Harbour Lane berth 7", "the younger child"},
    ]
    entries = AuditEntry.objects.filter(action="settlement.removal_requested")
    assert entries.count() == 2
    assert all("Harbour" not in str(read_details(e)) for e in entries)

    # The parties cannot make it final; the mediator applies every request and finalizes.
    assert w.party_a.client.post(f"{copy}/final").status_code == 403
    before = w.mediator.client.get(copy).json()["text"]
    final = w.mediator.client.post(f"{copy}/final")
    assert final.status_code == 200, final.content
    text = final.json()["text"]
    assert final.json()["final"] is True
    assert "Harbour Lane" not in text and "the younger child" not in text
    assert text == before.replace("Harbour Lane berth 7", REMOVED).replace(
        "the younger child", REMOVED
    )
    assert all(r["applied_at"] for r in final.json()["requests"])
    late = w.party_b.client.post(f"{copy}/requests", {"passage": "1,200"})
    assert late.status_code == 409 and late.json()["error"] == "public_record_final"
    assert w.mediator.client.post(f"{copy}/final").status_code == 409
    # The exports are the final copy.
    pdf = w.mediator.client.get(f"{copy}/docx")
    assert pdf.status_code == 200
    assert b"Harbour" not in pdf.content
    assert w.party_a.client.get(f"{copy}/docx").status_code == 404


def test_a_request_only_ever_removes() -> None:
    text = "Keep this. Remove me. Keep that. Remove me."
    out = remove_passages(text, ["Remove me", "me", ""])
    assert out == f"Keep this. {REMOVED}. Keep that. {REMOVED}."
    # What stays is the text's own, in order: nothing is added back or brought in.
    position = 0
    for part in out.split(REMOVED):
        found = text.find(part, position)
        assert found >= 0
        position = found + len(part)


def test_a_request_is_sealed_at_rest(active_world: World) -> None:
    w = active_world
    s = reviewed(w)
    w.mediator.client.post(f"settlement/{s['id']}/public-record/show")
    w.party_a.client.post(
        f"settlement/{s['id']}/public-record/requests", {"passage": "Harbour Lane berth 7"}
    )
    row = RemovalRequest.objects.get(settlement_id=s["id"])
    assert b"Harbour" not in bytes(row.passage_sealed)
    settlement = Settlement.objects.get(pk=s["id"])
    assert settlement.record_text_sealed is not None
    assert b"Harbour" not in bytes(settlement.record_text_sealed)
