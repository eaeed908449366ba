"""The memorandum of understanding (issue 16), through the API as the shared personas:
drafting and versions, comments by side, ready, signing, the PDF and the public record."""

from __future__ import annotations

import pytest

from caucus.audit.chain import read_details
from caucus.audit.models import AccessRecord, AuditEntry
from caucus.cases.models import Case
from caucus.settlement.models import SettlementPolicy, SettlementVersion
from tests.conftest import Persona, World
from tests.settlement.memoranda import TERMS, drafted, ready, sign, sign_by_everyone

pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")


def test_the_mediator_drafts_and_every_participant_reads_it(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    assert s["status"] == "draft" and s["version"] == 1 and s["audience"] == "case"
    assert s["signed_by"] == []
    # The parties and the mediator sign; the attorneys by default do not.
    assert w.mediator.participant and w.party_a.participant and w.party_b.participant
    assert set(s["signers"]) == {
        str(w.mediator.participant.id),
        str(w.party_a.participant.id),
        str(w.party_b.participant.id),
    }
    for who in (w.party_a, w.attorney_a, w.party_b):
        read = who.client.get(f"cases/{w.case.id}/settlement")
        assert read.status_code == 200
        assert read.json()["text"] == TERMS
    assert w.outsider.client.get(f"cases/{w.case.id}/settlement").status_code == 404
    assert w.outsider.client.get(f"settlement/{s['id']}").status_code == 404
    # A read of the text is audited.
    assert AccessRecord.objects.filter(
        object_type="settlement_version", participant_id=w.party_b.participant.id
    ).exists()


def test_only_the_mediator_drafts_and_a_case_has_one_memorandum(active_world: World) -> None:
    w = active_world
    refused = w.party_a.client.post(f"cases/{w.case.id}/settlement", {"text": "x"})
    assert refused.status_code == 403
    drafted(w)
    again = w.mediator.client.post(f"cases/{w.case.id}/settlement", {"text": "y"})
    assert again.status_code == 409
    assert again.json()["error"] == "settlement_exists"


def test_a_template_gives_the_structured_sections(active_world: World) -> None:
    w = active_world
    made = w.mediator.client.post(
        f"cases/{w.case.id}/settlement", {"text": "", "template": "family"}
    )
    assert made.status_code == 201, made.content
    text = made.json()["text"]
    for section in ("1. PARTIES", "2. TERMS", "SCHEDULE OF PARENTING TIME", "4. CONDITIONS"):
        assert section in text
    assert "5. SIGNATURES" in text
    unknown = w.mediator.client.post(
        f"cases/{w.case.id}/settlement", {"text": "", "template": "maritime"}
    )
    assert unknown.status_code == 400
    blank = w.mediator.client.post(f"cases/{w.case.id}/settlement", {"text": " "})
    assert blank.status_code in (400, 409)


def test_the_text_is_sealed_at_rest(active_world: World) -> None:
    w = active_world
    drafted(w, "SEALED-MOU-TERMS-4417")
    raw = bytes(SettlementVersion.objects.get().text_sealed)
    assert b"SEALED-MOU-TERMS-4417" not in raw


def test_each_revision_is_a_version_with_a_diff(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    revised = w.mediator.client.put(
        f"settlement/{s['id']}", {"text": TERMS.replace("1,200", "1,350")}
    )
    assert revised.status_code == 200
    assert revised.json()["version"] == 2
    assert revised.json()["text_sha256"] != s["text_sha256"]
    w.mediator.client.put(f"settlement/{s['id']}", {"text": TERMS + "\n3. Review in a year."})
    listed = w.party_b.client.get(f"settlement/{s['id']}/versions").json()["items"]
    assert [v["number"] for v in listed] == [3, 2, 1]
    assert "-1. Ada Party pays Bea Party 1,200 each month." in listed[1]["diff"]
    assert "+1. Ada Party pays Bea Party 1,350 each month." in listed[1]["diff"]
    assert listed[2]["diff"] == [] and listed[2]["against"] is None
    # Any version against any earlier one.
    three_vs_one = w.party_a.client.get(f"settlement/{s['id']}/versions/3?against=1").json()
    assert three_vs_one["against"] == 1
    assert "+3. Review in a year." in three_vs_one["diff"]
    assert "-1. Ada Party pays Bea Party 1,200 each month." not in three_vs_one["diff"]
    assert w.party_a.client.get(f"settlement/{s['id']}/versions/9").status_code == 404
    assert w.party_a.client.get(f"settlement/{s['id']}/versions/3?against=7").status_code == 400
    assert w.party_a.client.put(f"settlement/{s['id']}", {"text": "x"}).status_code == 403


def test_a_comment_of_one_side_never_reaches_the_other(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    mine = w.party_a.client.post(
        f"settlement/{s['id']}/comments", {"body": "Side A: ask for 1,500."}
    )
    assert mine.status_code == 201
    comment = mine.json()
    assert comment["audience"] == f"side:{w.side_a}"
    shared = w.party_b.client.post(
        f"settlement/{s['id']}/comments", {"body": "Fine by B.", "audience": "case"}
    ).json()
    theirs = w.party_b.client.post(
        f"settlement/{s['id']}/comments", {"body": "Side B: hold firm."}
    ).json()

    def seen(who: Persona) -> set[str]:
        items = who.client.get(f"settlement/{s['id']}/comments").json()["items"]
        return {c["id"] for c in items}

    assert seen(w.mediator) == {comment["id"], shared["id"], theirs["id"]}
    assert seen(w.party_a) == seen(w.attorney_a) == {comment["id"], shared["id"]}
    assert seen(w.party_b) == {shared["id"], theirs["id"]}
    one = f"settlement/{s['id']}/comments/{comment['id']}"
    assert w.attorney_a.client.get(one).status_code == 200
    assert w.party_b.client.get(one).status_code == 404
    assert w.outsider.client.get(one).status_code == 404
    wrong = w.party_a.client.post(
        f"settlement/{s['id']}/comments", {"body": "x", "audience": "mediators"}
    )
    assert wrong.status_code == 400


def test_signing_binds_to_the_current_version(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    early = sign(w.party_a, s)
    assert early.status_code == 409 and early.json()["error"] == "settlement_not_ready"
    s = ready(w, s)
    assert s["status"] == "ready"
    assert sign(w.party_a, s).status_code == 200
    # The mediator changes the text: a new version, back to draft, the signature void.
    revised = w.mediator.client.put(f"settlement/{s['id']}", {"text": TERMS + "\n3. More."})
    assert revised.json()["status"] == "draft" and revised.json()["signed_by"] == []
    ready(w, revised.json())
    stale = sign(w.party_b, s)
    assert stale.status_code == 409
    assert stale.json()["error"] == "stale_text"
    assert stale.json()["text_sha256"] == revised.json()["text_sha256"]


def test_the_typed_name_is_the_signers_own(active_world: World) -> None:
    w = active_world
    s = ready(w, drafted(w))
    wrong = sign(w.party_a, s, "Bea Party")
    assert wrong.status_code == 400 and "typed_name" in wrong.json()["fields"]
    # Case and accents aside, it is the same name.
    assert sign(w.party_a, s, "  ÁDA   party ").status_code == 200
    again = sign(w.party_a, s)
    assert again.status_code == 409 and again.json()["error"] == "already_signed"


def test_attorneys_sign_only_when_the_practice_says_so(active_world: World) -> None:
    w = active_world
    s = ready(w, drafted(w))
    refused = sign(w.attorney_a, s)
    assert refused.status_code == 403 and refused.json()["error"] == "not_a_signer"
    SettlementPolicy.objects.create(practice=w.practice, attorneys_sign=True)
    again = w.attorney_a.client.get(f"settlement/{s['id']}").json()
    assert w.attorney_a.participant is not None
    assert str(w.attorney_a.participant.id) in again["signers"]
    assert sign(w.attorney_a, s).status_code == 200


def test_when_everyone_has_signed_the_case_is_settled(active_world: World) -> None:
    w = active_world
    s = ready(w, drafted(w))
    for who in (w.party_a, w.party_b):
        response = sign(who, s)
        assert response.json()["status"] == "ready"
        assert Case.objects.get(pk=w.case.id).outcome == ""
    done = sign(w.mediator, s)
    assert done.status_code == 200
    assert done.json()["status"] == "signed"
    assert len(done.json()["signed_by"]) == 3
    assert Case.objects.get(pk=w.case.id).outcome == "settled"
    assert w.party_b.client.get(f"cases/{w.case.id}").json()["outcome"] == "settled"
    entry = AuditEntry.objects.filter(action="settlement.signed").order_by("-seq").first()
    assert entry is not None and read_details(entry)["complete"] is True
    # Signed means fixed.
    late = w.mediator.client.put(f"settlement/{s['id']}", {"text": "changed"})
    assert late.status_code == 409 and late.json()["error"] == "settlement_signed"
    pdf = w.party_b.client.get(f"settlement/{s['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert w.outsider.client.get(f"settlement/{s['id']}/pdf").status_code == 404


def test_the_close_keeps_the_outcome_the_signatures_recorded(active_world: World) -> None:
    w = active_world
    s = ready(w, drafted(w))
    for who in (w.party_a, w.party_b, w.mediator):
        assert sign(who, s).status_code == 200
    contradicted = w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "impasse"})
    assert contradicted.status_code == 409, contradicted.content
    assert contradicted.json()["error"] == "outcome_signed"
    assert Case.objects.get(pk=w.case.id).status != "closed"
    closed = w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "settled"})
    assert closed.status_code == 200, closed.content
    assert w.party_a.client.get(f"cases/{w.case.id}").json()["outcome"] == "settled"


def test_a_closed_case_takes_no_new_version(active_world: World) -> None:
    w = active_world
    s = drafted(w)
    closed = w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "impasse"})
    assert closed.status_code == 200, closed.content
    refused = w.mediator.client.put(f"settlement/{s['id']}", {"text": "after the close"})
    assert refused.status_code == 409 and refused.json()["error"] == "case_closed"
    # The record stays readable.
    assert w.party_a.client.get(f"settlement/{s['id']}/versions").status_code == 200


