"""Issue 14 item 3: every service entry point passes through the kernel's one action check,
`caucus.kernel.permissions.require`, which applies the onboarding gate of the action as well
as its role rule and the closed-case rule. No service has to remember the gate on its own.

The entry points are found by introspection: every public function of every
`caucus.*.services` module and of `caucus.cases.onboarding_services`. Each is called, as the
mediator (who sees every object of the case, so that the lookup succeeds), with `require`
instrumented to raise; an entry point that does not reach `require` fails this test, unless
it is in ALLOWED below with the reason it needs no participant's check.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import caucus
from caucus.cases.models import Agreement, GroundRule
from caucus.crypto.keyring import key_scope
from caucus.disclosures.models import Concern, Consent, ConsentKind, Disclosure
from caucus.kernel import permissions
from caucus.kernel.audience import AudienceKind
from caucus.meetings.models import Item, Meeting, MeetingKind, Mode, Note
from caucus.portal.models import Message
from caucus.redaction.models import Redaction
from caucus.settlement.models import Settlement
from caucus.vault.models import Document
from tests.conftest import World

# Entry points that legitimately check no participant, each with why.
ALLOWED: dict[str, str] = {
    # Accounts: signing in, tokens and enrolment act on an account, before any case.
    **{
        f"caucus.accounts.services.{name}": "an account, not a participation in a case"
        for name in (
            "check_credentials",
            "check_password_strength",
            "confirm_enrollment",
            "confirmed_device",
            "enrol_authenticator",
            "issue_token",
            "mfa_needed_for_web",
            "new_api_token",
            "normalize_email",
            "password_only_refused",
            "pending_enrollment",
            "refuse_password_only",
            "revoke_token",
            "start_enrollment",
            "succeeded",
            "token_identity",
            "token_is_live",
            "user_for_token",
            "verify_otp",
        )
    },
    # Opening a case makes the first participation: the kernel checks the user
    # (`require_open_case`).
    "caucus.cases.services.open_case": "no participation exists yet; require_open_case",
    # The single-use invitation token is the permission to join.
    "caucus.cases.services.accept_invitation": "the invitation token is the permission",
    "caucus.cases.services.find_invitation": "the invitation token is the permission",
    "caucus.cases.services.invitation_link": "formats a link, reads nothing",
    # Steps of an entry point that checked its participant first.
    "caucus.cases.services.invite_consented_expert": "called by answer_consent after require",
    "caucus.cases.services.record_view": "audits a read its caller checked",
    "caucus.cases.onboarding_services.seed_case": "called by open_case for the new case",
    "caucus.cases.onboarding_services.sha256_text": "a hash of a text",
    "caucus.disclosures.services.approvers_of": "a query inside draft_disclosure",
    "caucus.disclosures.services.parties_of": "a query inside request_consent",
    "caucus.disclosures.services.cancel_open_requests": "close_case's step, after require",
    "caucus.disclosures.services.on_case_closing": "close_case's step, after require",
    "caucus.meetings.services.on_case_closing": "close_case's step, after require",
    "caucus.meetings.services.end_all_meetings": "close_case's step, after require",
    "caucus.redaction.services.knowledge_for_case": "a query inside propose_redaction",
    "caucus.vault.services.check_name": "validates a file name",
    "caucus.vault.services.classify": "validates a file type",
    "caucus.vault.services.finish_upload": "takes the participant begin_upload checked",
    "caucus.vault.services.store_document": "takes the participant its caller checked",
    "caucus.vault.services.read_plaintext_for": "takes the participant its caller checked",
    # issue 16
    "caucus.cases.onboarding_services.checked_typed_name": "validates a typed name",
    "caucus.cases.onboarding_services.require_current_text": "compares two fingerprints",
    "caucus.cases.onboarding_services.comparable_name": "normalizes a name for comparison",
    "caucus.settlement.services.attorneys_sign": "a practice's policy, inside sign",
    "caucus.settlement.services.signers": "a query inside sign and the checked reads",
    "caucus.settlement.services.current_version": "a query inside the checked entry points",
    # issue 15 (h15)
    "caucus.cases.services.invitation_offer": "the invitation token is the permission",
    **{
        f"caucus.accounts.services.{name}": "an account, not a participation in a case"
        for name in (
            "change_name",
            "change_password",
            "confirm_password_reset",
            "find_password_reset",
            "request_password_reset",
            "known_time_zones",
            "set_time_zone",
            "sign_out_others",
            "signed_in_places",
        )
    },
    # issue 15
    "caucus.disclosures.services.on_participant_removed": "remove_attorney's step, after require",
    "caucus.meetings.services.on_participant_removed": "remove_attorney's step, after require",
    # issue 16
    "caucus.settlement.services.remove_passages": "replaces passages in a string",
    # issue 15 (f15rest)
    "caucus.accounts.services.end_signed_in_place": "an account, not a participation in a case",
    # issue 14 (d14code)
    "caucus.cases.onboarding_services.save_signature": "a step of the two signings, after require",
}


def service_modules() -> list[types.ModuleType]:
    names = [
        m.name
        for m in pkgutil.walk_packages(caucus.__path__, "caucus.")
        if m.name.endswith(".services") or m.name == "caucus.cases.onboarding_services"
    ]
    return [importlib.import_module(name) for name in sorted(names)]


def entry_points() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.append((f"{module.__name__}.{name}", function))
    return found


@pytest.fixture
def instrumented_require(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`require` raises, wherever a module imported it from: its code is swapped, so every
    reference to the one function object runs the instrumented body."""

    def checked(participant: Any, action: Any) -> None:
        raise LookupError(f"kernel-check:{action}")

    monkeypatch.setattr(permissions.require, "__code__", checked.__code__)
    yield


