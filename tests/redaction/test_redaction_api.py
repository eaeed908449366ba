"""The redaction calls of API.md: propose spans for a stored document, finalize into a new
public-record document whose removed text is gone; mediators only, audited."""

from __future__ import annotations

import io

import pytest

from caucus.audit.models import AuditEntry
from caucus.redaction.formats import extract
from caucus.redaction.models import Redaction, RedactionSpan
from caucus.vault.models import Document
from tests.conftest import World
from tests.vault.helpers import body, upload

pytestmark = pytest.mark.django_db


def _intake(w: World) -> None:
    """The child is known to the case from party A's intake answers."""
    import json
    import uuid

    from caucus.cases.models import IntakeAnswers

    # Onboarding a family case took party A's intake already (issue 15): it now names the child.
    row = IntakeAnswers.objects.filter(participant=w.party_a.participant).first() or IntakeAnswers(
        id=uuid.uuid4(), case=w.case, participant=w.party_a.participant
    )
    row.answers_json = json.dumps({"children": [{"name": "Lena Okafor", "age": 9}]})
    row.save()


MEMO = (
    "MEMORANDUM OF UNDERSTANDING\n"
    "Ada Party and BEA PARTY agree. Their daughter Lena Okafor (born March 3, 2015) lives at "
    "1428 Elm Street, Springfield, IL 62704. Ada's phone is (217) 555-0143. SSN 123-45-6789.\n"
    "Support of $1,250.00 starts June 1, 2024 under 26 U.S.C. § 71. Ask Kestrel today.\n"
)


def _propose(w: World, name: str = "memo.txt", data: bytes = MEMO.encode()) -> dict[str, object]:
    _intake(w)
    doc = upload(w.party_a, w.case.id, name=name, data=data, content_type="text/plain",
                 audience="case").json()  # fmt: skip
    r = w.mediator.client.post(f"documents/{doc['id']}/redactions")
    assert r.status_code == 201, r.content
    out: dict[str, object] = r.json()
    out["document_id"] = doc["id"]
    return out


@pytest.fixture
def proposal(active_world: World) -> dict[str, object]:
    """The proposal for the case's memo, uploaded by the mediator."""
    return _propose(active_world)


def test_it_proposes_spans_with_the_case_knowledge_and_finalizes_a_public_record(
    active_world: World, proposal: dict[str, object]
) -> None:
    w = active_world
    spans = proposal["spans"]
    assert isinstance(spans, list)
    texts = {s["text"] for s in spans}
    assert {"Ada Party", "BEA PARTY", "123-45-6789", "(217) 555-0143"} <= texts
    assert not any("1,250" in t or "U.S.C" in t for t in texts)
    keep = next(s for s in spans if s["text"] == "BEA PARTY")
    accept = [s["id"] for s in spans if s is not keep]
    start = MEMO.index("Kestrel")
    r = w.mediator.client.post(
        f"redactions/{proposal['id']}/finalize",
        {"accept": accept, "add": [{"start": start, "end": start + 7, "label": "PERSON"}]},
    )
    assert r.status_code == 201, r.content
    copy_id = r.json()["document_id"]
    meta = w.mediator.client.get(f"documents/{copy_id}").json()
    assert meta["public_record"] is True
    assert meta["source_document_id"] == proposal["document_id"]
    text = body(w.mediator.client.get(f"documents/{copy_id}/content")).decode()
    for gone in ("Ada", "Lena", "1428 Elm", "123-45-6789", "555-0143", "Kestrel", "March 3"):
        assert gone not in text
    assert "BEA PARTY" in text and "$1,250.00" in text and "[CHILD]" in text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"redaction.proposed", "redaction.finalized"} <= actions
    again = w.mediator.client.post(f"redactions/{proposal['id']}/finalize", {"accept": []})
    assert again.status_code == 409


def test_it_seals_the_extracted_text_and_span_text(proposal: dict[str, object]) -> None:
    row = Redaction.objects.get(pk=str(proposal["id"]))
    assert b"Lena" not in bytes(row.text_sealed)
    for span in RedactionSpan.objects.filter(redaction=row):
        assert span.text.encode() not in bytes(span.text_sealed)


def test_it_answers_404_to_those_who_cannot_see_and_403_to_participants_who_can(
    active_world: World, proposal: dict[str, object]
) -> None:
    w = active_world
    doc_id = proposal["document_id"]
    assert w.party_a.client.post(f"documents/{doc_id}/redactions").status_code == 403
    assert w.outsider.client.post(f"documents/{doc_id}/redactions").status_code == 404
    assert w.anonymous.client.post(f"documents/{doc_id}/redactions").status_code == 401
    for who in (w.party_a, w.party_b, w.attorney_a, w.outsider):
        r = who.client.post(f"redactions/{proposal['id']}/finalize", {"accept": []})
        assert r.status_code == 404
    private = upload(w.party_a, w.case.id, name="mine.txt", data=b"Ada Party",
                     content_type="text/plain", audience="own_side").json()  # fmt: skip
    assert w.party_b.client.post(f"documents/{private['id']}/redactions").status_code == 404


def test_it_rejects_bad_spans_with_field_errors(
    active_world: World, proposal: dict[str, object]
) -> None:
    w = active_world
    url = f"redactions/{proposal['id']}/finalize"
    for add in (
        [{"start": 5, "end": 2, "label": "PERSON"}],
        [{"start": 0, "end": 10**6, "label": "PERSON"}],
        [{"start": 0, "end": 3, "label": "NOPE"}],
    ):
        r = w.mediator.client.post(url, {"accept": [], "add": add})
        assert r.status_code == 400, r.content
        assert r.json()["error"] in {"invalid", "validation_error", "invalid_input"}
    r = w.mediator.client.post(url, {"accept": ["00000000-0000-0000-0000-000000000000"]})
    assert r.status_code == 400
    assert Document.objects.filter(public_record=True).count() == 0


def test_it_refuses_an_image_only_pdf_with_a_code_and_no_copy(active_world: World) -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.rect(72, 72, 100, 100, fill=1)
    c.save()
    w = active_world
    doc = upload(w.party_a, w.case.id, name="scan.pdf", data=out.getvalue(),
                 content_type="application/pdf", audience="case").json()  # fmt: skip
    r = w.mediator.client.post(f"documents/{doc['id']}/redactions")
    assert r.status_code == 400
    assert r.json()["error"] == "image_only_pdf"
    assert Redaction.objects.count() == 0


def test_it_redacts_a_docx_into_a_docx(active_world: World) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Ada Party will call (217) 555-0143.")
    raw = io.BytesIO()
    d.save(raw)
    doc_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    w = active_world
    up = upload(w.party_a, w.case.id, name="plan.docx", data=raw.getvalue(),
                content_type=doc_type, audience="case").json()  # fmt: skip
    proposal = w.mediator.client.post(f"documents/{up['id']}/redactions").json()
    ids = [s["id"] for s in proposal["spans"]]
    copy_id = w.mediator.client.post(
        f"redactions/{proposal['id']}/finalize", {"accept": ids}
    ).json()["document_id"]
    data = body(w.mediator.client.get(f"documents/{copy_id}/content"))
    text = extract(data, name="copy.docx").text
    assert "Ada" not in text and "555-0143" not in text and "[PERSON]" in text
