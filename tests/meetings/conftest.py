"""Janus and coturn started from the repository's configuration (deploy/), written by the
same functions `caucus janus-config` and `caucus turn-config` use, on free loopback ports.
Tests that need them skip only when the binary is not installed (CI installs both)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from caucus.meetings.deploy import JANUS_FILES, render_janus, render_turn, write_private
from tests.conftest import World, build_world, complete_onboarding
from tests.delivery import sent  # noqa: F401  (fixture)
from tests.meetings.closeout_steps import fast_passwords  # noqa: F401  (fixture)
from tests.meetings.rooms import admit, start_caucus, start_joint
from tests.parallel import media_port_block
from tests.processes import free_port, serving

JANUS_SECRET = "test-janus-token-secret-0123456789abcdef"
JANUS_ADMIN_KEY = "test-janus-admin-key-0123456789abcdefgh"
TURN_SECRET = "test-turn-secret-0123456789abcdefghijklmn"

needs_janus = pytest.mark.skipif(shutil.which("janus") is None, reason="janus is not installed")
needs_turnserver = pytest.mark.skipif(
    shutil.which("turnserver") is None, reason="coturn (turnserver) is not installed"
)


@dataclass
class JanusServer:
    url: str
    workdir: Path
    configs: Path
    log: Path


@pytest.fixture
def janus_server(tmp_path: Path, settings: Settings) -> Iterator[JanusServer]:
    """Janus with deploy/janus/, Caucus's settings pointed at it and in Janus mode."""
    if shutil.which("janus") is None:
        pytest.skip("janus is not installed")
    settings.CAUCUS_VIDEO = "janus"
    settings.CAUCUS_JANUS_TOKEN_SECRET = JANUS_SECRET
    settings.CAUCUS_JANUS_ADMIN_KEY = JANUS_ADMIN_KEY
    port = free_port()
    low = media_port_block()
    configs = tmp_path / "janus-config"
    files = render_janus(configs, ws_port=port, rtp_ports=f"{low}-{low + 199}")
    configs.mkdir(mode=0o700)
    for name in JANUS_FILES:
        write_private(configs / name, files[name])
    workdir = tmp_path / "janus-cwd"
    workdir.mkdir()
    log = tmp_path / "janus.log"
    with serving(["janus", "-F", str(configs), "-o", "-d", "4"], workdir, log, port):
        url = f"ws://127.0.0.1:{port}"
        settings.CAUCUS_JANUS_URL = url
        settings.CAUCUS_JANUS_PUBLIC_URL = url
        yield JanusServer(url=url, workdir=workdir, configs=configs, log=log)


@dataclass
class TurnServer:
    url: str
    port: int
    log: Path


@pytest.fixture
def turn_server(tmp_path: Path, settings: Settings) -> Iterator[TurnServer]:
    """coturn with deploy/coturn/turnserver.conf on loopback; loopback peers are allowed so
    that two peers on this machine can relay to each other."""
    if shutil.which("turnserver") is None:
        pytest.skip("coturn (turnserver) is not installed")
    settings.CAUCUS_TURN_SECRET = TURN_SECRET
    port = free_port(socket.SOCK_DGRAM)
    low = media_port_block()
    conf = tmp_path / "turnserver.conf"
    write_private(
        conf,
        render_turn(
            listening_ip="127.0.0.1",
            listening_port=port,
            relay_ip="127.0.0.1",
            min_port=low,
            max_port=low + 199,
            allow_loopback_peers=True,
        ),
    )
    log = tmp_path / "turnserver.log"
    command = ["turnserver", "-c", str(conf), "--pidfile", str(tmp_path / "turn.pid")]
    # coturn listens on TCP as well as UDP on its port: ready once TCP answers.
    with serving(command, tmp_path, log, port):
        url = f"turn:127.0.0.1:{port}?transport=udp"
        settings.CAUCUS_TURN_URLS = [url]
        yield TurnServer(url=url, port=port, log=log)


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """A world onboarded for real: live connections need committed rows."""
    world = build_world()
    complete_onboarding(world)
    return world


@pytest.fixture
def party_a_in_caucus(live_world: World) -> str:
    """The id of side A's running caucus, with party A admitted."""
    meeting_id = start_caucus(live_world, live_world.side_a)
    admit(live_world, meeting_id, live_world.party_a)
    return meeting_id


@pytest.fixture
def party_a_in_joint(live_world: World) -> str:
    """The id of a running joint meeting, with party A admitted."""
    meeting_id = start_joint(live_world)
    admit(live_world, meeting_id, live_world.party_a)
    return meeting_id
