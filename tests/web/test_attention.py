"""What needs me (issue 15, deliver 3): `GET /me/attention`, the home page and the counts on
the case list, computed through the kernel so that nothing hidden is named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from caucus.cases import services
from tests.conftest import Persona, World
from tests.meetings.rooms import scheduled_meeting
from tests.personas import user
from tests.security.test_authorization_matrix import make_exchange, make_meetings
from tests.web.pages import browser


def kinds(persona: Persona) -> set[tuple[str, str]]:
    response = persona.client.get("me/attention")
    assert response.status_code == 200, response.content
    items: list[dict[str, Any]] = response.json()["items"]
    for item in items:
        assert set(item) == {"kind", "case_id", "object_id", "at", "count"}
    return {(i["kind"], i["object_id"]) for i in items}


def test_each_person_is_asked_for_what_is_theirs_and_nothing_hidden(active_world: World) -> None:
    w = active_world
    m = make_meetings(w)
    x = make_exchange(w, m)
    caucuses = {("upcoming_meeting", str(i)) for i in (m.caucus, m.scheduled, m.quiet)}
    assert kinds(w.mediator) == {
        ("admit_attendee", str(m.caucus)),
        ("answer_concern", str(x.concern)),
        ("unread_messages", str(x.message_to_mediators)),
        *caucuses,
    }
    assert kinds(w.party_a) == {
        ("confirm_item", str(m.item)),
        ("approve_disclosure", str(x.disclosure)),
        ("vote_consent", str(x.consent)),
        ("unread_messages", str(x.message_to_case)),
        *caucuses,
    }
    assert kinds(w.attorney_a) == {
        ("approve_disclosure", str(x.disclosure)),
        ("unread_messages", str(x.message_to_side_a)),
        *caucuses,
    }
    # Side B is asked about the consent, and learns nothing of side A's caucuses.
    assert kinds(w.party_b) == {("vote_consent", str(x.consent))}
    # The outsider is asked about their own case only.
    theirs = w.outsider.client.get("me/attention").json()["items"]
    assert theirs and {i["case_id"] for i in theirs} == {str(w.other_case.id)}
    assert w.anonymous.client.get("me/attention").status_code == 401


def test_onboarding_asks_each_party_for_their_own_steps(world: World) -> None:
    found = {k for k, _ in kinds(world.party_a)}
    assert {"acknowledge_structure", "sign_agreement", "answer_ground_rule"} <= found
    assert "acknowledge_structure" not in {k for k, _ in kinds(world.attorney_a)}
    assert {k for k, _ in kinds(world.mediator)} == {"sign_agreement"}


def test_a_mediator_is_asked_to_screen(intake_world: World) -> None:
    assert kinds(intake_world.mediator) == {("screen_case", str(intake_world.case.id))}
    assert kinds(intake_world.party_a) == set()


def test_the_home_page_links_each_thing_and_the_next_meetings(active_world: World) -> None:
    w = active_world
    m = make_meetings(w)
    x = make_exchange(w, m)
    page = browser(w.party_a).get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/meetings/{m.caucus}"' in text  # the item waits in its meeting
    assert f'href="/cases/{w.case.id}/disclosures"' in text
    assert f'href="/cases/{w.case.id}/consents"' in text
    assert "Your next meetings" in text and f'href="/meetings/{m.scheduled}"' in text
    other = browser(w.party_b).get("/").content.decode()
    for hidden in (m.caucus, m.scheduled, m.item, x.disclosure):
        assert str(hidden) not in other
    assert "Agree or refuse to let someone new join" in other
    assert "No meetings are scheduled for you." in other
    assert Client().get("/").status_code == 302


def test_the_case_list_counts_what_waits(active_world: World) -> None:
    w = active_world
    make_exchange(w, make_meetings(w))
    assert "3 waiting for you" in browser(w.party_a).get("/cases").content.decode()
    assert "1 waiting for you" in browser(w.party_b).get("/cases").content.decode()
    # Attorney A: the disclosure; the outsider: screening their own case, nothing of this one.
    assert "1 waiting for you" in browser(w.attorney_a).get("/cases").content.decode()
    theirs = browser(w.outsider).get("/cases").content.decode()
    assert "1 waiting for you" in theirs and w.case.title not in theirs


def test_a_closed_case_asks_nothing(active_world: World) -> None:
    w = active_world
    scheduled_meeting(w, timezone.now() + timedelta(days=1))
    assert {k for k, _ in kinds(w.party_b)} == {"upcoming_meeting"}
    services.close_case(user(w.mediator), w.case.id, outcome="impasse", note_to_parties=None)
    for persona in (w.mediator, w.party_a, w.party_b):
        assert kinds(persona) == set()


def test_closing_has_its_own_page_that_says_what_happens_and_asks_to_confirm(
    active_world: World,
) -> None:
    w = active_world
    mediator = browser(w.mediator)
    overview = mediator.get(f"/cases/{w.case.id}").content.decode()
    assert f'href="/cases/{w.case.id}/close"' in overview
    assert f'action="/cases/{w.case.id}/close"' not in overview
    page = mediator.get(f"/cases/{w.case.id}/close")
    assert page.status_code == 200
    text = page.content.decode()
    assert "cannot be undone" in text and "Every meeting of the case ends" in text
    unconfirmed = mediator.post(f"/cases/{w.case.id}/close", {"outcome": "impasse"})
    assert unconfirmed.status_code == 400 and b"Tick this box" in unconfirmed.content
    w.case.refresh_from_db()
    assert w.case.status == "active"
    done = mediator.post(f"/cases/{w.case.id}/close", {"outcome": "impasse", "confirm": "on"})
    assert done.status_code == 302
    w.case.refresh_from_db()
    assert w.case.status == "closed"
    assert browser(w.party_a).get(f"/cases/{w.case.id}/close").status_code in (403, 409)


def test_the_access_log_is_summarised_in_sentences_with_the_detail_a_click_away(
    active_world: World,
) -> None:
    w = active_world
    m = make_meetings(w)
    for _ in range(3):
        assert w.mediator.client.get(f"items/{m.item}").status_code == 200
    assert w.party_a.client.get(f"items/{m.item}").status_code == 200
    page = browser(w.party_a).get(f"/cases/{w.case.id}").content.decode()
    summary = page.split('id="access-summary"')[1].split("</ul>")[0]
    assert "Mia Mediator read an item 3 times" in summary
    assert "Ada Party read an item, last on" in summary
    assert " a item" not in page and "read a item" not in page
    assert f'href="/cases/{w.case.id}/access-log"' in page
    detail = browser(w.party_a).get(f"/cases/{w.case.id}/access-log")
    assert detail.status_code == 200
    assert detail.content.decode().count("read an item") == 4
    # Side B learns nothing of side A's reads, in the summary or the detail.
    other = browser(w.party_b)
    assert "read an item" not in other.get(f"/cases/{w.case.id}/access-log").content.decode()
    assert "read an item" not in other.get(f"/cases/{w.case.id}").content.decode()


def test_the_party_s_case_page_leads_with_what_is_next(active_world: World) -> None:
    w = active_world
    m = make_meetings(w)
    page = browser(w.party_a).get(f"/cases/{w.case.id}").content.decode()
    assert page.index('id="next-steps"') < page.index('id="people-h"')
    steps = page.split('id="next-step-list"')[1].split("</ul>")[0]
    assert f'href="/meetings/{m.caucus}"' in steps and "Confirm what stays confidential" in steps
    assert 'id="next-steps"' not in browser(w.party_b).get(f"/cases/{w.case.id}").content.decode()