def test_the_public_record_proposal_finds_the_case_people(active_world: World) -> None:
    w = active_world
    s = ready(w, drafted(w))
    early = w.mediator.client.post(f"settlement/{s['id']}/public-record")
    assert early.status_code == 409
    for who in (w.party_a, w.party_b, w.mediator):
        sign(who, s)
    assert w.party_a.client.post(f"settlement/{s['id']}/public-record").status_code == 403
    proposed = w.mediator.client.post(f"settlement/{s['id']}/public-record")
    assert proposed.status_code == 201, proposed.content
    found = {span["text"] for span in proposed.json()["spans"]}
    assert {"Ada Party", "Bea Party"} <= found
    # The proposal is the mediators': the parties do not see it.
    redaction = proposed.json()["id"]
    assert w.party_a.client.get(f"redactions/{redaction}").status_code == 404
    assert w.mediator.client.get(f"redactions/{redaction}").status_code == 200


def test_the_docx_keeps_the_headings_the_schedule_table_and_the_signatures(
    active_world: World,
) -> None:
    import io

    import docx

    w = active_world
    s = ready(w, drafted(w, "", template="workplace"))
    sign_by_everyone(w, s)
    response = w.attorney_a.client.get(f"settlement/{s['id']}/docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    headings = [
        p.text for p in document.paragraphs if p.style and str(p.style.name).startswith("Heading")
    ]
    assert "3. SCHEDULE OF PAYMENTS" in headings and "Signatures" in headings
    schedule, signatures = document.tables
    assert [c.text for c in schedule.rows[0].cells] == ["Payer", "Payee", "Amount", "Due date"]
    assert [r.cells[0].text for r in signatures.rows[1:]] == [
        "Ada Party",
        "Bea Party",
        "Mia Mediator",
    ]
    assert w.outsider.client.get(f"settlement/{s['id']}/docx").status_code == 404


