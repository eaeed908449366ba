"""The documents page in Chromium: party A chooses a file, the script uploads it with a
progress bar, it is listed with its badge, the download works, and side B never sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import OpenTab
from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import active_case, party_signs_in

pytestmark = pytest.mark.e2e


def test_it_uploads_lists_with_a_badge_and_downloads_a_document_side_b_never_sees(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    documents = f"/cases/{case.id}/documents"

    a = open_tab()
    party_signs_in(a, case.party_a.email)
    a.goto(documents)
    page = a.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.locator("#dropzone")).to_be_visible()  # the script enhanced the form
    upload = page.get_by_role("region", name="Upload a document")
    upload.get_by_label("File").set_input_files(
        {"name": "offer.txt", "mimeType": "text/plain", "buffer": b"Ada offers the orchard.\n"}
    )
    upload.get_by_label("Who may see it").select_option("own_side")
    with page.expect_navigation(url=re.compile(r"/documents(#[a-z0-9-]*)?$")):
        upload.get_by_role("button", name="Upload").click()
    row = page.locator(".documents li", has_text="offer.txt")
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text(re.compile(r"side only$"))
    with page.expect_download() as got:
        row.get_by_role("link", name="offer.txt").click()
    path = got.value.path()
    assert path is not None and path.read_bytes() == b"Ada offers the orchard.\n"

    b = open_tab()
    party_signs_in(b, case.party_b.email)
    b.goto(documents)
    expect(b.page.get_by_text("No documents yet.")).to_be_visible()
    expect(b.page.get_by_text("offer.txt")).to_have_count(0)
