"""Reads of disclosures, consents and concerns: each list one SQL query filtered by the
kernel (consents are the whole case's), with its answers fetched in one more."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from caucus.accounts.models import User
from caucus.cases.access import access_case, access_in_case, access_visible
from caucus.cases.models import Participant
from caucus.cases.services import invitation_link
from caucus.disclosures.models import (
    Answer,
    Concern,
    ConcernResponse,
    Consent,
    ConsentKind,
    ConsentStatus,
    ConsentVote,
    Disclosure,
    DisclosureApproval,
    DisclosureStatus,
)
from caucus.kernel import paging
from caucus.kernel.permissions import Action, allowed_actions, can, require
from caucus.kernel.visibility import visible
from caucus.meetings.models import Item, Meeting


def _disclosures(qs: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    return qs.select_related("item").prefetch_related(
        Prefetch("approvals", queryset=DisclosureApproval.objects.order_by("id"))
    )


def disclosures(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Disclosure], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    qs = _disclosures(visible(me, Disclosure))
    return paging.page(qs, ("created_at", "id"), cursor=cursor, limit=limit), me


def disclosure(user: User, disclosure_id: uuid.UUID) -> tuple[Disclosure, Participant]:
    found, me = access_visible(user, Disclosure, disclosure_id)
    require(me, Action.READ_RECORD)
    return _disclosures(Disclosure.objects.filter(pk=found.pk)).get(), me


def _consents(qs: QuerySet[Consent]) -> QuerySet[Consent]:
    return qs.prefetch_related(Prefetch("votes", queryset=ConsentVote.objects.order_by("id")))


def consents(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Consent], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    qs = _consents(Consent.objects.filter(case_id=me.case_id))
    return paging.page(qs, ("created_at", "id"), cursor=cursor, limit=limit), me


def consent(user: User, consent_id: uuid.UUID) -> tuple[Consent, Participant]:
    found, me = access_in_case(user, Consent, consent_id)
    require(me, Action.READ_RECORD)
    return _consents(Consent.objects.filter(pk=found.pk)).get(), me


def visible_meeting_ids(me: Participant, meeting_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Of the meetings consents name, those the caller may see: a guest for the other side's
    caucus is asked of every party, but which caucus it is stays that side's."""
    if not meeting_ids:
        return set()
    return set(visible(me, Meeting).filter(id__in=meeting_ids).values_list("id", flat=True))


@dataclass(frozen=True)
class ConsentView:
    """A consent as one viewer may see it: the expert's email and the invitation link are the
    mediators' only, and the meeting a guest is for is named only to whoever may see that
    meeting. The API's answer and the consents page render this same object."""

    consent: Consent
    votes: list[ConsentVote]
    email: str | None
    meeting_id: uuid.UUID | None
    invite_url: str | None
    my_vote: ConsentVote | None

    @property
    def awaits_my_answer(self) -> bool:
        return (
            self.consent.status == ConsentStatus.PENDING
            and self.my_vote is not None
            and self.my_vote.answer == Answer.PENDING
        )


def consent_views(me: Participant, found: list[Consent]) -> list[ConsentView]:
    mediator = can(me, Action.REQUEST_CONSENT)
    seen = visible_meeting_ids(me, {c.meeting_id for c in found if c.meeting_id})
    views = []
    for c in found:
        votes = list(c.votes.all())
        invite_url = None
        if mediator and c.invite_token and c.invitation_id is not None:
            invite_url = invitation_link(c.invite_token)
        views.append(
            ConsentView(
                consent=c,
                votes=votes,
                email=(c.email or None) if mediator else None,
                meeting_id=c.meeting_id if c.meeting_id in seen else None,
                invite_url=invite_url,
                my_vote=next((v for v in votes if v.party_id == me.id), None),
            )
        )
    return views


def may_request_consent(me: Participant) -> bool:
    return Action.REQUEST_CONSENT in allowed_actions(me)


def _concerns(qs: QuerySet[Concern]) -> QuerySet[Concern]:
    return qs.prefetch_related(
        Prefetch("responses", queryset=ConcernResponse.objects.order_by("created_at", "id"))
    )


def concerns(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Concern], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_CONCERNS)
    qs = _concerns(visible(me, Concern))
    return paging.page(qs, ("created_at", "id"), cursor=cursor, limit=limit), me


def concern(user: User, concern_id: uuid.UUID) -> tuple[Concern, Participant]:
    found, me = access_visible(user, Concern, concern_id)
    require(me, Action.READ_CONCERNS)
    return _concerns(Concern.objects.filter(pk=found.pk)).get(), me


def granted_guest_names(meeting: Meeting) -> set[str]:
    """The names, case-folded, of the guests every party consented to for `meeting`: the
    source `caucus.meetings.guests` asks."""
    granted = Consent.objects.filter(
        meeting=meeting, kind=ConsentKind.ADMIT_GUEST, status=ConsentStatus.GRANTED
    )
    return {" ".join(c.name.split()).casefold() for c in granted}


def may_raise_concern(me: Participant) -> bool:
    return Action.RAISE_CONCERN in allowed_actions(me)


def may_respond_to_concern(me: Participant) -> bool:
    return Action.RESPOND_TO_CONCERN in allowed_actions(me)


def may_draft_disclosure(allowed: frozenset[Action], item: Item) -> bool:
    """Offered only for what the party allowed to be shared; the service decides for real.
    `allowed`: the viewer's `allowed_actions`, computed once per page."""
    return (
        Action.DRAFT_DISCLOSURE in allowed
        and item.source_item_id is None
        and item.origin_side_id is not None
        and item.audience_kind == "side"
        and item.decision in ("may_share", "may_share_as_worded")
        and item.confirmed
    )


def awaits_my_approval(me: Participant, d: Disclosure) -> bool:
    mine = next((a for a in d.approvals.all() if a.approver_id == me.id), None)
    return (
        d.status == DisclosureStatus.PENDING and mine is not None and mine.answer == Answer.PENDING
    )
