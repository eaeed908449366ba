"""What waits on a person across their cases (issue 15, "what needs me"): codes and ids
only, for the home page and `GET /me/attention`.

It lives in this package because it is the highest domain layer that sees every kind of
thing a person may be asked for (onboarding, meetings and items, disclosures, consents,
concerns). Each kind is offered only when the kernel's `allowed_actions` lets the person
take the action now, and each content row comes through `visible`, so nothing the person
may not see is named, not even by its id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from caucus.accounts.models import User
from caucus.cases.models import (
    Agreement,
    GroundRule,
    Participant,
    RuleResponse,
    Signature,
    StructureAcknowledgement,
)
from caucus.disclosures.models import (
    Answer,
    Concern,
    ConsentStatus,
    ConsentVote,
    DisclosureApproval,
    DisclosureStatus,
)
from caucus.kernel.parties import Status
from caucus.kernel.permissions import Action, allowed_actions
from caucus.kernel.visibility import visible
from caucus.meetings.models import Attendance, AttendanceState, Item, Meeting, MeetingStatus
from caucus.portal.unread import unread

# A meeting stays "next" until an hour after it was due to start (or while it runs).
UPCOMING_GRACE = timedelta(hours=1)
OPEN = (Status.INTAKE, Status.ONBOARDING, Status.ACTIVE)


@dataclass(frozen=True)
class Waiting:
    kind: str
    case_id: uuid.UUID
    object_id: uuid.UUID
    at: datetime
    # Where the web shows it, when that is a meeting (an item's, a knock's): not in the API.
    meeting_id: uuid.UUID | None = None
    # How many things of this kind the row stands for (unread messages: one row per case).
    count: int = 1


def _onboarding(me: Participant, allowed: frozenset[Action]) -> list[Waiting]:
    case = me.case
    found: list[Waiting] = []
    if case.status == Status.INTAKE:
        return found  # nothing is asked of anyone before the mediator has screened
    onboarding = case.status == Status.ONBOARDING
    if onboarding and Action.ACKNOWLEDGE_STRUCTURE in allowed:
        acked = StructureAcknowledgement.objects.filter(
            participant=me, policy=case.confidentiality_structure
        ).exists()
        if not acked:
            found.append(Waiting("acknowledge_structure", case.id, case.id, case.created_at))
    # Also later: an expert who joins an active case signs before seeing anything.
    if Action.SIGN_AGREEMENT in allowed:
        signed = Signature.objects.filter(
            participant=me, text_sha256=F("agreement__text_sha256")
        ).values_list("agreement_id", flat=True)
        for agreement in Agreement.objects.filter(case=case).exclude(id__in=signed):
            found.append(Waiting("sign_agreement", case.id, agreement.id, agreement.updated_at))
    if onboarding and Action.RESPOND_TO_RULE in allowed:
        answered = RuleResponse.objects.filter(participant=me).values_list("rule_id", flat=True)
        rules = GroundRule.objects.filter(case=case, withdrawn_at__isnull=True).exclude(
            id__in=answered
        )
        for rule in rules.order_by("created_at", "id"):
            found.append(Waiting("answer_ground_rule", case.id, rule.id, rule.updated_at))
    return found


def _substantive(me: Participant, allowed: frozenset[Action]) -> list[Waiting]:
    case_id = me.case_id
    found: list[Waiting] = []
    if Action.CONFIRM_ITEM in allowed and me.side_id is not None:
        for item in items_to_confirm(me).order_by("created_at", "id"):
            found.append(
                Waiting("confirm_item", case_id, item.id, item.created_at, item.meeting_id)
            )
    if Action.ANSWER_DISCLOSURE in allowed:
        approvals = DisclosureApproval.objects.filter(
            approver=me, answer=Answer.PENDING, disclosure__status=DisclosureStatus.PENDING
        ).select_related("disclosure")
        for a in approvals:
            found.append(
                Waiting("approve_disclosure", case_id, a.disclosure_id, a.disclosure.created_at)
            )
    if Action.ANSWER_CONSENT in allowed:
        votes = ConsentVote.objects.filter(
            party=me, answer=Answer.PENDING, consent__status=ConsentStatus.PENDING
        ).select_related("consent")
        for v in votes:
            found.append(Waiting("vote_consent", case_id, v.consent_id, v.consent.created_at))
    if Action.RUN_MEETING in allowed:
        knocks = Attendance.objects.filter(
            case_id=case_id,
            state=AttendanceState.LOBBY,
            meeting__status=MeetingStatus.RUNNING,
            meeting__in=visible(me, Meeting),
        )
        for k in knocks.order_by("at"):
            found.append(Waiting("admit_attendee", case_id, k.meeting_id, k.at, k.meeting_id))
    if Action.RESPOND_TO_CONCERN in allowed:
        unanswered = visible(me, Concern).filter(responses__isnull=True)
        for c in unanswered.order_by("created_at", "id"):
            found.append(Waiting("answer_concern", case_id, c.id, c.created_at))
    return found


def _unread_messages(me: Participant, allowed: frozenset[Action]) -> list[Waiting]:
    """One row for a case with messages the person has not read: the oldest unread one's
    id and time, and how many there are. Only messages they may see are counted."""
    if Action.READ_RECORD not in allowed:
        return []
    found = unread(me).values_list("id", "created_at")
    count = found.count()
    if not count:
        return []
    oldest_id, oldest_at = found[0]
    return [Waiting("unread_messages", me.case_id, oldest_id, oldest_at, count=count)]


def items_to_confirm(me: Participant) -> QuerySet[Item]:
    """Items of `me`'s side's private sessions with a proposal `me` has yet to confirm."""
    return (
        visible(me, Item)
        .filter(origin_side_id=me.side_id, confirmed_at__isnull=True, meeting__isnull=False)
        .exclude(decision="")
    )


def upcoming(me: Participant) -> QuerySet[Meeting]:
    """The meetings `me` may attend that run or are still to come."""
    since = timezone.now() - UPCOMING_GRACE
    return (
        visible(me, Meeting)
        .filter(status__in=(MeetingStatus.SCHEDULED, MeetingStatus.RUNNING))
        .exclude(status=MeetingStatus.SCHEDULED, starts_at__lt=since)
    )


def upcoming_meetings(me: Participant, allowed: frozenset[Action]) -> list[Meeting]:
    if Action.READ_RECORD not in allowed:
        return []
    return list(upcoming(me).order_by("starts_at", "id"))


def for_participant(me: Participant) -> list[Waiting]:
    """What waits on one participation; nothing once the case is no longer open."""
    if me.case.status not in OPEN:
        return []
    allowed = allowed_actions(me)
    found: list[Waiting] = []
    if Action.SCREEN in allowed:
        found.append(Waiting("screen_case", me.case_id, me.case_id, me.case.created_at))
    found += _onboarding(me, allowed)
    found += _substantive(me, allowed)
    found += _unread_messages(me, allowed)
    found += [
        Waiting("upcoming_meeting", me.case_id, m.id, m.starts_at, m.id)
        for m in upcoming_meetings(me, allowed)
    ]
    return found


def my_participations(user: User) -> list[Participant]:
    return list(
        Participant.objects.filter(user=user, case__status__in=OPEN)
        .select_related("case", "case__practice")
        .order_by("-case__created_at", "case_id")
    )


def attention(user: User) -> list[Waiting]:
    """Everything waiting on `user` across their open cases, oldest first, with the
    meetings last, soonest first."""
    found = [w for me in my_participations(user) for w in for_participant(me)]
    tasks = sorted((w for w in found if w.kind != "upcoming_meeting"), key=lambda w: w.at)
    meetings = sorted((w for w in found if w.kind == "upcoming_meeting"), key=lambda w: w.at)
    return tasks + meetings
