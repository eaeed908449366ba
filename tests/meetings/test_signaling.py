"""WebRTC signaling, presence, the key-exchange relay and the lobby's knocks over the meeting's
WebSocket (issue 12): each frame reaches its addressee in this running meeting's room and
nobody else; nobody in the lobby and nobody outside the room gets any; bad frames get an
error frame and go nowhere; no signaling payload is ever stored or logged."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pytest_django.fixtures import Settings

from caucus.meetings.consumers import FRAME_MAX_BYTES
from caucus.meetings.janus import feed_id
from tests.conftest import Persona, World
from tests.meetings.rooms import ATTEST, admit, start_caucus, start_joint
from tests.meetings.test_chat import assert_nowhere
from tests.sockets import WebsocketLobby, communicator, receive_kind, run

OFFER = {"description": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}


def pid(who: Persona) -> str:
    assert who.participant is not None
    return str(who.participant.id)


async def nothing_more(comm: WebsocketCommunicator) -> bool:
    return bool(await comm.receive_nothing(timeout=0.3))


async def only_presence(comm: WebsocketCommunicator) -> bool:
    while not await nothing_more(comm):
        if (await comm.receive_json_from())["type"] != "presence":
            return False
    return True


async def connected(meeting_id: str, *people: Persona) -> list[WebsocketCommunicator]:
    """Room connections of these people, each having seen everyone in the presence list."""
    comms = []
    for who in people:
        comm = communicator(meeting_id, who)
        assert (await comm.connect())[0]
        comms.append(comm)
    for comm in comms:
        while len((await receive_kind(comm, "presence"))["present"]) < len(people):
            pass
    return comms


def test_it_relays_a_signal_to_its_addressee_only(live_world: World) -> None:
    w = live_world
    meeting_id = start_joint(w)
    admit(w, meeting_id, w.party_a)
    admit(w, meeting_id, w.party_b)

    async def scenario() -> tuple[dict[str, Any], bool, bool]:
        mediator, party_a, party_b = await connected(meeting_id, w.mediator, w.party_a, w.party_b)
        await party_a.send_json_to({"type": "signal", "to": pid(w.mediator), "data": OFFER})
        got = await receive_kind(mediator, "signal")
        quiet_b = await nothing_more(party_b)
        quiet_a = await nothing_more(party_a)
        for comm in (mediator, party_a, party_b):
            await comm.disconnect()
        return got, quiet_b, quiet_a

    got, quiet_b, quiet_a = run(scenario)
    assert got == {"type": "signal", "from": pid(w.party_a), "data": OFFER}
    assert quiet_b and quiet_a


def test_it_lists_who_is_in_the_room_as_people_come_and_go(
    live_world: World,
    party_a_in_joint: str,
) -> None:
    w, meeting_id = live_world, party_a_in_joint

    People = list[dict[str, Any]]

    async def scenario() -> tuple[People, People, People]:
        mediator = communicator(meeting_id, w.mediator)
        assert (await mediator.connect())[0]
        alone = await receive_kind(mediator, "presence")
        party_a = communicator(meeting_id, w.party_a)
        assert (await party_a.connect())[0]
        both = await receive_kind(mediator, "presence")
        await party_a.disconnect()
        after = await receive_kind(mediator, "presence")
        await mediator.disconnect()
        return alone["present"], both["present"], after["present"]

    alone, both, after = run(scenario)
    assert [p["participant_id"] for p in alone] == [pid(w.mediator)]
    # In the order they came in: the newer one makes the WebRTC offer.
    assert [p["participant_id"] for p in both] == [pid(w.mediator), pid(w.party_a)]
    assert [p["participant_id"] for p in after] == [pid(w.mediator)]
    assert set(after[0]) == {"participant_id", "name", "role", "since"}


def test_it_relays_nothing_to_anyone_outside_the_room(live_world: World) -> None:
    w = live_world
    meeting_id = start_joint(w)
    other_meeting = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)
    admit(w, other_meeting, w.party_a)
    # Party B waits in the lobby; attorney A is in the room of another meeting.
    w.party_b.client.post(f"meetings/{meeting_id}/join", ATTEST)
    admit(w, other_meeting, w.attorney_a)

    async def scenario() -> tuple[list[dict[str, Any]], bool, bool, bool]:
        (mediator,) = await connected(meeting_id, w.mediator)
        lobby_b = WebsocketLobby(meeting_id, w.party_b).comm
        assert (await lobby_b.connect())[0]
        await lobby_b.receive_json_from(timeout=5)  # hello
        (attorney,) = await connected(other_meeting, w.attorney_a)
        party_a_elsewhere = communicator(other_meeting, w.party_a)
        assert (await party_a_elsewhere.connect())[0]
        await receive_kind(party_a_elsewhere, "presence")
        errors = []
        for to in (pid(w.party_b), pid(w.attorney_a), pid(w.party_a), pid(w.mediator)):
            await mediator.send_json_to({"type": "signal", "to": to, "data": OFFER})
            errors.append(await receive_kind(mediator, "error"))
        await mediator.send_json_to({"type": "e2ee", "to": pid(w.party_b), "data": {"k": 1}})
        errors.append(await receive_kind(mediator, "error"))
        # The other meeting's room hears its own presence and nothing of this meeting.
        return (
            errors,
            await nothing_more(lobby_b),
            await only_presence(attorney),
            await only_presence(party_a_elsewhere),
        )

    errors, lobby_quiet, attorney_quiet, party_a_quiet = run(scenario)
    assert [e["error"] for e in errors] == ["not_in_room"] * 5
    assert lobby_quiet and attorney_quiet and party_a_quiet


def test_it_tells_the_mediators_of_each_knock_with_its_attestation(
    live_world: World,
    party_a_in_joint: str,
) -> None:
    w, meeting_id = live_world, party_a_in_joint

    async def scenario() -> tuple[dict[str, Any], bool]:
        mediator, party_a = await connected(meeting_id, w.mediator, w.party_a)
        status = await database_sync_to_async(
            lambda: w.party_b.client.post(f"meetings/{meeting_id}/join", ATTEST).status_code
        )()
        assert status == 202
        knock = await receive_kind(mediator, "lobby")
        # Attendees never hear who waits.
        return knock, await nothing_more(party_a)

    knock, attendee_quiet = run(scenario)
    assert knock == {
        "type": "lobby",
        "participant_id": pid(w.party_b),
        "state": "lobby",
        "name": w.party_b.user.name if w.party_b.user else "",
        "attestation": ATTEST["attestation"],
    }
    assert attendee_quiet


def test_it_relays_key_exchange_frames_without_reading_them(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus
    key = {"kind": "public_key", "jwk": {"kty": "EC", "crv": "P-256", "x": "abc", "y": "def"}}

    async def scenario() -> dict[str, Any]:
        mediator, party_a = await connected(meeting_id, w.mediator, w.party_a)
        await mediator.send_json_to({"type": "e2ee", "to": pid(w.party_a), "data": key})
        return await receive_kind(party_a, "e2ee")

    assert run(scenario) == {"type": "e2ee", "from": pid(w.mediator), "data": key}


def test_it_relays_in_janus_mode_only_key_frames_in_the_senders_own_name(
    live_world: World,
    settings: Settings,
) -> None:
    w = live_world
    settings.CAUCUS_VIDEO = "janus"
    meeting_id = start_joint(w)
    admit(w, meeting_id, w.party_a)
    admit(w, meeting_id, w.party_b)
    meeting = uuid.UUID(meeting_id)

    def feed(who: Persona) -> int:
        return feed_id(meeting, uuid.UUID(pid(who)))

    own = {"type": "e2ee", "kind": "public", "feed": feed(w.mediator), "key": "QUJD"}
    wrapped = {
        "type": "e2ee",
        "kind": "key",
        "feed": feed(w.mediator),
        "epoch": 1,
        "iv": "aXY=",
        "wrapped": "d3JhcHBlZA==",
    }
    refused = [
        {**own, "feed": feed(w.party_b)},  # a public key in someone else's name
        {**own, "extra": 1},  # not a shape the room sends
        {"kind": "public_key", "jwk": {}},  # mesh mode's free-form data
        {**wrapped, "to": feed(w.party_b)},  # party B's key, addressed to party A
    ]

    async def scenario() -> tuple[list[str], dict[str, Any], dict[str, Any], bool]:
        mediator, party_a, party_b = await connected(meeting_id, w.mediator, w.party_a, w.party_b)
        errors = []
        for data in refused:
            await mediator.send_json_to({"type": "e2ee", "to": pid(w.party_a), "data": data})
            errors.append((await receive_kind(mediator, "error"))["error"])
        await mediator.send_json_to({"type": "e2ee", "to": pid(w.party_a), "data": own})
        public = await receive_kind(party_a, "e2ee")
        key = {**wrapped, "to": feed(w.party_a)}
        await mediator.send_json_to({"type": "e2ee", "to": pid(w.party_a), "data": key})
        got_key = await receive_kind(party_a, "e2ee")
        quiet = await only_presence(party_a) and await only_presence(party_b)
        for comm in (mediator, party_a, party_b):
            await comm.disconnect()
        return errors, public, got_key, quiet

    errors, public, got_key, quiet = run(scenario)
    assert errors == ["invalid_e2ee"] * len(refused)
    assert public == {"type": "e2ee", "from": pid(w.mediator), "data": own}
    assert got_key["data"]["to"] == feed(w.party_a)
    assert quiet


BAD_FRAMES: list[tuple[str, str]] = [
    ("not json", "invalid"),
    ("[1, 2]", "invalid"),
    ('{"type": "signal"}', "invalid"),
    ('{"type": "signal", "to": "not-a-uuid", "data": {}}', "invalid"),
    ('{"type": "signal", "to": "TO", "data": {}}', "invalid"),
    ('{"type": "signal", "to": "TO", "data": {"description": {"type": "hack"}}}', "invalid"),
    (
        '{"type": "signal", "to": "TO", "data": {"description": {"type": "offer", "sdp": ""},'
        ' "candidate": null}}',
        "invalid",
    ),
    ('{"type": "signal", "to": "TO", "data": {"candidate": {"candidate": 5}}}', "invalid"),
    ('{"type": "signal", "to": "TO", "data": {"sdp": "x", "extra": 1}}', "invalid"),
    ('{"type": "e2ee", "to": "TO", "data": "a string"}', "invalid"),
    ('{"type": "presence", "present": []}', "invalid"),
    ('{"type": "admitted"}', "invalid"),
    ('{"text": ""}', "invalid"),
    (
        '{"type": "signal", "to": "TO", "data": {"description": {"type": "offer", "sdp": "BIG"}}}',
        "too_large",
    ),
]


@pytest.mark.parametrize("kind", ["malformed", "oversized"])
def test_it_answers_bad_frames_with_an_error_and_relays_none(
    live_world: World,
    party_a_in_caucus: str,
    kind: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus
    frames = [
        (f.replace("TO", pid(w.mediator)).replace("BIG", "a" * FRAME_MAX_BYTES), code)
        for f, code in BAD_FRAMES
        if (code == "too_large") == (kind == "oversized")
    ]

    async def scenario() -> tuple[list[str], bool]:
        mediator, party_a = await connected(meeting_id, w.mediator, w.party_a)
        codes = []
        for text, _ in frames:
            await party_a.send_to(text_data=text)
            codes.append((await receive_kind(party_a, "error"))["error"])
        await party_a.send_to(bytes_data=b"\x00\x01")
        codes.append((await receive_kind(party_a, "error"))["error"])
        return codes, await nothing_more(mediator)

    codes, mediator_quiet = run(scenario)
    assert codes == [code for _, code in frames] + ["invalid"]
    assert mediator_quiet


def test_it_never_writes_a_signaling_payload_to_the_database_the_disk_or_the_logs(
    live_world: World,
    party_a_in_caucus: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w, meeting_id, canary = live_world, party_a_in_caucus, "SIGNAL-CANARY-7c2e41"
    caplog.set_level(logging.DEBUG)
    offer = {"description": {"type": "offer", "sdp": f"v=0\r\ns={canary}\r\n"}}
    candidate = {"candidate": {"candidate": f"candidate:1 1 udp 1 10.0.0.1 9 typ host {canary}"}}
    key = {"jwk": canary}

    async def scenario() -> None:
        mediator, party_a = await connected(meeting_id, w.mediator, w.party_a)
        to = pid(w.mediator)
        for frame in (
            {"type": "signal", "to": to, "data": offer},
            {"type": "signal", "to": to, "data": candidate},
            {"type": "e2ee", "to": to, "data": key},
        ):
            await party_a.send_json_to(frame)
            got = await receive_kind(mediator, str(frame["type"]))
            assert canary in str(got)
        # A bad frame carrying the canary is refused without being echoed or logged.
        await party_a.send_json_to({"type": "signal", "to": to, "data": {"sdp": canary}})
        assert canary not in str(await receive_kind(party_a, "error"))
        await party_a.disconnect()
        await mediator.disconnect()

    run(scenario)
    assert_nowhere(canary, caplog)


def test_it_moves_one_side_to_a_caucus_and_tells_the_other_only_that_the_mediator_is_away(
    live_world: World,
) -> None:
    w = live_world
    joint = start_joint(w)
    admit(w, joint, w.party_a)
    admit(w, joint, w.party_b)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], str]:
        _mediator, party_a, party_b = await connected(joint, w.mediator, w.party_a, w.party_b)
        opened = await database_sync_to_async(
            lambda: w.mediator.client.post(
                f"meetings/{joint}/caucus", {"side_id": str(w.side_a)}
            ).json()
        )()
        return (
            await receive_kind(party_a, "move"),
            await receive_kind(party_b, "mediator_away"),
            (str(opened["id"])),
        )

    move, away, caucus = run(scenario)
    assert move == {"type": "move", "meeting_id": caucus}
    assert away == {"type": "mediator_away"}  # never with whom, never which meeting
    assert w.party_b.client.get(f"meetings/{caucus}").status_code == 404
    assert w.party_a.client.get(f"meetings/{caucus}").json()["status"] == "running"
    # Party A's attestation for this sitting is offered again on the caucus page.
    from django.test import Client

    assert w.party_a.user is not None
    browser = Client()
    browser.force_login(w.party_a.user, backend="django.contrib.auth.backends.ModelBackend")
    page = browser.get(f"/meetings/{caucus}").content.decode()
    assert 'name="private_location" checked' in page.replace(' id="id_private_location"', "")
