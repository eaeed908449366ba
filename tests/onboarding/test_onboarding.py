from __future__ import annotations

import hashlib
from typing import Any

import pytest

from caucus.audit.models import AuditEntry
from caucus.cases.models import Case, Participant
from caucus.kernel.errors import Conflict
from caucus.kernel.gate import require_substantive
from tests.conftest import Persona, World

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

SAFETY = {
    "feels_safe_meeting_together": False,
    "history_of_violence_or_threats": True,
    "afraid_of_retaliation": True,
    "protective_order_in_place": False,
    "wants_separate_sessions": True,
}


def agreements(world: World, who: Persona) -> list[dict[str, Any]]:
    response = who.client.get(f"cases/{world.case.id}/agreements")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def sign_all(world: World, who: Persona) -> None:
    for agreement in agreements(world, who):
        response = who.client.post(
            f"agreements/{agreement['id']}/sign",
            {
                "typed_name": who.user.name if who.user else "",
                "text_sha256": agreement["text_sha256"],
            },
        )
        assert response.status_code == 201, response.content


def rules(world: World, who: Persona) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = who.client.get(f"cases/{world.case.id}/ground-rules").json()[
        "items"
    ]
    return items


def case(world: World, who: Persona) -> dict[str, Any]:
    body: dict[str, Any] = who.client.get(f"cases/{world.case.id}").json()
    return body


INTAKE: dict[str, Any] = {"goals": "", "concerns": "", "safety": SAFETY}


def complete_onboarding(world: World) -> None:
    for party in (world.party_a, world.party_b):
        ack = party.client.post(f"cases/{world.case.id}/confidentiality-structure/acknowledge")
        assert ack.status_code == 200
    for who in (world.mediator, world.party_a, world.attorney_a, world.party_b):
        sign_all(world, who)
    for rule in rules(world, world.mediator):
        for party in (world.party_a, world.party_b):
            assert party.client.post(f"ground-rules/{rule['id']}/agree").status_code == 200
    # A family case: the practice's policy asks every party for the intake (issue 15).
    for party in (world.party_a, world.party_b):
        answered = party.client.put(f"cases/{world.case.id}/intake", INTAKE)
        assert answered.status_code == 200, answered.content


def test_it_starts_each_case_with_two_agreements_and_the_confidentiality_rule(
    world: World,
) -> None:
    kinds = sorted(a["kind"] for a in agreements(world, world.party_b))
    assert kinds == ["agreement_to_mediate", "confidentiality"]
    first = rules(world, world.party_b)
    assert len(first) == 1
    assert first[0]["is_confidentiality_rule"]
    assert first[0]["status"] == "proposed"


def test_it_includes_the_court_clauses_for_a_litigated_case(world: World) -> None:
    confidentiality = next(
        a for a in agreements(world, world.party_a) if a["kind"] == "confidentiality"
    )
    assert world.case.litigated
    assert "COURT PROCEEDINGS" in confidentiality["text"]
    assert "no transcripts" in confidentiality["text"].lower()
    assert "cannot be called to testify" in confidentiality["text"]
    assert (
        hashlib.sha256(confidentiality["text"].encode()).hexdigest()
        == (confidentiality["text_sha256"])
    )


def test_it_lists_what_is_missing_until_everything_is_done_then_becomes_active(
    world: World,
) -> None:
    missing = case(world, world.party_a)["onboarding"]["missing"]
    assert f"acknowledgement:{world.party_a.participant.id}" in missing  # type: ignore[union-attr]
    assert any(m.startswith("signature:confidentiality:") for m in missing)
    assert any(m.startswith("ground_rule:") for m in missing)
    complete_onboarding(world)
    body = case(world, world.party_b)
    assert body["onboarding"] == {"complete": True, "missing": []}
    assert body["status"] == "active"
    assert AuditEntry.objects.filter(case_id=world.case.id, action="case.activated").count() == 1


