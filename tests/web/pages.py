"""What the page tests share: a browser signed in as a persona, and side A's caucus started
through the services."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client

from caucus.meetings import services
from caucus.meetings.models import Meeting
from tests.conftest import Persona, World


def browser(persona: Persona) -> Client:
    """Django's test client with the persona's session (none for anonymous)."""
    client = Client(raise_request_exception=True)
    if persona.user is not None:
        client.force_login(persona.user)
    return client


def started_caucus_of_side_a(world: World, *, mode: str) -> Meeting:
    mediator = world.mediator.user
    assert mediator is not None
    meeting = services.schedule_meeting(
        mediator,
        world.case.id,
        kind="caucus",
        side_id=world.side_a,
        mode=mode,
        starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
    )
    services.start_meeting(mediator, meeting.id)
    return meeting
