"""Reads of disclosures, consents and concerns: each list one SQL query filtered by the
kernel (consents are the whole case's), with its answers fetched in one more."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from caucus.accounts.models import User
from caucus.cases.access import access_case, access_in_case, access_visible
from caucus.cases.models import Participant
from caucus.disclosures.models import (
    Concern,
    ConcernResponse,
    Consent,
    ConsentKind,
    ConsentStatus,
    ConsentVote,
    Disclosure,
    DisclosureApproval,
)
from caucus.kernel.permissions import Action, require
from caucus.kernel.visibility import visible
from caucus.meetings.models import Meeting


def _disclosures(qs: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    return qs.select_related("item").prefetch_related(
        Prefetch("approvals", queryset=DisclosureApproval.objects.order_by("id"))
    )


def disclosures(user: User, case_id: uuid.UUID) -> tuple[list[Disclosure], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    return list(_disclosures(visible(me, Disclosure)).order_by("created_at", "id")), me


def disclosure(user: User, disclosure_id: uuid.UUID) -> tuple[Disclosure, Participant]:
    found, me = access_visible(user, Disclosure, disclosure_id)
    require(me, Action.READ_RECORD)
    return _disclosures(Disclosure.objects.filter(pk=found.pk)).get(), me


def _consents(qs: QuerySet[Consent]) -> QuerySet[Consent]:
    return qs.prefetch_related(Prefetch("votes", queryset=ConsentVote.objects.order_by("id")))


def consents(user: User, case_id: uuid.UUID) -> tuple[list[Consent], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    qs = Consent.objects.filter(case_id=me.case_id)
    return list(_consents(qs).order_by("created_at", "id")), me


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


def _concerns(qs: QuerySet[Concern]) -> QuerySet[Concern]:
    return qs.prefetch_related(
        Prefetch("responses", queryset=ConcernResponse.objects.order_by("created_at", "id"))
    )


def concerns(user: User, case_id: uuid.UUID) -> tuple[list[Concern], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_CONCERNS)
    return list(_concerns(visible(me, Concern)).order_by("created_at", "id")), me


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
