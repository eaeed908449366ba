"""Practice 11: nobody new without every party's consent; one denial denies."""

from __future__ import annotations

from typing import Any

import pytest

from caucus.accounts.models import User
from caucus.cases.models import Participant
from tests.conftest import ApiClient, World
from tests.disclosures.requests import expect_pending_on
from tests.disclosures.test_disclosures import caucus_item
from tests.meetings.rooms import ATTEST, running

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

EXPERT_EMAIL = "valuer@example.com"


def ask(w: World, **extra: Any) -> Any:
    body = {
        "kind": "add_expert",
        "name": "Dana Valuer",
        "email": EXPERT_EMAIL,
        "purpose": "Value the house",
        **extra,
    }
    return w.mediator.client.post(f"cases/{w.case.id}/consents", body)


def approve_all(w: World, consent_id: str) -> Any:
    last = None
    for who in (w.party_a, w.party_b):
        last = who.client.post(f"consents/{consent_id}/approve")
        assert last.status_code == 200, last.content
    return last


def accept_expert(invite_url: str) -> ApiClient:
    token = invite_url.rsplit("/", 1)[-1]
    response = ApiClient(None).post(
        "invitations/accept",
        {"token": token, "name": "Dana Valuer", "password": "a long expert passphrase 42"},
    )
    assert response.status_code == 201, response.content
    return ApiClient(response.json()["token"])


def test_it_asks_every_party(active_world: World) -> None:
    expect_pending_on(ask(active_world), active_world.party_a, active_world.party_b)


def test_one_denial_denies(active_world: World) -> None:
    w = active_world
    consent = ask(w).json()
    assert w.party_a.client.post(f"consents/{consent['id']}/approve").status_code == 200
    denied = w.party_b.client.post(f"consents/{consent['id']}/deny")
    assert denied.json()["status"] == "denied"
    assert denied.json()["invite_url"] is None
    assert w.party_a.client.post(f"consents/{consent['id']}/approve").status_code == 409


def test_only_parties_answer(active_world: World) -> None:
    w = active_world
    consent = ask(w).json()
    assert w.attorney_a.client.post(f"consents/{consent['id']}/approve").status_code == 403
    assert w.mediator.client.post(f"consents/{consent['id']}/approve").status_code == 403
    assert w.outsider.client.post(f"consents/{consent['id']}/approve").status_code == 404


def test_granted_expert_gets_an_invitation_for_the_mediator_only(active_world: World) -> None:
    w = active_world
    consent = ask(w).json()
    last = approve_all(w, consent["id"])
    assert last.json()["status"] == "granted"
    # The last approval is a party's: the link is not theirs.
    assert last.json()["invite_url"] is None
    assert last.json()["email"] is None
    shown = w.mediator.client.get(f"consents/{consent['id']}").json()
    assert shown["invite_url"].startswith("http")
    assert shown["email"] == EXPERT_EMAIL


def test_a_retained_expert_signs_first_then_sees_case_content_and_their_side_messages(
    active_world: World,
) -> None:
    w = active_world
    private = caucus_item(w, "keep_confidential")
    consent = ask(w, side_id=str(w.side_a)).json()
    approve_all(w, consent["id"])
    url = w.mediator.client.get(f"consents/{consent['id']}").json()["invite_url"]
    expert = accept_expert(url)
    # Nothing before both agreements are signed.
    refused = expert.get(f"cases/{w.case.id}/items")
    assert refused.status_code == 409 and refused.json()["error"] == "agreements_unsigned"
    for agreement in expert.get(f"cases/{w.case.id}/agreements").json()["items"]:
        signed = expert.post(
            f"agreements/{agreement['id']}/sign",
            {"typed_name": "Dana Valuer", "text_sha256": agreement["text_sha256"]},
        )
        assert signed.status_code == 201, signed.content
    assert expert.get(f"cases/{w.case.id}/items").json()["items"] == []
    assert expert.get(f"items/{private['id']}").status_code == 404
    w.party_a.client.post(
        f"cases/{w.case.id}/messages", {"body": "for our side", "audience": "own_side"}
    )
    w.party_a.client.post(f"cases/{w.case.id}/messages", {"body": "to all", "audience": "case"})
    bodies = {m["body"] for m in expert.get(f"cases/{w.case.id}/messages").json()["items"]}
    assert bodies == {"for our side", "to all"}
    user = User.objects.get(email=EXPERT_EMAIL)
    participant = Participant.objects.get(user=user, case=w.case)
    assert participant.role == "expert" and participant.side_id == w.side_a


def test_a_neutral_expert_belongs_to_no_side(active_world: World) -> None:
    w = active_world
    consent = ask(w).json()
    approve_all(w, consent["id"])
    url = w.mediator.client.get(f"consents/{consent['id']}").json()["invite_url"]
    accept_expert(url)
    participant = Participant.objects.get(user__email=EXPERT_EMAIL, case=w.case)
    assert participant.side_id is None


def test_a_granted_guest_may_be_named_in_the_attestation(active_world: World) -> None:
    w = active_world
    meeting = running(w, "joint")
    with_guest = {"attestation": {**ATTEST["attestation"], "others_present": ["Sam Support"]}}
    refused = w.party_a.client.post(f"meetings/{meeting['id']}/join", with_guest)
    assert refused.status_code == 409 and refused.json()["error"] == "guest_consent_required"
    consent = w.mediator.client.post(
        f"cases/{w.case.id}/consents",
        {
            "kind": "admit_guest",
            "name": "Sam  Support",
            "purpose": "Support person",
            "meeting_id": meeting["id"],
        },
    ).json()
    approve_all(w, consent["id"])
    joined = w.party_a.client.post(f"meetings/{meeting['id']}/join", with_guest)
    assert joined.status_code == 202, joined.content


def test_a_guest_for_a_caucus_does_not_reveal_which_caucus(active_world: World) -> None:
    w = active_world
    caucus = running(w, "caucus", w.side_a)
    consent = w.mediator.client.post(
        f"cases/{w.case.id}/consents",
        {"kind": "admit_guest", "name": "Sam", "purpose": "x", "meeting_id": caucus["id"]},
    ).json()
    seen_b = w.party_b.client.get(f"consents/{consent['id']}").json()
    assert seen_b["meeting_id"] is None
    assert caucus["id"] not in w.party_b.client.get(f"cases/{w.case.id}/consents").text
    assert w.party_a.client.get(f"consents/{consent['id']}").json()["meeting_id"] == caucus["id"]


def test_it_validates_the_request(active_world: World) -> None:
    w = active_world
    no_email = ask(w, email=None)
    assert no_email.status_code == 400 and "email" in no_email.json()["fields"]
    no_meeting = w.mediator.client.post(
        f"cases/{w.case.id}/consents", {"kind": "admit_guest", "name": "Sam", "purpose": "x"}
    )
    assert no_meeting.status_code == 400 and "meeting_id" in no_meeting.json()["fields"]
    assert (
        w.party_a.client.post(
            f"cases/{w.case.id}/consents",
            {"kind": "add_expert", "name": "X", "email": "x@example.com", "purpose": "x"},
        ).status_code
        == 403
    )
