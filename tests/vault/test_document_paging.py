"""The document list pages with opaque cursors (issue 18): every visible document once, newest
first, and a fixed number of queries per page whatever the number of documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caucus.cases.access import access_case
from caucus.vault.services import store_document
from tests.conftest import Persona, World

pytestmark = pytest.mark.django_db


def store_notes(who: Persona, world: World, count: int, audience: str = "side") -> list[str]:
    assert who.user is not None
    actor = access_case(who.user, world.case.id)
    side = actor.side_id if audience == "side" else None
    return [
        str(
            store_document(
                actor,
                name=f"note-{i}.txt",
                content_type="text/plain",
                chunks=[b"a note of the case\n"],
                audience_kind=audience,
                audience_side_id=side,
            ).id
        )
        for i in range(count)
    ]


def _list(who: Persona, world: World, query: str) -> Any:
    response = who.client.get(f"cases/{world.case.id}/documents?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_pages_walk_every_visible_document_once_newest_first(active_world: World) -> None:
    w = active_world
    mine = store_notes(w.party_a, w, 7)
    store_notes(w.party_b, w, 2)  # the other side's: never listed for party A
    shared = store_notes(w.mediator, w, 1, audience="case")
    seen: list[str] = []
    pages = 0
    query = "limit=3"
    while True:
        page = _list(w.party_a, w, query)
        pages += 1
        assert len(page["items"]) <= 3
        seen += [d["id"] for d in page["items"]]
        if page["next"] is None:
            break
        query = f"limit=3&cursor={page['next']}"
    assert pages == 3
    assert seen == list(reversed(mine + shared))


def test_queries_per_page_do_not_grow_with_the_case(active_world: World) -> None:
    w = active_world
    store_notes(w.party_a, w, 4)

    def first_page() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = _list(w.party_a, w, "limit=3")
        assert page["next"] is not None
        return len(ctx.captured_queries), len(page["items"])

    first_page()  # the first call of a token also records when it was last used
    few = first_page()
    store_notes(w.party_a, w, 30)
    many = first_page()
    assert few == many == (few[0], 3)


def test_a_cursor_this_api_did_not_give_out_is_400(active_world: World) -> None:
    w = active_world
    response = w.party_a.client.get(f"cases/{w.case.id}/documents?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]
