"""Janus tokens and TURN credentials (issue 12), without the servers: their format, their
lifetime, that only the mediators and admitted attendees of a running meeting get them,
that Janus mode keeps the room in step after each commit, and the deploy configuration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from caucus.cases.models import Participant
from caucus.kernel.errors import Forbidden
from caucus.meetings import janus, turn
from caucus.meetings.deploy import ConfigError, render_janus, render_turn
from caucus.meetings.models import Meeting
from tests.conftest import World
from tests.meetings.conftest import JANUS_ADMIN_KEY, JANUS_SECRET, TURN_SECRET
from tests.meetings.rooms import admit, knock
from tests.meetings.rooms import started as running
from tests.processes import free_port


@pytest.fixture
def janus_mode(settings: Settings) -> Settings:
    settings.CAUCUS_VIDEO = "janus"
    settings.CAUCUS_JANUS_TOKEN_SECRET = JANUS_SECRET
    settings.CAUCUS_JANUS_ADMIN_KEY = JANUS_ADMIN_KEY
    settings.CAUCUS_TURN_SECRET = TURN_SECRET
    settings.CAUCUS_TURN_URLS = ["turn:turn.example.test:3478"]
    # Nothing listens there: every Janus call fails fast.
    settings.CAUCUS_JANUS_URL = f"ws://127.0.0.1:{free_port()}"
    return settings


@pytest.fixture
def running_joint(active_world: World, janus_mode: Settings) -> tuple[Meeting, Participant]:
    """A running joint meeting in Janus mode, and its mediator."""
    assert active_world.mediator.participant is not None
    return running(active_world), active_world.mediator.participant


def test_it_signs_janus_core_tokens_for_the_videoroom_for_at_most_a_minute(
    janus_mode: Settings,
) -> None:
    now = 1_800_000_000
    token, expiry = janus.core_token(now=now)
    data, signature = token.split(":")
    assert data == f"{now + 60},janus,janus.plugin.videoroom" and expiry == now + 60
    expected = hmac.new(JANUS_SECRET.encode(), data.encode(), hashlib.sha1).digest()
    assert base64.b64decode(signature) == expected
    assert janus.core_token(600, now=now)[1] == now + 60
    assert janus.core_token(20, now=now)[1] == now + 20


def test_it_derives_room_values_that_differ_per_meeting_and_participant(
    janus_mode: Settings,
) -> None:
    a, b, p, q = (uuid.uuid4() for _ in range(4))
    assert janus.room_id(a) == janus.room_id(a) != janus.room_id(b)
    assert 0 < janus.room_id(a) < 2**53
    assert janus.room_secret(a) != janus.room_secret(b) and len(janus.room_secret(a)) >= 43
    tokens = {janus.join_token(m, x) for m in (a, b) for x in (p, q)}
    assert len(tokens) == 4
    assert janus.feed_id(a, p) != janus.feed_id(a, q)


def test_it_mints_turn_credentials_coturn_accepts_without_personal_data(
    janus_mode: Settings,
) -> None:
    now = 1_800_000_000
    username, password = turn.mint(now=now)
    expiry, _, opaque = username.partition(":")
    assert int(expiry) == now + 300
    assert len(opaque) >= 16 and "@" not in username
    expected = hmac.new(TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(password) == expected
    assert turn.mint(now=now)[0] != username


def test_it_mints_janus_and_turn_credentials_only_for_admitted_attendees(
    active_world: World, janus_mode: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = active_world
    synced: list[uuid.UUID] = []
    monkeypatch.setattr(janus, "sync_room", synced.append)
    joint = running(w)
    caucus_a = running(w, "caucus", w.side_a)
    knock(joint, w.party_a)
    assert w.party_a.participant and w.party_b.participant and w.mediator.participant
    assert w.outsider.participant
    for meeting, who in (
        (joint, w.party_a.participant),  # in the lobby
        (joint, w.party_b.participant),  # never joined
        (caucus_a, w.party_b.participant),  # the other side's caucus
        (joint, w.outsider.participant),  # another case
    ):
        with pytest.raises(Forbidden):
            janus.janus_connection(meeting, who)
        with pytest.raises(Forbidden):
            janus.janus_token(meeting, who)
        with pytest.raises(Forbidden):
            turn.ice_servers_for(meeting, who)
    assert synced == []
    admit(w, joint, w.party_a)
    given = janus.janus_connection(joint, w.party_a.participant)
    assert given["room"] == janus.room_id(joint.id)
    assert given["join_token"] == janus.join_token(joint.id, w.party_a.participant.id)
    assert given["url"] == janus_mode.CAUCUS_JANUS_PUBLIC_URL and given["e2ee"] is True
    assert int(given["token"].split(",")[0]) <= time.time() + 60
    assert janus.janus_connection(joint, w.mediator.participant)["room"] == given["room"]
    assert janus.janus_token(joint, w.party_a.participant)["token"].endswith("=")
    servers = turn.ice_servers_for(joint, w.party_a.participant)
    assert servers[0]["urls"] == ["turn:turn.example.test:3478"]
    assert servers[0]["username"].count(":") == 1
    assert synced == [joint.id, joint.id]
    # Ended: nobody gets anything any more.
    assert w.mediator.client.post(f"meetings/{joint.id}/end").status_code == 200
    joint.refresh_from_db()
    with pytest.raises(Forbidden):
        janus.janus_connection(joint, w.party_a.participant)
    with pytest.raises(Forbidden):
        janus.janus_token(joint, w.mediator.participant)
    with pytest.raises(Forbidden):
        turn.ice_servers_for(joint, w.mediator.participant)


def test_it_offers_no_turn_server_unless_both_urls_and_secret_are_set(
    janus_mode: Settings, running_joint: tuple[Meeting, Participant]
) -> None:
    meeting, mediator = running_joint
    janus_mode.CAUCUS_TURN_SECRET = ""
    assert turn.ice_servers_for(meeting, mediator) == []
    janus_mode.CAUCUS_TURN_SECRET = TURN_SECRET
    janus_mode.CAUCUS_TURN_URLS = []
    assert turn.ice_servers_for(meeting, mediator) == []


def test_it_answers_503_when_janus_is_unreachable(
    running_joint: tuple[Meeting, Participant],
) -> None:
    meeting, mediator = running_joint
    with pytest.raises(janus.VideoUnavailable) as unavailable:
        janus.janus_connection(meeting, mediator)
    assert unavailable.value.status == 503 and unavailable.value.code == "video_unavailable"


def test_it_syncs_the_janus_room_after_each_admission_change_only_in_janus_mode(
    active_world: World,
    janus_mode: Settings,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    w = active_world
    synced: list[uuid.UUID] = []
    monkeypatch.setattr(janus, "sync_room", synced.append)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = running(w)  # start: the room is created
        knock(meeting, w.party_a)  # a first knock changes nothing in Janus
    assert synced == [meeting.id]
    with django_capture_on_commit_callbacks(execute=True):
        admit(w, meeting, w.party_b)  # admitted: on `allowed`
        knock(meeting, w.party_b)  # back in the lobby: off `allowed`, kicked
        w.mediator.client.post(f"meetings/{meeting.id}/end")  # ended: destroyed
    assert synced == [meeting.id] * 4
    janus_mode.CAUCUS_VIDEO = "mesh"
    with django_capture_on_commit_callbacks(execute=True):
        running(w)
    assert len(synced) == 4


def test_it_keeps_going_when_janus_is_down_at_a_commit(
    active_world: World,
    janus_mode: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting = running(active_world)
    assert meeting.status == "running"
    assert "janus sync failed" in caplog.text
    assert JANUS_SECRET not in caplog.text and JANUS_ADMIN_KEY not in caplog.text


def test_it_writes_a_locked_down_janus_configuration_readable_by_its_owner_only(
    janus_mode: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "janus"
    call_command("janus_config", "--out", str(out), "--ws-port", "18188")
    files = {p.name: p for p in out.iterdir()}
    assert set(files) == {
        "janus.jcfg",
        "janus.plugin.videoroom.jcfg",
        "janus.transport.websockets.jcfg",
    }
    assert {p.stat().st_mode & 0o777 for p in files.values()} == {0o600}
    assert out.stat().st_mode & 0o777 == 0o700
    core = files["janus.jcfg"].read_text()
    assert "token_auth = true" in core and f'token_auth_secret = "{JANUS_SECRET}"' in core
    assert "admin_secret" not in core.replace("# No admin_secret", "")
    assert "libjanus_audiobridge.so" in core and "libjanus_http.so" in core
    assert "broadcast = false" in core and "protected_folders" in core
    room = files["janus.plugin.videoroom.jcfg"].read_text()
    assert f'admin_key = "{JANUS_ADMIN_KEY}"' in room and "lock_rtp_forward = true" in room
    ws = files["janus.transport.websockets.jcfg"].read_text()
    assert 'ws_ip = "127.0.0.1"' in ws and "ws_port = 18188" in ws
    assert "admin_ws = false" in ws and "wss = false" in ws
    with pytest.raises(ConfigError):
        render_janus(out, ws_ip="0.0.0.0")  # noqa: S104 - the refusal under test
    janus_mode.CAUCUS_JANUS_ADMIN_KEY = ""
    with pytest.raises(ConfigError):
        render_janus(out)


def test_it_writes_a_coturn_configuration_with_the_rest_api_secret_and_no_private_peers(
    janus_mode: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "turnserver.conf"
    call_command("turn_config", "--out", str(out), "--listening-ip", "192.0.2.10")
    assert out.stat().st_mode & 0o777 == 0o600
    lines = out.read_text().splitlines()
    for expected in (
        "use-auth-secret",
        f"static-auth-secret={TURN_SECRET}",
        "realm=caucus",
        "fingerprint",
        "no-cli",
        "no-tcp-relay",
        "no-multicast-peers",
        "no-tls",
        "denied-peer-ip=10.0.0.0-10.255.255.255",
        "denied-peer-ip=127.0.0.0-127.255.255.255",
        "denied-peer-ip=192.168.0.0-192.168.255.255",
    ):
        assert expected in lines
    assert "allow-loopback-peers" not in lines
    janus_mode.CAUCUS_TURN_SECRET = ""
    with pytest.raises(ConfigError):
        render_turn(listening_ip="127.0.0.1")


def test_it_relays_only_well_formed_key_frames_in_the_senders_own_name(
    janus_mode: Settings,
) -> None:
    meeting, sender, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    mine = janus.feed_id(meeting, sender)
    public = {"type": "e2ee", "kind": "public", "feed": mine, "key": "B" * 88}
    wrapped = {
        "type": "e2ee",
        "kind": "key",
        "feed": mine,
        "to": janus.feed_id(meeting, other),
        "epoch": 3,
        "iv": "A" * 16,
        "wrapped": "C" * 44,
    }
    assert janus.e2ee_frame(meeting, sender, public) == public
    assert janus.e2ee_frame(meeting, sender, wrapped) == wrapped
    for bad in (
        {**public, "feed": janus.feed_id(meeting, other)},  # in someone else's name
        {**public, "key": "B" * 201},
        {**public, "key": 5},
        {**public, "extra": 1},
        {**wrapped, "epoch": 256},
        {**wrapped, "epoch": True},
        {**wrapped, "kind": "other"},
        {"type": "chat", "text": "hi"},
        "not a frame",
    ):
        assert janus.e2ee_frame(meeting, sender, bad) is None


def settings_error(tmp_path: Path, **env: str) -> str:
    """What importing the settings says under `env` ("" when it loads)."""
    result = subprocess.run(
        [sys.executable, "-c", "import caucus.settings"],
        env={**os.environ, "CAUCUS_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr.strip().splitlines()[-1] if result.returncode else ""


def test_it_refuses_malformed_janus_and_turn_settings_at_start_up(tmp_path: Path) -> None:
    assert settings_error(tmp_path) == ""
    for env, name in (
        ({"CAUCUS_JANUS_TOKEN_SECRET": "short"}, "CAUCUS_JANUS_TOKEN_SECRET"),
        ({"CAUCUS_JANUS_ADMIN_KEY": 'x" quote ' * 5}, "CAUCUS_JANUS_ADMIN_KEY"),
        ({"CAUCUS_JANUS_URL": "http://127.0.0.1:8188"}, "CAUCUS_JANUS_URL"),
        ({"CAUCUS_JANUS_TOKEN_TTL": "120"}, "CAUCUS_JANUS_TOKEN_TTL"),
        ({"CAUCUS_JANUS_RTP_PORTS": "40000"}, "CAUCUS_JANUS_RTP_PORTS"),
        ({"CAUCUS_TURN_URLS": "https://turn.example.test"}, "CAUCUS_TURN_URLS"),
        ({"CAUCUS_TURN_SECRET": "short"}, "CAUCUS_TURN_SECRET"),
        ({"CAUCUS_TURN_TTL": "86400"}, "CAUCUS_TURN_TTL"),
    ):
        assert name in settings_error(tmp_path, **env)
    # Janus mode keeps generated secrets in 0600 files of the data directory.
    assert settings_error(tmp_path, CAUCUS_VIDEO="janus") == ""
    for name in ("janus-token-secret", "janus-admin-key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
