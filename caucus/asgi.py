"""One ASGI application for the pages, the API and (from the meetings work) the WebSockets."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from django.urls import re_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
# Before anything imports Django Ninja (uvicorn's workers import this module first).
from caucus.cli import load_test_signals_alone

load_test_signals_alone()
# Django's handler, except that upload bodies stream to the vault instead of a temp file.
from caucus.vault.asgi import streaming_asgi_application  # noqa: E402

django_asgi = streaming_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from caucus.meetings.ws_auth import WebSocketAuth  # noqa: E402
from caucus.websockets import websocket_urlpatterns  # noqa: E402

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """A WebSocket path that no route serves is refused at the handshake (HTTP 403), not
    answered with a server error."""
    await receive()
    await send({"type": "websocket.close", "code": 1008})


application = ProtocolTypeRouter(
    {
        "http": django_asgi,
        "websocket": WebSocketAuth(
            # re_path's stubs expect a Django view; channels' router takes an ASGI app.
            URLRouter([*websocket_urlpatterns, re_path(r"", refuse_websocket)])  # type: ignore[arg-type]
        ),
    }
)
