"""The meeting's WebSockets as the tests speak them: through the real ASGI application, with a
persona's API token or a browser's session cookie."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from caucus.asgi import application
from tests.conftest import Persona

T = TypeVar("T")
# A browser's handshake from the site itself, so that it reaches the consumer's own checks.
SAME_ORIGIN = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


def run(coro: Callable[[], Awaitable[T]]) -> T:
    return async_to_sync(coro)()


def communicator(meeting_id: str, who: Persona | None, **extra: Any) -> WebsocketCommunicator:
    headers = list(extra.pop("headers", []))
    if who is not None and who.token:
        headers.append((b"authorization", f"Bearer {who.token}".encode()))
    return WebsocketCommunicator(application, f"/ws/meetings/{meeting_id}/", headers=headers)


class WebsocketLobby:
    """The lobby's connection of one attendee."""

    def __init__(self, meeting_id: str, who: Any) -> None:
        headers = [(b"authorization", f"Bearer {who.token}".encode())]
        self.comm = WebsocketCommunicator(
            application, f"/ws/meetings/{meeting_id}/lobby/", headers=headers
        )


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


async def connects(meeting_id: str, who: Persona | None, **extra: Any) -> bool:
    """Whether a fresh handshake to the meeting's room is accepted (it is closed at once)."""
    comm = communicator(meeting_id, who, **extra)
    connected, _ = await comm.connect()
    await comm.disconnect()
    return bool(connected)


def closed_by(meeting_id: str, who: Persona, action: Callable[[], int]) -> tuple[int, int, bool]:
    """Connects `who` to the room, runs `action` (an HTTP call that answers its status) and
    returns that status, the code of the close that followed and whether `who` can connect
    again afterwards."""

    async def scenario() -> tuple[int, int, bool]:
        comm = communicator(meeting_id, who)
        assert (await comm.connect())[0]
        status = await database_sync_to_async(action)()
        close = await receive_close(comm)
        return status, int(close["code"]), await connects(meeting_id, who)

    return run(scenario)


def session_cookie(who: Persona) -> tuple[Client, bytes]:
    """A browser signed in as `who`, and the Cookie header its WebSockets send."""
    browser = Client()
    assert who.user is not None
    browser.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
    value = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return browser, f"{settings.SESSION_COOKIE_NAME}={value}".encode()
