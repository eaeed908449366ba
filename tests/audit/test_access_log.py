"""The access log (practice 17, issue 13 item 1): a side sees every read of its content,
and only reads of objects its viewer may see, so the log never tells that content hidden
from them exists."""

from __future__ import annotations

from typing import Any

from caucus.audit.models import AccessRecord
from tests.conftest import ApiClient, Persona, World
from tests.disclosures.test_consents import accept_expert, approve_all, ask
from tests.disclosures.test_disclosures import caucus_item, draft


def log_ids(client: ApiClient, w: World) -> set[str]:
    response = client.get(f"cases/{w.case.id}/access-log")
    assert response.status_code == 200, response.content
    return {e["object"]["id"] for e in response.json()["items"]}


def signed_expert_of_side_a(w: World) -> ApiClient:
    consent = ask(w, side_id=str(w.side_a)).json()
    approve_all(w, consent["id"])
    expert = accept_expert(w.mediator.client.get(f"consents/{consent['id']}").json()["invite_url"])
    for agreement in expert.get(f"cases/{w.case.id}/agreements").json()["items"]:
        signed = expert.post(
            f"agreements/{agreement['id']}/sign",
            {"typed_name": "Dana Valuer", "text_sha256": agreement["text_sha256"]},
        )
        assert signed.status_code == 201, signed.content
    return expert


def read_by_mediator(w: World, path: str) -> None:
    assert w.mediator.client.get(path).status_code == 200


def test_it_hides_from_a_retained_expert_the_reads_of_their_sides_caucus(
    active_world: World,
) -> None:
    w = active_world
    item = caucus_item(w, "keep_confidential")
    note = w.mediator.client.post(
        f"meetings/{item['meeting_id']}/notes", {"body": "Side A talked about the house."}
    ).json()
    expert = signed_expert_of_side_a(w)
    to_side = w.party_a.client.post(
        f"cases/{w.case.id}/messages", {"body": "for our side", "audience": "own_side"}
    ).json()
    for path in (f"items/{item['id']}", f"notes/{note['id']}", f"messages/{to_side['id']}"):
        read_by_mediator(w, path)

    seen = log_ids(expert, w)
    assert item["id"] not in seen and note["id"] not in seen
    assert to_side["id"] in seen  # the expert may read it, so may see who read it
    assert {item["id"], note["id"], to_side["id"]} <= log_ids(w.party_a.client, w)
    # The row is there: only the viewer decides whether it is shown.
    assert AccessRecord.objects.filter(object_id=item["id"]).exists()


def test_it_hides_from_a_party_the_reads_of_what_their_attorney_wrote_to_the_mediators(
    active_world: World,
) -> None:
    w = active_world
    message = w.attorney_a.client.post(
        f"cases/{w.case.id}/messages", {"body": "Between us.", "audience": "mediators"}
    ).json()
    read_by_mediator(w, f"messages/{message['id']}")
    assert message["id"] not in log_ids(w.party_a.client, w)
    assert message["id"] in log_ids(w.attorney_a.client, w)
    assert message["id"] not in log_ids(w.party_b.client, w)
    assert message["id"] in log_ids(w.mediator.client, w)


def test_it_shows_the_mediators_read_of_a_disclosure_draft_to_its_side(
    active_world: World,
) -> None:
    w = active_world
    disclosure = draft(w, caucus_item(w)).json()
    read_by_mediator(w, f"disclosures/{disclosure['id']}")
    for who in (w.party_a, w.attorney_a):
        assert disclosure["id"] in log_ids(who.client, w), who.name
    assert disclosure["id"] not in log_ids(w.party_b.client, w)


def test_it_shows_the_mediators_read_of_a_consent_to_the_side_it_concerns(
    active_world: World,
) -> None:
    w = active_world
    consent = ask(w, side_id=str(w.side_a)).json()
    read_by_mediator(w, f"consents/{consent['id']}")
    assert consent["id"] in log_ids(w.party_a.client, w)
    assert consent["id"] not in log_ids(w.party_b.client, w)


def reads_of(who: Persona, w: World) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = who.client.get(f"cases/{w.case.id}/access-log").json()["items"]
    return items


def test_it_shows_the_web_page_the_same_filtered_log(active_world: World) -> None:
    """The case page's "Who read" section reads the same kernel filter as the API."""
    from django.test import Client

    w = active_world
    message = w.attorney_a.client.post(
        f"cases/{w.case.id}/messages", {"body": "Between us.", "audience": "mediators"}
    ).json()
    read_by_mediator(w, f"messages/{message['id']}")
    assert reads_of(w.party_a, w) == []
    browser = Client()
    assert w.party_a.user is not None
    browser.force_login(w.party_a.user, backend="django.contrib.auth.backends.ModelBackend")
    page = browser.get(f"/cases/{w.case.id}").content.decode()
    assert 'id="access-log"' in page and "Nobody has read anything yet." in page
