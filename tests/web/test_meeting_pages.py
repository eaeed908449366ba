"""The meeting pages with Django's test client: who gets which page of a caucus with side A
(the mediator and side A see it, side B and outsiders get 404), and the forms of the
meeting page calling the same services as the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from django.test import Client

from caucus.meetings import services
from caucus.meetings.models import Item, Meeting, Note
from tests.conftest import Persona, World
from tests.meetings.rooms import scheduled_meeting
from tests.personas import user
from tests.web.pages import Caucus, browser, started_caucus_of_side_a

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

ITEM_TEXT = "Side A could accept a later move-out date"
NOTE_TEXT = "We discussed the timetable for the move."


@dataclass
class NotedCaucus(Caucus):
    note: Note


@pytest.fixture
def caucus(active_world: World) -> NotedCaucus:
    world = active_world
    mediator, party_a = user(world.mediator), user(world.party_a)
    assert world.party_a.participant is not None
    meeting = started_caucus_of_side_a(world, mode="virtual")
    services.join_meeting(
        party_a, meeting.id, private_location=True, not_recording=True, others_present=[]
    )
    services.admit(mediator, meeting.id, world.party_a.participant.id)
    item = services.raise_item(party_a, meeting.id, text=ITEM_TEXT)
    note = services.write_note(mediator, meeting.id, body=NOTE_TEXT)
    meeting.refresh_from_db()
    return NotedCaucus(meeting, item, note)


def cast(world: World) -> list[tuple[str, Persona]]:
    """Every persona under its role name (party personas are named after the person)."""
    return [
        ("anonymous", world.anonymous),
        ("outsider", world.outsider),
        ("mediator", world.mediator),
        ("party_a", world.party_a),
        ("attorney_a", world.attorney_a),
        ("party_b", world.party_b),
    ]


EXPECTED = {
    "anonymous": 302,
    "outsider": 404,
    "mediator": 200,
    "party_a": 200,
    "attorney_a": 200,
    "party_b": 404,
}


@pytest.mark.parametrize("page", ["/meetings/{id}", "/meetings/{id}/closeout"])
def test_it_shows_a_caucus_page_only_to_the_mediator_and_that_side(
    active_world: World, caucus: NotedCaucus, page: str
) -> None:
    path = page.format(id=caucus.meeting.id)
    for role, persona in cast(active_world):
        response = browser(persona).get(path)
        assert response.status_code == EXPECTED[role], (role, path)
        body = response.content.decode()
        if response.status_code == 200:
            assert ITEM_TEXT in body
        else:
            assert ITEM_TEXT not in body


def test_it_lists_the_caucus_on_the_case_page_only_for_those_who_may_attend(
    active_world: World, caucus: NotedCaucus
) -> None:
    link = f"/meetings/{caucus.meeting.id}"
    for persona in (active_world.mediator, active_world.party_a, active_world.attorney_a):
        body = browser(persona).get(f"/cases/{active_world.case.id}").content.decode()
        assert link in body, persona.name
    body = browser(active_world.party_b).get(f"/cases/{active_world.case.id}").content.decode()
    assert link not in body
    assert "Caucus with" not in body


def test_it_answers_a_records_request_with_visible_notes_and_the_statement(
    active_world: World, caucus: NotedCaucus
) -> None:
    path = f"/cases/{active_world.case.id}/records-request"
    for role, persona in cast(active_world):
        response = browser(persona).post(path)
        expected = {"anonymous": 302, "outsider": 404}.get(role, 200)
        assert response.status_code == expected, role
        if expected == 200:
            body = response.content.decode()
            assert "No recording or transcript" in body
            assert (NOTE_TEXT in body) == (role != "party_b"), role


def test_it_gives_the_mediator_lobby_and_room_and_a_party_the_attestation_form(
    active_world: World, caucus: NotedCaucus
) -> None:
    mediator = browser(active_world.mediator).get(f"/meetings/{caucus.meeting.id}")
    body = mediator.content.decode()
    assert "Lobby and attendance" in body and "Private location: yes" in body
    assert f"caucus-{caucus.meeting.room}" in body
    assert "Nothing here is kept." in body
    assert "<script src=" in body and "/static/web/chat.js" in body
    # Party A is admitted; the attorney of side A may see the caucus but must join first.
    attorney = browser(active_world.attorney_a).get(f"/meetings/{caucus.meeting.id}")
    text = attorney.content.decode()
    assert 'id="join-form"' in text and "private place" in text
    assert f"caucus-{caucus.meeting.room}" not in text and 'id="chat"' not in text


def test_it_refuses_to_end_the_caucus_before_closeout_and_names_the_items(
    active_world: World, caucus: NotedCaucus
) -> None:
    mediator = browser(active_world.mediator)
    response = mediator.post(f"/meetings/{caucus.meeting.id}/end")
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="closeout-gaps"' in body and ITEM_TEXT in body

    response = mediator.post(
        f"/items/{caucus.item.id}/decision", {"decision": "may_share_as_worded", "wording": ""}
    )
    assert response.status_code == 400
    response = mediator.post(f"/items/{caucus.item.id}/decision", {"decision": "keep_confidential"})
    assert response.status_code == 302

    party_b = browser(active_world.party_b)
    assert party_b.post(f"/items/{caucus.item.id}/confirm").status_code == 404
    party_a = browser(active_world.party_a)
    response = party_a.post(f"/items/{caucus.item.id}/confirm", {"next": "closeout"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/meetings/{caucus.meeting.id}/closeout")
    closeout = party_a.get(f"/meetings/{caucus.meeting.id}/closeout").content.decode()
    assert "Every item has a confirmed decision" in closeout

    assert mediator.post(f"/meetings/{caucus.meeting.id}/end").status_code == 302
    caucus.meeting.refresh_from_db()
    assert caucus.meeting.status == "ended"


def test_it_lets_a_party_give_feedback_and_the_mediator_revise_keeping_every_version(
    active_world: World, caucus: NotedCaucus
) -> None:
    party_a, mediator = browser(active_world.party_a), browser(active_world.mediator)
    note_id = caucus.note.id
    assert (
        browser(active_world.party_b).post(f"/notes/{note_id}/feedback", {"body": "x"}).status_code
        == 404
    )
    response = party_a.post(f"/notes/{note_id}/feedback", {"body": "It was Tuesday, not Monday."})
    assert response.status_code == 302
    feedback = caucus.note.feedback.get()
    response = mediator.post(
        f"/notes/{note_id}/revise",
        {"body": "Revised: the timetable, on Tuesday.", "resolves": [str(feedback.id)]},
    )
    assert response.status_code == 302
    body = party_a.get(f"/meetings/{caucus.meeting.id}").content.decode()
    assert "Notes, version 2" in body and "Revised: the timetable, on Tuesday." in body
    assert NOTE_TEXT in body  # version 1 is kept
    assert "resolved in version 2" in body


def test_it_schedules_a_meeting_from_the_case_page_and_rerenders_errors(
    active_world: World,
) -> None:
    mediator = browser(active_world.mediator)
    path = f"/cases/{active_world.case.id}/meetings"
    form = {"kind": "caucus", "side_id": "", "mode": "virtual", "starts_at": "2026-12-02T09:30"}
    response = mediator.post(path, form)
    assert response.status_code == 400
    assert "names the side" in response.content.decode()
    response = mediator.post(path, {**form, "side_id": str(active_world.side_b)})
    assert response.status_code == 302
    meeting = Meeting.objects.get(side_id=active_world.side_b)
    assert response["Location"] == f"/meetings/{meeting.id}"
    assert browser(active_world.party_a).get(f"/meetings/{meeting.id}").status_code == 404
    assert browser(active_world.party_b).post(path, form).status_code == 403


# issue 15: the party decides at close-out, in plain words saying who will see what.


class Closeout(NamedTuple):
    mediator: Client
    party_a: Client
    url: str
    item: uuid.UUID


@pytest.fixture
def closeout(active_world: World, caucus: NotedCaucus) -> Closeout:
    """The mediator's and party A's browsers, the caucus's close-out page and its item."""
    return Closeout(
        browser(active_world.mediator),
        browser(active_world.party_a),
        f"/meetings/{caucus.meeting.id}/closeout",
        caucus.item.id,
    )


