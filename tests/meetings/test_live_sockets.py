"""A meeting's live connections end the moment their right to exist ends (issue 13, item 5):
an attendee sent back to the lobby, removed or gone, an API token revoked, a browser signed
out; and the lobby's connection carries the attendee's own admission and nothing else."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async

from tests.conftest import World
from tests.meetings.rooms import ATTEST, start_caucus
from tests.sockets import (
    SAME_ORIGIN,
    WebsocketLobby,
    closed_by,
    communicator,
    connects,
    receive_close,
    receive_kind,
    run,
    session_cookie,
)


def post(client: Any, path: str, body: Any = None) -> int:
    return int(client.post(path, body).status_code)


def test_it_closes_the_room_socket_when_the_attendee_is_sent_back_to_the_lobby(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], bool]:
        party = communicator(meeting_id, w.party_a)
        assert (await party.connect())[0]
        await receive_kind(party, "presence")
        # Joining again (a new attestation) puts the attendee back in the lobby.
        status = await database_sync_to_async(post)(
            w.party_a.client, f"meetings/{meeting_id}/join", ATTEST
        )
        assert status == 202
        closed = await receive_kind(party, "closed")
        close = await receive_close(party)
        # The room's door is shut to them now; the lobby's is open.
        return closed, close, await connects(meeting_id, w.party_a)

    closed, close, reopened = run(scenario)
    assert closed == {"type": "closed", "reason": "lobby"}
    assert close["code"] == 4001
    assert reopened is False


def test_it_closes_every_socket_of_an_attendee_the_mediator_removes(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus
    w.attorney_a.client.post(f"meetings/{meeting_id}/join", ATTEST)
    assert w.party_a.participant is not None and w.attorney_a.participant is not None
    party_id, attorney_id = w.party_a.participant.id, w.attorney_a.participant.id

    async def scenario() -> list[dict[str, Any]]:
        party = communicator(meeting_id, w.party_a)
        attorney = WebsocketLobby(meeting_id, w.attorney_a)
        assert (await party.connect())[0]
        assert (await attorney.comm.connect())[0]
        for who in (party_id, attorney_id):
            status = await database_sync_to_async(post)(
                w.mediator.client, f"meetings/{meeting_id}/remove", {"participant_id": str(who)}
            )
            assert status == 200
        return [await receive_close(party), await receive_close(attorney.comm)]

    assert [c["code"] for c in run(scenario)] == [4002, 4002]


def test_it_closes_the_socket_of_an_attendee_who_leaves(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus
    status, code, _ = closed_by(
        meeting_id, w.party_a, lambda: post(w.party_a.client, f"meetings/{meeting_id}/leave")
    )
    assert (status, code) == (200, 4002)


def test_it_closes_a_socket_whose_api_token_is_revoked(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus
    revoked = closed_by(
        meeting_id, w.party_a, lambda: w.party_a.client.call("DELETE", "auth/token").status_code
    )
    assert revoked == (204, 4401, False)


def test_it_closes_a_browser_socket_when_its_session_signs_out(
    live_world: World,
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    browser, cookie = session_cookie(w.mediator)

    async def scenario() -> dict[str, Any]:
        comm = communicator(meeting_id, None, headers=[(b"cookie", cookie), *SAME_ORIGIN])
        assert (await comm.connect())[0]
        await database_sync_to_async(browser.post)("/logout")
        return await receive_close(comm)

    assert run(scenario)["code"] == 4401


def test_it_tells_a_waiting_attendee_they_are_admitted_and_nothing_else(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus
    w.attorney_a.client.post(f"meetings/{meeting_id}/join", ATTEST)
    assert w.attorney_a.participant is not None
    attorney_id = str(w.attorney_a.participant.id)

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
        mediator = communicator(meeting_id, w.mediator)
        party = communicator(meeting_id, w.party_a)
        lobby = WebsocketLobby(meeting_id, w.attorney_a).comm
        for comm in (mediator, party, lobby):
            assert (await comm.connect())[0]
        frames = [await lobby.receive_json_from(timeout=5)]
        await receive_kind(mediator, "presence")
        await party.send_json_to({"text": "Said in the room only"})
        await receive_kind(mediator, "chat")
        # What the lobby sends goes nowhere.
        await lobby.send_json_to({"text": "Let me in"})
        refused = await receive_kind(lobby, "error")
        status = await database_sync_to_async(post)(
            w.mediator.client, f"meetings/{meeting_id}/admit", {"participant_id": attorney_id}
        )
        assert status == 200
        while True:
            output = await lobby.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                break
            frames.append(json.loads(output["text"]))
        knock = await receive_kind(mediator, "lobby")
        return frames, refused, knock

    frames, refused, knock = run(scenario)
    assert [f["type"] for f in frames] == ["hello", "admitted"]
    assert frames[0]["state"] == "lobby"
    assert refused["error"] == "not_admitted"
    assert knock["participant_id"] == attorney_id and knock["state"] == "admitted"
