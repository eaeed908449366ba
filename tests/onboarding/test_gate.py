"""Practice 6: until onboarding is complete, every substantive endpoint answers 409 with what
is missing. The operations are enumerated from the OpenAPI document by tag, so a new
substantive endpoint is covered (or fails this test for want of a sample body) the day it
is added."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from django.db.models import Model

from caucus.api.app import api
from caucus.disclosures.models import Consent, ConsentVote, Disclosure, DisclosureApproval
from caucus.kernel.audience import AudienceKind
from caucus.meetings.models import Feedback, Item, Meeting, Note, NoteVersion
from caucus.portal.models import Message
from tests.conftest import Persona, World

# Concerns are not among them: a concern about impartiality may be the reason not to sign.
Row = TypeVar("Row", bound=Model)

SUBSTANTIVE_TAGS = {"meetings", "disclosures", "consents", "messages", "documents"}

SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/items/{item_id}/confirm"): {},
    ("post", "/api/v1/cases/{case_id}/meetings"): {
        "kind": "joint",
        "mode": "virtual",
        "starts_at": "2026-12-01T10:00:00Z",
    },
    ("post", "/api/v1/meetings/{meeting_id}/join"): {
        "attestation": {"private_location": True, "not_recording": True, "others_present": []}
    },
    ("post", "/api/v1/meetings/{meeting_id}/admit"): {"participant_id": "{participant_id}"},
    ("post", "/api/v1/meetings/{meeting_id}/remove"): {"participant_id": "{participant_id}"},
    ("post", "/api/v1/meetings/{meeting_id}/caucus"): {"side_id": "{side_id}"},
    ("post", "/api/v1/meetings/{meeting_id}/items"): {"text": "x"},
    ("put", "/api/v1/items/{item_id}/decision"): {"decision": "keep_confidential"},
    ("post", "/api/v1/meetings/{meeting_id}/notes"): {"body": "x"},
    ("post", "/api/v1/meetings/{meeting_id}/reschedule"): {
        "starts_at": "2031-01-15T10:00:00Z",
        "duration_minutes": 45,
    },
    ("post", "/api/v1/notes/{note_id}/feedback"): {"body": "x"},
    ("post", "/api/v1/notes/{note_id}/revise"): {"body": "x", "resolves": []},
    ("post", "/api/v1/items/{item_id}/disclosures"): {"to": "case", "text": "x"},
    ("post", "/api/v1/cases/{case_id}/consents"): {
        "kind": "add_expert",
        "name": "Dr Expert",
        "email": "expert@example.com",
        "purpose": "x",
    },
    ("post", "/api/v1/cases/{case_id}/messages"): {"body": "x", "audience": "case"},
    # Refused before the (multipart) body is read, so a JSON body stands in.
    ("post", "/api/v1/cases/{case_id}/documents"): {"audience": "case"},
    ("post", "/api/v1/redactions/{redaction_id}/finalize"): {"accept": []},
}


def substantive_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if SUBSTANTIVE_TAGS & set(operation.get("tags", [])):
                found.append((method, path))
    return sorted(found)


def sealed(model: type[Row], content: dict[str, str], **columns: Any) -> Row:
    """A row of `model` saved with `content` in its sealed fields (they are set once the row
    has its id, which their encryption is bound to)."""
    row = model(id=uuid.uuid4(), **columns)
    for name, value in content.items():
        setattr(row, name, value)
    row.save()
    return row


def plant(world: World) -> dict[str, str]:
    """Real objects in the onboarding case, made directly (the services would refuse), so
    that each endpoint is refused by the gate and not for a missing object."""
    meeting = Meeting.objects.create(
        case=world.case,
        kind="joint",
        mode="virtual",
        starts_at=datetime.now(UTC),
        status="running",
        audience_kind=AudienceKind.CASE,
    )
    mediator, party_a = world.mediator.participant, world.party_a.participant
    assert mediator is not None and party_a is not None
    case, everyone = world.case, AudienceKind.CASE
    side_a = {"audience_kind": AudienceKind.SIDE, "audience_side_id": world.side_a}
    text = {"text": "planted"}
    item = sealed(
        Item, text, case=case, meeting=meeting, raised_by=mediator, audience_kind=everyone
    )
    note = Note.objects.create(case=case, meeting=meeting, author=mediator, audience_kind=everyone)
    sealed(NoteVersion, {"body": "planted"}, case=case, note=note, version=1)
    sealed(
        Feedback, {"body": "planted"}, case=case, note=note, author=party_a, on_version=1, **side_a
    )
    disclosure = sealed(
        Disclosure, text, case=case, item=item, drafted_by=mediator, to_kind=everyone, **side_a
    )
    DisclosureApproval.objects.create(case=case, disclosure=disclosure, approver=party_a)
    consent = sealed(
        Consent,
        {"name": "planted", "purpose": "planted"},
        case=case,
        kind="add_expert",
        requested_by=mediator,
    )
    ConsentVote.objects.create(case=case, consent=consent, party=party_a)
    message = sealed(
        Message, {"body": "planted"}, case=case, author=mediator, audience_kind=everyone
    )
    from caucus.vault.models import Document

    document = sealed(
        Document,
        {
            "name": "planted.txt",
            "content_type": "text/plain",
            "sha256": "planted",
            "key_b64": "planted",
        },
        case=case,
        uploaded_by=party_a,
        audience_kind=everyone,
        blob_name=f"{case.id}/planted",
        size=1,
    )
    from caucus.redaction.models import Redaction

    redaction = sealed(
        Redaction,
        text,
        case=case,
        document=document,
        created_by=mediator,
        kind="txt",
        audience_kind=AudienceKind.MEDIATORS,
    )
    return {
        "redaction_id": str(redaction.id),
        "disclosure_id": str(disclosure.id),
        "consent_id": str(consent.id),
        "message_id": str(message.id),
        "document_id": str(document.id),
        "case_id": str(case.id),
        "meeting_id": str(meeting.id),
        "item_id": str(item.id),
        "note_id": str(note.id),
        "participant_id": str(party_a.id),
        "side_id": str(world.side_a),
    }


def fill(text: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], text)


def test_it_finds_the_substantive_operations() -> None:
    operations = substantive_operations()
    assert ("post", "/api/v1/cases/{case_id}/meetings") in operations
    assert len(operations) >= 15


@pytest.mark.parametrize("method,path", substantive_operations())
@pytest.mark.parametrize("who", ["mediator", "party_a"])
def test_it_refuses_substantive_work_before_onboarding_completes(
    world: World, method: str, path: str, who: str
) -> None:
    assert world.case.status == "onboarding"
    ids = plant(world)
    body = SAMPLE_BODIES.get((method, path))
    if method in ("post", "put") and body is None and "records-request" not in path:
        needs_body = api.get_openapi_schema()["paths"][path][method].get("requestBody")
        assert not needs_body, f"add a sample body for {method.upper()} {path} to SAMPLE_BODIES"
    persona: Persona = getattr(world, who)
    payload = None
    if body is not None:
        import json

        payload = json.loads(fill(json.dumps(body), ids))
    response = persona.client.call(method.upper(), fill(path, ids), payload)
    if who != "mediator" and "{redaction_id}" in path:
        # A redaction is the mediators' only: to a party it does not exist, gate or no gate.
        assert response.status_code == 404, (method, path, response.status_code)
        return
    assert response.status_code == 409, (method, path, response.status_code, response.content)
    answer = response.json()
    assert answer["error"] == "onboarding_incomplete"
    assert answer["missing"]
