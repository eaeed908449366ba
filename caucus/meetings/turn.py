"""TURN credentials for coturn's `use-auth-secret` (the TURN REST API).

The username is `<expiry>:<random id>`: coturn checks the expiry itself, and the random id
(fresh for each credential) links nothing to a person, so coturn's logs hold no name, email
or participant id. The credential is base64(HMAC-SHA1(secret, username)), which coturn
recomputes from the shared secret. Credentials are minted only for the mediators and the
attendees admitted to a running virtual meeting, and live CAUCUS_TURN_TTL seconds."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

from django.conf import settings

from caucus.cases.models import Participant
from caucus.kernel.errors import Forbidden
from caucus.meetings.models import Meeting, MeetingStatus, Mode
from caucus.meetings.rooms import can_see_room


def credential(username: str, secret: str) -> str:
    # coturn verifies exactly this (RFC draft "TURN REST API", section 2.2).
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def mint(*, ttl: int | None = None, now: float | None = None) -> tuple[str, str]:
    """A fresh (username, credential) pair valid for `ttl` seconds from `now`."""
    expiry = int(now if now is not None else time.time()) + (ttl or settings.CAUCUS_TURN_TTL)
    username = f"{expiry}:{secrets.token_urlsafe(12)}"
    return username, credential(username, settings.CAUCUS_TURN_SECRET)


def ice_servers_for(meeting: Meeting, participant: Participant) -> list[dict[str, Any]]:
    """The RTCPeerConnection `iceServers` for this participant in this meeting: TURN with a
    short-lived credential when CAUCUS_TURN_URLS and CAUCUS_TURN_SECRET are set, else none.
    Forbidden unless they are a mediator or an admitted attendee of the running meeting."""
    if (
        meeting.mode != Mode.VIRTUAL
        or meeting.status != MeetingStatus.RUNNING
        or meeting.case_id != participant.case_id
        or not can_see_room(participant, meeting)
    ):
        raise Forbidden("not_admitted", "The mediator admits you from the lobby first.")
    if not settings.CAUCUS_TURN_URLS or not settings.CAUCUS_TURN_SECRET:
        return []
    username, password = mint()
    return [{"urls": list(settings.CAUCUS_TURN_URLS), "username": username, "credential": password}]
