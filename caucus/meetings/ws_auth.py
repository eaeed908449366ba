"""Who is on the other end of a WebSocket. API clients send `Authorization: Bearer`, which a
browser cannot forge cross-site, so no Origin check is needed for them. Browsers use their
session cookie, which any site could make them send, so those handshakes must come from
an allowed origin: scheme, host and port, exactly (a page on another port of the same host
is another origin)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host

from caucus.accounts.services import password_only_refused, token_identity


def _header(scope: dict[str, Any], wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value).decode("latin1")
    return None


def _bearer(scope: dict[str, Any]) -> str | None:
    raw = _header(scope, b"authorization")
    if raw is None:
        return None
    scheme, _, token = raw.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def allowed_origins(scope: dict[str, Any]) -> list[str]:
    """The site's own origin (CAUCUS_SITE_URL), the trusted origins, and the origin this
    handshake was addressed to when its Host is an allowed host (the page that opened the
    socket was served by this server on this very scheme, host and port)."""
    origins = [o for o in [_origin_of(settings.CAUCUS_SITE_URL)] if o]
    origins += [o for o in (_origin_of(u) for u in settings.CSRF_TRUSTED_ORIGINS) if o]
    host = _header(scope, b"host")
    if host:
        domain, _port = split_domain_port(host)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            scheme = "https" if scope.get("scheme") == "wss" else "http"
            origins.append(f"{scheme}://{host}")
    return origins


class ExactOriginValidator:
    """channels' OriginValidator (which compares scheme, host and port when the pattern has
    a scheme) with patterns that all carry a scheme, computed per handshake."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await OriginValidator(self.inner, allowed_origins(scope))(scope, receive, send)


class WebSocketAuth:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.by_cookie = ExactOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = _bearer(scope)
        if token is None:
            return await self.by_cookie(scope, receive, send)
        found = await database_sync_to_async(token_identity)(token)
        # A mediator whose practice requires MFA and who has none gets no socket either:
        # the API answers them 401 otp_required, and a socket is no way around it.
        if found is None or await database_sync_to_async(password_only_refused)(found[0]):
            return await self.inner(dict(scope, user=AnonymousUser()), receive, send)
        user, token_id = found
        return await self.inner(dict(scope, user=user, caucus_token_id=token_id), receive, send)
