"""Issue 15, deliver 1, in Debian's Chromium against a live `caucus serve`: at a caucus's
close-out the party reads plain choices saying who will see what, narrows the mediator's
"may be shared" to words of their own, and the item stays confidential until the mediator
accepts those words; party B never sees the item. Every page visited is checked as in
test_browser.py (no CSP violation, labels, headings, 44px targets, no sideways scrolling)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import OpenTab
from tests.e2e.conftest import LiveServer
from tests.e2e.test_disclosures_browser import decided_caucus_item
from tests.e2e.test_meetings_browser import active_case, mediator_signs_in, party_signs_in

pytestmark = pytest.mark.e2e


def test_the_party_narrows_at_closeout_and_the_mediator_accepts_their_words(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    tag = uuid.uuid4().hex[:6]
    original = f"Ada would sell the orchard below its value {tag}"
    own = f"One side is open to talking about the orchard {tag}"
    meeting_id, item_id = decided_caucus_item(case, original, {"decision": "may_share"})
    closeout = f"/meetings/{meeting_id}/closeout"

    # Party A, on a phone, reads what each choice means and chooses words of their own.
    party_a = open_tab(phone=True)
    party_signs_in(party_a, case.party_a.email)
    party_a.goto(closeout)
    a = party_a.page
    row = a.get_by_role("article", name=original)
    expect(row.get_by_role("radio")).to_have_count(3)
    expect(row).to_contain_text("Only you and the mediator will ever see it")
    expect(row).to_contain_text("only in words you approve first")
    party_a.check_page()
    # Without words the choice is refused, with the message at the field.
    row.get_by_role("radio", name="Share only words I choose").check()
    party_a.submit(row.get_by_role("button", name="Save my decision"))
    row = a.get_by_role("article", name=original)
    expect(row).to_contain_text("Give the wording that may be shared.")
    row.get_by_role("radio", name="Share only words I choose").check()
    row.get_by_role("textbox", name="Your own wording").fill(own)
    party_a.submit(row.get_by_role("button", name="Save my decision"))
    row = a.get_by_role("article", name=original)
    expect(row.locator(".done")).to_have_text("Confirmed by the party.")
    expect(row.locator(".decision")).to_have_text("Keep confidential")
    expect(row.locator(".proposed-wording")).to_contain_text(own)
    expect(row.get_by_role("radio")).to_have_count(0)
    expect(a.locator("#closeout-nothing-missing")).to_be_visible()
    party_a.check_page()

    # Meanwhile nothing travels: the mediator cannot draft a disclosure of it.
    refused = case.mediator.api.call(
        "POST",
        f"/items/{item_id}/disclosures",
        {"to": "case", "text": own},
        expect_status=409,
    )
    assert refused["error"] == "keep_confidential"

    # The mediator accepts the party's words from the close-out page.
    mediator = open_tab()
    mediator_signs_in(mediator, case.mediator.email)
    mediator.goto(closeout)
    m = mediator.page
    row = m.get_by_role("article", name=original)
    expect(row.locator(".proposed-wording")).to_contain_text(own)
    mediator.check_page()
    mediator.submit(row.get_by_role("button", name="Accept the party's wording"))
    row = m.get_by_role("article", name=original)
    expect(row.locator(".decision")).to_have_text("May be shared only as worded")
    expect(row).to_contain_text(own)
    shown = case.party_a.api.call("GET", f"/items/{item_id}")
    assert (shown["decision"], shown["wording"], shown["confirmed"]) == (
        "may_share_as_worded",
        own,
        True,
    )

    # Party B sees neither the caucus's close-out nor the item.
    case.party_b.api.call("GET", f"/items/{item_id}", expect_status=404)
    party_b = open_tab()
    party_signs_in(party_b, case.party_b.email)
    assert party_b.status_of(closeout)[0] == 404
