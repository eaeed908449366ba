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
from caucus.audit.chain import record_action
from caucus.cases import lifecycle
from caucus.cases.access import access_case
from caucus.cases.invitation_mail import send_invitation
from caucus.cases.models import (
    Case,
    DeclineReason,
    Invitation,
    Outcome,
    Participant,
    Practice,
    RetiredInvitationLink,
    Role,
    Side,
    Status,
)
from caucus.cases.onboarding_services import seed_case
from caucus.cases.signals import case_closing, participant_removed
from caucus.crypto.keyring import create_case_key
from caucus.kernel.errors import Conflict, Gone, Invalid, NotVisible, required_text
from caucus.kernel.permissions import Action, require, require_open_case

TITLE_MAX = 200
NAME_MAX = 200
NOTE_MAX = 10_000
INVITABLE_ROLES = (Role.PARTY, Role.ATTORNEY)
OPEN_STATUSES = (Status.INTAKE, Status.ONBOARDING, Status.ACTIVE)


def open_case(user: User, *, title: str, kind: str, litigated: bool) -> Participant:
    practice_id = require_open_case(user)
    fields: dict[str, list[str]] = {}
    title = required_text(fields, "title", title, TITLE_MAX)
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
        record_action(mediator, "case.opened", "case", case.id, kind=kind, litigated=litigated)
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
    name = required_text(fields, "name", name, NAME_MAX)
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
    record_action(actor, "case.invited", "invitation", invitation.id, role=role, side_id=side_id)
    _mail_link(actor, invitation, raw)
    return IssuedInvitation(invitation, raw)


def _mail_link(actor: Participant, invitation: Invitation, raw: str) -> None:
    send_invitation(
        address=invitation.email,
        inviter=actor.user.name,
        practice=Practice.objects.get(pk=actor.case.practice_id).name,
        role=invitation.role,
        link=invitation_link(raw),
        expires_at=invitation.expires_at,
    )


def _invitation_for_mediator(
    user: User, invitation_id: uuid.UUID
) -> tuple[Participant, Invitation]:
    """The invitation, locked, for a mediator of its case; NotVisible for anyone outside the
    case and for an id that names nothing, alike."""
    found = Invitation.objects.filter(pk=invitation_id).values_list("case_id", flat=True).first()
    if found is None:
        raise NotVisible()
    actor = access_case(user, found)
    require(actor, Action.INVITE)
    return actor, Invitation.objects.select_for_update().get(pk=invitation_id)


def _refuse_if_settled(invitation: Invitation) -> None:
    if invitation.used_at is not None:
        raise Conflict("invitation_accepted", "This invitation was accepted already.")
    if invitation.revoked_at is not None:
        raise Conflict("invitation_revoked", "This invitation was revoked.")


def resend_invitation(user: User, invitation_id: uuid.UUID) -> IssuedInvitation:
    """A new link, emailed, with a new expiry; the old link answers 410 from now on."""
    with transaction.atomic():
        actor, invitation = _invitation_for_mediator(user, invitation_id)
        _refuse_if_settled(invitation)
        RetiredInvitationLink.objects.create(
            token_hash=invitation.token_hash, invitation=invitation
        )
        raw = secrets.token_urlsafe(32)
        invitation.token_hash = hash_secret(raw)
        invitation.expires_at = timezone.now() + timedelta(days=settings.CAUCUS_INVITATION_DAYS)
        invitation.save(update_fields=["token_hash", "expires_at"])
        record_action(actor, "case.invitation_resent", "invitation", invitation.id)
        _mail_link(actor, invitation, raw)
    return IssuedInvitation(invitation, raw)


def revoke_invitation(user: User, invitation_id: uuid.UUID) -> Invitation:
    """The link answers 410 from now on. Revoking twice is the same as once."""
    with transaction.atomic():
        actor, invitation = _invitation_for_mediator(user, invitation_id)
        if invitation.used_at is not None:
            raise Conflict("invitation_accepted", "This invitation was accepted already.")
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record_action(actor, "case.invitation_revoked", "invitation", invitation.id)
    return invitation


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
        if RetiredInvitationLink.objects.filter(token_hash=hash_secret(raw_token)).exists():
            raise Gone("invitation_gone", "This link was replaced by a newer invitation email.")
        raise NotVisible()
    if invitation.revoked_at is not None:
        raise Gone("invitation_gone", "This invitation was withdrawn.")
    if invitation.used_at is not None or invitation.expires_at <= timezone.now():
        raise Gone("invitation_gone", "This invitation was used or has expired.")
    if invitation.case.status not in OPEN_STATUSES:
        raise Gone("invitation_gone", "This invitation was used or has expired.")
    return invitation


@dataclass(frozen=True)
class InvitationOffer:
    """What the acceptance page tells whoever holds a live link: who invites, to what role
    and practice, and the address the account will use. Not the case's title: a link can be
    forwarded, and the title may name the people in the dispute."""

    inviter: str
    practice: str
    role: str
    email: str


