"""Writes of disclosures, consents and concerns. Each resolves the caller through the kernel
(what they may not see is not found), checks the action, and changes state in one
transaction with its audit entry; notifications go out after the commit and say only that
something is waiting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from caucus.accounts.models import User
from caucus.accounts.services import normalize_email
from caucus.audit.access import audited_page, audited_row
from caucus.audit.chain import record_action
from caucus.cases.access import access_case, access_in_case, access_visible
from caucus.cases.models import Case, Participant, Role, Side, Status
from caucus.cases.services import IssuedInvitation, invite_consented_expert
from caucus.disclosures import selectors
from caucus.disclosures.models import (
    Answer,
    Concern,
    ConcernResponse,
    ConcernTopic,
    Consent,
    ConsentKind,
    ConsentStatus,
    ConsentVote,
    Disclosure,
    DisclosureApproval,
    DisclosureStatus,
)
from caucus.kernel.audience import AudienceKind
from caucus.kernel.audience_changes import execute_disclosure
from caucus.kernel.errors import Conflict, Invalid, required_text
from caucus.kernel.paging import Page
from caucus.kernel.permissions import Action, require, require_named_approver
from caucus.meetings.models import Decision, Item, Meeting
from caucus.portal import notify

TEXT_MAX = 10_000
NAME_MAX = 200
CONCERN_OPEN = (Status.INTAKE, Status.ONBOARDING, Status.ACTIVE)


# --- Disclosures (practice 3) -------------------------------------------------------------


def approvers_of(side_id: uuid.UUID) -> list[Participant]:
    """The item's party and, when represented, each of their attorneys."""
    return list(
        Participant.objects.filter(side_id=side_id, role__in=(Role.PARTY, Role.ATTORNEY))
        .select_related("user")
        .order_by("created_at", "id")
    )


def draft_disclosure(user: User, item_id: uuid.UUID, *, to: str, text: str) -> Disclosure:
    item, actor = access_visible(user, Item, item_id)
    require(actor, Action.DRAFT_DISCLOSURE)
    fields: dict[str, list[str]] = {}
    text = required_text(fields, "text", text, TEXT_MAX)
    to_side: Side | None = None
    if to != AudienceKind.CASE:
        try:
            to_side = Side.objects.filter(case_id=actor.case_id, id=uuid.UUID(to)).first()
        except ValueError:
            to_side = None
        if to_side is None:
            fields["to"] = ['Give "case" or the id of a side of this case.']
        elif to_side.id == item.origin_side_id:
            fields["to"] = ["The item is that side's own already; disclose to another side."]
    if fields:
        raise Invalid(fields)
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.origin_side_id is None or item.audience_kind != AudienceKind.SIDE:
            raise Conflict(
                "not_disclosable", "Only an item a side raised in confidence is disclosed."
            )
        if item.source_item_id is not None:
            raise Conflict("not_disclosable", "This item is itself a released disclosure.")
        if item.decision == Decision.KEEP_CONFIDENTIAL:
            raise Conflict("keep_confidential", "The party asked to keep this item confidential.")
        if not item.decision or not item.confirmed:
            raise Conflict(
                "decision_unconfirmed",
                "The party has not confirmed that this item may be shared.",
            )
        if Disclosure.objects.filter(item=item, status=DisclosureStatus.PENDING).exists():
            raise Conflict("disclosure_pending", "A disclosure of this item awaits approval.")
        approvers = approvers_of(item.origin_side_id)
        disclosure = Disclosure(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            item=item,
            drafted_by=actor,
            to_kind=AudienceKind.SIDE if to_side else AudienceKind.CASE,
            to_side=to_side,
            # Until released, the draft is the owning side's: the original is theirs, and so
            # is the fact that someone proposes to share it.
            audience_kind=AudienceKind.SIDE,
            audience_side_id=item.origin_side_id,
        )
        disclosure.text = text
        disclosure.save()
        DisclosureApproval.objects.bulk_create(
            DisclosureApproval(case_id=actor.case_id, disclosure=disclosure, approver=p)
            for p in approvers
        )
        record_action(
            actor,
            "disclosure.drafted",
            "disclosure",
            disclosure.id,
            item=str(item.id),
            approvers=[str(p.id) for p in approvers],
        )
        notify.something_waiting(approvers)
    return disclosure