def test_the_closeout_page_offers_the_party_only_choices_as_narrow_or_narrower(
    active_world: World, closeout: Closeout
) -> None:
    mediator, party_a, url, item = closeout
    mediator.post(f"/items/{item}/decision", {"decision": "keep_confidential"})
    page = party_a.get(url).content.decode()
    assert f'id="choice-{item}-proposal"' in page
    assert f'id="choice-{item}-own_wording"' not in page
    assert "Only you, your attorney and the mediator will ever see it" in page

    mediator.post(f"/items/{item}/decision", {"decision": "may_share"})
    page = party_a.get(url).content.decode()
    for value in ("proposal", "own_wording", "keep_confidential"):
        assert f'id="choice-{item}-{value}"' in page
    assert "only in words you and your attorney approve first" in page
    # The mediator sees no choice to make, the attorney neither: the party decides.
    assert f'id="choice-{item}-proposal"' not in mediator.get(url).content.decode()
    attorney = browser(active_world.attorney_a)
    assert f'id="choice-{item}-proposal"' not in attorney.get(url).content.decode()


def test_the_party_narrows_with_own_wording_and_the_mediator_accepts_it(
    active_world: World, closeout: Closeout
) -> None:
    mediator, party_a, url, item = closeout
    mediator.post(f"/items/{item}/decision", {"decision": "may_share"})
    missing = party_a.post(
        f"/items/{item}/confirm", {"next": "closeout", "choice": "own_wording", "wording": ""}
    )
    assert missing.status_code == 400
    assert "Give the wording that may be shared." in missing.content.decode()
    own = "Ada may be flexible on dates."
    done = party_a.post(
        f"/items/{item}/confirm", {"next": "closeout", "choice": "own_wording", "wording": own}
    )
    assert done.status_code == 302
    row = Item.objects.get(pk=item)
    assert (row.decision, row.confirmed, row.proposed_wording) == ("keep_confidential", True, own)
    page = mediator.get(url).content.decode()
    assert own in page and f'action="/items/{item}/accept-wording"' in page
    assert party_b_cannot_see(active_world, url)
    assert party_a.post(f"/items/{item}/accept-wording").status_code == 403
    assert mediator.post(f"/items/{item}/accept-wording", {"next": "closeout"}).status_code == 302
    row.refresh_from_db()
    assert (row.decision, row.wording, row.confirmed) == ("may_share_as_worded", own, True)