def invitation_offer(raw_token: str) -> InvitationOffer:
    invitation = find_invitation(raw_token)
    inviter = Participant.objects.select_related("user").get(pk=invitation.invited_by_id)
    return InvitationOffer(
        inviter=inviter.user.name,
        practice=Practice.objects.get(pk=invitation.case.practice_id).name,
        role=invitation.role,
        email=invitation.email,
    )


def accept_invitation(raw_token: str, *, name: str, password: str, user: User | None) -> Acceptance:
    fields: dict[str, list[str]] = {}
    if user is None:
        name = required_text(fields, "name", name, NAME_MAX)
    if fields:
        raise Invalid(fields)
    with transaction.atomic():
        invitation = find_invitation(raw_token)
        # Lock the row so two simultaneous uses of one link cannot both succeed.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        stale = locked.token_hash != hash_secret(raw_token)  # resent meanwhile
        if locked.used_at is not None or locked.revoked_at is not None or stale:
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
        record_action(
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
        record_action(
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
        _keep_signed_outcome(actor.case_id, outcome)
        case = _close(actor, outcome, note_to_parties, private_note)
        record_action(actor, "case.closed", "case", case.id, outcome=outcome)
    return case


# A memorandum signed by everyone is the parties' own record of the outcome: the mediator's
# close may not contradict it. A partial agreement may still become a whole one.
_SIGNED_OUTCOMES_ALLOW = {
    Outcome.SETTLED.value: {Outcome.SETTLED.value},
    Outcome.PARTIAL.value: {Outcome.PARTIAL.value, Outcome.SETTLED.value},
}


def _keep_signed_outcome(case_id: uuid.UUID, outcome: str) -> None:
    signed = Case.objects.select_for_update().values_list("outcome", flat=True).get(pk=case_id)
    allowed = _SIGNED_OUTCOMES_ALLOW.get(signed)
    if allowed is not None and outcome not in allowed:
        raise Conflict(
            "outcome_signed",
            f"Every signer signed the memorandum, which records the outcome {signed!r}.",
            outcome=signed,
        )


def _close(
    actor: Participant,
    outcome: str,
    note_to_parties: str | None,
    private_note: str | None,
    withdrawing: Participant | None = None,
) -> Case:
    """The close itself, inside the caller's transaction: every meeting ends (a running
    caucus's close-out first), pending disclosures and consents lapse, open invitations die
    and the purge date is set."""
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
    case_closing.send(sender=Case, case=case, actor=actor, withdrawing=withdrawing)
    Invitation.objects.filter(case=case, used_at__isnull=True).update(expires_at=now)
    return case


def withdraw(user: User, case_id: uuid.UUID) -> Case:
    """A party ends the mediation, as the agreement to mediate lets every party. Chosen: a
    mediation cannot go on without one of its parties, so the case closes at once with the
    outcome `party_withdrew`; everyone, the mediator included, sees only its neutral
    statement, never a reason. Nothing of the withdrawing side travels: its items without a
    confirmed decision are kept confidential (the withdrawal is that party's decision), and
    pending disclosures and consents lapse with the close."""
    actor = access_case(user, case_id)
    require(actor, Action.WITHDRAW)
    with transaction.atomic():
        case = _close(actor, Outcome.PARTY_WITHDREW, None, None, withdrawing=actor)
        record_action(
            actor, "case.withdrawn", "case", case.id, outcome=Outcome.PARTY_WITHDREW.value
        )
    return case


def remove_attorney(user: User, participant_id: uuid.UUID) -> Participant:
    """The mediator ends an attorney's participation (a party withdraws instead). The row
    stays, marked removed, because audit entries, signatures and access logs name it; from
    the commit on every kernel lookup leaves it out, so the attorney gets 404 on the case
    and its content, and their live meeting connections close. Chosen for pending
    disclosures that still wait on the attorney's answer: they lapse, so nothing travels on
    an approval the side's new representation never gave; the mediator drafts again and the
    new draft names the side's current party and attorneys."""
    target = Participant.objects.filter(pk=participant_id).first()
    if target is None:
        raise NotVisible()
    actor = access_case(user, target.case_id)
    require(actor, Action.REMOVE_ATTORNEY)
    if target.role != Role.ATTORNEY:
        raise Conflict(
            "not_an_attorney", "Only an attorney is removed this way; a party withdraws."
        )
    with transaction.atomic():
        locked = Participant.objects.select_for_update().filter(pk=target.pk).first()
        if locked is None:
            raise NotVisible()
        locked.removed_at = timezone.now()
        locked.save(update_fields=["removed_at"])
        details: dict[str, list[str]] = {}
        for _receiver, changed in participant_removed.send(
            sender=Participant, case=actor.case, actor=actor, removed=locked
        ):
            if isinstance(changed, dict):
                details.update(changed)
        record_action(actor, "case.attorney_removed", "participant", locked.id, **details)
    return locked


def record_view(participant: Participant) -> None:
    """Reading a case's content is audited (practice 10)."""
    with transaction.atomic():
        record_action(participant, "case.viewed", "case", participant.case_id)
