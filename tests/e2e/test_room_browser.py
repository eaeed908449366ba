"""The meeting room in real browsers (issue 12's Done-when, mesh mode): Debian's Chromium with
a synthetic camera and microphone, one browser, one context per person, one live server.

In a joint meeting the mediator and both parties each decode the others' video and audio
(`getStats()`: inbound video `framesDecoded > 0`, audio `packetsReceived > 0`); an attendee
waiting in the lobby gets no peer connection at all, and enters the call by themselves the
moment the mediator admits them from the room. In a caucus with side A the mediator and party
A do the same, while party B gets 404 for the caucus page and no media. Ending a meeting
closes every peer connection and stops the camera."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import OpenTab, Tab
from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import (
    ActiveCase,
    Person,
    active_case,
    mediator_signs_in,
    party_signs_in,
)

pytestmark = pytest.mark.e2e

# Three browsers sending video to one another keep both cores busy: page loads are slower.
SLOW = 30_000

ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}

# Test-only instrumentation: every RTCPeerConnection the page makes is remembered, so that the
# test reads its statistics. The product's own code keeps them private.
RECORD_PEER_CONNECTIONS = """
(() => {
  const Original = window.RTCPeerConnection;
  if (!Original) return;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Original(...args);
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
})();
"""

# For each open peer connection: video frames decoded and audio packets received.
MEDIA_IN = """
async () => {
  const out = [];
  for (const pc of (window.__pcs || [])) {
    if (pc.connectionState === "closed") continue;
    let frames = 0, packets = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") packets += r.packetsReceived || 0;
    });
    out.push({ frames, packets });
  }
  return out;
}
"""

DECODES_FROM = (
    "async (n) => { const media = await (" + MEDIA_IN + ")();"
    " return media.length === n && media.every((m) => m.frames > 0 && m.packets > 0); }"
)

EVERY_CONNECTION_CLOSED = """
() => (window.__pcs || []).every((pc) => pc.connectionState === "closed")
  && document.querySelectorAll("#tiles video").length === 0
"""


def room_tab(open_tab: OpenTab) -> Tab:
    tab = open_tab()
    tab.context.add_init_script(RECORD_PEER_CONNECTIONS)
    return tab


def enter_call(tab: Tab) -> None:
    page = tab.page
    expect(page.locator("#chat")).to_have_attribute("data-connected", "true", timeout=SLOW)
    page.get_by_role("button", name="Enter the call").click()
    expect(page.locator("#call")).to_be_visible(timeout=SLOW)


def until(tab: Tab, predicate: str, arg: object = None, seconds: int = 45) -> None:
    """Polls an async predicate until it is true. Playwright's wait_for_function does not await
    a predicate's promise (a promise is truthy), so it would return at once."""
    for _ in range(seconds * 2):
        if tab.page.evaluate(predicate, arg):
            return
        tab.page.wait_for_timeout(500)
    raise AssertionError(f"still false after {seconds} s: {predicate[:200]}")


def decodes_from(tab: Tab, peers: int) -> None:
    """Waits until this page decodes video and receives audio from exactly `peers` others."""
    until(tab, DECODES_FROM, peers)


def peer_connections(tab: Tab) -> int:
    count: int = tab.page.evaluate("() => (window.__pcs || []).length")
    return count


def party_id(case: ActiveCase, who: Person) -> str:
    found: str = who.api.call("GET", f"/cases/{case.id}")["my_participant_id"]
    return found


def meeting(case: ActiveCase, kind: str, side_id: str | None = None) -> str:
    body = {"kind": kind, "mode": "virtual", "starts_at": "2026-12-01T10:00:00Z"}
    if side_id:
        body["side_id"] = side_id
    made = case.mediator.api.call("POST", f"/cases/{case.id}/meetings", body, expect_status=201)
    case.mediator.api.call("POST", f"/meetings/{made['id']}/start")
    return str(made["id"])


