"""Practice 3 and 4: a disclosure moves only the approved wording, only when the item's party
and their attorney have all approved, and nothing else widens an audience."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caucus.audit.models import AuditEntry
from caucus.meetings.models import Item
from tests.conftest import Persona, World
from tests.disclosures.requests import expect_pending_on
from tests.meetings.rooms import admit, running

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

ORIGINAL = "Side A would take the house at 90 percent ORIGINAL-ZK1"
WORDING = "Side A is open to discussing the house WORDING-ZK2"


def caucus_item(w: World, decision: str = "may_share", confirm: bool = True) -> dict[str, Any]:
    """An item raised in side A's caucus, decided and (by default) confirmed by party A."""
    meeting = running(w, "caucus", w.side_a)
    admit(w, meeting, w.party_a)
    response = w.party_a.client.post(f"meetings/{meeting['id']}/items", {"text": ORIGINAL})
    assert response.status_code == 201, response.content
    item: dict[str, Any] = response.json()
    body: dict[str, Any] = {"decision": decision}
    if decision == "may_share_as_worded":
        body["wording"] = WORDING
    assert w.mediator.client.put(f"items/{item['id']}/decision", body).status_code == 200
    if confirm:
        assert w.party_a.client.post(f"items/{item['id']}/confirm").status_code == 200
    return item


def draft(w: World, item: dict[str, Any], to: str = "case") -> Any:
    return w.mediator.client.post(f"items/{item['id']}/disclosures", {"to": to, "text": WORDING})


def texts_seen(who: Persona, w: World) -> list[str]:
    response = who.client.get(f"cases/{w.case.id}/items")
    assert response.status_code == 200
    return [i["text"] for i in response.json()["items"]]


def test_it_names_the_party_and_their_attorney_as_approvers(active_world: World) -> None:
    w = active_world
    expect_pending_on(draft(w, caucus_item(w)), w.party_a, w.attorney_a)


def test_it_releases_only_the_wording_when_every_approver_approves(active_world: World) -> None:
    w = active_world
    item = caucus_item(w)
    disclosure = draft(w, item).json()
    assert WORDING not in " ".join(texts_seen(w.party_b, w))

    first = w.party_a.client.post(f"disclosures/{disclosure['id']}/approve")
    assert first.status_code == 200 and first.json()["status"] == "pending"
    assert WORDING not in " ".join(texts_seen(w.party_b, w))

    second = w.attorney_a.client.post(f"disclosures/{disclosure['id']}/approve")
    assert second.status_code == 200, second.content
    assert second.json()["status"] == "released"
    seen_b = texts_seen(w.party_b, w)
    assert WORDING in seen_b
    assert ORIGINAL not in " ".join(seen_b)
    # The original is untouched and stays with its side.
    assert w.party_b.client.get(f"items/{item['id']}").status_code == 404
    original = Item.objects.get(pk=item["id"])
    assert original.audience == f"side:{w.side_a}" and original.text == ORIGINAL
    released = Item.objects.get(pk=second.json()["released_item_id"])
    assert released.audience == "case"
    assert released.meeting_id is None
    assert released.source_item_id == original.id


def test_it_releases_to_one_side_only(active_world: World) -> None:
    w = active_world
    disclosure = draft(w, caucus_item(w), to=str(w.side_b)).json()
    for who in (w.party_a, w.attorney_a):
        assert who.client.post(f"disclosures/{disclosure['id']}/approve").status_code == 200
    detail = w.mediator.client.get(f"disclosures/{disclosure['id']}").json()
    assert detail["status"] == "released"
    new_item = Item.objects.get(pk=detail["released_item_id"])
    assert new_item.audience == f"side:{w.side_b}"
    assert WORDING in texts_seen(w.party_b, w)


def released_to_case(w: World) -> str:
    disclosure = draft(w, caucus_item(w)).json()
    for who in (w.party_a, w.attorney_a):
        assert who.client.post(f"disclosures/{disclosure['id']}/approve").status_code == 200
    released: str = w.mediator.client.get(f"disclosures/{disclosure['id']}").json()[
        "released_item_id"
    ]
    return released


