"""Live chat through the real ASGI application: who gets in at the handshake, what is relayed,
that every connection closes when the meeting ends, and that no chat text is ever stored."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from tests import sockets
from tests.conftest import Persona, World
from tests.meetings.rooms import ATTEST, schedule, start_caucus
from tests.security.test_canary import raw_database_bytes
from tests.sockets import communicator, connects, receive_close, receive_kind, run


def test_it_relays_chat_between_the_mediator_and_admitted_attendees(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        mediator = communicator(meeting_id, w.mediator)
        party = communicator(meeting_id, w.party_a)
        assert (await mediator.connect())[0]
        assert (await party.connect())[0]
        await party.send_json_to({"text": "Can we talk about the car?"})
        got_mediator = await receive_kind(mediator, "chat")
        got_party = await receive_kind(party, "chat")
        await mediator.disconnect()
        await party.disconnect()
        return got_mediator, got_party

    to_mediator, to_party = run(scenario)
    assert to_mediator == to_party
    assert to_mediator["text"] == "Can we talk about the car?"
    assert w.party_a.participant is not None
    assert to_mediator["from"] == str(w.party_a.participant.id)
    assert "at" in to_mediator


@pytest.mark.parametrize("who", ["party_b", "outsider", "anonymous", "attorney_a_in_lobby"])
def test_it_refuses_anyone_not_admitted_at_the_handshake(
    live_world: World,
    who: str,
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    if who == "attorney_a_in_lobby":
        w.attorney_a.client.post(f"meetings/{meeting_id}/join", ATTEST)
        persona: Persona = w.attorney_a
    else:
        persona = getattr(w, who)

    async def scenario() -> tuple[bool, Any]:
        # An allowed Origin, so that the anonymous handshake reaches the consumer's own check.
        comm = communicator(meeting_id, persona, headers=sockets.SAME_ORIGIN)
        connected, code = await comm.connect()
        await comm.disconnect()
        return connected, code

    connected, code = run(scenario)
    assert not connected
    assert code == 4403


def test_it_refuses_a_meeting_that_has_not_started(live_world: World) -> None:
    w = live_world
    meeting = schedule(w, "joint")
    assert run(lambda: connects(meeting["id"], w.mediator)) is False


def test_it_closes_every_connection_when_the_meeting_ends(
    live_world: World,
    party_a_in_caucus: str,
) -> None:
    w, meeting_id = live_world, party_a_in_caucus

    async def scenario() -> list[Any]:
        party = communicator(meeting_id, w.party_a)
        mediator = communicator(meeting_id, w.mediator)
        assert (await party.connect())[0]
        assert (await mediator.connect())[0]
        ended = await database_sync_to_async(
            lambda: w.mediator.client.post(f"meetings/{meeting_id}/end").status_code
        )()
        assert ended == 200
        outputs = [await receive_close(party), await receive_close(mediator)]
        return outputs

    for output in run(scenario):
        assert output["type"] == "websocket.close"
        assert output["code"] == 4000


def test_it_refuses_a_cookie_handshake_from_a_foreign_origin(
    live_world: World,
) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    _browser, cookie = sockets.session_cookie(w.mediator)

    async def scenario(origin: bytes, host: bytes = b"localhost") -> bool:
        headers = [(b"cookie", cookie), (b"origin", origin), (b"host", host)]
        return await connects(meeting_id, None, headers=headers)

    assert run(lambda: scenario(b"https://evil.example")) is False
    assert run(lambda: scenario(b"http://localhost")) is True
    # Another port of the same host is another origin (another application, another site).
    assert run(lambda: scenario(b"http://localhost:1337")) is False
    assert run(lambda: scenario(b"https://localhost")) is False
    assert run(lambda: scenario(b"http://localhost:8000", b"localhost:8000")) is True
    assert run(lambda: scenario(b"http://localhost:1337", b"localhost:8000")) is False
    # A Host outside ALLOWED_HOSTS lends no origin; the configured site's origin is allowed.
    assert run(lambda: scenario(b"http://evil.example", b"evil.example")) is False
    site = settings.CAUCUS_SITE_URL.encode()
    assert run(lambda: scenario(site, b"evil.example")) is True


def test_it_never_writes_chat_text_to_the_database_the_disk_or_the_logs(
    live_world: World,
    party_a_in_caucus: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = "CHAT-CANARY-offshore-account-5e1f9a"
    w, meeting_id = live_world, party_a_in_caucus

    async def scenario() -> None:
        party = communicator(meeting_id, w.party_a)
        mediator = communicator(meeting_id, w.mediator)
        assert (await party.connect())[0]
        assert (await mediator.connect())[0]
        for _ in range(3):
            await party.send_json_to({"text": canary})
            assert (await receive_kind(mediator, "chat"))["text"] == canary
            await receive_kind(party, "chat")
        await party.disconnect()
        await mediator.disconnect()

    run(scenario)
    assert_nowhere(canary, caplog)


def assert_nowhere(canary: str, caplog: pytest.LogCaptureFixture) -> None:
    """Not in the database's raw bytes, in no file of the data directory, in no log line."""
    assert canary.encode() not in raw_database_bytes()
    for path in Path(settings.DATA_DIR).rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), f"canary found in {path}"
    assert canary not in "\n".join(r.getMessage() for r in caplog.records)
