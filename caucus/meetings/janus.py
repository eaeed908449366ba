"""Janus VideoRoom, driven only by Caucus (CAUCUS_VIDEO=janus).

Caucus holds the VideoRoom admin key and each room's secret. A running virtual meeting has
one room, created with recording off and locked, a secret, `require_pvtid` (nobody
subscribes without being a participant of the room), `require_e2ee` and an `allowed` list
of join tokens that Caucus keeps in step with admission: `sync_room` makes Janus match the
database (room present while the meeting runs, `allowed` = the mediators and the admitted
attendees, everyone else kicked, room destroyed once the meeting ended). It is idempotent,
so it also repairs a Janus that restarted and lost its rooms.

Nothing about a room is stored: its numeric id, its secret, each attendee's join token and
feed id are derived with HKDF from SECRET_KEY and the meeting's (and participant's) id.
Every Caucus process holding the same SECRET_KEY computes the same values, a database dump
or backup holds none of them, and no migration is needed; rotating SECRET_KEY orphans the
rooms of running meetings only (the next `sync_room` creates fresh ones)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from caucus.cases.models import Participant
from caucus.kernel.errors import Forbidden, Unavailable
from caucus.kernel.permissions import Action, can
from caucus.meetings.models import Attendance, AttendanceState, Meeting, MeetingStatus, Mode

log = logging.getLogger(__name__)

PLUGIN = "janus.plugin.videoroom"
# The VideoRoom's answer to `create` for a room that exists (another sync got there first).
ROOM_EXISTS = 427
# Ids travel to browsers as JSON numbers: keep them exact in JavaScript (53 bits).
_ID_BITS = 52


class VideoUnavailable(Unavailable):
    """Janus is down or misbehaving: the room cannot be reached now (never a 500)."""

    status = 503
    code = "video_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "video_unavailable", "The video service is unavailable; try again in a minute."
        )


class JanusError(Exception):
    """Janus refused a request; `code` is Janus's or the VideoRoom plugin's error code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


# --- Derived values ------------------------------------------------------------------------


def _derive(purpose: str, *ids: uuid.UUID, length: int = 32) -> bytes:
    info = b"caucus.janus." + purpose.encode() + b"".join(i.bytes for i in ids)
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(
        settings.SECRET_KEY.encode()
    )


def _derived_id(purpose: str, *ids: uuid.UUID) -> int:
    value = int.from_bytes(_derive(purpose, *ids, length=8), "big") >> (64 - _ID_BITS)
    return value or 1


def room_id(meeting_id: uuid.UUID) -> int:
    return _derived_id("room-id", meeting_id)


def room_secret(meeting_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(_derive("room-secret", meeting_id)).decode().rstrip("=")


def join_token(meeting_id: uuid.UUID, participant_id: uuid.UUID) -> str:
    """The token this participant's publisher handle joins with; it is in the room's
    `allowed` list exactly while they are admitted (or a mediator of the case)."""
    raw = _derive("join-token", meeting_id, participant_id, length=24)
    return base64.urlsafe_b64encode(raw).decode()


def feed_id(meeting_id: uuid.UUID, participant_id: uuid.UUID) -> int:
    """The Janus participant id Caucus assigns; any other id in the room is kicked."""
    return _derived_id("feed-id", meeting_id, participant_id)


def core_token(ttl: int | None = None, *, now: float | None = None) -> tuple[str, int]:
    """A Janus signed token (token_auth_secret): `expiry,janus,janus.plugin.videoroom` and
    its base64 HMAC-SHA1, valid for the VideoRoom plugin only. Returns it and its expiry
    (Unix seconds)."""
    secret = settings.CAUCUS_JANUS_TOKEN_SECRET
    if not secret:
        raise VideoUnavailable()
    lifetime = min(ttl or settings.CAUCUS_JANUS_TOKEN_TTL, 60)
    expiry = int(now if now is not None else time.time()) + lifetime
    data = f"{expiry},janus,{PLUGIN}"
    # Janus verifies exactly this: HMAC-SHA1 keyed with the secret over the comma list.
    signature = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(signature).decode()}", expiry


# --- The connection --------------------------------------------------------------------------


