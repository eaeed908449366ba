"""The meeting's live connections. `/ws/meetings/<id>/` is the room: chat, presence, WebRTC
signaling, key-exchange relay and (for the mediators) the lobby's knocks, open only to the
mediators and the admitted attendees. `/ws/meetings/<id>/lobby/` is where an attendee waits:
it carries only their own admission, removal or the end of the meeting, then closes: no
chat, no presence, no signaling, so nobody in the lobby can connect media.

Frames are relayed through the channel layer to the connections of one running meeting and
to nothing else: no model, no log line, no file ever holds them (practice 8).

A connection closes the moment its right to exist ends: the end of the meeting, the
attendee sent back to the lobby, removed or gone, the API token revoked, the browser session
signed out. Besides those messages, each received frame re-checks the seat at most every
RECHECK_SECONDS, in case a message was lost."""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any, Literal

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from caucus.accounts.live import session_group, token_group
from caucus.accounts.services import token_is_live
from caucus.meetings import janus, live
from caucus.meetings.selectors import Seat, seat

TEXT_MAX = 4_000
# A frame larger than this is refused unread: an SDP offer with audio, video and a screen is
# about 10 KB.
FRAME_MAX_BYTES = 65_536
RECHECK_SECONDS = 5.0
# Close codes: 1000 on the lobby's connection once admitted, and the application's own.
ADMITTED = 1000
ENDED = 4000  # the meeting ended
TO_LOBBY = 4001  # the attendee was sent back to the lobby
REMOVED = 4002  # the attendee was removed or left
REVOKED = 4401  # the API token was revoked or the session signed out
REFUSED = 4403  # refused at the handshake


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChatIn(_Frame):
    type: Literal["chat"] = "chat"
    text: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]


class Description(_Frame):
    type: Literal["offer", "answer", "rollback"]
    sdp: Annotated[str, Field(max_length=FRAME_MAX_BYTES)] = ""


class Candidate(_Frame):
    candidate: Annotated[str, Field(max_length=4_096)]
    sdpMid: Annotated[str, Field(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=1_024)] | None = None
    usernameFragment: Annotated[str, Field(max_length=256)] | None = None


class SignalData(_Frame):
    """Exactly one of a session description or an ICE candidate (null: end of candidates)."""

    description: Description | None = None
    candidate: Candidate | None = None

    @model_validator(mode="after")
    def one_of(self) -> SignalData:
        if len(self.model_fields_set) != 1:
            raise ValueError("data holds exactly one of description or candidate")
        return self


class SignalIn(_Frame):
    type: Literal["signal"]
    to: uuid.UUID
    data: SignalData


class E2eeIn(_Frame):
    """A key-exchange message (public keys, wrapped keys): relayed, never read or stored."""

    type: Literal["e2ee"]
    to: uuid.UUID
    data: dict[str, Any]


FRAME: TypeAdapter[ChatIn | SignalIn | E2eeIn] = TypeAdapter(
    Annotated[ChatIn | SignalIn | E2eeIn, Field(discriminator="type")]
)


def parse_frame(text: str) -> ChatIn | SignalIn | E2eeIn | None:
    try:
        content = json.loads(text)
    except ValueError:
        return None
    if isinstance(content, dict) and "type" not in content:
        content = {"type": "chat", **content}  # the chat's first protocol had no type
    try:
        return FRAME.validate_python(content)
    except ValidationError:
        return None


def _seat_now(user: object, meeting_id: object, token_id: uuid.UUID | None) -> Seat | None:
    if token_id is not None and not token_is_live(token_id):
        return None
    return seat(user, meeting_id)


async def _seat(user: object, meeting_id: object, token_id: uuid.UUID | None) -> Seat | None:
    found: Seat | None = await database_sync_to_async(_seat_now)(user, meeting_id, token_id)
    return found