def test_the_party_keeps_an_item_confidential_from_the_closeout_page(
    active_world: World, caucus: NotedCaucus
) -> None:
    mediator, party_a = browser(active_world.mediator), browser(active_world.party_a)
    item = caucus.item.id
    mediator.post(f"/items/{item}/decision", {"decision": "may_share"})
    done = party_a.post(
        f"/items/{item}/confirm", {"next": "closeout", "choice": "keep_confidential"}
    )
    assert done.status_code == 302
    row = Item.objects.get(pk=item)
    assert (row.decision, row.confirmed) == ("keep_confidential", True)


def party_b_cannot_see(world: World, url: str) -> bool:
    return bool(browser(world.party_b).get(url).status_code == 404)


def test_the_notes_pdf_is_a_link_on_the_meeting_page(
    active_world: World, caucus: NotedCaucus
) -> None:
    party_a = browser(active_world.party_a)
    page = party_a.get(f"/meetings/{caucus.meeting.id}").content.decode()
    link = f'href="/api/v1/notes/{caucus.note.id}/pdf"'
    assert link in page
    pdf = party_a.get(f"/api/v1/notes/{caucus.note.id}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (
        browser(active_world.party_b).get(f"/api/v1/notes/{caucus.note.id}/pdf").status_code == 404
    )


def test_the_item_help_says_who_sees_it_in_a_caucus_and_in_a_joint_meeting(
    active_world: World, caucus: NotedCaucus
) -> None:
    mediator = browser(active_world.mediator)
    page = mediator.get(f"/meetings/{caucus.meeting.id}").content.decode()
    assert "Only this side and the mediator see it." in page
    joint = scheduled_meeting(active_world, caucus.meeting.starts_at, mode="in_person")
    services.start_meeting(user(active_world.mediator), joint.id)
    page = mediator.get(f"/meetings/{joint.id}").content.decode()
    assert "Everyone in the case sees it: this is a joint meeting." in page
    assert "In a caucus" not in page and "this side and the mediator" not in page


def test_sharing_with_everyone_says_the_expert_is_included(
    active_world: World, caucus: NotedCaucus
) -> None:
    from caucus.cases.models import Participant
    from caucus.web.meeting_views import disclose_form_for

    people = {
        p.id: (p.user.name, p.side_id, p.role)
        for p in Participant.objects.filter(case=active_world.case).select_related("user")
    }
    form = disclose_form_for(caucus.item, people)
    assert ("case", "Everyone in the case") in form.fields["to"].widget.choices
    some = next(iter(people))
    people[some] = ("Vera Valuer", None, "expert")
    form = disclose_form_for(caucus.item, people)
    choices = form.fields["to"].widget.choices
    assert ("case", "Everyone in the case, the expert included") in choices
