"""API.md's redaction calls checked from outside, against a real `caucus serve`: a party
uploads a memorandum, the mediator asks for proposed spans, finalizes with one span
rejected and one added, and gets a new public-record document whose text no longer holds
what was removed. Parties are refused, outsiders see nothing, bad files get a code."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import active_case

pytestmark = pytest.mark.e2e

MEMO = (
    "MEMORANDUM OF UNDERSTANDING\n"
    "Ada Appleby and BEN BIRCH agree that Ada's address, 14 Quarry Lane, Bend, OR 97701, "
    "stays private. Ben's SSN 123-45-6789 and phone (541) 555-0182 are on file. "
    "Support is $1,250.00 from June 1, 2026 under ORS 107.105. Witness: Corin.\n"
)


def _upload(
    server: LiveServer, token: str, case_id: str, name: str, data: bytes, ctype: str
) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/cases/{case_id}/documents",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (name, data, ctype)},
        data={"audience": "case"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    doc_id: str = response.json()["id"]
    return doc_id


def test_redaction_calls_behave_as_api_md_says(caucus_server: LiveServer) -> None:
    case = active_case(caucus_server)
    party_token = case.party_a.api.headers["Authorization"].removeprefix("Bearer ")
    doc_id = _upload(caucus_server, party_token, case.id, "memo.txt", MEMO.encode(), "text/plain")

    proposal = case.mediator.api.call("POST", f"/documents/{doc_id}/redactions", expect_status=201)
    assert set(proposal) >= {"id", "spans"}
    for span in proposal["spans"]:
        assert set(span) >= {"id", "start", "end", "label", "text"}
        assert MEMO[span["start"] : span["end"]] == span["text"]
    texts = {s["text"] for s in proposal["spans"]}
    assert {"Ada Appleby", "BEN BIRCH", "123-45-6789", "(541) 555-0182"} <= texts
    assert not any("1,250" in t or "107.105" in t for t in texts)

    case.party_a.api.call("POST", f"/documents/{doc_id}/redactions", expect_status=403)
    case.party_a.api.call(
        "POST", f"/redactions/{proposal['id']}/finalize", {"accept": []}, expect_status=404
    )

    rejected = next(s for s in proposal["spans"] if s["text"] == "BEN BIRCH")
    start = MEMO.index("Corin")
    done = case.mediator.api.call(
        "POST",
        f"/redactions/{proposal['id']}/finalize",
        {
            "accept": [s["id"] for s in proposal["spans"] if s is not rejected],
            "add": [{"start": start, "end": start + 5, "label": "PERSON"}],
        },
        expect_status=201,
    )
    copy = case.mediator.api.call("GET", f"/documents/{done['document_id']}")
    assert copy["public_record"] is True
    content = httpx.get(
        f"{case.mediator.api.url}/documents/{done['document_id']}/content",
        headers=case.mediator.api.headers,
        timeout=30,
    )
    assert content.status_code == 200
    text = content.text
    for gone in ("Ada", "Quarry", "123-45-6789", "555-0182", "Corin"):
        assert gone not in text
    assert "BEN BIRCH" in text and "$1,250.00" in text and "[ADDRESS]" in text

    bad = _upload(caucus_server, party_token, case.id, "scan.pdf", b"%PDF-1.4\n%%EOF\n",
                  "application/pdf")  # fmt: skip
    answer = httpx.post(
        f"{case.mediator.api.url}/documents/{bad}/redactions",
        headers=case.mediator.api.headers,
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] in {"unreadable_pdf", "image_only_pdf"}
