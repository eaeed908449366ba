"""Benchmark: the meeting room's video in both modes (issue 12), mesh against Janus, for 2,
3 and 5 participants in one run.

For each mode and size, one Chromium (Debian's, fake camera and microphone) with one tab per
participant. Mesh: each tab holds one RTCPeerConnection to every other (what room.js does,
DTLS-SRTP, no server on the media path). Janus: Debian's janus from deploy/janus/ on free
loopback ports, each tab running room-janus.js: it publishes once and subscribes to everyone
else, every frame AES-GCM encrypted in the browser. Prints, per mode and size: the median and
worst time from a tab's join to its first decoded remote video frame, the time until every
tab decodes every other participant, and the CPU (share of one core) of Chromium per
participant and of Janus, over a steady window.

Signaling and key frames travel over a BroadcastChannel between the tabs, where the room
relays them over the meeting's socket; Janus rooms are made as
`caucus.meetings.janus.sync_room` makes them (same parameters, same derived tokens), without
a database: the figures are of the media path, not of Caucus.

    .venv/bin/python bench/video.py
    .venv/bin/python bench/video.py --modes mesh --sizes 2,3 --window 5
"""

from __future__ import annotations

import argparse
import functools
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def tree(root: int) -> set[int]:
    """`root` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
    found = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def browser_root(marker: str) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    return int(entry.name)
            except OSError:
                continue
    raise RuntimeError("Chromium's process not found")


# Mesh as room.js does it, in a bare page: one connection per other tab, the tab with the
# higher index makes the offer, signaling addressed by index over a BroadcastChannel.
MESH_HARNESS = """<!doctype html><html lang="en"><head><title>mesh</title></head>
<body><h1>mesh</h1></body></html>"""
MESH_JOIN_JS = """
async ({me, n}) => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  const bc = new BroadcastChannel("mesh");
  const pcs = new Map();
  const send = (to, data) => bc.postMessage({from: me, to, data});
  const peer = (other) => {
    if (pcs.has(other)) return pcs.get(other);
    const pc = new RTCPeerConnection({iceServers: []});
    pcs.set(other, pc);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    pc.onicecandidate = (e) => send(other, {candidate: e.candidate ? e.candidate.toJSON() : null});
    return pc;
  };
  bc.onmessage = async ({data: m}) => {
    if (m.to !== me) return;
    const pc = peer(m.from);
    if (m.data.description) {
      await pc.setRemoteDescription(m.data.description);
      if (m.data.description.type === "offer") {
        await pc.setLocalDescription();
        send(m.from, {description: pc.localDescription.toJSON()});
      }
    } else if (m.data.candidate) {
      await pc.addIceCandidate(m.data.candidate).catch(() => {});
    }
  };
  const hello = async (other) => {
    const pc = peer(other);
    await pc.setLocalDescription();
    send(other, {description: pc.localDescription.toJSON()});
  };
  window.room = {
    call: async (present) => { for (const other of present) if (other < me) await hello(other); },
    stats: async () => {
      let framesDecoded = 0, audioPacketsReceived = 0, feedsDecoding = 0;
      for (const pc of pcs.values()) {
        let decoded = 0;
        (await pc.getStats()).forEach((r) => {
          if (r.type !== "inbound-rtp") return;
          if (r.kind === "video") decoded += r.framesDecoded || 0;
          if (r.kind === "audio") audioPacketsReceived += r.packetsReceived || 0;
        });
        framesDecoded += decoded;
        if (decoded > 0) feedsDecoding += 1;
      }
      return {framesDecoded, audioPacketsReceived, feedsDecoding};
    },
  };
  window.errors = [];
  return true;
}
"""


def run_size(
    mode: str, n: int, site: str, janus_pid: int | None, window: float
) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from caucus.meetings import janus
    from caucus.meetings.models import Meeting
    from tests.meetings.test_janus_browser import JOIN_JS, launch_with_fake_media

    meeting = Meeting(id=uuid.uuid4())
    people = [uuid.uuid4() for _ in range(n)]
    if mode == "janus":
        with janus.videoroom() as handle:
            handle.request(
                janus.create_params(meeting, [janus.join_token(meeting.id, p) for p in people])
            )

    def fresh() -> dict[str, str]:
        # What janus_token() answers; the page renews before each token's minute is up.
        token, expiry = janus.core_token()
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry))
        return {"token": token, "token_expires_at": expires}

    connections = [
        {
            "url": os.environ["CAUCUS_JANUS_URL"],
            "room": janus.room_id(meeting.id),
            "join_token": janus.join_token(meeting.id, person),
            "feed_id": janus.feed_id(meeting.id, person),
        }
        for person in people
    ]
    marker = f"--caucus-bench={secrets.token_hex(4)}"
    with sync_playwright() as playwright:
        browser = launch_with_fake_media(playwright, marker)
        try:
            # One context: the tabs' key frames travel over a BroadcastChannel within it.
            context = browser.new_context()
            pages = [context.new_page() for _ in range(n)]
            for page in pages:
                page.expose_function("caucusRenew", fresh)
                page.goto(f"{site}/{mode}.html")
            joined: list[float] = []
            first: list[float | None] = [None] * n
            for i, (page, conn) in enumerate(zip(pages, connections, strict=True)):
                joined.append(time.monotonic())
                if mode == "janus":
                    page.evaluate(JOIN_JS, {"connection": {**conn, **fresh()}, "channel": "bench"})
                else:
                    # A newcomer calls everyone already in the room, as room.js does.
                    page.evaluate(MESH_JOIN_JS, {"me": i, "n": n})
                    page.evaluate("(present) => window.room.call(present)", list(range(i)))
            everyone = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and everyone is None:
                states = [page.evaluate("() => window.room.stats()") for page in pages]
                now = time.monotonic()
                for i, stats in enumerate(states):
                    if first[i] is None and stats["framesDecoded"] > 0:
                        first[i] = now - joined[i]
                if all(s["feedsDecoding"] == n - 1 for s in states):
                    everyone = now - joined[0]
                else:
                    time.sleep(0.2)
            if everyone is None:
                probe = "() => [window.errors, window.room.states && window.room.states()]"
                errors = [page.evaluate(probe) for page in pages]
                raise RuntimeError(f"{n}: not everyone decoded everyone in 60 s: {states} {errors}")
            pids = tree(browser_root(marker))
            server = {janus_pid} if janus_pid is not None and mode == "janus" else set()
            chromium_before, janus_before = cpu_seconds(pids), cpu_seconds(server)
            time.sleep(window)
            chromium = (cpu_seconds(tree(browser_root(marker))) - chromium_before) / window
            janus_cpu = (cpu_seconds(server) - janus_before) / window
        finally:
            browser.close()
    firsts = [f for f in first if f is not None]
    return {
        "first_median": statistics.median(firsts),
        "first_worst": max(firsts),
        "everyone": everyone,
        "chromium_per_participant": chromium / n,
        "janus": janus_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="mesh,janus")
    parser.add_argument("--sizes", default="2,3,5")
    parser.add_argument("--window", type=float, default=10.0, help="CPU window, seconds")
    args = parser.parse_args()
    modes = args.modes.split(",")
    if "janus" in modes and shutil.which("janus") is None:
        sys.exit("janus is not installed (apt-get install janus)")
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="caucus-janus-bench-"))
    port = free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "caucus.settings",
            "CAUCUS_DATA_DIR": str(work / "data"),
            "CAUCUS_JANUS_TOKEN_SECRET": secrets.token_urlsafe(32),
            "CAUCUS_JANUS_ADMIN_KEY": secrets.token_urlsafe(32),
            "CAUCUS_JANUS_URL": f"ws://127.0.0.1:{port}",
            "CAUCUS_JANUS_RTP_PORTS": "42000-42999",
        }
    )
    import django

    django.setup()
    from caucus.meetings.deploy import JANUS_FILES, render_janus, write_private
    from tests.meetings.test_janus_browser import HARNESS

    configs = work / "janus"
    configs.mkdir()
    for name, text in render_janus(configs, ws_port=port).items():
        if name in JANUS_FILES:
            write_private(configs / name, text)
    site = work / "site"
    site.mkdir()
    (site / "janus.html").write_text(HARNESS)
    (site / "mesh.html").write_text(MESH_HARNESS)
    shutil.copy(ROOT / "caucus/web/static/web/room-janus.js", site / "room-janus.js")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log = (work / "janus.log").open("wb")
    process = subprocess.Popen(
        ["janus", "-F", str(configs), "-o"],
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        print(
            f"{'mode':>5} {'people':>6} {'first frame median/worst':>26} {'everyone':>9} "
            f"{'Chromium CPU/person':>20} {'Janus CPU':>10}",
            flush=True,
        )
        for mode, n in ((m, int(s)) for m in modes for s in args.sizes.split(",")):
            try:
                r = run_size(mode, n, base, process.pid, args.window)
            except RuntimeError as exc:
                print(f"{mode:>5} {n:>6} {exc}", flush=True)
                continue
            print(
                f"{mode:>5} {n:>6} {r['first_median']:>12.2f} s / {r['first_worst']:>5.2f} s "
                f"{r['everyone']:>7.2f} s {100 * r['chromium_per_participant']:>18.0f} % "
                f"{100 * r['janus']:>8.1f} %",
                flush=True,
            )
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
