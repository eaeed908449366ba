"""API.md's "Disclosures, consents, concerns, messages" and the close call, checked from
outside: an HTTP client against a real `caucus serve`, with bearer tokens, in both
confidentiality structures. Side A is a party with an attorney, side B a party alone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.browser import PARTY_PASSWORD, unique_email
from tests.e2e.conftest import MEDIATOR_PASSWORD, LiveServer
from tests.e2e.test_meetings_browser import Api, Person, token_for

pytestmark = pytest.mark.e2e

STRUCTURES = ("permission_required", "shared_unless_marked")
ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}
ORIGINAL = "Ada would take 90 percent of the orchard ORIGINAL-QX1"
WORDING = "Side A is open to dividing the orchard WORDING-QX2"
PRIVATE_NOTE = "Ada hid the second orchard from Ben NOTE-QX3"


@dataclass
class Member:
    person: Person
    participant_id: str

    @property
    def api(self) -> Api:
        return self.person.api


@dataclass
class Mediation:
    server: LiveServer
    id: str
    structure: str
    mediator: Member
    party_a: Member
    attorney_a: Member
    party_b: Member
    side_a: str
    side_b: str

    def caucus_a(self) -> str:
        """A running virtual caucus with side A."""
        meeting = self.mediator.api.call(
            "POST",
            f"/cases/{self.id}/meetings",
            {
                "kind": "caucus",
                "side_id": self.side_a,
                "mode": "virtual",
                "starts_at": "2026-12-01T10:00:00Z",
            },
            expect_status=201,
        )
        self.mediator.api.call("POST", f"/meetings/{meeting['id']}/start")
        meeting_id: str = meeting["id"]
        return meeting_id

    def item(self, meeting_id: str, text: str, decision: str, *, confirm: bool = True) -> str:
        """An item of side A's caucus with the mediator's decision, confirmed by party A."""
        item = self.mediator.api.call(
            "POST", f"/meetings/{meeting_id}/items", {"text": text}, expect_status=201
        )
        assert item["audience"] == f"side:{self.side_a}"
        body: dict[str, Any] = {"decision": decision}
        if decision == "may_share_as_worded":
            body["wording"] = "A worded version."
        self.mediator.api.call("PUT", f"/items/{item['id']}/decision", body)
        if confirm:
            assert self.party_a.api.call("POST", f"/items/{item['id']}/confirm")["confirmed"]
        item_id: str = item["id"]
        return item_id

    def texts(self, who: Member) -> list[str]:
        return [i["text"] for i in who.api.call("GET", f"/cases/{self.id}/items")["items"]]


def answer(who: Member, method: str, path: str, body: Any = None) -> httpx.Response:
    """The raw response, for calls whose status depends on the structure."""
    return httpx.request(method, who.api.url + path, json=body, headers=who.api.headers, timeout=30)


def accept(server: LiveServer, invite_url: str, name: str) -> Member:
    token = urlsplit(invite_url).path.removeprefix("/invite/")
    response = httpx.post(
        f"{server.url}/api/v1/invitations/accept",
        json={"token": token, "name": name, "password": PARTY_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Member(Person(name, "", Api(server, body["token"])), body["participant_id"])


def invite(
    server: LiveServer, mediator: Api, case_id: str, name: str, role: str, side_id: str | None
) -> Member:
    body: dict[str, Any] = {"email": unique_email(role), "name": name, "role": role}
    if side_id is not None:
        body["side_id"] = side_id
    made = mediator.call("POST", f"/cases/{case_id}/invitations", body, expect_status=201)
    return accept(server, made["invite_url"], name)


def sign_everything(mediation: Mediation, *members: Member) -> None:
    agreements = mediation.mediator.api.call("GET", f"/cases/{mediation.id}/agreements")["items"]
    assert {a["kind"] for a in agreements} == {"agreement_to_mediate", "confidentiality"}
    for member in members:
        for agreement in agreements:
            member.api.call(
                "POST",
                f"/agreements/{agreement['id']}/sign",
                {"typed_name": member.person.name, "text_sha256": agreement["text_sha256"]},
                expect_status=201,
            )


@pytest.fixture(scope="module")
def mediator_person(caucus_server: LiveServer) -> Person:
    email = unique_email("mediator")
    caucus_server.create_mediator(email, "Mara Mediator", mfa=False)
    token = token_for(caucus_server, email, MEDIATOR_PASSWORD)
    return Person("Mara Mediator", email, Api(caucus_server, token))


@pytest.fixture(params=STRUCTURES, name="m")
def mediation(
    request: pytest.FixtureRequest, caucus_server: LiveServer, mediator_person: Person
) -> Mediation:
    """An active case in the given structure, set up by API as the contract says."""
    structure: str = request.param
    server, med = caucus_server, mediator_person.api
    case = med.call(
        "POST",
        "/cases",
        {"title": f"Orchard {uuid.uuid4().hex[:6]}", "kind": "civil", "litigated": True},
        expect_status=201,
    )
    case_id = case["id"]
    med.call("POST", f"/cases/{case_id}/screening", {"decision": "accept"})
    party_a = invite(server, med, case_id, "Ada Appleby", "party", None)
    party_b = invite(server, med, case_id, "Ben Birch", "party", None)
    side_a = party_a.api.call("GET", f"/cases/{case_id}")["my_side_id"]
    side_b = party_b.api.call("GET", f"/cases/{case_id}")["my_side_id"]
    attorney_a = invite(server, med, case_id, "Abe Attorney", "attorney", side_a)
    me = med.call("GET", f"/cases/{case_id}")
    mediator = Member(mediator_person, me["my_participant_id"])
    med.call("PUT", f"/cases/{case_id}/confidentiality-structure", {"policy": structure})
    for party in (party_a, party_b):
        party.api.call("POST", f"/cases/{case_id}/confidentiality-structure/acknowledge")
    mediation = Mediation(
        server, case_id, structure, mediator, party_a, attorney_a, party_b, side_a, side_b
    )
    sign_everything(mediation, mediator, party_a, attorney_a, party_b)
    for party in (party_a, party_b):
        for rule in med.call("GET", f"/cases/{case_id}/ground-rules")["items"]:
            party.api.call("POST", f"/ground-rules/{rule['id']}/agree")
    shown = med.call("GET", f"/cases/{case_id}")
    assert shown["status"] == "active", shown["onboarding"]
    assert shown["confidentiality_structure"] == structure
    return mediation


# --- Disclosures ------------------------------------------------------------------------


def test_it_releases_only_the_approved_wording_after_every_approver(m: Mediation) -> None:
    med, a, att, b = m.mediator, m.party_a, m.attorney_a, m.party_b
    item_id = m.item(m.caucus_a(), ORIGINAL, "may_share_as_worded")
    assert ORIGINAL not in m.texts(b)

    draft = med.api.call(
        "POST", f"/items/{item_id}/disclosures", {"to": "case", "text": WORDING}, expect_status=201
    )
    assert draft["status"] == "pending"
    assert set(draft["approvers"]) == {a.participant_id, att.participant_id}
    did = draft["id"]
    # Each approver sees the original beside the proposed wording.
    shown = att.api.call("GET", f"/disclosures/{did}")
    assert shown["text"] == WORDING and shown["original"]["text"] == ORIGINAL
    # The other side cannot learn that a disclosure exists.
    b.api.call("GET", f"/disclosures/{did}", expect_status=404)
    assert b.api.call("GET", f"/cases/{m.id}/disclosures")["items"] == []
    med.api.call("POST", f"/disclosures/{did}/approve", expect_status=403)

    first = a.api.call("POST", f"/disclosures/{did}/approve")
    assert first["status"] == "pending"
    seen_b = " ".join(m.texts(b))
    assert WORDING not in seen_b and ORIGINAL not in seen_b

    released = att.api.call("POST", f"/disclosures/{did}/approve")
    assert released["status"] == "released"
    new_id = released["released_item_id"]
    items_b = b.api.call("GET", f"/cases/{m.id}/items")["items"]
    assert [i["text"] for i in items_b] == [WORDING]
    assert items_b[0]["id"] == new_id and items_b[0]["audience"] == "case"
    assert ORIGINAL not in str(items_b)
    assert b.api.call("GET", f"/items/{new_id}")["text"] == WORDING
    # The original is unchanged and stays with side A.
    b.api.call("GET", f"/items/{item_id}", expect_status=404)
    original = a.api.call("GET", f"/items/{item_id}")
    assert original["text"] == ORIGINAL and original["audience"] == f"side:{m.side_a}"


def test_one_rejection_ends_a_disclosure(m: Mediation) -> None:
    item_id = m.item(m.caucus_a(), ORIGINAL, "may_share_as_worded")
    draft = m.mediator.api.call(
        "POST",
        f"/items/{item_id}/disclosures",
        {"to": m.side_b, "text": WORDING},
        expect_status=201,
    )
    did = draft["id"]
    m.attorney_a.api.call("POST", f"/disclosures/{did}/approve")
    assert m.party_a.api.call("POST", f"/disclosures/{did}/reject")["status"] == "rejected"
    m.party_a.api.call("POST", f"/disclosures/{did}/approve", expect_status=409)
    seen_b = " ".join(m.texts(m.party_b))
    assert WORDING not in seen_b and ORIGINAL not in seen_b
    assert m.mediator.api.call("GET", f"/disclosures/{did}")["released_item_id"] is None


def test_it_refuses_to_disclose_what_is_kept_confidential(m: Mediation) -> None:
    item_id = m.item(m.caucus_a(), ORIGINAL, "keep_confidential")
    refused = m.mediator.api.call(
        "POST", f"/items/{item_id}/disclosures", {"to": "case", "text": WORDING}, expect_status=409
    )
    assert refused["error"] == "keep_confidential"
    assert ORIGINAL not in " ".join(m.texts(m.party_b))


def test_a_may_share_item_follows_the_structure(m: Mediation) -> None:
    """`shared_unless_marked`: a confirmed `may_share` item is the case's at confirmation, so
    there is nothing left to disclose. `permission_required`: it waits for a disclosure."""
    item_id = m.item(m.caucus_a(), ORIGINAL, "may_share")
    drafted = answer(
        m.mediator, "POST", f"/items/{item_id}/disclosures", {"to": "case", "text": WORDING}
    )
    if m.structure == "shared_unless_marked":
        assert m.texts(m.party_b) == [ORIGINAL]
        assert drafted.status_code == 409, drafted.text
        assert isinstance(drafted.json()["error"], str)
    else:
        assert m.texts(m.party_b) == []
        assert drafted.status_code == 201, drafted.text
        assert drafted.json()["status"] == "pending"


# --- Consents -----------------------------------------------------------------------------


def test_a_consented_expert_signs_and_then_sees_only_case_content(m: Mediation) -> None:
    med, a, att, b = m.mediator, m.party_a, m.attorney_a, m.party_b
    kept = m.item(m.caucus_a(), ORIGINAL, "keep_confidential")
    side_note = a.api.call(
        "POST",
        f"/cases/{m.id}/messages",
        {"body": "For side A only", "audience": "own_side"},
        expect_status=201,
    )
    case_note = b.api.call(
        "POST",
        f"/cases/{m.id}/messages",
        {"body": "For everyone", "audience": "case"},
        expect_status=201,
    )
    consent = med.api.call(
        "POST",
        f"/cases/{m.id}/consents",
        {
            "kind": "add_expert",
            "name": "Vera Valuer",
            "email": unique_email("expert"),
            "purpose": "To value the orchard.",
        },
        expect_status=201,
    )
    assert consent["status"] == "pending"
    assert set(consent["approvers"]) == {a.participant_id, b.participant_id}
    cid = consent["id"]
    att.api.call("POST", f"/consents/{cid}/approve", expect_status=403)
    assert a.api.call("POST", f"/consents/{cid}/approve")["status"] == "pending"
    assert med.api.call("GET", f"/consents/{cid}")["invite_url"] is None
    granted = b.api.call("POST", f"/consents/{cid}/approve")
    assert granted["status"] == "granted"
    assert granted["invite_url"] is None  # the invitation is the mediator's to send
    invite_url = med.api.call("GET", f"/consents/{cid}")["invite_url"]
    assert invite_url

    expert = accept(m.server, invite_url, "Vera Valuer")
    blocked = answer(expert, "GET", f"/cases/{m.id}/items")
    assert blocked.status_code == 409 and blocked.json()["error"] == "agreements_unsigned"
    sign_everything(m, expert)
    assert m.texts(expert) == []
    expert.api.call("GET", f"/items/{kept}", expect_status=404)
    messages = expert.api.call("GET", f"/cases/{m.id}/messages")["items"]
    assert [x["id"] for x in messages] == [case_note["id"]]
    expert.api.call("GET", f"/messages/{side_note['id']}", expect_status=404)
    assert expert.api.call("GET", f"/cases/{m.id}/meetings")["items"] == []


def test_an_expert_retained_by_a_side_also_reads_what_that_side_sends(m: Mediation) -> None:
    """Issue 5: an expert sees `case` content plus what their own side shares with them,
    never that side's caucus items."""
    med, a, b = m.mediator, m.party_a, m.party_b
    kept = m.item(m.caucus_a(), ORIGINAL, "keep_confidential")
    to_side = a.api.call(
        "POST",
        f"/cases/{m.id}/messages",
        {"body": "Valuer, see the deeds", "audience": "own_side"},
        expect_status=201,
    )
    consent = med.api.call(
        "POST",
        f"/cases/{m.id}/consents",
        {
            "kind": "add_expert",
            "name": "Sid Surveyor",
            "email": unique_email("expert"),
            "purpose": "To survey the boundary for side A.",
            "side_id": m.side_a,
        },
        expect_status=201,
    )
    for party in (a, b):
        party.api.call("POST", f"/consents/{consent['id']}/approve")
    invite_url = med.api.call("GET", f"/consents/{consent['id']}")["invite_url"]
    expert = accept(m.server, invite_url, "Sid Surveyor")
    sign_everything(m, expert)
    me = expert.api.call("GET", f"/cases/{m.id}")
    assert me["my_role"] == "expert" and me["my_side_id"] == m.side_a
    listed = expert.api.call("GET", f"/cases/{m.id}/messages")["items"]
    assert [x["id"] for x in listed] == [to_side["id"]]
    assert m.texts(expert) == []
    expert.api.call("GET", f"/items/{kept}", expect_status=404)
    assert expert.api.call("GET", f"/cases/{m.id}/meetings")["items"] == []