def test_it_connects_everyone_admitted_and_nobody_else(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    case = active_case(caucus_server)
    joint = meeting(case, "joint")
    mediator, party_a, party_b = room_tab(open_tab), room_tab(open_tab), room_tab(open_tab)
    mediator_signs_in(mediator, case.mediator.email)
    party_signs_in(party_a, case.party_a.email)
    party_signs_in(party_b, case.party_b.email)
    m, a, b = mediator.page, party_a.page, party_b.page

    # The mediator is in the room; party A knocks and is admitted from the room, live.
    mediator.goto(f"/meetings/{joint}")
    enter_call(mediator)
    expect(m.locator("#presence-list")).to_contain_text("You (mediator)", timeout=SLOW)
    case.party_a.api.call("POST", f"/meetings/{joint}/join", ATTEST, expect_status=202)
    party_a.goto(f"/meetings/{joint}")
    expect(a.locator("#lobby-state")).to_contain_text("waiting in the lobby", timeout=SLOW)
    knock = m.get_by_role("row", name=re.compile("Ada Appleby"))
    expect(knock).to_contain_text("Private location: yes", timeout=SLOW)
    knock.get_by_role("button", name="Admit Ada Appleby").click()
    # The waiting page opens the room by itself.
    expect(a.locator("#admitted-state")).to_be_visible(timeout=SLOW)
    party_a.check_page()
    enter_call(party_a)
    decodes_from(mediator, 1)
    decodes_from(party_a, 1)

    # Party B waits in the lobby: no peer connection, no presence, no media.
    case.party_b.api.call("POST", f"/meetings/{joint}/join", ATTEST, expect_status=202)
    party_b.goto(f"/meetings/{joint}")
    expect(b.locator("#lobby-state")).to_be_visible(timeout=SLOW)
    expect(b.locator("#presence-list")).to_have_count(0, timeout=SLOW)
    b.wait_for_timeout(1_000)
    assert peer_connections(party_b) == 0
    expect(m.locator("#presence-list")).not_to_contain_text("Ben Birch", timeout=SLOW)

    # Once admitted, party B sees and hears both, and both see and hear party B.
    case.mediator.api.call(
        "POST", f"/meetings/{joint}/admit", {"participant_id": party_id(case, case.party_b)}
    )
    expect(b.locator("#admitted-state")).to_be_visible(timeout=SLOW)
    enter_call(party_b)
    for tab in (mediator, party_a, party_b):
        decodes_from(tab, 2)
    expect(a.locator("#presence-list")).to_contain_text("Ben Birch", timeout=SLOW)

    # A form sent in the room keeps the call up.
    a.get_by_label("What was raised").fill("The fence could move by a metre.")
    # Forced: while three videos start, the panels beside them may shift for a moment.
    a.get_by_role("button", name="Raise item").click(force=True)
    raised = a.get_by_role("heading", name="The fence could move by a metre.")
    expect(raised).to_be_visible(timeout=SLOW)
    decodes_from(party_a, 2)

    # A caucus with side A: the mediator and party A only.
    side_a = case.party_a.api.call("GET", f"/cases/{case.id}")["my_side_id"]
    caucus = meeting(case, "caucus", side_a)
    case.party_a.api.call("POST", f"/meetings/{caucus}/join", ATTEST, expect_status=202)
    case.mediator.api.call(
        "POST", f"/meetings/{caucus}/admit", {"participant_id": party_id(case, case.party_a)}
    )
    mediator.goto(f"/meetings/{caucus}")
    party_a.goto(f"/meetings/{caucus}")
    enter_call(mediator)
    enter_call(party_a)
    decodes_from(mediator, 1)
    decodes_from(party_a, 1)
    assert party_b.status_of(f"/meetings/{caucus}")[0] == 404
    # Party B, alone in the joint room now, has no connection to anyone in the caucus.
    expect(b.locator("#presence-list")).not_to_contain_text("Ada Appleby", timeout=SLOW)
    b.wait_for_function("() => (window.__pcs || []).every((pc) => pc.connectionState === 'closed')")

    # Ending a meeting stops every connection and the camera, at once.
    case.mediator.api.call("POST", f"/meetings/{caucus}/end")
    case.mediator.api.call("POST", f"/meetings/{joint}/end")
    for tab in (mediator, party_a, party_b):
        tab.page.wait_for_function(EVERY_CONNECTION_CLOSED)
        expect(tab.page.locator("#media-status")).to_contain_text(
            "The meeting has ended", timeout=SLOW
        )
