"""The browsers signed in to an account: recorded at sign-in, forgotten at sign-out, so
that their owner can see them and end the others (`caucus.accounts.services`)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from caucus.accounts.live import session_group
from caucus.accounts.models import User, WebSession


def store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    session: SessionBase = engine.SessionStore(session_key)
    return session


def on_login(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    key = request.session.session_key if hasattr(request, "session") else None
    if key and isinstance(user, User):
        WebSession.objects.update_or_create(session_key=key, defaults={"user": user})


def on_logout(sender: object, request: HttpRequest, **kwargs: object) -> None:
    key = request.session.session_key if hasattr(request, "session") else None
    if key:
        WebSession.objects.filter(session_key=key).delete()


def end_session(key: str) -> None:
    """Deletes the session (its browser is signed out on its next request) and closes the
    sockets it opened."""
    store(key).delete()
    WebSession.objects.filter(session_key=key).delete()
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(session_group(key), {"type": "token.revoked"})


def live_sessions(user: User) -> list[WebSession]:
    """The account's browser sessions that still exist; the others (expired, or cleared by
    a password change) are forgotten here."""
    rows = list(WebSession.objects.filter(user=user).order_by("-created_at"))
    live = [row for row in rows if store().exists(row.session_key)]
    stale = [row.id for row in rows if row not in live]
    if stale:
        WebSession.objects.filter(id__in=stale).delete()
    return live