def test_one_denial_denies_a_consent(m: Mediation) -> None:
    consent = m.mediator.api.call(
        "POST",
        f"/cases/{m.id}/consents",
        {
            "kind": "add_expert",
            "name": "Pat Pensions",
            "email": unique_email("expert"),
            "purpose": "To value a pension.",
        },
        expect_status=201,
    )
    cid = consent["id"]
    assert m.party_a.api.call("POST", f"/consents/{cid}/deny")["status"] == "denied"
    m.party_b.api.call("POST", f"/consents/{cid}/approve", expect_status=409)
    shown = m.mediator.api.call("GET", f"/consents/{cid}")
    assert shown["status"] == "denied" and shown["invite_url"] is None


def test_a_granted_guest_may_be_named_in_the_attestation(m: Mediation) -> None:
    med, a, b = m.mediator, m.party_a, m.party_b
    joint = med.api.call(
        "POST",
        f"/cases/{m.id}/meetings",
        {"kind": "joint", "mode": "virtual", "starts_at": "2026-12-02T10:00:00Z"},
        expect_status=201,
    )
    mid = joint["id"]
    med.api.call("POST", f"/meetings/{mid}/start")
    with_guest = {"attestation": {**ATTEST["attestation"], "others_present": ["Gus Guest"]}}
    early = b.api.call("POST", f"/meetings/{mid}/join", with_guest, expect_status=409)
    assert early["error"] == "guest_consent_required"
    consent = med.api.call(
        "POST",
        f"/cases/{m.id}/consents",
        {
            "kind": "admit_guest",
            "name": "Gus Guest",
            "purpose": "Ben's interpreter.",
            "meeting_id": mid,
        },
        expect_status=201,
    )
    cid = consent["id"]
    assert set(consent["approvers"]) == {a.participant_id, b.participant_id}
    for party in (a, b):
        party.api.call("POST", f"/consents/{cid}/approve")
    granted = med.api.call("GET", f"/consents/{cid}")
    assert granted["status"] == "granted" and granted["invite_url"] is None
    assert b.api.call("POST", f"/meetings/{mid}/join", with_guest, expect_status=202) == {
        "state": "lobby"
    }
    stranger = {"attestation": {**ATTEST["attestation"], "others_present": ["Sam Stranger"]}}
    refused = a.api.call("POST", f"/meetings/{mid}/join", stranger, expect_status=409)
    assert refused["error"] == "guest_consent_required"