def test_the_finalized_public_record_copy_keeps_the_structure_without_the_names(
    active_world: World,
) -> None:
    import io

    import docx
    from pypdf import PdfReader

    w = active_world
    text = (
        "1. PARTIES\nAda Party and Bea Party.\n2. SCHEDULE OF PAYMENTS\n"
        "| Payer | Payee | Amount |\n| Ada Party | Bea Party | 1,200 |\n"
    )
    s = ready(w, drafted(w, text))
    for who in (w.party_a, w.party_b, w.mediator):
        sign(who, s)
    path = f"settlement/{s['id']}/public-record/docx"
    assert w.mediator.client.get(path).status_code == 404  # nothing finalized yet
    proposed = w.mediator.client.post(f"settlement/{s['id']}/public-record").json()
    finalized = w.mediator.client.post(
        f"redactions/{proposed['id']}/finalize",
        {"accept": [span["id"] for span in proposed["spans"]], "add": []},
    )
    assert finalized.status_code == 201, finalized.content
    # The parties read it before it is final: nothing downloads until then.
    early = w.mediator.client.get(path)
    assert early.status_code == 409 and early.json()["error"] == "public_record_not_final"
    assert w.mediator.client.post(f"settlement/{s['id']}/public-record/show").status_code == 200
    assert w.mediator.client.get(path).status_code == 409
    assert w.mediator.client.post(f"settlement/{s['id']}/public-record/final").status_code == 200
    response = w.mediator.client.get(path)
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in document.paragraphs)
    (table,) = document.tables
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["Payer", "Payee", "Amount"] and cells[1][2] == "1,200"
    everything = body + str(cells)
    assert "Ada" not in everything and "Bea" not in everything
    assert "2. SCHEDULE OF PAYMENTS" in body
    pdf = w.mediator.client.get(f"settlement/{s['id']}/public-record/pdf")
    assert pdf.status_code == 200
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "1,200" in pdf_text and "Ada" not in pdf_text
    # The copy is the mediators' until they share it.
    assert w.party_a.client.get(path).status_code == 404
