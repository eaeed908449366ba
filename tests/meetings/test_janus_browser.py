"""room-janus.js in Debian's Chromium with fake devices against a real Janus (issue 12): two
admitted participants publish and subscribe through the VideoRoom with every frame
encrypted end to end (RTCRtpScriptTransform, key agreed by ECDH), and each decodes the
other's video and audio. A page that never got the key receives the packets but decodes
nothing: Janus only ever carried ciphertext.

The page here is a bare harness (no Caucus page yet): the key frames travel over a
BroadcastChannel between the tabs, where the meeting room relays them over its socket."""

from __future__ import annotations

import functools
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from caucus.meetings import janus
from caucus.meetings.models import Meeting
from tests.conftest import Persona, World
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS
from tests.meetings.conftest import JanusServer
from tests.meetings.rooms import admit, started

SCRIPT = Path(__file__).resolve().parents[2] / "caucus/web/static/web/room-janus.js"
HARNESS = """<!doctype html><html lang="en"><head><title>room</title>
<script src="room-janus.js"></script></head><body><h1>room</h1></body></html>"""
JOIN_JS = """
async ({connection, channel}) => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  const bc = new BroadcastChannel(channel);
  window.errors = [];
  window.room = await CaucusJanus.join({
    connection,
    iceServers: [],
    stream,
    // The bench renews through Python (a Janus core token lives a minute); the test is short.
    renewToken: window.caucusRenew ? () => window.caucusRenew() : async () => connection,
    signal: {
      send: (m) => bc.postMessage(m),
      subscribe: (h) => { bc.onmessage = (e) => h(e.data); },
    },
    onerror: (code, message) => window.errors.push(`${code}: ${message}`),
    onsafetycode: (code) => { window.safety = code; },
  });
  return CaucusJanus.supported();
}
"""


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(HARNESS)
    shutil.copy(SCRIPT, site / "room-janus.js")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def connection_of(world: World, meeting: Meeting, who: Persona) -> dict[str, Any]:
    if who is not world.mediator:
        admit(world, meeting, who)
    assert who.participant is not None
    return janus.janus_connection(meeting, who.participant)


def launch_with_fake_media(playwright: Playwright, *extra: str) -> Browser:
    """Debian's Chromium with a fake camera and microphone it may use without asking."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            *extra,
        ],
    )


def wait_for(page: Page, *counters: str, at_least: int = 1, seconds: float = 30) -> dict[str, int]:
    deadline = time.monotonic() + seconds
    stats: dict[str, int] = {}
    while time.monotonic() < deadline:
        stats = page.evaluate("() => window.room.stats()")
        if all(stats[c] >= at_least for c in counters):
            return stats
        page.wait_for_timeout(500)
    return stats


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed")
def test_it_carries_end_to_end_encrypted_media_between_admitted_browsers(
    live_world: World,
    janus_server: JanusServer,
    harness: str,
) -> None:
    w = live_world
    meeting = started(w)
    mediator = connection_of(w, meeting, w.mediator)
    party = connection_of(w, meeting, w.party_a)
    outsider_key = connection_of(w, meeting, w.party_b)

    with sync_playwright() as playwright:
        browser = launch_with_fake_media(playwright)
        try:
            context = browser.new_context()
            pages = [context.new_page() for _ in range(3)]
            for page in pages:
                page.goto(harness)
            # Party B is admitted too, but on a channel of its own: it never gets the key.
            for page, conn, channel in (
                (pages[0], mediator, "room"),
                (pages[1], party, "room"),
                (pages[2], outsider_key, "elsewhere"),
            ):
                assert page.evaluate(JOIN_JS, {"connection": conn, "channel": channel})
            media = ("framesDecoded", "audioPacketsReceived")
            first, second = wait_for(pages[0], *media), wait_for(pages[1], *media)
            assert first["framesDecoded"] > 0 and first["audioPacketsReceived"] > 0, first
            assert second["framesDecoded"] > 0 and second["audioPacketsReceived"] > 0, second
            assert pages[0].evaluate("() => window.safety") == pages[1].evaluate(
                "() => window.safety"
            )
            # Well after its packets started arriving, the keyless page has decoded nothing.
            packets = ("audioPacketsReceived", "videoPacketsReceived")
            keyless = wait_for(pages[2], *packets, at_least=50)
            assert keyless["audioPacketsReceived"] > 0, keyless
            assert keyless["videoPacketsReceived"] > 0, keyless
            assert keyless["framesDecoded"] == 0, keyless
            assert [p.evaluate("() => window.errors") for p in pages] == [[], [], []]
        finally:
            browser.close()