# --- Concerns and messages ------------------------------------------------------------------


def test_a_concern_is_seen_by_the_mediators_and_the_raisers_side(m: Mediation) -> None:
    med, a, att, b = m.mediator, m.party_a, m.attorney_a, m.party_b
    concern = a.api.call(
        "POST",
        f"/cases/{m.id}/concerns",
        {"topic": "impartiality", "body": "The mediator knows Ben's brother."},
        expect_status=201,
    )
    assert concern["audience"] == f"side:{m.side_a}"
    answered = med.api.call(
        "POST", f"/concerns/{concern['id']}/respond", {"body": "We met once, years ago."}
    )
    assert [r["body"] for r in answered["responses"]] == ["We met once, years ago."]
    a.api.call("POST", f"/concerns/{concern['id']}/respond", {"body": "x"}, expect_status=403)
    seen = att.api.call("GET", f"/concerns/{concern['id']}")
    assert seen["responses"][0]["body"] == "We met once, years ago."
    b.api.call("GET", f"/concerns/{concern['id']}", expect_status=404)
    assert b.api.call("GET", f"/cases/{m.id}/concerns")["items"] == []
    own = b.api.call(
        "POST",
        f"/cases/{m.id}/concerns",
        {"topic": "safety", "body": "I would rather not sit in one room."},
        expect_status=201,
    )
    assert [c["id"] for c in a.api.call("GET", f"/cases/{m.id}/concerns")["items"]] == [
        concern["id"]
    ]
    listed = {c["id"] for c in med.api.call("GET", f"/cases/{m.id}/concerns")["items"]}
    assert listed == {concern["id"], own["id"]}
    bad = answer(a, "POST", f"/cases/{m.id}/concerns", {"topic": "money", "body": "x"})
    assert bad.status_code == 400 and "topic" in bad.json()["fields"]


