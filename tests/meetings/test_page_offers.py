"""The meeting page offers joining and raising an item exactly when the API then lets the
viewer do it (issue 14): the page reads the kernel's `allowed_actions` and the same meeting
guards the services raise (caucus/meetings/guards.py), so it cannot drift from them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Persona, World
from tests.meetings.closeout_steps import meeting
from tests.meetings.rooms import ATTEST, admit

pytestmark = pytest.mark.usefixtures("fast_passwords")


def page(persona: Persona, meeting_id: str) -> str:
    client = Client()
    assert persona.user is not None
    client.force_login(persona.user)
    response = client.get(f"/meetings/{meeting_id}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def scheduled(w: World, kind: str) -> str:
    return meeting(w, kind, w.side_a if kind == "caucus" else None, start=False)


def running(w: World, kind: str) -> str:
    return meeting(w, kind, w.side_a if kind == "caucus" else None)


def in_lobby(w: World, kind: str) -> str:
    m = running(w, kind)
    assert w.party_a.client.post(f"meetings/{m}/join", ATTEST).status_code == 202
    return m


def admitted(w: World, kind: str) -> str:
    m = running(w, kind)
    admit(w, m, w.party_a)
    return m


def ended(w: World, kind: str) -> str:
    m = running(w, kind)
    assert w.mediator.client.post(f"meetings/{m}/end").status_code == 200
    return m


STATES: list[Callable[[World, str], str]] = [scheduled, running, in_lobby, admitted, ended]


@pytest.mark.parametrize("kind", ["joint", "caucus"])
@pytest.mark.parametrize("state", STATES, ids=lambda s: s.__name__)
def test_the_page_offers_raising_an_item_exactly_when_the_api_allows_it(
    active_world: World, state: Callable[[World, str], str], kind: str
) -> None:
    w = active_world
    m = state(w, kind)
    for who in (w.mediator, w.party_a, w.attorney_a):
        offered = 'id="raise-form"' in page(who, m)
        raised = who.client.post(f"meetings/{m}/items", {"text": "An offer on the house."})
        assert raised.status_code in (201, 403, 409), raised.content
        assert offered == (raised.status_code == 201), (who.name, raised.content)


@pytest.mark.parametrize("kind", ["joint", "caucus"])
@pytest.mark.parametrize("state", [scheduled, running, ended], ids=lambda s: s.__name__)
def test_the_page_offers_joining_exactly_when_the_api_allows_it(
    active_world: World, state: Callable[[World, str], str], kind: str
) -> None:
    w = active_world
    m = state(w, kind)
    for who in (w.party_a, w.attorney_a):
        offered = 'id="join-form"' in page(who, m)
        joined = who.client.post(f"meetings/{m}/join", ATTEST)
        assert joined.status_code in (202, 403, 409), joined.content
        assert offered == (joined.status_code == 202), (who.name, joined.content)
