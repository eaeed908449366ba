"""The meeting room in Janus mode through the real pages (issue 12's Done-when): a live
`caucus serve` with CAUCUS_VIDEO=janus, a Janus started from the repository's configuration,
Debian's Chromium with a synthetic camera and microphone, one context per person.

The mediator and two admitted parties of a joint meeting each decode the others' video and
audio through Janus, every frame encrypted end to end under a key their pages agreed over the
meeting socket; an attendee waiting in the lobby has no connection at all; ending the meeting
closes every connection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import DESKTOP, Chromium, Tab
from tests.e2e.conftest import LiveServer, _start
from tests.e2e.test_meetings_browser import active_case, mediator_signs_in, party_signs_in
from tests.e2e.test_room_browser import (
    ATTEST,
    EVERY_CONNECTION_CLOSED,
    MEDIA_IN,
    RECORD_PEER_CONNECTIONS,
    SLOW,
    enter_call,
    meeting,
    party_id,
    peer_connections,
)
from tests.meetings.conftest import (
    JANUS_ADMIN_KEY,
    JANUS_SECRET,
    JanusServer,
    janus_server,  # noqa: F401  (fixture)
    stop,
)

pytestmark = pytest.mark.e2e

# In Janus mode a page holds one publishing connection (it receives nothing) and one
# subscription per other person, which carries that person's video and audio.
DECODES_FROM = (
    "async (n) => { const media = await (" + MEDIA_IN + ")();"
    " return media.filter((m) => m.frames > 0 && m.packets > 0).length >= n; }"
)


@pytest.fixture
def janus_site(tmp_path: Path, janus_server: JanusServer) -> Iterator[LiveServer]:  # noqa: F811
    proc, server = _start(
        tmp_path,
        {
            "CAUCUS_VIDEO": "janus",
            "CAUCUS_JANUS_URL": janus_server.url,
            "CAUCUS_JANUS_PUBLIC_URL": janus_server.url,
            "CAUCUS_JANUS_TOKEN_SECRET": JANUS_SECRET,
            "CAUCUS_JANUS_ADMIN_KEY": JANUS_ADMIN_KEY,
        },
    )
    try:
        yield server
    finally:
        stop(proc)


def decodes_from(tab: Tab, peers: int) -> None:
    tab.page.wait_for_function(DECODES_FROM, arg=peers, timeout=60_000, polling=500)


def test_it_connects_everyone_admitted_through_janus_encrypted_and_nobody_else(
    janus_site: LiveServer, chromium: Chromium
) -> None:
    case = active_case(janus_site)
    joint = meeting(case, "joint")
    tabs = []
    for _ in range(3):
        context = chromium.browser().new_context(viewport=DESKTOP)
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_PEER_CONNECTIONS)
        tabs.append(Tab(janus_site.url, context))
    mediator, party_a, party_b = tabs
    try:
        mediator_signs_in(mediator, case.mediator.email)
        party_signs_in(party_a, case.party_a.email)
        party_signs_in(party_b, case.party_b.email)
        m, a, b = mediator.page, party_a.page, party_b.page

        mediator.goto(f"/meetings/{joint}")
        enter_call(mediator)
        case.party_a.api.call("POST", f"/meetings/{joint}/join", ATTEST, expect_status=202)
        case.mediator.api.call(
            "POST", f"/meetings/{joint}/admit", {"participant_id": party_id(case, case.party_a)}
        )
        party_a.goto(f"/meetings/{joint}")
        enter_call(party_a)

        # Party B waits in the lobby meanwhile: no connection, no media.
        case.party_b.api.call("POST", f"/meetings/{joint}/join", ATTEST, expect_status=202)
        party_b.goto(f"/meetings/{joint}")
        expect(b.locator("#lobby-state")).to_be_visible(timeout=SLOW)
        decodes_from(mediator, 1)
        decodes_from(party_a, 1)
        assert peer_connections(party_b) == 0

        case.mediator.api.call(
            "POST", f"/meetings/{joint}/admit", {"participant_id": party_id(case, case.party_b)}
        )
        expect(b.locator("#admitted-state")).to_be_visible(timeout=SLOW)
        enter_call(party_b)
        for tab in tabs:
            decodes_from(tab, 2)
        # Everyone's page comes to show the same safety code over the three public keys.
        codes: set[str] = set()
        for _ in range(60):
            codes = {page.locator("#safety-code").inner_text() for page in (m, a, b)}
            if len(codes) == 1 and all(re.match(r"Safety code \d{6}", c) for c in codes):
                break
            m.wait_for_timeout(500)
        else:
            raise AssertionError(f"the pages show different safety codes: {codes}")

        case.mediator.api.call("POST", f"/meetings/{joint}/end")
        for tab in tabs:
            tab.page.wait_for_function(EVERY_CONNECTION_CLOSED)
            expect(tab.page.locator("#media-status")).to_contain_text(
                "The meeting has ended", timeout=SLOW
            )
        violations = [v for tab in tabs for v in tab.csp_violations()]
        assert violations == [], "the browser reported CSP violations"
    finally:
        for tab in tabs:
            tab.context.close()
