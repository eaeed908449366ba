"""What the page tests share: a browser signed in as a persona, and side A's caucus started
through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.test import Client

from caucus.meetings import services
from caucus.meetings.models import Item, Meeting
from tests.conftest import Persona, World
from tests.meetings.rooms import scheduled_meeting
from tests.personas import user


def browser(persona: Persona) -> Client:
    """Django's test client with the persona's session (none for anonymous)."""
    client = Client(raise_request_exception=True)
    if persona.user is not None:
        client.force_login(persona.user)
    return client


def started_caucus_of_side_a(world: World, *, mode: str) -> Meeting:
    meeting = scheduled_meeting(
        world, datetime(2026, 12, 1, 10, tzinfo=UTC), "caucus", world.side_a, mode
    )
    services.start_meeting(user(world.mediator), meeting.id)
    return meeting


@dataclass
class Caucus:
    """Side A's running caucus and an item raised in it."""

    meeting: Meeting
    item: Item
