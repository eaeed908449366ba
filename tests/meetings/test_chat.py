"""Live chat through the real ASGI application: who gets in at the handshake, what is relayed,
that every connection closes when the meeting ends, and that no chat text is ever stored."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from caucus.asgi import application
from tests.conftest import Persona, World, build_world, complete_onboarding
from tests.security.test_canary import raw_database_bytes

ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}
T = TypeVar("T")


def run(coro: Callable[[], Awaitable[T]]) -> T:
    return async_to_sync(coro)()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    world = build_world()
    complete_onboarding(world)
    return world


def start_caucus(world: World, side: Any) -> str:
    meeting = world.mediator.client.post(
        f"cases/{world.case.id}/meetings",
        {
            "kind": "caucus",
            "side_id": str(side),
            "mode": "virtual",
            "starts_at": "2026-12-01T10:00:00Z",
        },
    ).json()
    world.mediator.client.post(f"meetings/{meeting['id']}/start")
    return str(meeting["id"])


def admit(world: World, meeting_id: str, who: Persona) -> None:
    who.client.post(f"meetings/{meeting_id}/join", ATTEST)
    assert who.participant is not None
    world.mediator.client.post(
        f"meetings/{meeting_id}/admit", {"participant_id": str(who.participant.id)}
    )


def communicator(meeting_id: str, who: Persona | None, **extra: Any) -> WebsocketCommunicator:
    headers = list(extra.pop("headers", []))
    if who is not None and who.token:
        headers.append((b"authorization", f"Bearer {who.token}".encode()))
    return WebsocketCommunicator(application, f"/ws/meetings/{meeting_id}/", headers=headers)


async def receive_close(comm: WebsocketCommunicator) -> dict[str, Any]:
    """The close that ends this connection, after whatever frames came before it."""
    while True:
        output: dict[str, Any] = await comm.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output


async def receive_kind(comm: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next frame of this type, skipping the others (hello, presence...)."""
    while True:
        frame: dict[str, Any] = await comm.receive_json_from(timeout=5)
        if frame.get("type") == kind:
            return frame


def test_it_relays_chat_between_the_mediator_and_admitted_attendees(live_world: World) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)

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
def test_it_refuses_anyone_not_admitted_at_the_handshake(live_world: World, who: str) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    if who == "attorney_a_in_lobby":
        w.attorney_a.client.post(f"meetings/{meeting_id}/join", ATTEST)
        persona: Persona = w.attorney_a
    else:
        persona = getattr(w, who)

    async def scenario() -> tuple[bool, Any]:
        # An allowed Origin, so that the anonymous handshake reaches the consumer's own check.
        comm = communicator(
            meeting_id, persona, headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")]
        )
        connected, code = await comm.connect()
        await comm.disconnect()
        return connected, code

    connected, code = run(scenario)
    assert not connected
    assert code == 4403


def test_it_refuses_a_meeting_that_has_not_started(live_world: World) -> None:
    w = live_world
    meeting = w.mediator.client.post(
        f"cases/{w.case.id}/meetings",
        {"kind": "joint", "mode": "virtual", "starts_at": "2026-12-01T10:00:00Z"},
    ).json()

    async def scenario() -> bool:
        comm = communicator(meeting["id"], w.mediator)
        connected, _ = await comm.connect()
        await comm.disconnect()
        return bool(connected)

    assert run(scenario) is False


def test_it_closes_every_connection_when_the_meeting_ends(live_world: World) -> None:
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)

    async def scenario() -> list[Any]:
        from channels.db import database_sync_to_async

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


def test_it_refuses_a_cookie_handshake_from_a_foreign_origin(live_world: World) -> None:
    from django.test import Client

    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    browser = Client()
    assert w.mediator.user is not None
    browser.force_login(w.mediator.user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario(origin: bytes, host: bytes = b"localhost") -> bool:
        comm = communicator(
            meeting_id,
            None,
            headers=[(b"cookie", cookie.encode()), (b"origin", origin), (b"host", host)],
        )
        connected, _ = await comm.connect()
        await comm.disconnect()
        return bool(connected)

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
    live_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = "CHAT-CANARY-offshore-account-5e1f9a"
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.party_a)

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
