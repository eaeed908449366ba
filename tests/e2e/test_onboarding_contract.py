"""API.md's "Onboarding" checked from outside: httpx against a real `caucus serve`."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.browser import unique_email
from tests.e2e.conftest import MEDIATOR_PASSWORD, LiveServer
from tests.e2e.test_meetings_browser import Api, invited_party, token_for

pytestmark = pytest.mark.e2e


def test_it_takes_a_case_through_onboarding_as_api_md_says(caucus_server: LiveServer) -> None:
    email = unique_email("mediator")
    caucus_server.create_mediator(email, "Mo Mediator", mfa=False)
    med = Api(caucus_server, token_for(caucus_server, email, MEDIATOR_PASSWORD))
    case = med.call(
        "POST",
        "/cases",
        {"title": "Lease dispute", "kind": "civil", "litigated": True},
        expect_status=201,
    )
    cid = case["id"]
    assert med.call("POST", f"/cases/{cid}/screening", {"decision": "accept"})["status"] == (
        "onboarding"
    )
    a = invited_party(caucus_server, med, cid, "Ann Party")
    b = invited_party(caucus_server, med, cid, "Bob Party")

    # Gate: substantive work waits, and says what is missing.
    blocked = a.api.call("GET", f"/cases/{cid}/items", expect_status=409)
    assert blocked["error"] == "onboarding_incomplete" and blocked["missing"]

    # Structure: a change resets acknowledgements.
    a.api.call("POST", f"/cases/{cid}/confidentiality-structure/acknowledge")
    changed = med.call(
        "PUT", f"/cases/{cid}/confidentiality-structure", {"policy": "shared_unless_marked"}
    )
    assert changed["policy"] == "shared_unless_marked"
    assert changed["acknowledged_by"] == []
    a.api.call(
        "PUT",
        f"/cases/{cid}/confidentiality-structure",
        {"policy": "permission_required"},
        expect_status=403,
    )
    for party in (a, b):
        party.api.call("POST", f"/cases/{cid}/confidentiality-structure/acknowledge")

    # Agreements: the mediator may edit before any signature; a stale hash answers 409.
    agreements = med.call("GET", f"/cases/{cid}/agreements")["items"]
    assert sorted(x["kind"] for x in agreements) == ["agreement_to_mediate", "confidentiality"]
    first = agreements[0]
    edited = med.call("PUT", f"/agreements/{first['id']}", {"text": first["text"] + "\nAdded."})
    stale = a.api.call(
        "POST",
        f"/agreements/{first['id']}/sign",
        {"typed_name": "Ann Party", "text_sha256": first["text_sha256"]},
        expect_status=409,
    )
    assert stale["error"] == "stale_text"
    assert edited["text_sha256"] != first["text_sha256"]
    for person, name in ((med, "Mo Mediator"), (a.api, "Ann Party"), (b.api, "Bob Party")):
        for agreement in person.call("GET", f"/cases/{cid}/agreements")["items"]:
            signed = person.call(
                "POST",
                f"/agreements/{agreement['id']}/sign",
                {"typed_name": name, "text_sha256": agreement["text_sha256"]},
                expect_status=201,
            )
            assert signed["text_sha256"] == agreement["text_sha256"]
    pdf = httpx.get(f"{med.url}/agreements/{first['id']}/pdf", headers=b.api.headers, timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"

    # Ground rules: propose, object, amend (clears answers), withdraw another, agree.
    rules = a.api.call("GET", f"/cases/{cid}/ground-rules")["items"]
    assert len(rules) == 1 and rules[0]["status"] == "proposed"
    rule = a.api.call(
        "POST",
        f"/cases/{cid}/ground-rules",
        {"text": "No interrupting.", "why": "To be heard.", "call_out": "Raise a hand."},
        expect_status=201,
    )
    objected = b.api.call("POST", f"/ground-rules/{rule['id']}/object", {"comment": "Too strict"})
    assert objected["status"] == "objected"
    b.api.call(
        "PUT",
        f"/ground-rules/{rule['id']}",
        {"text": "x", "why": "y", "call_out": "z"},
        expect_status=403,
    )
    amended = a.api.call(
        "PUT",
        f"/ground-rules/{rule['id']}",
        {"text": "One voice at a time.", "why": "To be heard.", "call_out": "Raise a hand."},
    )
    assert amended["objections"] == [] and amended["status"] == "proposed"
    spare = b.api.call(
        "POST",
        f"/cases/{cid}/ground-rules",
        {"text": "Cameras on.", "why": "Trust.", "call_out": "A reminder."},
        expect_status=201,
    )
    assert b.api.call("DELETE", f"/ground-rules/{spare['id']}")["status"] == "withdrawn"
    for party in (a, b):
        for r in party.api.call("GET", f"/cases/{cid}/ground-rules")["items"]:
            if r["status"] != "withdrawn":
                party.api.call("POST", f"/ground-rules/{r['id']}/agree")
    done = a.api.call("GET", f"/cases/{cid}")
    assert done["status"] == "active"
    assert done["onboarding"] == {"complete": True, "missing": []}
    assert a.api.call("GET", f"/cases/{cid}/items") == {"items": [], "next": None}
