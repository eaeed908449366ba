"""Issue 5's Done-when in real browsers against a live `caucus serve`: the mediator drafts a
disclosure of a confirmed caucus item of side A; party A approves; party B still sees
nothing; attorney A approves; party B sees only the approved wording, never the original.
Then the consents, concerns and messages pages, each used once.

Every page visited is checked as in test_browser.py: no CSP violation, labels, headings,
44px targets, no sideways scrolling (on a phone too)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import PARTY_PASSWORD, OpenTab, unique_email
from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import (
    ActiveCase,
    Api,
    Person,
    active_case,
    mediator_signs_in,
    party_signs_in,
)

pytestmark = pytest.mark.e2e

DISCLOSURES_URL = re.compile(r"/cases/[0-9a-f-]{36}/disclosures(#disclosure-[0-9a-f-]{36})?$")


def attorney_for_side_a(server: LiveServer, case: ActiveCase) -> Person:
    """An attorney who joins party A's side in the active case and signs both agreements
    (a participant who joins later sees nothing before signing)."""
    side_a = case.party_a.api.call("GET", f"/cases/{case.id}")["my_side_id"]
    email = unique_email("attorney")
    made = case.mediator.api.call(
        "POST",
        f"/cases/{case.id}/invitations",
        {"email": email, "name": "Alex Advocate", "role": "attorney", "side_id": side_a},
        expect_status=201,
    )
    token = urlsplit(made["invite_url"]).path.removeprefix("/invite/")
    response = httpx.post(
        f"{server.url}/api/v1/invitations/accept",
        json={"token": token, "name": "Alex Advocate", "password": PARTY_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    attorney = Person("Alex Advocate", email, Api(server, response.json()["token"]))
    for agreement in attorney.api.call("GET", f"/cases/{case.id}/agreements")["items"]:
        attorney.api.call(
            "POST",
            f"/agreements/{agreement['id']}/sign",
            {"typed_name": attorney.name, "text_sha256": agreement["text_sha256"]},
            expect_status=201,
        )
    return attorney


def decided_caucus_item(
    case: ActiveCase, original: str, decision: dict[str, str]
) -> tuple[str, str]:
    """A running caucus with side A holding one item the mediator decided (not yet
    confirmed); answers the meeting's id and the item's."""
    side_a = case.party_a.api.call("GET", f"/cases/{case.id}")["my_side_id"]
    meeting = case.mediator.api.call(
        "POST",
        f"/cases/{case.id}/meetings",
        {
            "kind": "caucus",
            "side_id": side_a,
            "mode": "in_person",
            "starts_at": "2026-12-01T10:00:00Z",
        },
        expect_status=201,
    )
    case.mediator.api.call("POST", f"/meetings/{meeting['id']}/start")
    item = case.mediator.api.call(
        "POST", f"/meetings/{meeting['id']}/items", {"text": original}, expect_status=201
    )
    case.mediator.api.call("PUT", f"/items/{item['id']}/decision", decision)
    return meeting["id"], item["id"]


def confirmed_caucus_item(case: ActiveCase, original: str, wording: str) -> tuple[str, str]:
    """A caucus with side A holding one item party A confirmed as shareable as worded;
    answers the meeting's id and the item's."""
    decision = {"decision": "may_share_as_worded", "wording": wording}
    meeting_id, item_id = decided_caucus_item(case, original, decision)
    case.party_a.api.call("POST", f"/items/{item_id}/confirm")
    return meeting_id, item_id


def test_it_discloses_only_the_approved_wording_after_the_party_and_attorney_approve(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    attorney = attorney_for_side_a(caucus_server, case)
    tag = uuid.uuid4().hex[:6]
    original = f"Ada would give up the orchard if Ben pays the legal costs {tag}"
    wording = f"One side is open to trading the orchard against costs {tag}"
    meeting_id, item_id = confirmed_caucus_item(case, original, wording)
    case_path = f"/cases/{case.id}"
    disclosures_path = f"{case_path}/disclosures"

    # The mediator drafts the disclosure on the caucus page; the wording comes prefilled.
    mediator = open_tab()
    mediator_signs_in(mediator, case.mediator.email)
    mediator.goto(f"/meetings/{meeting_id}")
    m = mediator.page
    item = m.get_by_role("article", name=original)
    item.get_by_text("Draft a disclosure").click()
    expect(item.get_by_label("Wording to share")).to_have_value(wording)
    item.get_by_label("Share with").select_option("case")
    mediator.check_page()
    mediator.submit(item.get_by_role("button", name="Ask for approval"))
    expect(m).to_have_url(DISCLOSURES_URL)
    draft = m.locator("article.disclosure")
    expect(draft).to_have_count(1)
    expect(draft.locator(".original-text")).to_have_text(original)
    expect(draft.locator(".proposed-text")).to_have_text(wording)
    expect(draft.locator(".status")).to_have_text("Pending")
    expect(draft.locator(".answers")).to_contain_text("Ada Appleby: Not yet answered")
    expect(draft.locator(".answers")).to_contain_text("Alex Advocate: Not yet answered")
    expect(draft.get_by_role("button", name="Approve this wording")).to_have_count(0)

    # Party A, on a phone, finds it from the case page and approves.
    party_a = open_tab(phone=True)
    party_signs_in(party_a, case.party_a.email)
    party_a.goto(case_path)
    a = party_a.page
    expect(a.locator("#nav-disclosures")).to_contain_text("1")
    party_a.submit(a.locator("#nav-disclosures"))
    expect(a.get_by_role("heading", level=1)).to_have_text("Disclosures")
    expect(a.locator(".original-text")).to_have_text(original)
    expect(a.locator(".proposed-text")).to_have_text(wording)
    party_a.submit(a.get_by_role("button", name="Approve this wording"))
    expect(a.locator(".answers")).to_contain_text("Ada Appleby: Approved")
    expect(a.locator(".status")).to_have_text("Pending")

    # Party B still sees nothing: neither the wording nor the original, anywhere.
    party_b = open_tab()
    party_signs_in(party_b, case.party_b.email)
    b = party_b.page
    party_b.goto(disclosures_path)
    expect(b.locator("#disclosure-list")).to_contain_text("No disclosures for you to see.")
    expect(b.locator("#shared")).to_contain_text("Nothing has been shared with you yet.")
    for path in (disclosures_path, case_path):
        party_b.goto(path)
        assert original not in b.content() and wording not in b.content(), path
    assert party_b.goto(f"/meetings/{meeting_id}").status == 404
    assert original not in b.content() and wording not in b.content()
    seen_by_b = httpx.get(
        f"{case.party_b.api.url}/cases/{case.id}/items",
        headers=case.party_b.api.headers,
        timeout=30,
    ).text
    assert original not in seen_by_b and wording not in seen_by_b

    # Attorney A approves: that was the last approval, so the wording is released.
    attorney_tab = open_tab()
    party_signs_in(attorney_tab, attorney.email)
    attorney_tab.goto(disclosures_path)
    t = attorney_tab.page
    attorney_tab.submit(t.get_by_role("button", name="Approve this wording"))
    expect(t.locator(".status")).to_have_text("Released")

    # Party B now sees the wording, and only the wording.
    party_b.goto(disclosures_path)
    expect(b.locator("#shared .shared-text")).to_have_text(wording)
    expect(b.locator("article.disclosure")).to_have_count(0)
    assert original not in b.content()
    items = case.party_b.api.call("GET", f"/cases/{case.id}/items")["items"]
    assert [i["text"] for i in items] == [wording]
    assert item_id not in b.content()

    # The original is untouched and still private to side A and the mediator.
    mediator.goto(f"/meetings/{meeting_id}")
    expect(m.get_by_role("article", name=original)).to_be_visible()


def test_it_runs_consents_concerns_and_messages_pages(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    case_path = f"/cases/{case.id}"
    tag = uuid.uuid4().hex[:6]

    # The mediator asks the parties to admit a neutral expert.
    mediator = open_tab()
    mediator_signs_in(mediator, case.mediator.email)
    mediator.goto(case_path)
    m = mediator.page
    mediator.submit(m.locator("#nav-consents"))
    expect(m.get_by_role("heading", level=1)).to_have_text("Consents")
    form = m.get_by_role("region", name="Ask the parties")
    form.get_by_label("Request").select_option("add_expert")
    form.get_by_label("Their name").fill("Vera Valuer")
    form.get_by_label("Their email (for an expert)").fill(unique_email("expert"))
    form.get_by_label("Why they would join").fill(f"To value the orchard {tag}")
    sent = mediator.submit(form.get_by_role("button", name="Send the request"))
    assert sent.status == 200
    request = m.get_by_role("article", name="Expert: Vera Valuer")
    expect(request).to_contain_text("Pending")

    # An empty request is refused with the field's message, not a crash.
    form = m.get_by_role("region", name="Ask the parties")
    refused = mediator.submit(form.get_by_role("button", name="Send the request"))
    assert refused.status == 400
    expect(m.locator("#id_name_error")).to_contain_text("This field is required.")

    # Party A approves in the browser, party B by API: granted, the link for the mediator.
    party_a = open_tab()
    party_signs_in(party_a, case.party_a.email)
    party_a.goto(f"{case_path}/consents")
    a = party_a.page
    party_a.submit(
        a.get_by_role("article", name="Expert: Vera Valuer").get_by_role("button", name="Approve")
    )
    consent_id = case.party_b.api.call("GET", f"/cases/{case.id}/consents")["items"][0]["id"]
    case.party_b.api.call("POST", f"/consents/{consent_id}/approve")
    mediator.goto(f"{case_path}/consents")
    expect(m.locator(".invite-url")).to_contain_text("/invite/")
    party_a.goto(f"{case_path}/consents")
    expect(a.get_by_role("article", name="Expert: Vera Valuer")).to_contain_text("Granted")
    expect(a.locator(".invite-url")).to_have_count(0)

    # Party B raises a concern; the mediator answers; party A never sees it.
    party_b = open_tab(phone=True)
    party_signs_in(party_b, case.party_b.email)
    party_b.goto(f"{case_path}/concerns")
    b = party_b.page
    concern = f"I think the mediator knows Ada's family {tag}"
    b.get_by_label("What it is about").select_option("impartiality")
    b.get_by_label("Your concern").fill(concern)
    party_b.submit(b.get_by_role("button", name="Raise concern"))
    expect(b.locator(".concern-body")).to_have_text(concern)
    mediator.goto(f"{case_path}/concerns")
    raised = m.get_by_role("article", name="Impartiality")
    raised.get_by_text("Answer this concern").click()
    raised.get_by_label("Your answer").fill(f"I have never met them {tag}")
    mediator.submit(raised.get_by_role("button", name="Send answer"))
    party_b.goto(f"{case_path}/concerns")
    expect(b.locator(".response-body")).to_have_text(f"I have never met them {tag}")
    party_a.goto(f"{case_path}/concerns")
    assert concern not in a.content()

    # Party A writes to everyone; party B reads it; a side message stays on side A.
    party_a.goto(f"{case_path}/messages")
    a.get_by_role("textbox", name="Message").fill(f"Could we meet on Tuesday? {tag}")
    a.get_by_label("To", exact=True).select_option("case")
    party_a.submit(a.get_by_role("button", name="Send message"))
    a.get_by_role("textbox", name="Message").fill(f"Only for my side {tag}")
    a.get_by_label("To", exact=True).select_option("own_side")
    party_a.submit(a.get_by_role("button", name="Send message"))
    expect(a.locator(".message-body")).to_have_count(2)
    party_b.goto(f"{case_path}/messages")
    expect(b.locator(".message-body")).to_have_text([f"Could we meet on Tuesday? {tag}"])
    assert f"Only for my side {tag}" not in b.content()
    mediator.goto(f"{case_path}/messages")
    expect(m.locator("option[value=own_side]")).to_have_count(0)