def _answer_disclosure(user: User, disclosure_id: uuid.UUID, answer: str) -> Disclosure:
    disclosure, actor = access_visible(user, Disclosure, disclosure_id)
    require(actor, Action.ANSWER_DISCLOSURE)
    with transaction.atomic():
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        approvals = {a.approver_id: a for a in disclosure.approvals.select_for_update()}
        require_named_approver(actor, set(approvals))
        if disclosure.status != DisclosureStatus.PENDING:
            raise Conflict("disclosure_decided", f"This disclosure is {disclosure.status}.")
        mine = approvals[actor.id]
        if mine.answer != Answer.PENDING:
            raise Conflict("already_answered", "You have answered this disclosure already.")
        if answer == Answer.APPROVED:
            # The mediator may redecide the item while the disclosure waits: an approval
            # follows its current decision, so a kept item never leaves its audience.
            item = Item.objects.select_for_update().get(pk=disclosure.item_id)
            if item.decision == Decision.KEEP_CONFIDENTIAL:
                raise Conflict(
                    "keep_confidential", "The party asked to keep this item confidential."
                )
            if not item.confirmed:
                raise Conflict(
                    "decision_unconfirmed",
                    "The party has not confirmed that this item may be shared.",
                )
        mine.answer, mine.answered_at = answer, timezone.now()
        mine.save(update_fields=["answer", "answered_at"])
        record_action(actor, f"disclosure.{answer}", "disclosure", disclosure.id)
        if answer == Answer.REJECTED:
            # One rejection ends it.
            disclosure.status, disclosure.decided_at = DisclosureStatus.REJECTED, timezone.now()
            disclosure.save(update_fields=["status", "decided_at"])
            notify.something_waiting([disclosure.drafted_by])
        elif all(a.answer == Answer.APPROVED for a in approvals.values()):
            released = execute_disclosure(disclosure, Item.objects.get(pk=disclosure.item_id))
            disclosure.status, disclosure.decided_at = DisclosureStatus.RELEASED, timezone.now()
            disclosure.released_item = released
            disclosure.save(update_fields=["status", "decided_at", "released_item"])
            record_action(
                actor,
                "disclosure.released",
                "disclosure",
                disclosure.id,
                released_item=str(released.id),
                to=released.audience,
            )
            notify.something_waiting(notify.audience_members(released))
    return disclosure


def approve_disclosure(user: User, disclosure_id: uuid.UUID) -> Disclosure:
    return _answer_disclosure(user, disclosure_id, Answer.APPROVED)


def reject_disclosure(user: User, disclosure_id: uuid.UUID) -> Disclosure:
    return _answer_disclosure(user, disclosure_id, Answer.REJECTED)


# --- Consents (practice 11) ---------------------------------------------------------------


@dataclass(frozen=True)
class ConsentResult:
    consent: Consent
    invitation: IssuedInvitation | None = None


def parties_of(case_id: uuid.UUID) -> list[Participant]:
    return list(
        Participant.objects.filter(case_id=case_id, role=Role.PARTY)
        .select_related("user")
        .order_by("created_at", "id")
    )


