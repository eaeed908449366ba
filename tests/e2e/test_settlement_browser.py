"""Issue 16's Done-when in real browsers against a live `caucus serve`: the mediator drafts
the memorandum of understanding from a starting text; each party comments for their own
side and sees only their side's comments; the mediator revises and compares the versions,
marks the new one ready; everyone signs with the review, the consent and their full name;
the case shows `settled` and the signed PDF downloads; the public-record copy is reviewed,
shown to the parties, party A asks for one more removal (side B never sees it), and the
final copy downloads as DOCX without it.

Every page visited is checked as in test_browser.py: no CSP violation, labels, headings,
44px targets, no sideways scrolling."""

from __future__ import annotations

import io
import uuid

import docx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.browser import OpenTab, Tab
from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import active_case, mediator_signs_in, party_signs_in

pytestmark = pytest.mark.e2e


def comment(tab: Tab, text: str) -> None:
    page = tab.page
    page.get_by_label("Your comment").fill(text)
    page.get_by_label("Who reads it").select_option("own_side")
    tab.submit(page.get_by_role("button", name="Comment"))
    expect(page.locator("#comments")).to_contain_text(text)


def sign(tab: Tab, name: str) -> None:
    page = tab.page
    signing = page.locator("#sign")
    signing.get_by_label("I agree to sign this memorandum electronically").check()
    signing.get_by_label("Type your full name to sign").fill(name)
    tab.submit(signing.get_by_role("button", name="Sign"))