def test_it_refuses_a_signature_on_a_stale_text(world: World) -> None:
    agreement = agreements(world, world.mediator)[0]
    edited = world.mediator.client.put(
        f"agreements/{agreement['id']}", {"text": agreement["text"] + "\n7. An added clause."}
    )
    assert edited.status_code == 200
    stale = world.party_a.client.post(
        f"agreements/{agreement['id']}/sign",
        {"typed_name": "Ada Party", "text_sha256": agreement["text_sha256"]},
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "stale_text"


def test_it_fixes_the_text_once_anyone_has_signed(world: World) -> None:
    agreement = agreements(world, world.mediator)[0]
    world.party_a.client.post(
        f"agreements/{agreement['id']}/sign",
        {"typed_name": "Ada Party", "text_sha256": agreement["text_sha256"]},
    )
    response = world.mediator.client.put(
        f"agreements/{agreement['id']}", {"text": "Something else"}
    )
    assert response.status_code == 409


def test_it_lets_only_the_mediator_edit_agreements(world: World) -> None:
    agreement = agreements(world, world.party_a)[0]
    response = world.party_a.client.put(f"agreements/{agreement['id']}", {"text": "Mine now"})
    assert response.status_code == 403


def test_it_binds_the_signature_to_the_hash_and_records_it(world: World) -> None:
    agreement = agreements(world, world.attorney_a)[0]
    response = world.attorney_a.client.post(
        f"agreements/{agreement['id']}/sign",
        {"typed_name": "Abe Attorney", "text_sha256": agreement["text_sha256"]},
    )
    assert response.status_code == 201
    assert response.json()["text_sha256"] == agreement["text_sha256"]
    again = next(a for a in agreements(world, world.party_b) if a["id"] == agreement["id"])
    assert str(world.attorney_a.participant.id) in again["signed_by"]  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(
        action="onboarding.agreement_signed", object_id=agreement["id"]
    ).exists()


def test_it_resets_acknowledgements_when_the_structure_changes(world: World) -> None:
    path = f"cases/{world.case.id}/confidentiality-structure"
    world.party_a.client.post(f"{path}/acknowledge")
    assert len(world.party_a.client.get(path).json()["acknowledged_by"]) == 1
    changed = world.mediator.client.put(path, {"policy": "shared_unless_marked"})
    assert changed.status_code == 200
    assert changed.json()["acknowledged_by"] == []
    assert "mark it confidential" in changed.json()["explanation"]
    assert Case.objects.get(pk=world.case.pk).confidentiality_structure == "shared_unless_marked"


def test_it_lets_only_parties_acknowledge_and_only_mediators_set_the_structure(
    world: World,
) -> None:
    path = f"cases/{world.case.id}/confidentiality-structure"
    assert world.attorney_a.client.post(f"{path}/acknowledge").status_code == 403
    assert world.mediator.client.post(f"{path}/acknowledge").status_code == 403
    assert world.party_a.client.put(path, {"policy": "shared_unless_marked"}).status_code == 403
    assert world.outsider.client.get(path).status_code == 404


def rule_body(text: str, why: str, call_out: str) -> dict[str, str]:
    return {"text": text, "why": why, "call_out": call_out}


def test_it_walks_an_objection_through_an_amendment_to_agreement(world: World) -> None:
    pause = "Say 'pause'."
    proposed = world.party_a.client.post(
        f"cases/{world.case.id}/ground-rules",
        rule_body("No raised voices.", "I stop listening when shouted at.", pause),
    )
    assert proposed.status_code == 201
    rule = proposed.json()
    assert rule["agreed_by"] == [str(world.party_a.participant.id)]  # type: ignore[union-attr]
    objected = world.party_b.client.post(
        f"ground-rules/{rule['id']}/object", {"comment": "Who decides what is raised?"}
    )
    assert objected.json()["status"] == "objected"
    assert objected.json()["objections"][0]["comment"] == "Who decides what is raised?"
    assert (
        world.party_b.client.put(
            f"ground-rules/{rule['id']}", {"text": "x", "why": "y", "call_out": "z"}
        ).status_code
        == 403
    )
    amended = world.party_a.client.put(
        f"ground-rules/{rule['id']}",
        rule_body("Anyone may ask for a pause.", "So nobody feels talked over.", pause),
    )
    assert amended.status_code == 200
    assert amended.json()["objections"] == []
    assert amended.json()["status"] == "proposed"
    agreed = world.party_b.client.post(f"ground-rules/{rule['id']}/agree")
    assert agreed.json()["status"] == "agreed"


def test_it_withdraws_a_rule_but_never_the_confidentiality_rule(world: World) -> None:
    rule = world.party_b.client.post(
        f"cases/{world.case.id}/ground-rules",
        {"text": "Phones away.", "why": "Focus.", "call_out": "A nod."},
    ).json()
    withdrawn = world.party_b.client.delete(f"ground-rules/{rule['id']}")
    assert withdrawn.json()["status"] == "withdrawn"
    confidentiality = rules(world, world.mediator)[0]
    assert world.mediator.client.delete(f"ground-rules/{confidentiality['id']}").status_code == 409


def test_it_lets_attorneys_neither_propose_nor_agree(world: World) -> None:
    assert (
        world.attorney_a.client.post(
            f"cases/{world.case.id}/ground-rules", {"text": "a", "why": "b", "call_out": "c"}
        ).status_code
        == 403
    )
    rule = rules(world, world.attorney_a)[0]
    assert world.attorney_a.client.post(f"ground-rules/{rule['id']}/agree").status_code == 403


def test_it_needs_every_party_to_agree_including_one_who_joins_later(world: World) -> None:
    rule = rules(world, world.mediator)[0]
    for party in (world.party_a, world.party_b):
        party.client.post(f"ground-rules/{rule['id']}/agree")
    assert rules(world, world.mediator)[0]["status"] == "agreed"
    invite = world.mediator.client.post(
        f"cases/{world.case.id}/invitations",
        {"email": "third@example.test", "name": "Third Party", "role": "party"},
    ).json()
    token = invite["invite_url"].rsplit("/", 1)[1]
    from tests.conftest import PASSWORD, ApiClient

    ApiClient(None).post(
        "invitations/accept", {"token": token, "name": "Third Party", "password": PASSWORD}
    )
    assert rules(world, world.mediator)[0]["status"] == "proposed"


def test_it_gates_substantive_work_until_onboarding_completes(world: World) -> None:
    participant = Participant.objects.select_related("case").get(pk=world.party_a.participant.id)  # type: ignore[union-attr]
    with pytest.raises(Conflict) as exc:
        require_substantive(participant)
    assert exc.value.code == "onboarding_incomplete"
    assert exc.value.extra["missing"]
    complete_onboarding(world)
    participant = Participant.objects.select_related("case").get(pk=participant.pk)
    require_substantive(participant)


def test_it_shows_a_late_joiner_nothing_until_they_have_signed(world: World) -> None:
    complete_onboarding(world)
    invite = world.mediator.client.post(
        f"cases/{world.case.id}/invitations",
        {
            "email": "late-attorney@example.test",
            "name": "Late Attorney",
            "role": "attorney",
            "side_id": str(world.side_b),
        },
    ).json()
    from tests.conftest import PASSWORD, ApiClient

    accepted = (
        ApiClient(None)
        .post(
            "invitations/accept",
            {"token": invite["invite_url"].rsplit("/", 1)[1], "name": "Late", "password": PASSWORD},
        )
        .json()
    )
    late = Participant.objects.select_related("case").get(pk=accepted["participant_id"])
    assert late.case.status == "active"
    with pytest.raises(Conflict) as exc:
        require_substantive(late)
    assert exc.value.code == "agreements_unsigned"
    late_persona = Persona("Late Attorney", late.user, accepted["token"], late)
    sign_all(world, late_persona)
    require_substantive(Participant.objects.select_related("case").get(pk=late.pk))


def test_it_shows_intake_answers_to_mediators_and_to_their_author_only(world: World) -> None:
    path = f"cases/{world.case.id}/intake"
    body = {"goals": "Settle the lease.", "concerns": "He shouts.", "safety": SAFETY}
    assert world.party_a.client.put(path, body).status_code == 200
    assert world.party_b.client.put(path, {**body, "goals": "B's goals"}).status_code == 200
    seen_by_mediator = world.mediator.client.get(path).json()["items"]
    assert len(seen_by_mediator) == 2
    seen_by_b = world.party_b.client.get(path).json()["items"]
    assert [i["answers"]["goals"] for i in seen_by_b] == ["B's goals"]
    assert world.attorney_a.client.get(path).json()["items"] == []
    assert world.attorney_a.client.put(path, body).status_code == 403


def test_it_closes_onboarding_edits_once_the_case_is_active(world: World) -> None:
    complete_onboarding(world)
    path = f"cases/{world.case.id}/confidentiality-structure"
    assert world.mediator.client.put(path, {"policy": "shared_unless_marked"}).status_code == 409
    assert (
        world.party_a.client.post(
            f"cases/{world.case.id}/ground-rules", {"text": "a", "why": "b", "call_out": "c"}
        ).status_code
        == 409
    )


def test_it_exports_the_signed_agreement_as_a_pdf_listing_each_signature(world: World) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    sign_all(world, world.party_a)
    agreement = agreements(world, world.party_a)[1]
    response = world.party_b.client.get(f"agreements/{agreement['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Ada Party" in text
    assert agreement["text_sha256"][:16] in text.replace("\n", "")
    assert AuditEntry.objects.filter(
        action="onboarding.agreement_exported", object_id=agreement["id"]
    ).exists()


def make_practice_p12(path: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test practice")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"practice", key, cert, None, serialization.BestAvailableEncryption(b"secret")
        )
    )


def test_it_signs_the_pdf_with_the_practice_key_when_configured(
    world: World, tmp_path: Any
) -> None:
    from io import BytesIO

    from django.test import override_settings
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    p12 = tmp_path / "practice.p12"
    make_practice_p12(p12)
    agreement = agreements(world, world.party_a)[0]
    with override_settings(CAUCUS_PDF_SIGNING_P12=str(p12), CAUCUS_PDF_SIGNING_PASSPHRASE="secret"):
        response = world.party_a.client.get(f"agreements/{agreement['id']}/pdf")
    assert response.status_code == 200
    reader = PdfFileReader(BytesIO(response.content))
    assert len(reader.embedded_signatures) == 1
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12mod

    _, cert, _ = p12mod.load_key_and_certificates(p12.read_bytes(), b"secret")
    assert cert is not None
    trust = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    status = validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[trust])
    )
    assert status.intact and status.valid
    assert status.coverage is not None


