"""The close-out page and `POST /meetings/{id}/end` agree in every state (issue 14).

Each state is built through the API as the personas of tests/conftest.py. Then the close-out
page is read as the mediator and as party A, the meeting page as the mediator, and the end
is tried through the API: the page lists exactly the `missing` the API refuses with, and
offers "End meeting" exactly when the API then ends the meeting."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from pytest_django.fixtures import DjangoAssertNumQueries

from caucus.meetings import selectors
from caucus.meetings.models import Meeting
from tests.conftest import Persona, World
from tests.meetings.closeout_steps import confirm, decide, draft_to_case, meeting, raise_item
from tests.meetings.rooms import admit

MISSING = re.compile(r'data-missing="([^"]+)"')
pytestmark = pytest.mark.usefixtures("fast_passwords")


@dataclass
class State:
    meeting_id: str
    # What the test knows it built, as the API's `missing` writes it ("decision:<item>"):
    # the page and the API must both say exactly this.
    expected: list[str]


def browser(persona: Persona) -> Client:
    client = Client()
    assert persona.user is not None
    client.force_login(persona.user)
    return client


def no_items(w: World) -> State:
    return State(meeting(w, "caucus", w.side_a), [])


def undecided(w: World) -> State:
    caucus = meeting(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    item = raise_item(w, caucus, "Ada would keep the car.", who=w.party_a)
    return State(caucus, [f"decision:{item}"])


def decided_not_confirmed(w: World) -> State:
    caucus = meeting(w, "caucus", w.side_a)
    item = raise_item(w, caucus, "Ada would keep the car.")
    decide(w, item)
    return State(caucus, [f"confirmation:{item}"])


def decided_and_confirmed(w: World) -> State:
    caucus = meeting(w, "caucus", w.side_a)
    item = raise_item(w, caucus, "Ada would keep the car.")
    decide(w, item, "may_share")
    confirm(w, item)
    return State(caucus, [])


def decided_again_after_confirmation(w: World) -> State:
    """A new decision needs the party's confirmation again."""
    caucus = meeting(w, "caucus", w.side_a)
    item = raise_item(w, caucus, "Ada would keep the car.")
    decide(w, item)
    confirm(w, item)
    decide(w, item, "may_share")
    return State(caucus, [f"confirmation:{item}"])


def mixed(w: World) -> State:
    caucus = meeting(w, "caucus", w.side_a)
    first = raise_item(w, caucus, "First: Ada would keep the car.")
    second = raise_item(w, caucus, "Second: Ada could wait a year.")
    third = raise_item(w, caucus, "Third: Ada fears the move.")
    fourth = raise_item(w, caucus, "Fourth: Ada wants the dog.")
    decide(w, second)
    decide(w, third, "may_share_as_worded")
    confirm(w, third)
    decide(w, fourth, "may_share")
    # In the order raised, whatever the order decided.
    return State(caucus, [f"decision:{first}", f"confirmation:{second}", f"confirmation:{fourth}"])


def disclosed(w: World) -> State:
    """A confirmed item released to the case by a disclosure: the released copy belongs to
    no meeting, and the original stays confirmed, so the caucus may end."""
    caucus = meeting(w, "caucus", w.side_a)
    item = raise_item(w, caucus, "Ada could wait a year for the money.")
    decide(w, item, "may_share_as_worded")
    confirm(w, item)
    drafted = draft_to_case(w, item, "Side A is flexible on timing.")
    for approver in (w.party_a, w.attorney_a):
        approved = approver.client.post(f"disclosures/{drafted['id']}/approve")
        assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "released"
    return State(caucus, [])


def joint_with_open_items(w: World) -> State:
    """A joint meeting has no close-out: its items do not keep it from ending."""
    joint = meeting(w, "joint")
    decide(w, raise_item(w, joint, "We agree to meet weekly."))
    raise_item(w, joint, "The house is the main issue.")
    return State(joint, [])


def scheduled(w: World) -> State:
    return State(meeting(w, "caucus", w.side_a, start=False), [])


def ended(w: World) -> State:
    caucus = meeting(w, "caucus", w.side_a)
    item = raise_item(w, caucus, "Ada would keep the car.")
    decide(w, item)
    confirm(w, item)
    assert w.mediator.client.post(f"meetings/{caucus}/end").status_code == 200
    return State(caucus, [])


STATES: dict[str, Callable[[World], State]] = {
    "caucus, no items": no_items,
    "caucus, an item undecided": undecided,
    "caucus, decided not confirmed": decided_not_confirmed,
    "caucus, decided and confirmed": decided_and_confirmed,
    "caucus, decided again after confirmation": decided_again_after_confirmation,
    "caucus, mixed": mixed,
    "caucus, a confirmed item disclosed": disclosed,
    "joint meeting with open items": joint_with_open_items,
    "caucus, scheduled": scheduled,
    "caucus, ended": ended,
}


def page(persona: Persona, path: str) -> tuple[list[str], bool]:
    """What a page shows: the missing codes it lists, and whether it offers the end."""
    response = browser(persona).get(path)
    assert response.status_code == 200, (persona.name, path)
    body = response.content.decode()
    return MISSING.findall(body), 'id="end-meeting"' in body


@pytest.mark.parametrize("state", list(STATES))
def test_it_shows_on_the_close_out_page_exactly_what_the_end_refuses_with(
    active_world: World, state: str
) -> None:
    w = active_world
    built = STATES[state](w)
    closeout = f"/meetings/{built.meeting_id}/closeout"
    missing, offers_end = page(w.mediator, closeout)
    assert missing == built.expected
    # The meeting page offers the end exactly when the close-out page does.
    assert page(w.mediator, f"/meetings/{built.meeting_id}")[1] == offers_end
    # Side A sees the same list on its close-out page; only the mediator ends a meeting.
    if Meeting.objects.get(pk=built.meeting_id).kind == "caucus":
        assert page(w.party_a, closeout) == (missing, False)

    status_before = Meeting.objects.get(pk=built.meeting_id).status
    answer = w.mediator.client.post(f"meetings/{built.meeting_id}/end")
    if offers_end:
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == "ended"
        # Once ended, neither page offers the end any more.
        assert page(w.mediator, closeout) == ([], False)
        return
    assert answer.status_code == 409, answer.content
    refusal = answer.json()
    if missing:
        assert refusal["error"] == "closeout_incomplete"
        assert refusal["missing"] == missing
        assert refusal["items"] == [code.split(":", 1)[1] for code in missing]
        # The meeting page, refused the same way, names the same items.
        shown = browser(w.mediator).post(f"/meetings/{built.meeting_id}/end")
        assert shown.status_code == 409
        assert MISSING.findall(shown.content.decode()) == missing
    else:
        assert refusal["error"] == "meeting_not_running"
    assert Meeting.objects.get(pk=built.meeting_id).status == status_before


def test_it_computes_the_close_out_of_many_meetings_in_one_query(
    active_world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    w = active_world
    states = [decided_not_confirmed(w), undecided(w), joint_with_open_items(w), no_items(w)]
    meetings = list(Meeting.objects.filter(pk__in=[s.meeting_id for s in states]))
    with django_assert_num_queries(1):
        checks = selectors.closeouts(meetings)
    by_id = {str(check.meeting_id): check.codes for check in checks}
    assert [by_id[s.meeting_id] for s in states] == [s.expected for s in states]
