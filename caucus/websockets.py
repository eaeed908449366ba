"""WebSocket routes. A path not listed is refused."""

from __future__ import annotations

from typing import Any

from django.urls import path

from caucus.meetings.consumers import MeetingChat

websocket_urlpatterns: list[Any] = [
    path("ws/meetings/<uuid:meeting_id>/", MeetingChat.as_asgi()),
    path("ws/meetings/<uuid:meeting_id>/lobby/", MeetingChat.as_asgi(lobby=True)),
]
