"""Counts in every case tab (issue 15, deliver 3): computed in SQL, one query for them all,
each of what the viewer may see only, and the case page's queries do not grow with them."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caucus.cases.models import Participant
from caucus.meetings import services as meetings
from caucus.portal import services as portal
from caucus.settlement import services as settlement
from caucus.settlement.case_tabs import tab_counts
from caucus.vault.services import store_document
from caucus.web.views import MODEL_BACKEND
from tests.conftest import Persona, World
from tests.security.test_authorization_matrix import make_meetings, make_settlement

COUNT = re.compile(r'id="nav-(\w+)"[^>]*>[^<]*(?:<span class="count"[^>]*>(\d+))?')


def browser(persona: Persona) -> Client:
    client = Client()
    assert persona.user is not None
    client.force_login(persona.user, backend=MODEL_BACKEND)
    return client


def tabs(persona: Persona, world: World) -> dict[str, int]:
    page = browser(persona).get(f"/cases/{world.case.id}").content.decode()
    nav = page.split('class="case-nav"')[1].split("</nav>")[0]
    return {tab: int(n or 0) for tab, n in COUNT.findall(nav)}


def add_things(world: World, caucus_id: object, n: int) -> None:
    """`n` of each counted thing: items for party A to confirm, messages from party B,
    documents of the case, joint meetings."""
    mediator, party_b = world.mediator.user, world.party_b.participant
    assert mediator is not None and party_b is not None and world.party_b.user is not None
    for i in range(n):
        item = meetings.raise_item(mediator, caucus_id, text=f"Point {i}.")  # type: ignore[arg-type]
        meetings.decide_item(mediator, item.id, decision="keep_confidential", wording=None)
        portal.post_message(world.party_b.user, world.case.id, body=f"Hello {i}", audience="case")
        store_document(
            party_b,
            name=f"note-{i}.txt",
            content_type="text/plain",
            chunks=[b"a note"],
            audience_kind="case",
            audience_side_id=None,
        )
        meetings.schedule_meeting(
            mediator,
            world.case.id,
            kind="joint",
            side_id=None,
            mode="virtual",
            starts_at=timezone.now() + timedelta(days=2 + i),
        )


def test_each_tab_counts_what_waits_for_the_viewer(active_world: World) -> None:
    w = active_world
    m = make_meetings(w)
    add_things(w, m.caucus, 2)
    mine = tabs(w.party_a, w)
    # The scene's item and two more; its three caucuses and two joint meetings.
    assert (
        mine["case"] == 3
        and "count-meetings" in browser(w.party_a).get(f"/cases/{w.case.id}").content.decode()
    )
    assert party_a_counts(w) == (3, 5, 2, 2)
    # Side B: no item of side A's caucus, none of its meetings; their own messages unread
    # for nobody; the documents of the case.
    b = tab_counts(fresh(w.party_b))
    assert (b.to_confirm, b.upcoming_meetings, b.unread_messages, b.documents) == (0, 2, 0, 2)
    assert tabs(w.party_b, w)["messages"] == 0
    # Reading the messages clears their count.
    browser(w.party_a).get(f"/cases/{w.case.id}/messages")
    assert tabs(w.party_a, w)["messages"] == 0


def fresh(persona: Persona) -> Participant:
    """The participation as a page loads it (the persona's row was read before onboarding
    ended)."""
    assert persona.participant is not None
    return Participant.objects.select_related("case").get(pk=persona.participant.pk)


def party_a_counts(w: World) -> tuple[int, int, int, int]:
    c = tab_counts(fresh(w.party_a))
    return c.to_confirm, c.upcoming_meetings, c.unread_messages, c.documents


def test_the_memorandum_tab_waits_for_each_signer_until_they_sign(active_world: World) -> None:
    w = active_world
    made = make_settlement(w)
    assert tabs(w.party_a, w)["settlement"] == 1
    assert tabs(w.mediator, w)["settlement"] == 1
    assert tabs(w.attorney_a, w)["settlement"] == 0  # attorneys do not sign by default
    assert w.party_a.user is not None
    settlement.sign(
        w.party_a.user, made.settlement, typed_name="Ada Party", text_sha256=made.text_sha256
    )
    assert tabs(w.party_a, w)["settlement"] == 0
    assert tabs(w.party_b, w)["settlement"] == 1


def test_the_mediator_s_concerns_tab_counts_the_unanswered(active_world: World) -> None:
    from caucus.disclosures import services as disclosures

    w = active_world
    assert w.party_a.user is not None and w.mediator.user is not None
    concern = disclosures.raise_concern(
        w.party_a.user, w.case.id, topic="other", body="The room is too cold."
    )
    assert tabs(w.mediator, w)["concerns"] == 1
    assert tabs(w.party_a, w)["concerns"] == 0  # a party does not answer concerns
    disclosures.respond_to_concern(w.mediator.user, concern.id, body="We will fix it.")
    assert tabs(w.mediator, w)["concerns"] == 0


def test_the_counts_are_one_query(active_world: World) -> None:
    w = active_world
    m = make_meetings(w)
    add_things(w, m.caucus, 2)
    me = fresh(w.party_a)
    from caucus.kernel.permissions import allowed_actions

    with CaptureQueriesContext(connection) as kernel:
        allowed_actions(me)
    with CaptureQueriesContext(connection) as counted:
        tab_counts(me)
    assert len(counted.captured_queries) == len(kernel.captured_queries) + 1


def test_the_case_page_s_queries_do_not_grow_with_what_it_counts(active_world: World) -> None:
    w = active_world
    m = make_meetings(w)
    reader = browser(w.party_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert reader.get(f"/cases/{w.case.id}").status_code == 200
        return len(ctx.captured_queries)

    add_things(w, m.caucus, 1)
    queries()  # the first request of a session warms what later ones skip
    before = queries()
    add_things(w, m.caucus, 4)
    assert party_a_counts(w)[0] == 6
    assert queries() == before
