"""Live connections and the credentials that opened them: a socket joins the group of its API
token or of its browser session, so that revoking the token or signing out closes it at once
instead of when its meeting ends."""

from __future__ import annotations

import hashlib
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.http import HttpRequest


def token_group(token_id: uuid.UUID) -> str:
    return f"token.{token_id.hex}"


def close_token_connections(token_ids: list[uuid.UUID]) -> None:
    """Once the revocation is committed, every socket opened with these tokens closes."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for token_id in token_ids:
            async_to_sync(layer.group_send)(token_group(token_id), {"type": "token.revoked"})

    transaction.on_commit(send)


def session_group(session_key: str) -> str:
    # The session key is a credential: the group is named by its hash, never by the key.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def close_session_connections(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """Signing out closes the sockets that this browser session opened."""
    key = request.session.session_key if hasattr(request, "session") else None
    layer = get_channel_layer()
    if key and layer is not None:
        async_to_sync(layer.group_send)(session_group(key), {"type": "token.revoked"})
