"""The meeting room in Janus mode through the real pages (issue 12's Done-when): a live
`caucus serve` with CAUCUS_VIDEO=janus, a Janus started from the repository's configuration,
Debian's Chromium with a synthetic camera and microphone, one context per person.

The mediator and two admitted parties of a joint meeting each decode the others' video and
audio through Janus, every frame encrypted end to end under a key their pages agreed over the
meeting socket; an attendee waiting in the lobby has no connection at all. The mediator then
opens a caucus with side A from the joint room: the mediator and party A decode each other
through the caucus's own Janus room, encrypted likewise, while party B gets 404 for the caucus
page, no connection to it and no media. Ending each meeting closes its connections."""

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
    until,
)
from tests.meetings.conftest import (
    JANUS_ADMIN_KEY,
    JANUS_SECRET,
    JanusServer,
    janus_server,  # noqa: F401  (fixture)
)
from tests.processes import stop

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
    until(tab, DECODES_FROM, peers, seconds=60)


# Party B, left alone in the joint room: only its own publishing connection is open, it
# receives nothing, and the only video on its page is its own camera.
RECEIVES_NOTHING = (
    "async () => { const media = await (" + MEDIA_IN + ")();"
    " return media.length === 1 && media.every((m) => m.frames === 0 && m.packets === 0)"
    " && document.querySelectorAll('#tiles video').length === 1; }"
)


def same_safety_code(tabs: list[Tab]) -> None:
    """Every page comes to show the same safety code over the public keys of those present."""
    codes: set[str] = set()
    for _ in range(60):
        codes = {tab.page.locator("#safety-code").inner_text() for tab in tabs}
        if len(codes) == 1 and all(re.match(r"Safety code \d{6}", c) for c in codes):
            return
        tabs[0].page.wait_for_timeout(500)
    raise AssertionError(f"the pages show different safety codes: {codes}")


def ended(tab: Tab) -> None:
    tab.page.wait_for_function(EVERY_CONNECTION_CLOSED)
    expect(tab.page.locator("#media-status")).to_contain_text("The meeting has ended", timeout=SLOW)


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
        a, b = party_a.page, party_b.page

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
        same_safety_code(tabs)

        # The mediator opens a caucus with side A from the joint room, in one step. Party A is
        # invited to move; party B learns only that the mediator is in a private session.
        side_a = case.party_a.api.call("GET", f"/cases/{case.id}")["my_side_id"]
        caucus = case.mediator.api.call(
            "POST", f"/meetings/{joint}/caucus", {"side_id": side_a}, expect_status=201
        )["id"]
        expect(a.locator("#move-link")).to_be_visible(timeout=SLOW)
        expect(b.locator("#room-notice")).to_contain_text("private session", timeout=SLOW)
        expect(b.locator("#move-link")).to_have_count(0)
        b_connections = peer_connections(party_b)
        case.party_a.api.call("POST", f"/meetings/{caucus}/join", ATTEST, expect_status=202)
        case.mediator.api.call(
            "POST", f"/meetings/{caucus}/admit", {"participant_id": party_id(case, case.party_a)}
        )
        mediator.goto(f"/meetings/{caucus}")
        enter_call(mediator)
        a.locator("#move-link").click()
        expect(a).to_have_url(re.compile(f"/meetings/{caucus}$"))
        enter_call(party_a)
        decodes_from(mediator, 1)
        decodes_from(party_a, 1)
        same_safety_code([mediator, party_a])

        # Party B: 404 for the caucus, its room and its tokens; no new connection, no media.
        assert party_b.status_of(f"/meetings/{caucus}")[0] == 404
        for path in (f"/meetings/{caucus}/room", f"/meetings/{caucus}/room/token"):
            case.party_b.api.call("GET", path, expect_status=404)
        until(party_b, RECEIVES_NOTHING, seconds=30)
        assert peer_connections(party_b) == b_connections
        expect(b.locator("#presence-list")).not_to_contain_text("Ada Appleby", timeout=SLOW)

        # Ending the caucus stops its connections; the mediator goes back to the joint room,
        # and ending that stops the rest.
        case.mediator.api.call("POST", f"/meetings/{caucus}/end")
        for tab in (mediator, party_a):
            ended(tab)
        mediator.goto(f"/meetings/{joint}")
        enter_call(mediator)
        decodes_from(mediator, 1)
        case.mediator.api.call("POST", f"/meetings/{joint}/end")
        for tab in (mediator, party_b):
            ended(tab)
        violations = [v for tab in tabs for v in tab.csp_violations()]
        assert violations == [], "the browser reported CSP violations"
    finally:
        for tab in tabs:
            tab.context.close()
