"""Unread messages in "what needs me" (issue 15, deliver 3): a read marker per participant,
moved when they open the conversation; counts and ids only, of messages they may see."""

from __future__ import annotations

from typing import Any

from django.test import Client

from caucus.portal import services as portal
from caucus.portal.models import MessagesRead
from caucus.web.views import MODEL_BACKEND
from tests.conftest import Persona, World


def browser(persona: Persona) -> Client:
    client = Client()
    assert persona.user is not None
    client.force_login(persona.user, backend=MODEL_BACKEND)
    return client


def post(persona: Persona, world: World, audience: str, body: str = "Tuesday at ten?") -> str:
    assert persona.user is not None
    return str(portal.post_message(persona.user, world.case.id, body=body, audience=audience).id)


def unread_rows(persona: Persona) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = persona.client.get("me/attention").json()["items"]
    return [i for i in items if i["kind"] == "unread_messages"]


def test_it_counts_the_messages_others_wrote_until_the_conversation_is_read(
    active_world: World,
) -> None:
    w = active_world
    first = post(w.party_b, w, "case", "A secret-free note one.")
    post(w.party_b, w, "case", "A secret-free note two.")
    [row] = unread_rows(w.party_a)
    assert (row["case_id"], row["object_id"], row["count"]) == (str(w.case.id), first, 2)
    assert unread_rows(w.party_b) == []  # one's own messages are never unread
    assert w.party_a.client.get(f"cases/{w.case.id}/messages").status_code == 200
    assert unread_rows(w.party_a) == []
    newer = post(w.mediator, w, "case")
    [row] = unread_rows(w.party_a)
    assert (row["object_id"], row["count"]) == (newer, 1)
    # The web page of the conversation reads it too.
    assert browser(w.party_a).get(f"/cases/{w.case.id}/messages").status_code == 200
    assert unread_rows(w.party_a) == []
    assert MessagesRead.objects.filter(participant=w.party_a.participant).count() == 1


def test_it_counts_only_what_the_person_may_see(active_world: World) -> None:
    w = active_world
    post(w.party_a, w, "own_side")
    post(w.party_a, w, "mediators")
    assert unread_rows(w.party_b) == []  # side A's messages are not hinted at, not by a count
    assert [r["count"] for r in unread_rows(w.attorney_a)] == [1]
    assert [r["count"] for r in unread_rows(w.mediator)] == [2]
    assert unread_rows(w.outsider) == []


def test_the_home_page_and_the_case_list_show_the_count_without_content(
    active_world: World,
) -> None:
    w = active_world
    for n in range(3):
        post(w.party_b, w, "case", f"Proposal number {n} for the house.")
    home = browser(w.party_a).get("/").content.decode()
    assert "Read 3 new messages" in home
    assert f'href="/cases/{w.case.id}/messages"' in home
    assert "Proposal number" not in home
    cases = browser(w.party_a).get("/cases").content.decode()
    assert "3 unread messages" in cases and "Proposal number" not in cases
    assert "unread message" not in browser(w.party_b).get("/cases").content.decode()


def test_reading_an_older_page_does_not_make_newer_messages_unread(
    active_world: World,
) -> None:
    from caucus.portal.models import Message
    from caucus.portal.unread import mark_read

    w = active_world
    post(w.party_b, w, "case", "Older.")
    post(w.party_b, w, "case", "Newer.")
    me = w.party_a.participant
    assert me is not None
    older, newer = Message.objects.filter(case=w.case).order_by("created_at")
    mark_read(me, [newer])
    mark_read(me, [older])
    assert unread_rows(w.party_a) == []
