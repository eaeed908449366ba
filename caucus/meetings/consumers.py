"""Live meeting chat. Frames are relayed through the channel layer to the connections of one
running meeting and to nothing else: no model, no log line, no file ever holds them
(practice 8). Every connection closes when the meeting ends."""

from __future__ import annotations

import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from caucus.meetings.selectors import chat_admission

TEXT_MAX = 4_000
# Application close codes: refused at the handshake, and the meeting has ended.
REFUSED = 4403
ENDED = 4000


class MeetingChat(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    participant_id: uuid.UUID
    group: str

    async def connect(self) -> None:
        meeting_id = self.scope["url_route"]["kwargs"]["meeting_id"]
        admission = await database_sync_to_async(chat_admission)(self.scope.get("user"), meeting_id)
        if admission is None:
            await self.close(code=REFUSED)
            return
        self.participant_id, self.group = admission
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        text = content.get("text") if isinstance(content, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > TEXT_MAX:
            await self.send_json(
                {
                    "error": "invalid",
                    "detail": f'Send {{"text": ...}} of 1 to {TEXT_MAX} characters.',
                }
            )
            return
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "chat.message",
                "from": str(self.participant_id),
                "text": text,
                "at": timezone.now().isoformat(),
            },
        )

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"from": event["from"], "text": event["text"], "at": event["at"]})

    async def meeting_ended(self, event: dict[str, Any]) -> None:
        await self.close(code=ENDED)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None
