"""Writes on cases. Each function checks permission through the kernel, changes state in one
transaction, and records the audit entry in that same transaction."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caucus.accounts.models import User, hash_secret
from caucus.accounts.services import check_password_strength, new_api_token, normalize_email
from caucus.cases import lifecycle
from caucus.cases.access import access_case
from caucus.cases.models import (
    Case,
    DeclineReason,
    Invitation,
    Outcome,
    Participant,
    Practice,
    Role,
    Side,
    Status,
)
from caucus.cases.onboarding_services import _audit, seed_case
from caucus.cases.signals import case_closing
from caucus.crypto.keyring import create_case_key
from caucus.kernel.errors import Conflict, Gone, Invalid, NotVisible
from caucus.kernel.permissions import Action, require, require_open_case

TITLE_MAX = 200
NAME_MAX = 200
NOTE_MAX = 10_000
INVITABLE_ROLES = (Role.PARTY, Role.ATTORNEY)
OPEN_STATUSES = (Status.INTAKE, Status.ONBOARDING, Status.ACTIVE)


def _required_text(fields: dict[str, list[str]], name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        fields.setdefault(name, []).append("This field is required.")
    elif len(value) > limit:
        fields.setdefault(name, []).append(f"At most {limit} characters.")
    return value


def open_case(user: User, *, title: str, kind: str, litigated: bool) -> Participant:
    practice_id = require_open_case(user)
    fields: dict[str, list[str]] = {}
    title = _required_text(fields, "title", title, TITLE_MAX)
    if fields:
        raise Invalid(fields)
    with transaction.atomic():
        case = Case(id=uuid.uuid4(), practice_id=practice_id, kind=kind, litigated=litigated)
        case.practice = Practice.objects.get(pk=practice_id)
        create_case_key(case.id)
        case.title = title
        case.save()
        mediator = Participant.objects.create(case=case, user=user, role=Role.MEDIATOR)
        seed_case(case, mediator)
        _audit(mediator, "case.opened", "case", case.id, kind=kind, litigated=litigated)
    return mediator


def invitation_link(raw_token: str) -> str:
    """The link an invitee opens. Built from CAUCUS_SITE_URL, never from the request's Host
    header: a forged Host would make the mediator hand out a link that sends the token to
    another site."""
    return f"{settings.CAUCUS_SITE_URL}{reverse('web:accept', args=[raw_token])}"


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


def invite(
    user: User,
    case_id: uuid.UUID,
    *,
    email: str,
    name: str,
    role: str,
    side_id: uuid.UUID | None,
) -> IssuedInvitation:
    actor = access_case(user, case_id)
    require(actor, Action.INVITE)
    case = actor.case
    fields: dict[str, list[str]] = {}
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        fields["email"] = ["Enter a valid email address."]
    name = _required_text(fields, "name", name, NAME_MAX)
    if role not in INVITABLE_ROLES:
        fields["role"] = [
            "Invite a party or an attorney; experts and guests join only through consents."
        ]
    if role == Role.ATTORNEY and side_id is None:
        fields["side_id"] = ["An attorney joins an existing side."]
    if role == Role.PARTY and side_id is not None:
        fields["side_id"] = ["A party opens a new side; leave side_id out."]
    if fields:
        raise Invalid(fields)
    if case.status not in OPEN_STATUSES:
        raise Conflict("case_not_open", f"A case that is {case.status} takes no new people.")
    with transaction.atomic():
        side: Side | None
        if side_id is not None:
            side = Side.objects.filter(case=case, id=side_id).first()
            if side is None:
                raise Invalid({"side_id": ["No such side in this case."]})
        else:
            side = Side.objects.create(case=case)
        return _issue_invitation(actor, email=email, name=name, role=role, side=side)


def _issue_invitation(
    actor: Participant, *, email: str, name: str, role: str, side: Side | None
) -> IssuedInvitation:
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        id=uuid.uuid4(),
        case_id=actor.case_id,
        token_hash=hash_secret(raw),
        role=role,
        side=side,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.CAUCUS_INVITATION_DAYS),
    )
    invitation.email = email
    invitation.name = name
    invitation.save()
    side_id = str(side.id) if side else None
    _audit(actor, "case.invited", "invitation", invitation.id, role=role, side_id=side_id)
    return IssuedInvitation(invitation, raw)


def invite_consented_expert(
    actor: Participant, *, email: str, name: str, side: Side | None
) -> IssuedInvitation:
    """The invitation of an expert every party consented to (practice 11). Only the consent
    service calls it, inside its own transaction, once the last approval is in; a neutral
    expert (`side` None) belongs to no side."""
    return _issue_invitation(actor, email=email, name=name, role=Role.EXPERT, side=side)


@dataclass(frozen=True)
class Acceptance:
    participant: Participant
    token: str


def find_invitation(raw_token: str) -> Invitation:
    """The invitation a link stands for, if it can still be used."""
    invitation = (
        Invitation.objects.select_related("case").filter(token_hash=hash_secret(raw_token)).first()
    )
    if invitation is None:
        raise NotVisible()
    if invitation.used_at is not None or invitation.expires_at <= timezone.now():
        raise Gone("invitation_gone", "This invitation was used or has expired.")
    if invitation.case.status not in OPEN_STATUSES:
        raise Gone("invitation_gone", "This invitation was used or has expired.")
    return invitation


def accept_invitation(raw_token: str, *, name: str, password: str, user: User | None) -> Acceptance:
    fields: dict[str, list[str]] = {}
    if user is None:
        name = _required_text(fields, "name", name, NAME_MAX)
    if fields:
        raise Invalid(fields)
    with transaction.atomic():
        invitation = find_invitation(raw_token)
        # Lock the row so two simultaneous uses of one link cannot both succeed.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise Gone("invitation_gone", "This invitation was used or has expired.")
        if user is not None and normalize_email(user.email) != invitation.email:
            # A link that leaks (a forwarded mail, a shared screen) must not let whoever is
            # signed in take the seat meant for the person it was addressed to.
            raise Conflict(
                "email_mismatch",
                "This invitation is for another email address. Sign in with that account.",
            )
        if user is None:
            email = invitation.email
            if User.objects.filter(email=email).exists():
                raise Conflict(
                    "account_exists",
                    "An account with this email exists. Sign in, then accept the invitation.",
                )
            check_password_strength(password, email=email, name=name)
            user = User.objects.create_user(email=email, name=name, password=password)
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    case=invitation.case, user=user, role=invitation.role, side=invitation.side
                )
        except IntegrityError:
            raise Conflict("already_participant", "You are already in this case.") from None
        locked.used_at = timezone.now()
        locked.participant = participant
        locked.save(update_fields=["used_at", "participant"])
        _audit(
            participant,
            "case.invitation_accepted",
            "invitation",
            invitation.id,
            role=invitation.role,
        )
        token = new_api_token(user)
    return Acceptance(participant, token)


def _check_choices_and_notes(
    choices: dict[str, tuple[str | None, list[str]]], notes: dict[str, str | None]
) -> None:
    """Field errors for every choice outside its values and every note above NOTE_MAX."""
    fields: dict[str, list[str]] = {}
    for name, (chosen, values) in choices.items():
        if chosen not in values:
            fields[name] = ["Choose one of: " + ", ".join(values) + "."]
    for name, note in notes.items():
        if note is not None and len(note) > NOTE_MAX:
            fields[name] = [f"At most {NOTE_MAX} characters."]
    if fields:
        raise Invalid(fields)


def screen_case(
    user: User,
    case_id: uuid.UUID,
    *,
    decision: str,
    reason_code: str | None,
    private_note: str | None,
) -> Case:
    actor = access_case(user, case_id)
    require(actor, Action.SCREEN)
    reason = {"reason_code": (reason_code, DeclineReason.values)} if decision == "decline" else {}
    _check_choices_and_notes(reason, {"private_note": private_note})
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("practice").get(pk=actor.case_id)
        if case.status != Status.INTAKE:
            raise Conflict("already_screened", "This case has been screened already.")
        lifecycle.move(case, Status.ONBOARDING if decision == "accept" else Status.DECLINED)
        if decision == "decline":
            # A declined case ends here: its personal data goes on the same schedule as a
            # closed case's (practice 14).
            case.closed_at = timezone.now()
            case.purge_after = case.closed_at + timedelta(days=case.practice.retention_days)
        case.screening_decision = decision
        case.screening_reason_code = (reason_code or "") if decision == "decline" else ""
        if private_note:
            case.screening_note = private_note
        case.save()
        _audit(
            actor,
            "case.screened",
            "case",
            case.id,
            decision=decision,
            reason_code=case.screening_reason_code,
        )
    return case


def close_case(
    user: User,
    case_id: uuid.UUID,
    *,
    outcome: str,
    note_to_parties: str | None,
    private_note: str | None = None,
) -> Case:
    """Closing ends every meeting, lets pending disclosures and consents lapse and sets the
    purge date from the practice's retention period. Parties see a neutral statement of the
    outcome; the mediator's reasons (`private_note`) are read by mediators only."""
    actor = access_case(user, case_id)
    require(actor, Action.CLOSE)
    _check_choices_and_notes(
        {"outcome": (outcome, Outcome.values)},
        {"note_to_parties": note_to_parties, "private_note": private_note},
    )
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("practice").get(pk=actor.case_id)
        lifecycle.move(case, Status.CLOSED)
        now = timezone.now()
        case.outcome = outcome
        case.closed_at = now
        case.purge_after = now + timedelta(days=case.practice.retention_days)
        if note_to_parties:
            case.note_to_parties = note_to_parties
        if private_note:
            case.closing_note = private_note
        case.save()
        case_closing.send(sender=Case, case=case, actor=actor)
        Invitation.objects.filter(case=case, used_at__isnull=True).update(expires_at=timezone.now())
        _audit(actor, "case.closed", "case", case.id, outcome=outcome)
    return case


def record_view(participant: Participant) -> None:
    """Reading a case's content is audited (practice 10)."""
    with transaction.atomic():
        _audit(participant, "case.viewed", "case", participant.case_id)
