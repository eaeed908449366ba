"""The pages of issue 5 with Django's test client: disclosures, consents, concerns, messages
and the close form. Each form's error paths answer 400 (invalid input, with the field error
on the page) or 409 (the state forbids it, with the reason), never 500; each success
redirects to the page that shows the result."""

from __future__ import annotations

import pytest

from caucus.disclosures import services as disclosures
from caucus.disclosures.models import Disclosure
from caucus.meetings import services
from tests.conftest import World
from tests.personas import user
from tests.web.pages import Caucus, browser, started_caucus_of_side_a

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

ORIGINAL = "Ada would take the house if Ben keeps the pension"
WORDING = "One side is open to an exchange of assets"


@pytest.fixture
def caucus(active_world: World) -> Caucus:
    """Side A's caucus with one item its party confirmed as shareable as worded."""
    world = active_world
    mediator, party_a = user(world.mediator), user(world.party_a)
    meeting = started_caucus_of_side_a(world, mode="in_person")
    item = services.raise_item(mediator, meeting.id, text=ORIGINAL)
    services.decide_item(mediator, item.id, decision="may_share_as_worded", wording=WORDING)
    services.confirm_item(party_a, item.id)
    return Caucus(meeting, item)


def draft(world: World, caucus: Caucus) -> Disclosure:
    return disclosures.draft_disclosure(
        user(world.mediator), caucus.item.id, to="case", text=WORDING
    )


def test_it_offers_the_draft_form_prefilled_with_the_confirmed_wording(
    active_world: World, caucus: Caucus
) -> None:
    page = browser(active_world.mediator).get(f"/meetings/{caucus.meeting.id}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Draft a disclosure" in html
    assert f"/items/{caucus.item.id}/disclose" in html
    assert WORDING in html
    party_page = browser(active_world.party_a).get(f"/meetings/{caucus.meeting.id}")
    assert f"/items/{caucus.item.id}/disclose" not in party_page.content.decode()


@pytest.mark.parametrize(
    ("body", "pending", "status", "reasons"),
    [
        (
            {"to": "case", "text": ""},
            False,
            400,
            [b"This field is required.", b'aria-invalid="true"'],
        ),
        ({"to": "not-a-side", "text": WORDING}, False, 400, [b"the id of a side of this case"]),
        ({"to": "case", "text": WORDING}, True, 409, [b"awaits approval"]),
    ],
    ids=["empty wording", "unknown target", "second pending draft"],
)
def test_it_answers_a_draft_it_cannot_take_with_400_or_409_and_the_reason(
    active_world: World,
    caucus: Caucus,
    body: dict[str, str],
    pending: bool,
    status: int,
    reasons: list[bytes],
) -> None:
    if pending:
        draft(active_world, caucus)
    response = browser(active_world.mediator).post(f"/items/{caucus.item.id}/disclose", body)
    assert response.status_code == status
    for reason in reasons:
        assert reason in response.content


def test_it_drafts_and_redirects_to_the_disclosures_page(
    active_world: World, caucus: Caucus
) -> None:
    client = browser(active_world.mediator)
    response = client.post(f"/items/{caucus.item.id}/disclose", {"to": "case", "text": WORDING})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/cases/{active_world.case.id}/disclosures#")
    page = client.get(f"/cases/{active_world.case.id}/disclosures")
    assert ORIGINAL.encode() in page.content and WORDING.encode() in page.content


def test_it_releases_only_the_wording_to_the_other_side(
    active_world: World, caucus: Caucus
) -> None:
    d = draft(active_world, caucus)
    page_url = f"/cases/{active_world.case.id}/disclosures"
    party_b = browser(active_world.party_b)
    before = party_b.get(page_url)
    assert before.status_code == 200
    assert WORDING.encode() not in before.content and ORIGINAL.encode() not in before.content
    for approver in (active_world.party_a, active_world.attorney_a):
        client = browser(approver)
        assert b"Approve this wording" in client.get(page_url).content
        assert client.post(f"/disclosures/{d.id}/approve").status_code == 302
    after = party_b.get(page_url)
    assert WORDING.encode() in after.content
    assert ORIGINAL.encode() not in after.content


def test_it_answers_a_second_answer_with_409(active_world: World, caucus: Caucus) -> None:
    d = draft(active_world, caucus)
    client = browser(active_world.party_a)
    assert client.post(f"/disclosures/{d.id}/reject").status_code == 302
    again = client.post(f"/disclosures/{d.id}/approve")
    assert again.status_code == 409
    assert b"rejected" in again.content


def test_it_hides_a_disclosure_from_the_other_side_as_404(
    active_world: World, caucus: Caucus
) -> None:
    d = draft(active_world, caucus)
    assert browser(active_world.party_b).post(f"/disclosures/{d.id}/approve").status_code == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {"kind": "add_expert", "name": "Eve Expert", "email": "", "purpose": "Valuation"},
            b"An expert is invited by email",
        ),
        (
            {"kind": "bring_a_friend", "name": "Eve", "purpose": "x", "meeting_id": "nope"},
            b"Select a valid choice",
        ),
    ],
    ids=["expert without an email", "unknown kind"],
)
def test_it_answers_a_consent_form_it_cannot_take_with_400_and_the_reason(
    active_world: World, body: dict[str, str], reason: bytes
) -> None:
    response = browser(active_world.mediator).post(f"/cases/{active_world.case.id}/consents", body)
    assert response.status_code == 400
    assert reason in response.content


