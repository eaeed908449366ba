"""The meeting room's video: what an admitted attendee needs to connect, and nothing for
anyone else. There is no recording, transcription or streaming path in any provider
(practice 8), and no third-party server: "mesh" connects the browsers to one another
(WebRTC, DTLS-SRTP end to end), signaled over the meeting's own WebSocket; "janus" goes
through the Janus SFU that Caucus drives (caucus.meetings.janus)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from caucus.cases.models import Participant
from caucus.kernel.errors import Conflict
from caucus.meetings import janus, turn
from caucus.meetings.models import Meeting, MeetingStatus, Mode

# What the room answer holds is valid this long; the page asks again for a fresh one.
ANSWER_LIFETIME = timedelta(minutes=1)


def provider_for(meeting: Meeting) -> str:
    return "none" if meeting.mode == Mode.IN_PERSON else str(settings.CAUCUS_VIDEO)


def ice_servers(meeting: Meeting, participant: Participant) -> list[dict[str, Any]]:
    """STUN/TURN servers for this admitted attendee's browser (RTCIceServer dicts): coturn
    with short-lived credentials when configured; without one, none, and browsers on one
    network, or with public addresses, connect directly."""
    return turn.ice_servers_for(meeting, participant)


def janus_connection(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    """What this admitted attendee needs to join the meeting's Janus room (its short-lived
    join token among it); 503 `video_unavailable` when Janus cannot be reached."""
    return janus.janus_connection(meeting, participant)


def janus_token(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    """A fresh Janus core token for an admitted attendee's page (Janus checks one on every
    request and it lives at most a minute). Forbidden once they are no longer admitted;
    409 `not_janus` when this meeting's video does not go through Janus."""
    if provider_for(meeting) != "janus":
        raise Conflict("not_janus", "This meeting's video does not use the video server.")
    return janus.janus_token(meeting, participant)


def room_for(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    """The room answer for an admitted attendee or a mediator (the caller checked that)."""
    provider = provider_for(meeting)
    answer: dict[str, Any] = {
        "provider": provider,
        # The meeting's own unguessable token, never the case's title; a caucus is a meeting
        # of its own, so it always has a room of its own.
        "room": f"caucus-{meeting.room}" if provider != "none" else None,
        "recording": False,
        "transcription": False,
        "live_streaming": False,
    }
    if provider == "none":
        return answer
    # Credentials are minted only for a running meeting: a mediator looking at a scheduled
    # or ended one gets the room's description and nothing to connect with.
    running = meeting.status == MeetingStatus.RUNNING
    answer.update(
        {
            "signaling": f"/ws/meetings/{meeting.id}/",
            "ice_servers": ice_servers(meeting, participant) if running else [],
            # Mesh media is end to end between browsers by DTLS-SRTP; Janus adds encoded
            # transforms under a key the participants agree among themselves.
            "e2ee": {
                "media": "dtls-srtp" if provider == "mesh" else "insertable-streams",
                "key_exchange": None if provider == "mesh" else "ecdh-p256",
            },
            "expires_at": (timezone.now() + ANSWER_LIFETIME).isoformat(),
        }
    )
    if provider == "janus" and running:
        answer["janus"] = janus_connection(meeting, participant)
    return answer