def request_consent(
    user: User,
    case_id: uuid.UUID,
    *,
    kind: str,
    name: str,
    email: str | None,
    purpose: str,
    meeting_id: uuid.UUID | None,
    side_id: uuid.UUID | None,
) -> Consent:
    actor = access_case(user, case_id)
    require(actor, Action.REQUEST_CONSENT)
    fields: dict[str, list[str]] = {}
    name = required_text(fields, "name", name, NAME_MAX)
    purpose = required_text(fields, "purpose", purpose, TEXT_MAX)
    meeting: Meeting | None = None
    side: Side | None = None
    if kind not in ConsentKind.values:
        fields["kind"] = ["Choose one of: " + ", ".join(ConsentKind.values) + "."]
    if kind == ConsentKind.ADD_EXPERT:
        email = normalize_email(email or "")
        try:
            validate_email(email)
        except ValidationError:
            fields["email"] = ["An expert is invited by email: give a valid address."]
        if meeting_id is not None:
            fields["meeting_id"] = ["An expert joins the case, not one meeting."]
        if side_id is not None:
            side = Side.objects.filter(case_id=actor.case_id, id=side_id).first()
            if side is None:
                fields["side_id"] = ["No such side in this case."]
    if kind == ConsentKind.ADMIT_GUEST:
        email = normalize_email(email) if email else None
        if side_id is not None:
            fields["side_id"] = ["A guest sits in one meeting; name the meeting instead."]
        if meeting_id is None:
            fields["meeting_id"] = ["Name the meeting the guest would attend."]
        else:
            meeting = Meeting.objects.filter(case_id=actor.case_id, id=meeting_id).first()
            if meeting is None:
                fields["meeting_id"] = ["No such meeting in this case."]
    if fields:
        raise Invalid(fields)
    with transaction.atomic():
        parties = parties_of(actor.case_id)
        consent = Consent(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            kind=kind,
            requested_by=actor,
            meeting=meeting,
            side=side,
        )
        consent.name = name
        consent.purpose = purpose
        if email:
            consent.email = email
        consent.save()
        ConsentVote.objects.bulk_create(
            ConsentVote(case_id=actor.case_id, consent=consent, party=p) for p in parties
        )
        record_action(actor, "consent.requested", "consent", consent.id, kind=kind)
        notify.something_waiting(parties)
    return consent


def _answer_consent(user: User, consent_id: uuid.UUID, answer: str) -> ConsentResult:
    consent, actor = access_in_case(user, Consent, consent_id)
    require(actor, Action.ANSWER_CONSENT)
    issued: IssuedInvitation | None = None
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        votes = {v.party_id: v for v in consent.votes.select_for_update()}
        require_named_approver(actor, set(votes))
        if consent.status != ConsentStatus.PENDING:
            raise Conflict("consent_decided", f"This request is {consent.status}.")
        mine = votes[actor.id]
        if mine.answer != Answer.PENDING:
            raise Conflict("already_answered", "You have answered this request already.")
        mine.answer, mine.answered_at = answer, timezone.now()
        mine.save(update_fields=["answer", "answered_at"])
        record_action(actor, f"consent.{answer}", "consent", consent.id)
        if answer == Answer.REJECTED:
            consent.status, consent.decided_at = ConsentStatus.DENIED, timezone.now()
            consent.save(update_fields=["status", "decided_at"])
            record_action(actor, "consent.denied", "consent", consent.id)
            notify.something_waiting([consent.requested_by])
        elif all(v.answer == Answer.APPROVED for v in votes.values()):
            consent.status, consent.decided_at = ConsentStatus.GRANTED, timezone.now()
            if consent.kind == ConsentKind.ADD_EXPERT:
                issued = invite_consented_expert(
                    consent.requested_by,
                    email=consent.email,
                    name=consent.name,
                    side=consent.side,
                )
                consent.invitation = issued.invitation
                consent.invite_token = issued.token
            consent.save(
                update_fields=["status", "decided_at", "invitation", "invite_token_sealed"]
            )
            record_action(actor, "consent.granted", "consent", consent.id)
            notify.something_waiting([consent.requested_by])
    return ConsentResult(consent, issued)


def approve_consent(user: User, consent_id: uuid.UUID) -> ConsentResult:
    return _answer_consent(user, consent_id, Answer.APPROVED)


def deny_consent(user: User, consent_id: uuid.UUID) -> ConsentResult:
    return _answer_consent(user, consent_id, Answer.REJECTED)


# --- Concerns (practice 16) ---------------------------------------------------------------


def raise_concern(user: User, case_id: uuid.UUID, *, topic: str, body: str) -> Concern:
    """Open from intake until the case closes, before any agreement is signed: a concern
    about impartiality may be the reason not to sign."""
    actor = access_case(user, case_id)
    require(actor, Action.RAISE_CONCERN)
    fields: dict[str, list[str]] = {}
    if topic not in ConcernTopic.values:
        fields["topic"] = ["Choose one of: " + ", ".join(ConcernTopic.values) + "."]
    body = required_text(fields, "body", body, TEXT_MAX)
    if fields:
        raise Invalid(fields)
    if actor.case.status not in CONCERN_OPEN:
        raise Conflict("case_not_open", f"This case is {actor.case.status}.")
    with transaction.atomic():
        concern = Concern(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            raised_by=actor,
            topic=topic,
            audience_kind=AudienceKind.SIDE if actor.side_id else AudienceKind.MEDIATORS,
            audience_side_id=actor.side_id,
        )
        concern.body = body
        concern.save()
        record_action(actor, "concern.raised", "concern", concern.id, topic=topic)
        notify.something_waiting(notify.mediators_of(actor.case_id))
    return concern


