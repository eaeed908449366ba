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


def assert_asks_before_the_one_button(
    world: World, url: str, button: str, *, actor: Persona, refused: Persona
) -> None:
    """A page that ends something for good: the one who may act sees that it cannot be undone
    and the button; `refused` (a member who may not) sees no button and is refused the post
    (403); the outsider does not learn the page exists (404)."""
    page = browser(actor).get(url).content.decode()
    assert "This cannot be undone." in page and f'id="{button}"' in page
    assert f'id="{button}"' not in browser(refused).get(url).content.decode()
    assert browser(world.outsider).get(url).status_code == 404
    assert browser(refused).post(url).status_code == 403
