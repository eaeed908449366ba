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
                {
                    "typed_name": who.user.name if who.user else "",
                    "text_sha256": agreement.text_sha256,
                    "consent_electronic": "on",
                },
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
        {"typed_name": "Ada Party", "text_sha256": "0" * 64, "consent_electronic": "on"},
    )
    assert response.status_code == 409
    assert "changed since you read it" in response.content.decode()


def test_it_needs_a_comment_to_object(world: World) -> None:
    rule = GroundRule.objects.get(case_id=world.case.id)
    response = browser(world.party_a).post(
        f"/cases/{world.case.id}/rules/{rule.id}/object", {f"o{rule.id.hex[:8]}-comment": ""}
    )
    assert response.status_code == 400


# issue 15: on the web the signer reads the text and consents to sign electronically; the
# text's fingerprint is in the signed PDF, not on the page.


def test_it_signs_only_with_consent_to_sign_electronically(world: World) -> None:
    agreement = Agreement.objects.filter(case_id=world.case.id).first()
    assert agreement is not None
    url = f"/cases/{world.case.id}/agreements/{agreement.id}/sign"
    body = {"typed_name": "Ada Party", "text_sha256": agreement.text_sha256}
    refused = browser(world.party_a).post(url, body)
    assert refused.status_code == 400
    assert "Tick the box to agree to sign electronically." in refused.content.decode()
    assert not agreement.signatures.exists()
    wrong = browser(world.party_a).post(
        url, {**body, "typed_name": "M", "consent_electronic": "on"}
    )
    assert wrong.status_code == 400
    assert "Type your full name as this case knows it: Ada Party." in wrong.content.decode()
    done = browser(world.party_a).post(url, {**body, "consent_electronic": "on"})
    assert done.status_code == 302


def test_it_keeps_the_fingerprint_off_the_page_and_in_the_pdf(world: World) -> None:
    agreement = Agreement.objects.filter(case_id=world.case.id).first()
    assert agreement is not None
    page = browser(world.party_a).get(f"/cases/{world.case.id}/onboarding").content.decode()
    # Only in the sign form's hidden field, which binds the signature to the text read.
    shown = page.replace(f'value="{agreement.text_sha256}"', "")
    assert agreement.text_sha256 not in shown and "SHA-256" not in page
    pdf = browser(world.party_a).get(f"/cases/{world.case.id}/agreements/{agreement.id}/pdf")
    assert pdf.status_code == 200
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert agreement.text_sha256[:16] in text.replace("\n", "")
