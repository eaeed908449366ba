"""Every list of the API pages with opaque cursors (issue 18): each visible row once, in the
list's own order, the same rows as one large page; a fixed number of queries per page
whatever the size of the case; a cursor this API did not give out for this list is 400."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caucus.cases import services as case_services
from tests.conftest import Persona, World
from tests.meetings.closeout_steps import ATTEST, meeting
from tests.vault.test_document_paging import store_notes

pytestmark = pytest.mark.django_db

Context = dict[str, str]
serial = itertools.count()


def _ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _nothing(w: World) -> Context:
    return {}


def _messages(w: World, ctx: Context, n: int) -> None:
    for i in range(n):
        body = {"body": f"message {i}", "audience": "own_side"}
        _ok(w.party_a.client.post(f"cases/{w.case.id}/messages", body))
        # The other side's: never listed for party A.
        _ok(w.party_b.client.post(f"cases/{w.case.id}/messages", body))


def _running(w: World) -> Context:
    return {"meeting": meeting(w, "joint")}


def _items(w: World, ctx: Context, n: int) -> None:
    for i in range(n):
        _ok(w.mediator.client.post(f"meetings/{ctx['meeting']}/items", {"text": f"item {i}"}))


def _document(w: World) -> Context:
    return {"document": store_notes(w.party_a, w, 1)[0]}


def _reads(w: World, ctx: Context, n: int) -> None:
    for _ in range(n):
        _ok(w.party_a.client.get(f"documents/{ctx['document']}"), 200)


def _invitations(w: World, ctx: Context, n: int) -> None:
    assert w.mediator.user is not None
    for _ in range(n):
        case_services.invite(
            w.mediator.user,
            w.case.id,
            email=f"lawyer{next(serial)}@example.test",
            name="Lou Lawyer",
            role="attorney",
            side_id=w.side_a,
        )


def _settlement(w: World) -> Context:
    body = {"text": "MEMORANDUM\n1. Ada pays Bea.\n"}
    return {"settlement": _ok(w.mediator.client.post(f"cases/{w.case.id}/settlement", body))["id"]}


def _versions(w: World, ctx: Context, n: int) -> None:
    for _ in range(n):
        text = {"text": f"MEMORANDUM\n1. Ada pays Bea {next(serial)}.\n"}
        _ok(w.mediator.client.put(f"settlement/{ctx['settlement']}", text), 200)


def _comments(w: World, ctx: Context, n: int) -> None:
    for i in range(n):
        body = {"body": f"comment {i}", "audience": "own_side"}
        _ok(w.party_a.client.post(f"settlement/{ctx['settlement']}/comments", body))
        _ok(w.party_b.client.post(f"settlement/{ctx['settlement']}/comments", body))


def _meetings(w: World, ctx: Context, n: int) -> None:
    for _ in range(n):
        meeting(w, "joint", start=False)


def _concerns(w: World, ctx: Context, n: int) -> None:
    for i in range(n):
        body = {"topic": "other", "body": f"concern {i}"}
        _ok(w.party_a.client.post(f"cases/{w.case.id}/concerns", body))
        _ok(w.party_b.client.post(f"cases/{w.case.id}/concerns", body))


def _consents(w: World, ctx: Context, n: int) -> None:
    for i in range(n):
        body = {"kind": "add_expert", "name": f"Eve Expert {i}", "purpose": "valuation"}
        body["email"] = f"expert{next(serial)}@example.test"
        _ok(w.mediator.client.post(f"cases/{w.case.id}/consents", body))


@dataclass(frozen=True)
class Listed:
    name: str
    path: str
    viewer: str
    setup: Callable[[World], Context]
    grow: Callable[[World, Context, int], None]

    def url(self, w: World, ctx: Context) -> str:
        return self.path.format(case=w.case.id, **ctx)

    def who(self, w: World) -> Persona:
        persona: Persona = getattr(w, self.viewer)
        return persona


LISTS = [
    Listed("messages", "cases/{case}/messages", "party_a", _nothing, _messages),
    Listed("items", "cases/{case}/items", "mediator", _running, _items),
    Listed("access log", "cases/{case}/access-log", "mediator", _document, _reads),
    Listed("invitations", "cases/{case}/invitations", "mediator", _nothing, _invitations),
    Listed("versions", "settlement/{settlement}/versions", "party_a", _settlement, _versions),
    Listed("comments", "settlement/{settlement}/comments", "party_a", _settlement, _comments),
    Listed("meetings", "cases/{case}/meetings", "party_a", _nothing, _meetings),
    Listed("concerns", "cases/{case}/concerns", "party_a", _nothing, _concerns),
    Listed("consents", "cases/{case}/consents", "party_b", _nothing, _consents),
]


def _get(who: Persona, url: str, query: str) -> Any:
    return _ok(who.client.get(f"{url}?{query}"), 200)


def _ids(page: Any) -> list[str]:
    return [str(row.get("number") or row.get("id") or sorted(row.items())) for row in page["items"]]


@pytest.mark.parametrize("listed", LISTS, ids=[x.name for x in LISTS])
def test_pages_walk_the_whole_list_once_in_its_order(active_world: World, listed: Listed) -> None:
    w = active_world
    ctx = listed.setup(w)
    listed.grow(w, ctx, 5)
    who, url = listed.who(w), listed.url(w, ctx)
    whole = _get(who, url, "limit=200")
    assert whole["next"] is None
    assert len(whole["items"]) >= 5
    seen: list[str] = []
    query = "limit=2"
    for _ in range(100):
        page = _get(who, url, query)
        assert 1 <= len(page["items"]) <= 2
        seen += _ids(page)
        if page["next"] is None:
            break
        query = f"limit=2&cursor={page['next']}"
    # The access log grows as it is read; every other list is as it was.
    if listed.name != "access log":
        assert seen == _ids(whole)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("listed", LISTS, ids=[x.name for x in LISTS])
def test_queries_per_page_do_not_grow_with_the_case(active_world: World, listed: Listed) -> None:
    w = active_world
    ctx = listed.setup(w)
    who, url = listed.who(w), listed.url(w, ctx)

    def first_page() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx_queries:
            page = _get(who, url, "limit=2")
        assert page["next"] is not None
        return len(ctx_queries.captured_queries), len(page["items"])

    listed.grow(w, ctx, 3)
    first_page()  # the first call of a token also records when it was last used
    few = first_page()
    listed.grow(w, ctx, 12)
    many = first_page()
    assert few == many == (few[0], 2)


def test_the_lobby_pages_in_the_order_people_came(active_world: World) -> None:
    w = active_world
    m = meeting(w, "joint")
    for who in (w.party_a, w.attorney_a, w.party_b):
        _ok(who.client.post(f"meetings/{m}/join", ATTEST), 202)
    whole = _get(w.mediator, f"meetings/{m}/attendance", "limit=200")["items"]
    first = _get(w.mediator, f"meetings/{m}/attendance", "limit=2")
    rest = _get(w.mediator, f"meetings/{m}/attendance", f"limit=2&cursor={first['next']}")
    assert first["items"] + rest["items"] == whole
    assert len(whole) == 3 and rest["next"] is None


def test_participants_page_in_the_order_they_joined(active_world: World) -> None:
    w = active_world
    url = f"cases/{w.case.id}/participants"
    whole = _get(w.party_a, url, "limit=200")["items"]
    seen, query = [], "limit=1"
    while True:
        page = _get(w.party_a, url, query)
        seen += page["items"]
        if page["next"] is None:
            break
        query = f"limit=1&cursor={page['next']}"
    assert seen == whole and len(whole) >= 4


@pytest.mark.parametrize("listed", LISTS, ids=[x.name for x in LISTS])
def test_a_cursor_this_api_did_not_give_out_for_this_list_is_400(
    active_world: World, listed: Listed
) -> None:
    w = active_world
    ctx = listed.setup(w)
    who, url = listed.who(w), listed.url(w, ctx)
    # A real cursor, of the case list: signed, but for another list.
    _ok(w.mediator.client.post("cases", {"title": "Second", "kind": "civil", "litigated": False}))
    other = _get(w.mediator, "cases", "limit=1")["next"]
    assert other
    listed.grow(w, ctx, 3)
    mine = _get(who, url, "limit=1")["next"]
    assert mine
    body, sig = mine.rsplit(":", 1)
    for bad in ("not-a-cursor", other, f"{body}:{sig[::-1]}", f"x{mine}", "a:b:c"):
        response = who.client.get(f"{url}?cursor={bad}")
        assert response.status_code == 400, (bad, response.content)
        assert "cursor" in response.json()["fields"]
    for limit in ("0", "201", "-1", "x"):
        response = who.client.get(f"{url}?limit={limit}")
        assert response.status_code == 400, (limit, response.content)
