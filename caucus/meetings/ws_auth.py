"""Who is on the other end of a WebSocket. API clients send `Authorization: Bearer`, which a
browser cannot forge cross-site, so no Origin check is needed for them. Browsers use their
session cookie, which any site could make them send, so those handshakes must come from
an allowed origin."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from caucus.accounts.services import user_for_token


def _bearer(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            raw: str = bytes(value).decode("latin1")
            scheme, _, token = raw.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class WebSocketAuth:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.by_cookie = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = _bearer(scope)
        if token is None:
            return await self.by_cookie(scope, receive, send)
        user = await database_sync_to_async(user_for_token)(token)
        return await self.inner(dict(scope, user=user or AnonymousUser()), receive, send)