def test_a_message_reaches_its_audience_only(m: Mediation) -> None:
    med, a, att, b = m.mediator, m.party_a, m.attorney_a, m.party_b

    def send(who: Member, body: str, audience: str) -> dict[str, Any]:
        message: dict[str, Any] = who.api.call(
            "POST",
            f"/cases/{m.id}/messages",
            {"body": body, "audience": audience},
            expect_status=201,
        )
        return message

    to_mediators = send(a, "A to the mediators", "mediators")
    to_side_a = send(a, "A to side A", "own_side")
    to_case = send(a, "A to everyone", "case")
    to_side_b = send(b, "B to side B", "own_side")
    assert to_mediators["audience"] == "mediators"
    assert to_side_a["audience"] == f"side:{m.side_a}"
    assert to_case["audience"] == "case"
    assert to_side_b["audience"] == f"side:{m.side_b}"
    every = [to_mediators, to_side_a, to_case, to_side_b]
    readers = {
        "mediator": (med, every),
        "party_a": (a, [to_mediators, to_side_a, to_case]),
        "attorney_a": (att, [to_side_a, to_case]),
        "party_b": (b, [to_case, to_side_b]),
    }
    for name, (who, expected) in readers.items():
        listed = who.api.call("GET", f"/cases/{m.id}/messages")["items"]
        assert [x["body"] for x in listed] == [x["body"] for x in expected], name
        for message in every:
            status = 200 if message in expected else 404
            who.api.call("GET", f"/messages/{message['id']}", expect_status=status)
    bad = answer(a, "POST", f"/cases/{m.id}/messages", {"body": "x", "audience": "side:x"})
    assert bad.status_code == 400, bad.text