def respond_to_concern(user: User, concern_id: uuid.UUID, *, body: str) -> ConcernResponse:
    concern, actor = access_visible(user, Concern, concern_id)
    require(actor, Action.RESPOND_TO_CONCERN)
    fields: dict[str, list[str]] = {}
    body = required_text(fields, "body", body, TEXT_MAX)
    if fields:
        raise Invalid(fields)
    if actor.case.status not in CONCERN_OPEN:
        raise Conflict("case_not_open", f"This case is {actor.case.status}.")
    with transaction.atomic():
        response = ConcernResponse(
            id=uuid.uuid4(), case_id=actor.case_id, concern=concern, author=actor
        )
        response.body = body
        response.save()
        record_action(actor, "concern.answered", "concern", concern.id, response=str(response.id))
        notify.something_waiting(notify.audience_members(concern), exclude=actor)
    return response


# --- Closing ------------------------------------------------------------------------------


def on_case_closing(sender: object, *, case: Case, **kwargs: object) -> None:
    """`caucus.cases.signals.case_closing`, inside the close's transaction."""
    cancel_open_requests(case.id)


def on_participant_removed(
    sender: object, *, case: Case, removed: Participant, **kwargs: object
) -> dict[str, list[str]]:
    """`caucus.cases.signals.participant_removed`, inside the removal's transaction: a
    pending disclosure that still waits on the removed attorney's answer lapses, so that
    nothing travels on an approval the side's current representation never gave."""
    waiting = Disclosure.objects.filter(
        case=case,
        status=DisclosureStatus.PENDING,
        approvals__approver_id=removed.id,
        approvals__answer=Answer.PENDING,
    )
    ids = [str(i) for i in waiting.values_list("id", flat=True)]
    Disclosure.objects.filter(pk__in=ids).update(
        status=DisclosureStatus.CANCELLED, decided_at=timezone.now()
    )
    return {"lapsed_disclosures": ids}


def cancel_open_requests(case_id: uuid.UUID) -> None:
    """A closed case asks nobody anything more: pending disclosures and consents lapse.
    Called by the close service inside its transaction."""
    now = timezone.now()
    Disclosure.objects.filter(case_id=case_id, status=DisclosureStatus.PENDING).update(
        status=DisclosureStatus.CANCELLED, decided_at=now
    )
    Consent.objects.filter(case_id=case_id, status=ConsentStatus.PENDING).update(
        status=ConsentStatus.CANCELLED, decided_at=now
    )


# --- Audited reads (practice 10) ----------------------------------------------------------


def read_disclosures_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[Page[Disclosure], Participant]:
    return audited_page(*selectors.disclosures(user, case_id, cursor=cursor, limit=limit))


def read_disclosures(user: User, case_id: uuid.UUID) -> tuple[list[Disclosure], Participant]:
    found, me = read_disclosures_page(user, case_id)
    return found.rows, me


def read_disclosure(user: User, disclosure_id: uuid.UUID) -> tuple[Disclosure, Participant]:
    return audited_row(*selectors.disclosure(user, disclosure_id))


def read_consents_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[Page[Consent], Participant]:
    return audited_page(*selectors.consents(user, case_id, cursor=cursor, limit=limit))


def read_consents(user: User, case_id: uuid.UUID) -> tuple[list[Consent], Participant]:
    found, me = read_consents_page(user, case_id)
    return found.rows, me


def read_consent(user: User, consent_id: uuid.UUID) -> tuple[Consent, Participant]:
    return audited_row(*selectors.consent(user, consent_id))


def read_concerns_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[Page[Concern], Participant]:
    return audited_page(*selectors.concerns(user, case_id, cursor=cursor, limit=limit))


def read_concerns(user: User, case_id: uuid.UUID) -> tuple[list[Concern], Participant]:
    found, me = read_concerns_page(user, case_id)
    return found.rows, me


def read_concern(user: User, concern_id: uuid.UUID) -> tuple[Concern, Participant]:
    return audited_row(*selectors.concern(user, concern_id))
