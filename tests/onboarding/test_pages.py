from __future__ import annotations

import pytest
from django.test import Client

from caucus.cases.models import Agreement, Case, GroundRule
from tests.conftest import Persona, World

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")


def browser(who: Persona) -> Client:
    client = Client()
    assert who.user is not None
    client.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_it_shows_each_participant_the_onboarding_page(world: World) -> None:
    for who in (world.mediator, world.party_a, world.attorney_a, world.party_b):
        response = browser(who).get(f"/cases/{world.case.id}/onboarding")
        assert response.status_code == 200
        assert "CONFIDENTIALITY AGREEMENT" in response.content.decode()
    assert browser(world.outsider).get(f"/cases/{world.case.id}/onboarding").status_code == 404


def test_it_shows_intake_answers_to_the_mediator_only(world: World) -> None:
    a = browser(world.party_a)
    response = a.post(
        f"/cases/{world.case.id}/onboarding/intake",
        {"goals": "Keep the house.", "history_of_violence_or_threats": "on"},
    )
    assert response.status_code == 302
    assert (
        "Keep the house."
        in browser(world.mediator).get(f"/cases/{world.case.id}/onboarding").content.decode()
    )
    assert (
        "Keep the house."
        not in browser(world.party_b).get(f"/cases/{world.case.id}/onboarding").content.decode()
    )


def test_it_takes_a_case_to_active_through_the_pages(world: World) -> None:
    case_id = world.case.id
    for party in (world.party_a, world.party_b):
        assert browser(party).post(f"/cases/{case_id}/onboarding/acknowledge").status_code == 302
    for who in (world.mediator, world.party_a, world.attorney_a, world.party_b):
        client = browser(who)
        for agreement in Agreement.objects.filter(case_id=case_id):
            response = client.post(
                f"/cases/{case_id}/agreements/{agreement.id}/sign",
                {"typed_name": who.name, "text_sha256": agreement.text_sha256},
            )
            assert response.status_code == 302, response.content.decode()[:2000]
    rule = GroundRule.objects.get(case_id=case_id)
    for party in (world.party_a, world.party_b):
        assert browser(party).post(f"/cases/{case_id}/rules/{rule.id}/agree").status_code == 302
    # A family case: the intake and safety questions are a listed step (issue 15).
    page = browser(world.mediator).get(f"/cases/{case_id}/onboarding").content.decode()
    assert "Ada Party has not answered the intake and safety questions." in page
    assert "intake:" not in page
    for party in (world.party_a, world.party_b):
        answered = browser(party).post(
            f"/cases/{case_id}/onboarding/intake", {"goals": "Calm.", "afraid_of_retaliation": "on"}
        )
        assert answered.status_code == 302
    assert Case.objects.get(pk=case_id).status == "active"
    page = browser(world.mediator).get(f"/cases/{case_id}/onboarding").content.decode()
    # The mediator reads the safety answers under their questions, not their field names.
    assert "I am afraid of what may happen if I speak openly: <strong>yes</strong>" in page
    assert "afraid_of_retaliation" not in page
    page = browser(world.party_b).get(f"/cases/{case_id}/onboarding").content.decode()
    assert "The mediation can begin." in page


def test_it_answers_a_stale_signature_with_the_form_and_a_reason(world: World) -> None:
    agreement = Agreement.objects.filter(case_id=world.case.id).first()
    assert agreement is not None
    response = browser(world.party_a).post(
        f"/cases/{world.case.id}/agreements/{agreement.id}/sign",
        {"typed_name": "Ada", "text_sha256": "0" * 64},
    )
    assert response.status_code == 409
    assert "changed since you read it" in response.content.decode()


def test_it_needs_a_comment_to_object(world: World) -> None:
    rule = GroundRule.objects.get(case_id=world.case.id)
    response = browser(world.party_a).post(
        f"/cases/{world.case.id}/rules/{rule.id}/object", {f"o{rule.id.hex[:8]}-comment": ""}
    )
    assert response.status_code == 400
