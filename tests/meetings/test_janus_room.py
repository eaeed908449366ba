"""Janus mode against a real Janus started from deploy/janus/ (issue 12), with headless aiortc
peers speaking Janus's API directly: what someone holding (or lacking) what Caucus hands out
can do. The positive test (two admitted peers do get media) shows the refusals are not
vacuous."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from caucus.kernel.errors import Forbidden
from caucus.meetings import janus
from caucus.meetings.models import Meeting
from tests.conftest import Persona, World
from tests.meetings.conftest import JANUS_ADMIN_KEY, JANUS_SECRET, JanusServer
from tests.meetings.janus_peer import JanusPeer, JanusRefused, run_async
from tests.meetings.rooms import ATTEST, admit, started

UNAUTHORIZED_CORE = 403  # JANUS_ERROR_UNAUTHORIZED
UNAUTHORIZED_ROOM = 433  # JANUS_VIDEOROOM_ERROR_UNAUTHORIZED
T = TypeVar("T")
# Where a recording would land if Janus obeyed: the temporary directory, which the test scans.
REC_DIR = str(Path(tempfile.gettempdir()) / "caucus-rec")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return run_async(scenario())  # type: ignore[arg-type]


@pytest.fixture
def party_a_in_joint_room(live_world: World) -> Meeting:
    """A running joint meeting with party A admitted."""
    meeting = started(live_world)
    admit(live_world, meeting, live_world.party_a)
    return meeting


def connection(meeting: Meeting, who: Persona) -> dict[str, Any]:
    assert who.participant is not None
    return janus.janus_connection(meeting, who.participant)


def seat(connection: dict[str, Any]) -> tuple[int, int, str]:
    return connection["room"], connection["feed_id"], connection["join_token"]


def recordings(*roots: Path) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            found += [Path(folder) / f for f in files if ".mjr" in f]
    return found


def test_it_runs_janus_with_videoroom_and_websockets_only(janus_server: JanusServer) -> None:
    async def scenario() -> dict[str, Any]:
        async with JanusPeer(janus_server.url, None) as peer:
            return await peer.call({"janus": "info"})

    info = run(scenario)
    assert set(info["plugins"]) == {"janus.plugin.videoroom"}
    assert set(info["transports"]) == {"janus.transport.websockets"}
    assert info["events"] == {}
    assert info["auth_token"] is True
    assert info["api_secret"] is False
    modes = {path.stat().st_mode & 0o777 for path in janus_server.configs.iterdir()}
    assert modes == {0o600}


def test_it_refuses_a_peer_without_a_token_or_with_another_rooms_token(
    live_world: World,
    janus_server: JanusServer,
) -> None:
    w = live_world
    joint = started(w)
    caucus = started(w, "caucus", w.side_b)
    admit(w, joint, w.party_a)
    admit(w, caucus, w.party_b)
    mine = connection(joint, w.party_a)
    theirs = connection(caucus, w.party_b)

    async def scenario() -> None:
        async with JanusPeer(janus_server.url, None) as anonymous:
            with pytest.raises(JanusRefused) as refused:
                await anonymous.start()
            assert refused.value.code == UNAUTHORIZED_CORE
        async with JanusPeer(janus_server.url, "1,janus,janus.plugin.videoroom:forged") as forged:
            with pytest.raises(JanusRefused) as refused:
                await forged.start()
            assert refused.value.code == UNAUTHORIZED_CORE
        # A valid core token (party B's, for their caucus) opens a session, but the joint
        # room refuses their caucus's join token, no token at all, and a made-up one.
        async with JanusPeer(janus_server.url, theirs["token"]) as intruder:
            await intruder.start()
            handle = await intruder.attach()
            for token in (theirs["join_token"], None, "guess"):
                with pytest.raises(JanusRefused) as refused:
                    await handle.join_publisher(mine["room"], theirs["feed_id"], token)
                assert refused.value.code == UNAUTHORIZED_ROOM
            # Nor can it subscribe without a private id of a publisher in the room.
            watcher = await intruder.attach()
            with pytest.raises(JanusRefused):
                await watcher.subscribe(mine["room"], mine["feed_id"], None)

    run(scenario)


def test_it_carries_media_between_admitted_peers_and_refuses_unencrypted_publishers(
    live_world: World,
    party_a_in_joint_room: Meeting,
    janus_server: JanusServer,
) -> None:
    w, meeting = live_world, party_a_in_joint_room
    mediator = connection(meeting, w.mediator)
    party = connection(meeting, w.party_a)
    assert mediator["room"] == party["room"] and mediator["url"] == janus_server.url

    async def scenario() -> tuple[int, int]:
        async with (
            JanusPeer(mediator["url"], mediator["token"]) as publisher,
            JanusPeer(party["url"], party["token"]) as subscriber,
        ):
            await publisher.start()
            await subscriber.start()
            sender = await publisher.attach()
            await sender.join_publisher(*seat(mediator))
            with pytest.raises(JanusRefused) as refused:
                await sender.publish(e2ee=False)
            assert "end-to-end" in refused.value.reason
            await sender.detach()
            sender = await publisher.attach()
            await sender.join_publisher(*seat(mediator))
            await sender.publish(e2ee=True)
            member = await subscriber.attach()
            private_id = await member.join_publisher(
                party["room"], party["feed_id"], party["join_token"]
            )
            # Without the private id Janus gave this participant, no subscription.
            stranger = await subscriber.attach()
            with pytest.raises(JanusRefused):
                await stranger.subscribe(party["room"], mediator["feed_id"], None)
            receiver = await subscriber.attach()
            await receiver.subscribe(party["room"], mediator["feed_id"], private_id)
            return await receiver.frames(10), private_id

    frames, _ = run(scenario)
    assert frames == 10


def test_it_refuses_or_ignores_every_way_of_recording(
    live_world: World,
    party_a_in_joint_room: Meeting,
    janus_server: JanusServer,
) -> None:
    w, meeting = live_world, party_a_in_joint_room
    party = connection(meeting, w.party_a)
    room = party["room"]

    async def scenario() -> list[str]:
        outcomes: list[str] = []
        async with JanusPeer(party["url"], party["token"]) as peer:
            await peer.start()
            handle = await peer.attach()
            await handle.join_publisher(room, party["feed_id"], party["join_token"])
            await handle.publish(e2ee=True, extra={"record": True, "filename": REC_DIR})
            await handle.send({"request": "configure", "record": True, "filename": "rec"})
            control = await peer.attach()
            attempts: list[dict[str, Any]] = [
                {"request": "enable_recording", "room": room, "record": True},
                {"request": "enable_recording", "room": room, "record": True, "secret": "x"},
                {
                    "request": "rtp_forward",
                    "room": room,
                    "publisher_id": party["feed_id"],
                    "host": "127.0.0.1",
                    "video_port": 5004,
                },
                {"request": "edit", "room": room, "new_lock_record": False, "secret": "x"},
                {"request": "create", "room": 4242, "record": True, "rec_dir": REC_DIR},
                {"request": "destroy", "room": room},
            ]
            for attempt in attempts:
                try:
                    await control.request(attempt)
                    outcomes.append(f"accepted {attempt['request']}")
                except JanusRefused as refused:
                    outcomes.append(f"refused {refused.code}")
            await asyncio.sleep(2)  # media flows for a while: a recorder would have written
        return outcomes

    outcomes = run(scenario)
    assert all(o.startswith("refused") for o in outcomes), outcomes
    roots = [janus_server.workdir, janus_server.configs, Path(tempfile.gettempdir()), Path.cwd()]
    assert recordings(*roots) == []


def test_it_kicks_an_attendee_sent_back_to_the_lobby_who_then_cannot_rejoin(
    live_world: World,
    party_a_in_joint_room: Meeting,
    janus_server: JanusServer,
) -> None:
    w, meeting = live_world, party_a_in_joint_room
    party = connection(meeting, w.party_a)

    async def scenario() -> None:
        async with JanusPeer(party["url"], party["token"]) as peer:
            await peer.start()
            handle = await peer.attach()
            await handle.join_publisher(party["room"], party["feed_id"], party["join_token"])
            # Knocking again puts the attendee back in the lobby: Caucus takes their token
            # off `allowed` and kicks them once that is committed.
            response = await asyncio.to_thread(
                w.party_a.client.post, f"meetings/{meeting.id}/join", ATTEST
            )
            assert response.status_code == 202
            kicked = False
            while not kicked:
                event = await asyncio.wait_for(handle.events.get(), 10)
                data = event.get("plugindata", {}).get("data", {})
                kicked = data.get("leaving") == "ok" and data.get("reason") == "kicked"
            again = await peer.attach()
            with pytest.raises(JanusRefused) as refused:
                await again.join_publisher(party["room"], party["feed_id"], party["join_token"])
            assert refused.value.code == UNAUTHORIZED_ROOM

    run(scenario)
    with pytest.raises(Forbidden):
        connection(meeting, w.party_a)
    # Janus's log holds no token or secret Caucus handed out or keeps.
    logged = janus_server.log.read_text()
    for secret in (
        party["join_token"],
        party["token"].split(":")[1],
        janus.room_secret(meeting.id),
        JANUS_ADMIN_KEY,
        JANUS_SECRET,
    ):
        assert secret not in logged


def test_it_destroys_the_room_when_the_meeting_ends(
    janus_server: JanusServer,
    live_world: World,
) -> None:
    meeting = started(live_world)
    room = connection(meeting, live_world.mediator)["room"]
    with janus.videoroom() as handle:
        assert handle.request({"request": "exists", "room": room})["exists"] is True
    assert live_world.mediator.client.post(f"meetings/{meeting.id}/end").status_code == 200
    with janus.videoroom() as handle:
        assert handle.request({"request": "exists", "room": room})["exists"] is False