def ids_of_everything(w: World) -> dict[str, Any]:
    """One object of every kind in the case, made directly in the database: this test is
    about which check an entry point reaches, not about how the objects came to be."""
    me = w.mediator.participant
    assert me is not None
    with key_scope():
        meeting = Meeting.objects.create(
            case=w.case,
            kind=MeetingKind.JOINT,
            mode=Mode.IN_PERSON,
            starts_at=datetime.now(UTC),
            audience_kind=AudienceKind.CASE,
        )
        item = Item(case=w.case, meeting=meeting, raised_by=me, audience_kind=AudienceKind.CASE)
        item.text = "An item."
        item.save()
        note = Note.objects.create(
            case=w.case, meeting=meeting, author=me, audience_kind=AudienceKind.CASE
        )
        disclosure = Disclosure(
            case=w.case, item=item, drafted_by=me, to_kind="case", audience_kind="case"
        )
        disclosure.text = "Wording."
        disclosure.save()
        consent = Consent(case=w.case, kind=ConsentKind.ADD_EXPERT, requested_by=me)
        consent.name, consent.purpose = "Dana", "Valuation"
        consent.save()
        concern = Concern(case=w.case, raised_by=me, topic="other", audience_kind="mediators")
        concern.body = "A concern."
        concern.save()
        message = Message(case=w.case, author=me, audience_kind=AudienceKind.CASE)
        message.body = "A message."
        message.save()
        document = Document(
            case=w.case, uploaded_by=me, blob_name=uuid.uuid4().hex, size=1, audience_kind="case"
        )
        document.name, document.content_type, document.sha256 = "a.txt", "text/plain", "0"
        document.key_b64 = ""
        document.save()
        redaction = Redaction(
            case=w.case, document=document, created_by=me, kind="text", audience_kind="mediators"
        )
        redaction.text = "Text."
        redaction.save()
        settlement = Settlement.objects.create(case=w.case, created_by=me)
    assert w.party_a.participant is not None
    return {
        "case_id": w.case.id,
        "meeting_id": meeting.id,
        "item_id": item.id,
        "note_id": note.id,
        "disclosure_id": disclosure.id,
        "consent_id": consent.id,
        "concern_id": concern.id,
        "message_id": message.id,
        "document_id": document.id,
        "redaction_id": redaction.id,
        "settlement_id": settlement.id,
        "rule_id": GroundRule.objects.filter(case=w.case).values_list("id", flat=True)[0],
        "agreement_id": Agreement.objects.filter(case=w.case).values_list("id", flat=True)[0],
        "participant_id": w.party_a.participant.id,
        "side_id": w.side_a,
        "invitation_id": _an_invitation(w),
    }


def _an_invitation(w: World) -> uuid.UUID:
    """issue 15: an open invitation of the case, for resend and revoke."""
    from datetime import timedelta

    from caucus.cases.models import Invitation

    assert w.mediator.participant is not None
    with key_scope():
        invitation = Invitation(
            case=w.case,
            token_hash=uuid.uuid4().hex,
            role="party",
            invited_by=w.mediator.participant,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        invitation.email, invitation.name = "nell@example.test", "Nell"
        invitation.save()
    return invitation.id


def filler(parameter: inspect.Parameter) -> Any:
    """A plain value for an input the check comes before."""
    annotation = str(parameter.annotation)
    if parameter.default is not inspect.Parameter.empty:
        return parameter.default
    for prefix, value in (
        ("bool", False),
        ("str", "x"),
        ("list", []),
        ("dict", {}),
        ("datetime", datetime.now(UTC)),
    ):
        if annotation.startswith(prefix):
            return value
    return None


def test_the_entry_points_are_found() -> None:
    names = {name for name, _ in entry_points()}
    assert "caucus.meetings.services.raise_item" in names
    assert "caucus.cases.onboarding_services.sign_agreement" in names
    assert len(names) > 80


def test_the_allow_list_names_only_entry_points_that_exist() -> None:
    assert set(ALLOWED) <= {name for name, _ in entry_points()}


def test_every_entry_point_passes_through_the_kernels_check(
    active_world: World, instrumented_require: None
) -> None:
    w = active_world
    assert w.mediator.user is not None
    known = ids_of_everything(w)
    unchecked: list[str] = []
    for name, function in entry_points():
        if name in ALLOWED:
            continue
        arguments: dict[str, Any] = {}
        for parameter in inspect.signature(function).parameters.values():
            if parameter.name == "user":
                arguments["user"] = w.mediator.user
            elif parameter.name in known:
                arguments[parameter.name] = known[parameter.name]
            else:
                arguments[parameter.name] = filler(parameter)
        try:
            with key_scope():
                function(**arguments)
        except LookupError as raised:
            if str(raised).startswith("kernel-check:"):
                continue
            unchecked.append(f"{name}: {raised!r}")
        except Exception as raised:
            unchecked.append(f"{name}: {raised!r}")
        else:
            unchecked.append(f"{name}: returned without the check")
    assert not unchecked, "entry points that skip the kernel's check:\n" + "\n".join(unchecked)
