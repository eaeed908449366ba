"""The live side of a meeting: what the services tell the open sockets once a change is
committed. Every message goes through the channel layer to the connections of one meeting
(or of one person in it, or of one API token) and to nothing else; nothing is stored.

Groups:
- `meeting.<id>`: every connection to the meeting, in the room or in the lobby (its end);
- `meeting.<id>.room`: every connection in the room (chat, presence, signaling);
- `meeting.<id>.p.<participant>`: every connection of one person to this meeting, in the
  room or waiting in the lobby (admission, refusal, removal, addressed signaling);
- `meeting.<id>.mediators`: the mediators' connections (lobby knocks);
- `token.<id>` (caucus.accounts.live): every connection opened with one API token."""

from __future__ import annotations

import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def group_name(meeting_id: uuid.UUID) -> str:
    return f"meeting.{meeting_id.hex}"


def room_group(meeting_id: uuid.UUID) -> str:
    return f"meeting.{meeting_id.hex}.room"


def person_group(meeting_id: uuid.UUID, participant_id: uuid.UUID) -> str:
    return f"meeting.{meeting_id.hex}.p.{participant_id.hex}"


def mediators_group(meeting_id: uuid.UUID) -> str:
    return f"meeting.{meeting_id.hex}.mediators"


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, message)


def _on_commit(group: str, message: dict[str, Any]) -> None:
    # Sent only once the change is committed: a rolled-back admission admits nobody.
    transaction.on_commit(lambda: _send(group, message))


def close_meeting(meeting_id: uuid.UUID) -> None:
    """Tells every open connection of the meeting to close."""
    _send(group_name(meeting_id), {"type": "meeting.ended"})


def meeting_ended_on_commit(meeting_id: uuid.UUID) -> None:
    transaction.on_commit(lambda: close_meeting(meeting_id))


def admission_ended(meeting_id: uuid.UUID, participant_id: uuid.UUID, reason: str) -> None:
    """Closes every connection of this person to this meeting (`reason`: lobby, removed,
    left), once the change is committed."""
    _on_commit(
        person_group(meeting_id, participant_id), {"type": "admission.ended", "reason": reason}
    )


def admitted(meeting_id: uuid.UUID, participant_id: uuid.UUID) -> None:
    _on_commit(person_group(meeting_id, participant_id), {"type": "admission.granted"})


def lobby_changed(
    meeting_id: uuid.UUID,
    participant_id: uuid.UUID,
    *,
    state: str,
    name: str,
    attestation: dict[str, Any] | None,
) -> None:
    """Tells the mediators' connections that someone knocked, was admitted or left."""
    _on_commit(
        mediators_group(meeting_id),
        {
            "type": "lobby.changed",
            "participant_id": str(participant_id),
            "state": state,
            "name": name,
            "attestation": attestation,
        },
    )


def invite_to_move(meeting_id: uuid.UUID, participant_id: uuid.UUID, to: uuid.UUID) -> None:
    """Asks one person in a joint meeting to move to the caucus the mediator opened."""
    _on_commit(
        person_group(meeting_id, participant_id), {"type": "room.move", "meeting_id": str(to)}
    )


def mediator_away(meeting_id: uuid.UUID, participant_id: uuid.UUID) -> None:
    """Tells one person that the mediator is in a private session: never with whom."""
    _on_commit(person_group(meeting_id, participant_id), {"type": "room.mediator_away"})