def test_a_released_item_names_its_origin_side_only_to_that_side(active_world: World) -> None:
    """Issue 13 item 9: the wording was approved to travel, not which side's caucus said it."""
    w = active_world
    released = released_to_case(w)
    assert w.party_b.client.get(f"items/{released}").json()["origin_side_id"] is None
    listed = w.party_b.client.get(f"cases/{w.case.id}/items").json()["items"]
    assert [i["origin_side_id"] for i in listed if i["id"] == released] == [None]
    assert str(w.side_a) not in w.party_b.client.get(f"cases/{w.case.id}/items").text
    for who in (w.mediator, w.party_a, w.attorney_a):
        shown = who.client.get(f"items/{released}").json()
        assert shown["origin_side_id"] == str(w.side_a), who.name


def test_the_disclosures_page_names_a_released_items_side_only_to_that_side(
    active_world: World,
) -> None:
    from django.test import Client

    w = active_world
    released_to_case(w)
    pages = {}
    for who in (w.party_a, w.party_b):
        browser = Client()
        assert who.user is not None
        browser.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
        pages[who.name] = browser.get(f"/cases/{w.case.id}/disclosures").content.decode()
    assert WORDING in pages[w.party_b.name] and "from one side" in pages[w.party_b.name]
    assert "from Ada Party&#x27;s side" in pages[w.party_a.name]
    assert "Ada Party&#x27;s side" not in pages[w.party_b.name]


def test_one_rejection_ends_it(active_world: World) -> None:
    w = active_world
    disclosure = draft(w, caucus_item(w)).json()
    assert w.party_a.client.post(f"disclosures/{disclosure['id']}/approve").status_code == 200
    rejected = w.attorney_a.client.post(f"disclosures/{disclosure['id']}/reject")
    assert rejected.json()["status"] == "rejected"
    assert WORDING not in " ".join(texts_seen(w.party_b, w))
    late = w.party_a.client.post(f"disclosures/{disclosure['id']}/approve")
    assert late.status_code == 409


def test_it_refuses_to_disclose_a_confidential_or_unconfirmed_item(active_world: World) -> None:
    w = active_world
    kept = draft(w, caucus_item(w, "keep_confidential"))
    assert kept.status_code == 409 and kept.json()["error"] == "keep_confidential"
    unconfirmed = draft(w, caucus_item(w, "may_share", confirm=False))
    assert unconfirmed.status_code == 409
    assert unconfirmed.json()["error"] == "decision_unconfirmed"


def test_only_the_named_approvers_answer(active_world: World) -> None:
    w = active_world
    disclosure = draft(w, caucus_item(w)).json()
    assert w.mediator.client.post(f"disclosures/{disclosure['id']}/approve").status_code == 403
    # The other side does not know the disclosure exists.
    assert w.party_b.client.post(f"disclosures/{disclosure['id']}/approve").status_code == 404
    assert w.party_b.client.get(f"disclosures/{disclosure['id']}").status_code == 404
    listed = w.party_b.client.get(f"cases/{w.case.id}/disclosures").json()["items"]
    assert listed == []
    assert w.outsider.client.get(f"disclosures/{disclosure['id']}").status_code == 404


def test_an_approver_sees_the_original_beside_the_wording(active_world: World) -> None:
    w = active_world
    disclosure = draft(w, caucus_item(w)).json()
    shown = w.attorney_a.client.get(f"disclosures/{disclosure['id']}").json()
    assert shown["original"]["text"] == ORIGINAL
    assert shown["text"] == WORDING


def test_parties_may_not_draft(active_world: World) -> None:
    w = active_world
    item = caucus_item(w)
    response = w.party_a.client.post(
        f"items/{item['id']}/disclosures", {"to": "case", "text": WORDING}
    )
    assert response.status_code == 403


def test_it_audits_each_step_and_notifies_without_content(
    active_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    w = active_world
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disclosure = draft(w, caucus_item(w)).json()
        for who in (w.party_a, w.attorney_a):
            who.client.post(f"disclosures/{disclosure['id']}/approve")
    actions = set(
        AuditEntry.objects.filter(object_id=disclosure["id"]).values_list("action", flat=True)
    )
    assert {"disclosure.drafted", "disclosure.approved", "disclosure.released"} <= actions
    assert mail.outbox
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for secret in (ORIGINAL, WORDING, w.case.title, "ZK1", "ZK2"):
            assert secret not in text


def test_the_list_is_a_fixed_number_of_queries(active_world: World) -> None:
    w = active_world
    for _ in range(2):
        draft(w, caucus_item(w))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert w.mediator.client.get(f"cases/{w.case.id}/disclosures").status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    draft(w, caucus_item(w))
    assert count() == before
