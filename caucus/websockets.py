"""WebSocket routes. Live meeting chat joins here; a path not listed is refused."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
