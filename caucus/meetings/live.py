"""Live meeting chat: relayed through the channel layer to those admitted, never stored."""

from __future__ import annotations

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def group_name(meeting_id: uuid.UUID) -> str:
    return f"meeting.{meeting_id.hex}"


def close_meeting(meeting_id: uuid.UUID) -> None:
    """Tells every open chat connection of the meeting to close."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group_name(meeting_id), {"type": "meeting.ended"})
