"""The mediator's redaction review in a real browser against a live `caucus serve`: from
the documents page to the review page (proposed removals marked with number and label, no
CSP violation, the accessibility basics), one removal rejected, one added by selecting text
(the page's JavaScript fills the offsets), then the copy is made and listed as public record."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import OpenTab
from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import active_case, mediator_signs_in
from tests.e2e.test_redaction_contract import MEMO, _upload

pytestmark = pytest.mark.e2e


def test_the_mediator_reviews_and_makes_a_public_record_copy(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    party_token = case.party_a.api.headers["Authorization"].removeprefix("Bearer ")
    _upload(caucus_server, party_token, case.id, "memo.txt", MEMO.encode(), "text/plain")

    tab = open_tab()
    mediator_signs_in(tab, case.mediator.email)
    # The documents page is the vault's (checked by its own browser test); this one checks
    # the pages of redaction.
    tab.page.goto(f"{tab.base_url}/cases/{case.id}/documents")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Redact memo.txt for the public record").click()
    expect(tab.page).to_have_url(re.compile(r"/redactions/[0-9a-f-]{36}$"))
    tab.check_page()
    text = tab.page.locator("#redaction-text")
    expect(text.locator("mark.proposed").first).to_be_visible()
    # Labels in words, not the engine's codes (issue 15).
    expect(text).to_contain_text(": name]")
    expect(text).to_contain_text(": social security number]")

    tab.page.get_by_label(re.compile(r"Name: “BEN BIRCH”")).uncheck()
    tab.page.evaluate(
        """() => {
          const pre = document.getElementById("redaction-text");
          const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const at = node.textContent.indexOf("Corin");
            if (at >= 0) {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + 5);
              const sel = window.getSelection();
              sel.removeAllRanges();
              sel.addRange(range);
              pre.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
              return;
            }
          }
        }"""
    )
    start = MEMO.index("Corin")
    expect(tab.page.locator("#add-0-start")).to_have_value(str(start))
    expect(tab.page.locator("#add-0-end")).to_have_value(str(start + 5))
    tab.page.locator("#make-copy-step summary").click()
    expect(tab.page.locator("#make-copy-consequences")).to_contain_text("cannot be undone")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Make the redacted copy").click()
    expect(tab.page).to_have_url(re.compile(rf"/cases/{case.id}/documents"))
    expect(tab.page.get_by_text("Public record").first).to_be_visible()

    docs = case.mediator.api.call("GET", f"/cases/{case.id}/documents")["items"]
    copy = next(d for d in docs if d["public_record"])
    content = httpx.get(
        f"{case.mediator.api.url}/documents/{copy['id']}/content",
        headers=case.mediator.api.headers,
        timeout=30,
    ).text
    assert "Corin" not in content and "Ada" not in content and "BEN BIRCH" in content