class MeetingChat(AsyncWebsocketConsumer):  # type: ignore[misc]
    lobby = False  # the lobby's path: an attendee waiting to be admitted, and nobody else
    seat: Seat | None = None
    groups_joined: list[str]
    # Who else is in the room, as this connection has heard: participant id -> its entry
    # and the channels of its connections. Held in memory for the connection's life only.
    present: dict[str, dict[str, Any]]
    since: str
    checked_at: float

    def __init__(self, *args: Any, lobby: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lobby = lobby

    async def connect(self) -> None:
        self.groups_joined = []
        self.present = {}
        meeting_id = self.scope["url_route"]["kwargs"]["meeting_id"]
        found = await _seat(self.scope.get("user"), meeting_id, self._token_id())
        if found is None or found.in_room == self.lobby:
            await self.close(code=REFUSED)
            return
        self.seat = found
        self.checked_at = time.monotonic()
        await self._join(live.group_name(found.meeting_id))
        await self._join(live.person_group(found.meeting_id, found.participant_id))
        token_id = self._token_id()
        if token_id is not None:
            await self._join(token_group(token_id))
        session = self.scope.get("session")
        if token_id is None and session is not None and session.session_key:
            await self._join(session_group(session.session_key))
        await self.accept()
        await self._send(
            {
                "type": "hello",
                "participant_id": str(found.participant_id),
                "state": "room" if found.in_room else "lobby",
            }
        )
        if found.in_room:
            await self._enter_room()

    def _token_id(self) -> uuid.UUID | None:
        value = self.scope.get("caucus_token_id")
        return value if isinstance(value, uuid.UUID) else None

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    def _me(self) -> dict[str, Any]:
        assert self.seat is not None  # noqa: S101  (set at the handshake)
        return {
            "participant_id": str(self.seat.participant_id),
            "name": self.seat.name,
            "role": self.seat.role,
            "since": self.since,
        }

    async def _enter_room(self) -> None:
        assert self.seat is not None  # noqa: S101
        self.since = timezone.now().isoformat()
        await self._join(live.room_group(self.seat.meeting_id))
        if self.seat.is_mediator:
            await self._join(live.mediators_group(self.seat.meeting_id))
        self._add_present(self._me(), self.channel_name)
        await self.channel_layer.group_send(
            live.room_group(self.seat.meeting_id),
            {"type": "room.join", "who": self._me(), "channel": self.channel_name},
        )
        await self._send_presence()

    def _add_present(self, who: dict[str, Any], channel: str) -> None:
        entry = self.present.setdefault(who["participant_id"], {"who": who, "channels": set()})
        entry["channels"].add(channel)

    async def _send_presence(self) -> None:
        people = sorted((e["who"] for e in self.present.values()), key=lambda w: w["since"])
        await self._send({"type": "presence", "present": people})

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame))

    async def _error(self, code: str, detail: str) -> None:
        await self._send({"type": "error", "error": code, "detail": detail})

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if self.seat is not None and self.seat.in_room:
            await self.channel_layer.group_send(
                live.room_group(self.seat.meeting_id),
                {
                    "type": "room.leave",
                    "participant_id": str(self.seat.participant_id),
                    "channel": self.channel_name,
                },
            )
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.seat = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.seat is None:
            return
        if text_data is None:
            await self._error("invalid", "Frames are JSON text.")
            return
        if len(text_data.encode()) > FRAME_MAX_BYTES:
            await self._error("too_large", f"A frame holds at most {FRAME_MAX_BYTES} bytes.")
            return
        if not await self._still_seated():
            return
        frame = parse_frame(text_data)
        if frame is None:
            await self._error(
                "invalid",
                f'Send {{"text": ...}} of 1 to {TEXT_MAX} characters, or a "signal" or '
                '"e2ee" frame {"type", "to", "data"}.',
            )
            return
        if not self.seat.in_room:
            await self._error("not_admitted", "The mediator admits you from the lobby first.")
            return
        if isinstance(frame, ChatIn):
            if not frame.text.strip():
                await self._error("invalid", f"Send 1 to {TEXT_MAX} characters.")
                return
            await self.channel_layer.group_send(
                live.room_group(self.seat.meeting_id),
                {
                    "type": "chat.message",
                    "from": str(self.seat.participant_id),
                    "text": frame.text,
                    "at": timezone.now().isoformat(),
                },
            )
            return
        await self._relay(frame)

    async def _relay(self, frame: SignalIn | E2eeIn) -> None:
        assert self.seat is not None  # noqa: S101
        to = str(frame.to)
        if to not in self.present or frame.to == self.seat.participant_id:
            # Addressed to nobody in this room: it goes nowhere.
            await self._error("not_in_room", "That person is not in this room.")
            return
        if isinstance(frame, SignalIn):
            data = frame.data.model_dump(exclude_unset=True)
        else:
            checked = self._key_frame(frame)
            if checked is None:
                await self._error(
                    "invalid_e2ee",
                    "A key frame must be the sender's own, shaped as the room sends it.",
                )
                return
            data = checked
        await self.channel_layer.group_send(
            live.person_group(self.seat.meeting_id, frame.to),
            {
                "type": "room.relay",
                "kind": frame.type,
                "from": str(self.seat.participant_id),
                "data": data,
            },
        )

    def _key_frame(self, frame: E2eeIn) -> dict[str, Any] | None:
        """In Janus mode the media key is agreed through these frames: only room-janus.js's
        shapes pass, `feed` must be the sender's own feed and a frame for one feed (a
        wrapped key, a request for it) must go to that feed's participant, so nobody can
        speak in someone else's name or hand a key meant for one person to another."""
        assert self.seat is not None  # noqa: S101
        if settings.CAUCUS_VIDEO != "janus":
            return frame.data
        data = janus.e2ee_frame(self.seat.meeting_id, self.seat.participant_id, frame.data)
        if data is None:
            return None
        if "to" in data and data["to"] != janus.feed_id(self.seat.meeting_id, frame.to):
            return None
        return data

    async def _still_seated(self) -> bool:
        """Re-reads the seat now and then: a lost message never keeps a socket alive."""
        assert self.seat is not None  # noqa: S101
        if time.monotonic() - self.checked_at < RECHECK_SECONDS:
            return True
        self.checked_at = time.monotonic()
        found = await _seat(self.scope.get("user"), self.seat.meeting_id, self._token_id())
        if found is None:
            await self._close(REMOVED, "removed")
            return False
        if found.in_room != self.seat.in_room:
            if found.in_room:
                await self._admitted()
            else:
                await self._close(TO_LOBBY, "lobby")
            return False
        return True

    async def _close(self, code: int, reason: str) -> None:
        await self._send({"type": "closed", "reason": reason})
        # Out of every group before the close completes: nothing more reaches this socket.
        await self._leave()
        await self.close(code=code)

    # Messages from the channel layer.

    async def chat_message(self, event: dict[str, Any]) -> None:
        if self.seat is not None and self.seat.in_room:
            await self._send(
                {"type": "chat", "from": event["from"], "text": event["text"], "at": event["at"]}
            )

    async def room_join(self, event: dict[str, Any]) -> None:
        if self.seat is None or not self.seat.in_room or event["channel"] == self.channel_name:
            return
        self._add_present(event["who"], event["channel"])
        await self.channel_layer.send(
            event["channel"], {"type": "room.here", "who": self._me(), "channel": self.channel_name}
        )
        await self._send_presence()

    async def room_here(self, event: dict[str, Any]) -> None:
        if self.seat is None or not self.seat.in_room:
            return
        self._add_present(event["who"], event["channel"])
        await self._send_presence()

    async def room_leave(self, event: dict[str, Any]) -> None:
        if self.seat is None or not self.seat.in_room:
            return
        entry = self.present.get(event["participant_id"])
        if entry is None:
            return
        entry["channels"].discard(event["channel"])
        if not entry["channels"]:
            del self.present[event["participant_id"]]
        await self._send_presence()

    async def room_relay(self, event: dict[str, Any]) -> None:
        # A connection of the addressee still in the lobby drops it: no signaling there.
        if self.seat is not None and self.seat.in_room:
            await self._send({"type": event["kind"], "from": event["from"], "data": event["data"]})

    async def room_move(self, event: dict[str, Any]) -> None:
        if self.seat is not None and self.seat.in_room:
            await self._send({"type": "move", "meeting_id": event["meeting_id"]})

    async def room_mediator_away(self, event: dict[str, Any]) -> None:
        if self.seat is not None and self.seat.in_room:
            await self._send({"type": "mediator_away"})

    async def lobby_changed(self, event: dict[str, Any]) -> None:
        if self.seat is not None and self.seat.is_mediator:
            await self._send(
                {
                    "type": "lobby",
                    "participant_id": event["participant_id"],
                    "state": event["state"],
                    "name": event["name"],
                    "attestation": event["attestation"],
                }
            )

    async def admission_granted(self, event: dict[str, Any]) -> None:
        if self.seat is None or self.seat.in_room:
            return
        # The message only prompts a fresh read: the database says whether they are in.
        found = await _seat(self.scope.get("user"), self.seat.meeting_id, self._token_id())
        if found is not None and found.in_room:
            await self._admitted()

    async def _admitted(self) -> None:
        """The lobby's connection has done its work: the attendee opens the room's."""
        await self._send({"type": "admitted"})
        await self._leave()
        await self.close(code=ADMITTED)

    async def admission_ended(self, event: dict[str, Any]) -> None:
        if self.seat is None:
            return
        if event["reason"] == "lobby":
            if self.seat.in_room:
                await self._close(TO_LOBBY, "lobby")
            return
        await self._close(REMOVED, str(event["reason"]))

    async def token_revoked(self, event: dict[str, Any]) -> None:
        if self.seat is not None:
            await self._close(REVOKED, "revoked")

    async def meeting_ended(self, event: dict[str, Any]) -> None:
        if self.seat is not None:
            await self._close(ENDED, "ended")
