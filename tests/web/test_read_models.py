"""The case page and the API render one read model per viewer (issue 14 item 1): what a
viewer may read of a case or a consent is decided once, so the page and the API answer
cannot disagree about who sees the mediator's reasons, an expert's email or the invite link."""

from __future__ import annotations

from caucus.cases import services as cases
from caucus.disclosures import services as disclosures
from tests.conftest import World
from tests.web.test_error_pages import browser

REASONS = "Party B is hiding assets READ-MODEL-REASONS-7"
EXPERT_EMAIL = "expert-read-model@example.test"


def test_it_shows_the_reasons_for_closing_to_the_same_people_on_the_page_and_in_the_api(
    active_world: World,
) -> None:
    w = active_world
    assert w.mediator.user is not None
    cases.close_case(
        w.mediator.user,
        w.case.id,
        outcome="mediator_withdrew",
        note_to_parties=None,
        private_note=REASONS,
    )
    for who, sees in ((w.mediator, True), (w.party_a, False), (w.attorney_a, False)):
        answer = who.client.get(f"cases/{w.case.id}").json()
        page = browser(who).get(f"/cases/{w.case.id}").content.decode()
        assert (answer["closing_note"] == REASONS) is sees, who
        assert (REASONS in page) is sees, who


def test_it_gives_the_expert_email_and_invite_link_only_to_the_mediators_on_both(
    active_world: World,
) -> None:
    w = active_world
    assert w.mediator.user is not None
    consent = disclosures.request_consent(
        w.mediator.user,
        w.case.id,
        kind="add_expert",
        name="An Expert",
        email=EXPERT_EMAIL,
        purpose="Values the house.",
        meeting_id=None,
        side_id=None,
    )
    for party in (w.party_a, w.party_b):
        assert party.user is not None
        disclosures.approve_consent(party.user, consent.id)
    for who, sees in ((w.mediator, True), (w.party_a, False), (w.party_b, False)):
        answer = who.client.get(f"consents/{consent.id}").json()
        page = browser(who).get(f"/cases/{w.case.id}/consents").content.decode()
        assert (answer["email"] == EXPERT_EMAIL) is sees, who
        assert (EXPERT_EMAIL in page) is sees, who
        assert (answer["invite_url"] is not None) is sees, who
        if sees:
            assert answer["invite_url"] in page
        else:
            assert "/invite/" not in page