class VideoRoomHandle:
    """One Janus session with a VideoRoom handle over Janus's WebSocket, for Caucus's own
    requests (synchronous VideoRoom requests only: create, exists, allowed, kick, destroy)."""

    def __init__(self, socket: ClientConnection, timeout: float) -> None:
        self._socket = socket
        self._timeout = timeout
        self._token, _ = core_token(30)
        self._session = 0
        self._handle = 0

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        transaction = secrets.token_hex(8)
        message = {**message, "transaction": transaction, "token": self._token}
        if self._session:
            message["session_id"] = self._session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + self._timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("janus did not answer")
            reply = json.loads(self._socket.recv(timeout=left))
            if reply.get("transaction") != transaction or reply.get("janus") == "ack":
                continue
            if reply.get("janus") == "error":
                error = reply.get("error", {})
                raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
            return dict(reply)

    def open(self) -> None:
        self._session = int(self._call({"janus": "create"})["data"]["id"])
        self._handle = int(self._call({"janus": "attach", "plugin": PLUGIN})["data"]["id"])

    def close(self) -> None:
        if self._session:
            self._call({"janus": "destroy"})
            self._session = 0

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = self._call({"janus": "message", "handle_id": self._handle, "body": body})
        data = dict(reply.get("plugindata", {}).get("data", {}))
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data


@contextmanager
def videoroom() -> Iterator[VideoRoomHandle]:
    """A VideoRoom handle on Caucus's own Janus connection. Any transport failure (Janus
    down, a timeout, a malformed answer) becomes VideoUnavailable."""
    timeout = settings.CAUCUS_JANUS_TIMEOUT_MS / 1000
    try:
        with connect(
            settings.CAUCUS_JANUS_URL,
            subprotocols=[Subprotocol("janus-protocol")],
            open_timeout=timeout,
            close_timeout=timeout,
            max_size=2**20,
        ) as socket:
            handle = VideoRoomHandle(socket, timeout)
            handle.open()
            try:
                yield handle
            finally:
                handle.close()
    except (OSError, TimeoutError, WebSocketException, ValueError, KeyError) as exc:
        # The class name only: an answer from Janus could carry a token.
        log.warning("janus unreachable: %s", type(exc).__name__)
        raise VideoUnavailable() from None


# --- Keeping the room in step with the meeting ------------------------------------------------


def _in_room(meeting: Meeting) -> list[uuid.UUID]:
    """Who may be in the room: the case's mediators and the attendees admitted now."""
    admitted = set(
        Attendance.objects.filter(meeting=meeting, state=AttendanceState.ADMITTED).values_list(
            "participant_id", flat=True
        )
    )
    mediators = {
        p.id
        for p in Participant.objects.filter(case_id=meeting.case_id)
        if can(p, Action.RUN_MEETING)
    }
    return sorted(admitted | mediators)


def _needs_room(meeting: Meeting) -> bool:
    return meeting.mode == Mode.VIRTUAL and meeting.status == MeetingStatus.RUNNING


def create_params(meeting: Meeting, allowed: list[str]) -> dict[str, Any]:
    return {
        "request": "create",
        "room": room_id(meeting.id),
        "admin_key": settings.CAUCUS_JANUS_ADMIN_KEY,
        "secret": room_secret(meeting.id),
        # The room's description is visible to Janus's operator only; never the case's name.
        "description": "caucus",
        "is_private": True,
        "permanent": False,
        "publishers": settings.CAUCUS_JANUS_PUBLISHERS,
        "record": False,
        "lock_record": True,
        "require_pvtid": True,
        "require_e2ee": True,
        "notify_joining": True,
        "allowed": allowed,
    }


def sync_room(meeting_id: uuid.UUID) -> None:
    """Makes Janus match the meeting: the room exists while it runs with `allowed` listing
    exactly who may be in it, anyone else in the room is kicked, and the room is destroyed
    once the meeting has ended. Raises VideoUnavailable when Janus cannot be reached."""
    meeting = Meeting.objects.get(pk=meeting_id)
    rid = room_id(meeting.id)
    secret = room_secret(meeting.id)
    with videoroom() as janus:
        exists = bool(janus.request({"request": "exists", "room": rid}).get("exists"))
        if not _needs_room(meeting):
            if exists:
                janus.request({"request": "destroy", "room": rid, "secret": secret})
            return
        people = _in_room(meeting)
        wanted = {join_token(meeting.id, p) for p in people}
        if not exists:
            try:
                janus.request(create_params(meeting, sorted(wanted)))
                return
            except JanusError as exc:
                if exc.code != ROOM_EXISTS:
                    raise
        current = janus.request(
            {
                "request": "allowed",
                "room": rid,
                "secret": secret,
                "action": "add",
                "allowed": sorted(wanted),
            }
        )
        stale = sorted(set(current.get("allowed", [])) - wanted)
        if stale:
            janus.request(
                {
                    "request": "allowed",
                    "room": rid,
                    "secret": secret,
                    "action": "remove",
                    "allowed": stale,
                }
            )
        feeds = {feed_id(meeting.id, p) for p in people}
        listed = janus.request({"request": "listparticipants", "room": rid})
        for participant in listed.get("participants", []):
            if participant.get("id") not in feeds:
                janus.request(
                    {"request": "kick", "room": rid, "secret": secret, "id": participant["id"]}
                )