def test_it_drafts_comments_by_side_revises_compares_and_signs_to_settle(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    tag = uuid.uuid4().hex[:6]
    page_path = f"/cases/{case.id}/settlement"

    # The mediator finds the memorandum in the case's navigation and drafts from a template.
    mediator = open_tab()
    mediator_signs_in(mediator, case.mediator.email)
    mediator.goto(f"/cases/{case.id}")
    m = mediator.page
    mediator.submit(m.locator("#nav-settlement"))
    expect(m.get_by_role("heading", level=1)).to_have_text("Memorandum of understanding")
    m.get_by_label("Start from").select_option("civil")
    mediator.submit(m.get_by_role("button", name="Save the first version"))
    expect(m.locator("#settlement-text")).to_contain_text("SCHEDULE OF PAYMENTS")
    expect(m.locator("#settlement-status")).to_have_text("Draft")

    # Each party comments for their own side and sees only their side's comments.
    a_says, b_says = f"Side A wants monthly payments {tag}", f"Side B wants one payment {tag}"
    party_a = open_tab()
    party_signs_in(party_a, case.party_a.email)
    party_a.goto(page_path)
    comment(party_a, a_says)
    party_b = open_tab(phone=True)
    party_signs_in(party_b, case.party_b.email)
    party_b.goto(page_path)
    comment(party_b, b_says)
    assert a_says not in party_b.page.content()
    party_a.goto(page_path)
    assert b_says not in party_a.page.content()
    mediator.goto(page_path)
    expect(m.locator("#comments")).to_contain_text(a_says)
    expect(m.locator("#comments")).to_contain_text(b_says)

    # The mediator revises, then compares the new version with the first.
    clause = f"2.3 The payments are made monthly by bank transfer {tag}."
    m.get_by_text("Revise (a new version; its signatures start again)").click()
    editor = m.locator("form.settlement-editor").get_by_label("Text")
    # The case's facts a public record must not keep: names, an address, an account, a birth
    # date; and a schedule whose amounts and dates it must keep, as a table.
    facts = (
        f"2.4 {case.party_a.name} (born 14 March 1981) of 42 Harbour Road, Springfield, "
        "IL 62704 receives the payments into account number 004412889301."
    )
    row = f"| {case.party_b.name} | {case.party_a.name} | $4,500.00 | 1 March 2027 |"
    drafted = editor.input_value().replace("| [party] | [party] | [amount] | [date] |", row)
    editor.fill(drafted + "\n" + clause + "\n" + facts)
    # With script, the editor grows with the text (the form works the same without it).
    lines = editor.input_value().count("\n") + 1
    expect(editor).to_have_attribute("rows", str(lines + 2))
    mediator.submit(m.get_by_role("button", name="Save as a new version"))
    expect(m.locator("#memorandum-h")).to_have_text("Version 2")
    m.get_by_label("Compare version").select_option("2")
    m.get_by_label("with version").select_option("1")
    mediator.submit(m.get_by_role("button", name="Compare"))
    expect(m.locator("#compare ins.diff-add").filter(has_text=clause)).to_have_text("+" + clause)

    # Ready; the parties and the mediator sign version 2.
    mediator.submit(m.get_by_role("button", name="Mark version 2 ready to sign"))
    expect(m.locator("#settlement-status")).to_have_text("Ready")
    for tab, name in ((party_a, case.party_a.name), (party_b, case.party_b.name)):
        tab.goto(page_path)
        expect(tab.page.locator("#settlement-text")).to_contain_text(clause)
        sign(tab, name)
        expect(tab.page.locator("#sign")).to_contain_text(f"{name}: signed version 2")
    mediator.goto(page_path)
    sign(mediator, case.mediator.name)

    # Settled: on the page, on the API, and the signed PDF downloads for each signer.
    expect(m.locator("#settlement-status")).to_have_text("Signed")
    expect(m.locator("#case-outcome")).to_have_text("settled")
    assert case.party_b.api.call("GET", f"/cases/{case.id}")["outcome"] == "settled"
    party_b.goto(page_path)
    expect(party_b.page.locator("#case-outcome")).to_have_text("settled")
    href = party_b.page.locator("#settlement-pdf").get_attribute("href")
    assert href is not None
    status, _location = party_b.status_of(href)
    assert status == 200
    pdf = party_b.context.request.get(caucus_server.url + href)
    assert pdf.body().startswith(b"%PDF")

    # The public-record copy: reviewed, shown to the parties, one more removal asked for by
    # party A (side B never sees the request), made final and downloaded without it.
    passage = "The payments are made monthly by bank transfer"
    mediator.goto(page_path)
    mediator.submit(m.get_by_role("button", name="Propose the public-record copy"))
    m.locator("#make-copy-step summary").click()
    mediator.submit(m.get_by_role("button", name="Make the redacted copy"))
    mediator.goto(page_path)
    mediator.submit(m.get_by_role("button", name="Show the copy to the parties"))
    party_a.goto(page_path)
    expect(party_a.page.locator("#public-record-text")).to_contain_text(passage)
    party_a.page.get_by_label("Text to remove").fill(passage)
    party_a.submit(party_a.page.get_by_role("button", name="Ask for it to be removed"))
    expect(party_a.page.locator(".removal-requests")).to_contain_text(passage)
    party_b.goto(page_path)
    expect(party_b.page.locator("#public-record-text")).to_contain_text(passage)
    expect(party_b.page.locator(".removal-requests")).to_have_count(0)
    mediator.goto(page_path)
    expect(m.locator(".removal-requests")).to_contain_text(passage)
    mediator.submit(m.get_by_role("button", name="Apply the removals and make the copy final"))
    expect(m.locator("#public-record-text")).not_to_contain_text(passage)
    expect(m.locator("#public-record-text")).to_contain_text("[REMOVED]")
    docx_href = m.locator("#public-record-docx").get_attribute("href")
    assert docx_href is not None
    copy = mediator.context.request.get(caucus_server.url + docx_href).body()
    document = docx.Document(io.BytesIO(copy))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    words = "\n".join([p.text for p in document.paragraphs] + cells)
    assert passage not in words and "[REMOVED]" in words
    # The schedule is still a table, with its amount and its date.
    assert "$4,500.00" in cells and "1 March 2027" in cells, cells
    pdf_href = m.locator("#public-record-pdf").get_attribute("href")
    assert pdf_href is not None
    printed = mediator.context.request.get(caucus_server.url + pdf_href).body()
    pdf_words = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(printed)).pages)
    assert "4,500.00" in pdf_words and "1 March 2027" in pdf_words
    kept = (
        case.party_a.name.split()[-1],
        case.party_b.name.split()[-1],
        "Harbour Road",
        "62704",
        "004412889301",
        "14 March 1981",
    )
    for text in (words, pdf_words):
        assert [k for k in kept if k in text] == []