def test_it_takes_intake_answers_up_to_the_documented_limit_whatever_their_characters(
    world: World,
) -> None:
    """Each answer may hold ANSWER_MAX characters (the OpenAPI document says so); emoji and
    control characters, which JSON escapes to 12 and 6 characters, count as one each."""
    from caucus.cases.onboarding_services import ANSWER_MAX

    path = f"cases/{world.case.id}/intake"
    body = {
        "goals": "\U0001f600" * ANSWER_MAX,
        "concerns": "\x01" * ANSWER_MAX,
        "anything_else": "\u00e9" * ANSWER_MAX,
        "safety": SAFETY,
    }
    response = world.party_a.client.put(path, body)
    assert response.status_code == 200, response.content[:300]


# issue 15: intake and safety screening as a listed onboarding step.


def finish_all_but_intake(world: World) -> None:
    for party in (world.party_a, world.party_b):
        party.client.post(f"cases/{world.case.id}/confidentiality-structure/acknowledge")
    for who in (world.mediator, world.party_a, world.attorney_a, world.party_b):
        sign_all(world, who)
    for rule in rules(world, world.mediator):
        for party in (world.party_a, world.party_b):
            party.client.post(f"ground-rules/{rule['id']}/agree")


def test_a_litigated_family_case_waits_for_every_partys_intake(world: World) -> None:
    assert (world.case.kind, world.case.litigated) == ("family", True)
    finish_all_but_intake(world)
    a, b = world.party_a.participant, world.party_b.participant
    assert a is not None and b is not None
    body = case(world, world.mediator)
    assert body["status"] == "onboarding"
    assert body["onboarding"]["missing"] == [f"intake:{a.id}", f"intake:{b.id}"]
    # Substantive work waits, naming the intake.
    refused = world.mediator.client.post(
        f"cases/{world.case.id}/meetings",
        {"kind": "joint", "mode": "virtual", "starts_at": "2026-12-01T10:00:00Z"},
    )
    assert refused.status_code == 409 and f"intake:{a.id}" in refused.json()["missing"]
    path = f"cases/{world.case.id}/intake"
    assert world.party_a.client.put(path, {**INTAKE, "goals": "Quiet"}).status_code == 200
    assert case(world, world.party_b)["onboarding"]["missing"] == [f"intake:{b.id}"]
    # The answers stay with the mediators (and their author): party B and the attorney
    # read none of party A's.
    assert world.party_b.client.get(path).json()["items"] == []
    assert world.attorney_a.client.get(path).json()["items"] == []
    assert world.outsider.client.get(path).status_code == 404
    # The last intake is the last step: the case becomes active with it.
    assert world.party_b.client.put(path, INTAKE).status_code == 200
    assert case(world, world.party_b)["status"] == "active"
    assert [row["answers"]["goals"] for row in world.mediator.client.get(path).json()["items"]]


