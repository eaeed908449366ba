"""API.md's memorandum of understanding checked from outside, against a real `caucus
serve`: drafting, a version and its diff, a comment the other side never sees, ready, a
stale signature answered with the current fingerprint, every signature, the case settled,
the PDF, the public-record proposal, and no new version once the case is closed."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import active_case

pytestmark = pytest.mark.e2e


def test_the_memorandum_calls_behave_as_api_md_says(caucus_server: LiveServer) -> None:
    case = active_case(caucus_server)
    med, a, b = case.mediator.api, case.party_a.api, case.party_b.api
    text = "1. Ada Appleby pays Ben Birch 500 on 1 June 2027."
    s = med.call("POST", f"/cases/{case.id}/settlement", {"text": text}, expect_status=201)
    assert s["status"] == "draft" and s["version"] == 1 and s["signed_by"] == []
    assert b.call("GET", f"/cases/{case.id}/settlement")["text_sha256"] == s["text_sha256"]
    a.call("PUT", f"/settlement/{s['id']}", {"text": "changed"}, expect_status=403)
    v2 = med.call("PUT", f"/settlement/{s['id']}", {"text": text.replace("500", "650")})
    assert v2["version"] == 2
    versions = b.call("GET", f"/settlement/{s['id']}/versions")["items"]
    assert "+1. Ada Appleby pays Ben Birch 650 on 1 June 2027." in versions[0]["diff"]
    one = a.call("GET", f"/settlement/{s['id']}/versions/1")
    assert one["text"] == text

    said = a.call("POST", f"/settlement/{s['id']}/comments", {"body": "A would go to 600."}, 201)
    assert said["audience"].startswith("side:")
    assert b.call("GET", f"/settlement/{s['id']}/comments")["items"] == []
    b.call("GET", f"/settlement/{s['id']}/comments/{said['id']}", expect_status=404)

    ready = med.call("POST", f"/settlement/{s['id']}/ready")
    assert ready["status"] == "ready"
    stale = {"typed_name": case.party_a.name, "text_sha256": s["text_sha256"]}
    answered = httpx.post(
        f"{a.url}/settlement/{s['id']}/sign", json=stale, headers=a.headers, timeout=30
    )
    assert answered.status_code == 409
    assert answered.json()["text_sha256"] == ready["text_sha256"]
    for person in (case.party_a, case.party_b, case.mediator):
        signed = person.api.call(
            "POST",
            f"/settlement/{s['id']}/sign",
            {"typed_name": person.name, "text_sha256": ready["text_sha256"]},
        )
    assert signed["status"] == "signed"
    assert b.call("GET", f"/cases/{case.id}")["outcome"] == "settled"
    pdf = httpx.get(f"{b.url}/settlement/{s['id']}/pdf", headers=b.headers, timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    proposal = med.call("POST", f"/settlement/{s['id']}/public-record", expect_status=201)
    removed = {span["text"] for span in proposal["spans"]}
    assert {"Ada Appleby", "Ben Birch"} <= removed

    med.call("POST", f"/cases/{case.id}/close", {"outcome": "settled"})
    closed = httpx.put(
        f"{med.url}/settlement/{s['id']}", json={"text": "after"}, headers=med.headers, timeout=30
    )
    assert closed.status_code == 409 and closed.json()["error"] == "case_closed"
