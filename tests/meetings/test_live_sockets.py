"""A meeting's live connections end the moment their right to exist ends (issue 13, item 5):
an attendee sent back to the lobby, removed or gone, an API token revoked, a browser signed
out; and the lobby's connection carries the attendee's own admission and nothing else."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from tests.conftest import World
from tests.meetings.test_chat import (
    ATTEST,
    admit,
    communicator,
    live_world,  # noqa: F401  (fixture)
    receive_close,
    receive_kind,
    run,
    start_caucus,
)


def post(client: Any, path: str, body: Any = None) -> int:
    return int(client.post(path, body).status_code)


def test_it_closes_the_room_socket_when_the_attendee_is_sent_back_to_the_lobby(
    live_world: World,  # noqa: F811
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)

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
        again = communicator(meeting_id, w.party_a)
        reopened, _ = await again.connect()
        await again.disconnect()
        return closed, close, bool(reopened)

    closed, close, reopened = run(scenario)
    assert closed == {"type": "closed", "reason": "lobby"}
    assert close["code"] == 4001
    assert reopened is False


def test_it_closes_every_socket_of_an_attendee_the_mediator_removes(
    live_world: World,  # noqa: F811
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)
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


def test_it_closes_the_socket_of_an_attendee_who_leaves(live_world: World) -> None:  # noqa: F811
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)

    async def scenario() -> dict[str, Any]:
        party = communicator(meeting_id, w.party_a)
        assert (await party.connect())[0]
        status = await database_sync_to_async(post)(
            w.party_a.client, f"meetings/{meeting_id}/leave"
        )
        assert status == 200
        return await receive_close(party)

    assert run(scenario)["code"] == 4002


def test_it_closes_a_socket_whose_api_token_is_revoked(live_world: World) -> None:  # noqa: F811
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)

    async def scenario() -> tuple[dict[str, Any], bool]:
        party = communicator(meeting_id, w.party_a)
        assert (await party.connect())[0]
        status = await database_sync_to_async(
            lambda: w.party_a.client.call("DELETE", "auth/token").status_code
        )()
        assert status == 204
        close = await receive_close(party)
        again = communicator(meeting_id, w.party_a)
        reopened, _ = await again.connect()
        await again.disconnect()
        return close, bool(reopened)

    close, reopened = run(scenario)
    assert close["code"] == 4401
    assert reopened is False


def test_it_closes_a_browser_socket_when_its_session_signs_out(
    live_world: World,  # noqa: F811
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    browser = Client()
    assert w.mediator.user is not None
    browser.force_login(w.mediator.user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario() -> dict[str, Any]:
        comm = communicator(
            meeting_id,
            None,
            headers=[
                (b"cookie", cookie.encode()),
                (b"host", b"localhost"),
                (b"origin", b"http://localhost"),
            ],
        )
        assert (await comm.connect())[0]
        await database_sync_to_async(browser.post)("/logout")
        return await receive_close(comm)

    assert run(scenario)["code"] == 4401


class WebsocketLobby:
    """The lobby's connection of one attendee."""

    def __init__(self, meeting_id: str, who: Any) -> None:
        from channels.testing import WebsocketCommunicator

        from caucus.asgi import application

        headers = [(b"authorization", f"Bearer {who.token}".encode())]
        self.comm = WebsocketCommunicator(
            application, f"/ws/meetings/{meeting_id}/lobby/", headers=headers
        )


def test_it_tells_a_waiting_attendee_they_are_admitted_and_nothing_else(
    live_world: World,  # noqa: F811
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)
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