def sync_room_quietly(meeting_id: uuid.UUID) -> None:
    """For transaction.on_commit hooks: the change is committed whatever Janus says, so an
    unreachable Janus is logged, not raised. The next sync (any attendee's next token,
    every minute) repairs it, and tokens expire within a minute meanwhile."""
    try:
        sync_room(meeting_id)
    except (VideoUnavailable, JanusError) as exc:
        log.warning("janus sync failed for meeting %s: %s", meeting_id, type(exc).__name__)


def _require_in_room(meeting: Meeting, participant: Participant) -> None:
    if not _needs_room(meeting) or participant.id not in _in_room(meeting):
        raise Forbidden("not_admitted", "The mediator admits you from the lobby first.")


def janus_token(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    """A fresh core token for a browser already in the room: Janus checks one on every
    request (keepalives included), so the page renews it before `token_expires_at`. No
    call to Janus; Forbidden once the participant is no longer admitted."""
    _require_in_room(meeting, participant)
    token, expiry = core_token()
    return {"token": token, "token_expires_at": datetime.fromtimestamp(expiry, UTC).isoformat()}


def janus_connection(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    """What this participant's browser needs to join the meeting's room: Janus's public
    URL, the room, a core token valid at most a minute, the join token and the feed id to
    publish as. Only for the mediators and attendees admitted to the running meeting
    (Forbidden otherwise); VideoUnavailable when Janus cannot be reached."""
    _require_in_room(meeting, participant)
    try:
        sync_room(meeting.id)
    except JanusError as exc:
        log.warning("janus refused a room sync for meeting %s: %s", meeting.id, exc.code)
        raise VideoUnavailable() from None
    return {
        "url": settings.CAUCUS_JANUS_PUBLIC_URL,
        "room": room_id(meeting.id),
        **janus_token(meeting, participant),
        "join_token": join_token(meeting.id, participant.id),
        "feed_id": feed_id(meeting.id, participant.id),
        "e2ee": True,
    }


# --- End-to-end key agreement frames ---------------------------------------------------------

_E2EE_FIELDS: dict[str, dict[str, tuple[type, int]]] = {
    # field: (type, maximum length of a string or maximum value of an integer)
    "public": {"key": (str, 200)},
    "key": {"to": (int, 2**_ID_BITS), "epoch": (int, 255), "iv": (str, 32), "wrapped": (str, 128)},
    "want": {"to": (int, 2**_ID_BITS)},
}


def e2ee_frame(meeting_id: uuid.UUID, sender_id: uuid.UUID, frame: object) -> dict[str, Any] | None:
    """A key-agreement frame of room-janus.js ({"type": "e2ee", "kind": ...}) as the meeting
    socket may relay it, or None to drop it. Its shape and sizes are fixed, and `feed` must
    be the sender's own feed id: an attendee cannot announce a public key, or hand out a
    media key, in someone else's name. The frames hold public keys and wrapped keys only;
    like all signaling they are relayed, never stored or logged."""
    if not isinstance(frame, dict) or frame.get("type") != "e2ee":
        return None
    fields = _E2EE_FIELDS.get(str(frame.get("kind")))
    if fields is None or set(frame) != {"type", "kind", "feed", *fields}:
        return None
    if frame["feed"] != feed_id(meeting_id, sender_id):
        return None
    for name, (kind, limit) in fields.items():
        value = frame[name]
        if type(value) is not kind:
            return None
        if isinstance(value, str) and not 0 < len(value) <= limit:
            return None
        if isinstance(value, int) and not 0 <= value <= limit:
            return None
    return dict(frame)