def test_a_kind_outside_the_practices_policy_needs_no_intake(world: World) -> None:
    Case.objects.filter(pk=world.case.id).update(kind="workplace")
    finish_all_but_intake(world)
    assert case(world, world.mediator)["status"] == "active"


def test_the_practice_may_ask_for_the_intake_in_other_kinds(world: World) -> None:
    Case.objects.filter(pk=world.case.id).update(kind="workplace")
    world.practice.intake_required_kinds = ["family", "workplace"]
    world.practice.save(update_fields=["intake_required_kinds"])
    finish_all_but_intake(world)
    body = case(world, world.mediator)
    assert body["status"] == "onboarding"
    assert all(code.startswith("intake:") for code in body["onboarding"]["missing"])


# issue 15: a signature is the signer's full name as the case knows it.


def sign_as_party_a(world: World, typed: str) -> tuple[Any, bool]:
    """Party A's signature of their first agreement with `typed`: the answer, and whether
    the agreement lists them as a signer afterwards."""
    agreement = agreements(world, world.party_a)[0]
    answer = world.party_a.client.post(
        f"agreements/{agreement['id']}/sign",
        {"typed_name": typed, "text_sha256": agreement["text_sha256"]},
    )
    assert world.party_a.participant is not None
    signers = agreements(world, world.party_a)[0]["signed_by"]
    return answer, str(world.party_a.participant.id) in signers


@pytest.mark.parametrize("typed", ["M", "Ada", "Bea Party", "Ada Partyy", "Ada P."])
def test_it_refuses_a_typed_name_that_is_not_the_signers(world: World, typed: str) -> None:
    refused, signed = sign_as_party_a(world, typed)
    assert refused.status_code == 400, refused.content
    assert "Ada Party" in refused.json()["fields"]["typed_name"][0]
    assert not signed


@pytest.mark.parametrize("typed", ["ada party", "  ADA   PARTY ", "Adá Pärty"])
def test_it_accepts_the_name_whatever_its_case_accents_and_spaces(world: World, typed: str) -> None:
    accepted, signed = sign_as_party_a(world, typed)
    assert accepted.status_code == 201, accepted.content
    assert signed


def test_an_accented_name_is_signed_without_its_accents(world: World) -> None:
    assert world.party_b.user is not None
    world.party_b.user.name = "José García-Núñez"
    world.party_b.user.save(update_fields=["name"])
    agreement = agreements(world, world.party_b)[0]
    signed = world.party_b.client.post(
        f"agreements/{agreement['id']}/sign",
        {"typed_name": "jose garcia-nunez", "text_sha256": agreement["text_sha256"]},
    )
    assert signed.status_code == 201, signed.content