# --- Closing --------------------------------------------------------------------------------


def test_a_withdrawal_shows_the_parties_a_neutral_statement_only(m: Mediation) -> None:
    med, a, b = m.mediator, m.party_a, m.party_b
    meeting_id = m.caucus_a()
    closed = med.api.call(
        "POST",
        f"/cases/{m.id}/close",
        {"outcome": "mediator_withdrew", "private_note": PRIVATE_NOTE},
    )
    assert closed["status"] == "closed" and closed["outcome"] == "mediator_withdrew"
    assert closed["closing_note"] == PRIVATE_NOTE
    closed_at = datetime.fromisoformat(closed["closed_at"].replace("Z", "+00:00"))
    purge_after = datetime.fromisoformat(closed["purge_after"].replace("Z", "+00:00"))
    assert purge_after.utcoffset() == timedelta(0)
    retention = int(m.server.env.get("CAUCUS_RETENTION_DAYS", "180"))
    assert purge_after - closed_at == timedelta(days=retention)
    assert purge_after > datetime.now(UTC)
    for party in (a, b):
        response = answer(party, "GET", f"/cases/{m.id}")
        assert response.status_code == 200
        assert "NOTE-QX3" not in response.text
        shown = response.json()
        assert shown["status"] == "closed" and shown["outcome"] == "mediator_withdrew"
        assert shown["closing_statement"] and "withdrawn" in shown["closing_statement"]
        assert shown["closing_note"] is None
        assert shown["purge_after"] == closed["purge_after"]
    assert med.api.call("GET", f"/meetings/{meeting_id}")["status"] == "ended"