def test_it_grants_an_expert_and_shows_the_link_to_the_mediator_only(
    active_world: World,
) -> None:
    url = f"/cases/{active_world.case.id}/consents"
    mediator = browser(active_world.mediator)
    made = mediator.post(
        url,
        {
            "kind": "add_expert",
            "name": "Eve Expert",
            "email": "eve@example.test",
            "purpose": "Valuation of the house",
            "side_id": str(active_world.side_a),
        },
    )
    assert made.status_code == 302
    consent_id = made["Location"].split("#consent-")[1]
    for party in (active_world.party_a, active_world.party_b):
        assert browser(party).post(f"/consents/{consent_id}/approve").status_code == 302
    assert b"/invite/" in mediator.get(url).content
    party_page = browser(active_world.party_a).get(url)
    assert b"Granted" in party_page.content
    assert b"/invite/" not in party_page.content
    assert b"eve@example.test" not in party_page.content


def test_it_answers_a_concern_without_a_topic_with_400(active_world: World) -> None:
    response = browser(active_world.party_b).post(
        f"/cases/{active_world.case.id}/concerns", {"topic": "", "body": "I feel unheard."}
    )
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_it_lets_a_party_raise_a_concern_during_onboarding(world: World) -> None:
    client = browser(world.party_a)
    url = f"/cases/{world.case.id}/concerns"
    made = client.post(url, {"topic": "impartiality", "body": "The mediator knows Ben."})
    assert made.status_code == 302
    assert b"The mediator knows Ben." in client.get(url).content
    assert b"The mediator knows Ben." not in browser(world.party_b).get(url).content
    assert b"The mediator knows Ben." in browser(world.mediator).get(url).content


def test_it_answers_an_empty_concern_response_with_400(active_world: World) -> None:
    assert active_world.party_a.user is not None
    concern = disclosures.raise_concern(
        active_world.party_a.user, active_world.case.id, topic="safety", body="Worried."
    )
    response = browser(active_world.mediator).post(
        f"/concerns/{concern.id}/respond", {"body": "  "}
    )
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_it_answers_my_side_from_someone_without_a_side_with_400(active_world: World) -> None:
    response = browser(active_world.mediator).post(
        f"/cases/{active_world.case.id}/messages", {"body": "Hello", "audience": "own_side"}
    )
    assert response.status_code == 400
    page = browser(active_world.mediator).get(f"/cases/{active_world.case.id}/messages")
    assert b'value="own_side"' not in page.content
    assert (
        b'value="own_side"'
        in browser(active_world.party_a).get(f"/cases/{active_world.case.id}/messages").content
    )


def test_it_keeps_a_side_message_from_the_other_side(active_world: World) -> None:
    url = f"/cases/{active_world.case.id}/messages"
    sent = browser(active_world.party_a).post(
        url, {"body": "Our side only", "audience": "own_side"}
    )
    assert sent.status_code == 302
    assert b"Our side only" in browser(active_world.attorney_a).get(url).content
    assert b"Our side only" not in browser(active_world.party_b).get(url).content


def test_it_answers_messages_during_onboarding_with_409(world: World) -> None:
    response = browser(world.party_a).get(f"/cases/{world.case.id}/messages")
    assert response.status_code == 409


def test_it_closes_with_a_neutral_statement_and_keeps_the_reasons_private(
    active_world: World,
) -> None:
    url = f"/cases/{active_world.case.id}"
    response = browser(active_world.mediator).post(
        url + "/close",
        {
            "outcome": "mediator_withdrew",
            "note_to_parties": "Thank you both.",
            "private_note": "Party B hid assets.",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    party = browser(active_world.party_b).get(url).content.decode()
    assert "the mediator has withdrawn" in party
    assert "Thank you both." in party
    assert "Party B hid assets." not in party
    assert "Party B hid assets." in browser(active_world.mediator).get(url).content.decode()


def test_it_answers_an_unknown_outcome_with_400(active_world: World) -> None:
    response = browser(active_world.mediator).post(
        f"/cases/{active_world.case.id}/close", {"outcome": "gave_up"}
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_it_names_a_guest_s_caucus_only_to_those_who_may_see_it(
    active_world: World, caucus: Caucus
) -> None:
    url = f"/cases/{active_world.case.id}/consents"
    made = browser(active_world.mediator).post(
        url,
        {
            "kind": "admit_guest",
            "name": "Gus Guest",
            "purpose": "Ada's sister, for support",
            "meeting_id": str(caucus.meeting.id),
        },
    )
    assert made.status_code == 302
    assert b"Caucus with" in browser(active_world.party_a).get(url).content
    seen_by_b = browser(active_world.party_b).get(url).content
    assert b"Gus Guest" in seen_by_b  # every party is asked
    assert b"Caucus with" not in seen_by_b
    assert str(caucus.meeting.id).encode() not in seen_by_b
