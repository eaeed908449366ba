"""Meetings scheduled, started and attended through the API, as the meeting tests set them
up: a running meeting, attendees admitted from the lobby; or, for tests that only need a
meeting to exist, one scheduled through the service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caucus.meetings import services
from caucus.meetings.models import Meeting
from tests.conftest import Persona, World
from tests.personas import user

ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}
STARTS_AT = "2026-12-01T10:00:00Z"


def schedule(world: World, kind: str, side: Any = None, mode: str = "virtual") -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "mode": mode, "starts_at": STARTS_AT}
    if side is not None:
        body["side_id"] = str(side)
    response = world.mediator.client.post(f"cases/{world.case.id}/meetings", body)
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def running(world: World, kind: str = "joint", side: Any = None) -> dict[str, Any]:
    meeting = schedule(world, kind, side)
    assert world.mediator.client.post(f"meetings/{meeting['id']}/start").status_code == 200
    return meeting


def started(world: World, kind: str = "joint", side: Any = None) -> Meeting:
    return Meeting.objects.get(pk=running(world, kind, side)["id"])


def start_caucus(world: World, side: Any) -> str:
    return str(running(world, "caucus", side)["id"])


def start_joint(world: World) -> str:
    return str(running(world)["id"])


AnyMeeting = Meeting | dict[str, Any] | str


def meeting_id_of(meeting: AnyMeeting) -> str:
    if isinstance(meeting, Meeting):
        return str(meeting.id)
    return meeting if isinstance(meeting, str) else str(meeting["id"])


def knock(meeting: AnyMeeting, who: Persona) -> None:
    assert who.client.post(f"meetings/{meeting_id_of(meeting)}/join", ATTEST).status_code == 202


def admit(world: World, meeting: AnyMeeting, who: Persona) -> None:
    knock(meeting, who)
    assert who.participant is not None
    response = world.mediator.client.post(
        f"meetings/{meeting_id_of(meeting)}/admit", {"participant_id": str(who.participant.id)}
    )
    assert response.status_code == 200


def scheduled_meeting(
    world: World, starts_at: datetime, kind: str = "joint", side: Any = None, mode: str = "virtual"
) -> Meeting:
    return services.schedule_meeting(
        user(world.mediator),
        world.case.id,
        kind=kind,
        side_id=side,
        mode=mode,
        starts_at=starts_at,
    )
