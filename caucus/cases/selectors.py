"""Reads on cases, each filtered through the kernel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.utils import timezone

from caucus.accounts.models import User
from caucus.cases import onboarding
from caucus.cases.access import access_case, case_participants, visible_cases
from caucus.cases.models import (
    CLOSING_STATEMENTS,
    Case,
    Invitation,
    Outcome,
    Participant,
    Role,
    Status,
)
from caucus.crypto.keyring import preload
from caucus.kernel import paging
from caucus.kernel.errors import NotVisible
from caucus.kernel.permissions import Action, allowed_actions, can_open_case, require


@dataclass(frozen=True)
class Onboarding:
    complete: bool
    missing: list[str]


@dataclass(frozen=True)
class Screening:
    decision: str | None
    reason_code: str | None
    private_note: str | None  # the mediators' only


@dataclass(frozen=True)
class CaseView:
    """A case as one viewer may see it. The mediators' private notes (the screening note and
    the reasons for closing) are present only for whoever may read them, under one rule; the
    API's answer and the case page render this same object."""

    id: uuid.UUID
    title: str
    kind: str
    litigated: bool
    status: str
    confidentiality_structure: str
    onboarding: Onboarding
    my_participant_id: uuid.UUID
    my_role: str
    my_side_id: uuid.UUID | None
    outcome: str | None
    closed_at: datetime | None
    purge_after: datetime | None
    created_at: datetime
    screening: Screening
    note_to_parties: str | None
    closing_statement: str | None
    closing_note: str | None
    # What the case page offers this viewer; the services check the same rules for real.
    may_invite: bool
    may_screen: bool
    may_close: bool
    may_schedule: bool
    has_content: bool
    may_list_invitations: bool
    may_withdraw: bool
    may_remove_attorneys: bool


def case_view(me: Participant, missing: list[str] | None = None) -> CaseView:
    case = me.case
    allowed = allowed_actions(me)
    private = Action.READ_SCREENING_NOTE in allowed
    missing = onboarding.missing(case) if missing is None else missing
    return CaseView(
        id=case.id,
        title=case.title,
        kind=case.kind,
        litigated=case.litigated,
        status=case.status,
        confidentiality_structure=case.confidentiality_structure,
        onboarding=Onboarding(complete=not missing, missing=missing),
        my_participant_id=me.id,
        my_role=me.role,
        my_side_id=me.side_id,
        outcome=case.outcome or None,
        closed_at=case.closed_at,
        purge_after=case.purge_after,
        created_at=case.created_at,
        screening=Screening(
            decision=case.screening_decision or None,
            reason_code=case.screening_reason_code or None,
            private_note=(case.screening_note or None) if private else None,
        ),
        note_to_parties=case.note_to_parties or None,
        closing_statement=CLOSING_STATEMENTS[Outcome(case.outcome)] if case.outcome else None,
        closing_note=(case.closing_note or None) if private else None,
        may_invite=Action.INVITE in allowed,
        may_screen=Action.SCREEN in allowed,
        may_close=Action.CLOSE in allowed,
        may_schedule=Action.SCHEDULE_MEETING in allowed,
        has_content=Action.READ_RECORD in allowed,
        may_list_invitations=Action.LIST_INVITATIONS in allowed,
        may_withdraw=Action.WITHDRAW in allowed,
        may_remove_attorneys=Action.REMOVE_ATTORNEY in allowed,
    )


def attorney_of_case(user: User, participant_id: uuid.UUID) -> tuple[Participant, Participant]:
    """A current attorney, with the caller's participation in their case: for the page that
    asks the mediator to confirm a removal. Anything else is one answer, 404."""
    target = (
        Participant.objects.select_related("user")
        .filter(pk=participant_id, role=Role.ATTORNEY)
        .first()
    )
    if target is None:
        raise NotVisible()
    return target, access_case(user, target.case_id)


def case_for(user: User, case_id: uuid.UUID) -> tuple[CaseView, Participant]:
    me = access_case(user, case_id)
    return case_view(me), me


def may_open_cases(user: User) -> bool:
    return can_open_case(user)


class People:
    """Names of a case's participants as one viewer sees them, and a label for each side by
    its party's name. The side labels are the same on every page and in the access log."""

    def __init__(self, me: Participant, rows: list[Participant] | None = None) -> None:
        self.rows = list(case_participants(me)) if rows is None else rows
        self.names = {p.id: p.user.name for p in self.rows}
        self.parties: dict[uuid.UUID, str] = {}
        for p in self.rows:
            if p.role == Role.PARTY and p.side_id and p.side_id not in self.parties:
                self.parties[p.side_id] = p.user.name
        self.sides = {side: f"{name}'s side" for side, name in self.parties.items()}

    def name(self, participant_id: uuid.UUID) -> str:
        return self.names.get(participant_id, "A participant")

    def side(self, side_id: uuid.UUID | None) -> str:
        return self.sides.get(side_id, "One side") if side_id else ""

    def party(self, side_id: uuid.UUID | None) -> str | None:
        """The name of a side's first party, when the side has one."""
        return self.parties.get(side_id) if side_id else None


def participants(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> paging.Page[Participant]:
    """Who is in the case, in the order they joined, for whoever may list them."""
    me = access_case(user, case_id)
    require(me, Action.LIST_PARTICIPANTS)
    return paging.page(case_participants(me), ("created_at", "id"), cursor=cursor, limit=limit)


@dataclass(frozen=True)
class Row:
    case: Case
    me: Participant
    onboarding_missing: list[str]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def my_cases(user: User, *, cursor: str | None, limit: int) -> Page:
    """The caller's cases, newest first, with the caller's participation and onboarding
    progress, in a fixed number of queries whatever the number of cases."""
    found = paging.page(visible_cases(user), ("-created_at", "-id"), cursor=cursor, limit=limit)
    cases = found.rows
    mine = {
        p.case_id: p
        for p in Participant.objects.filter(user=user, case_id__in=[c.id for c in cases])
    }
    preload(c.id for c in cases)
    facts = onboarding.facts_for(c.id for c in cases)
    for c in cases:
        mine[c.id].case = c  # the case just read, not one query per row
    rows = [Row(c, mine[c.id], onboarding.missing(c, facts[c.id])) for c in cases]
    return Page(rows, found.next_cursor)


OPEN_STATUSES = (Status.INTAKE, Status.ONBOARDING, Status.ACTIVE)
InvitationStatus = Literal["pending", "accepted", "expired", "revoked"]


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    status: InvitationStatus


def invitation_status(invitation: Invitation, case: Case, now: datetime) -> InvitationStatus:
    if invitation.used_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now or case.status not in OPEN_STATUSES:
        return "expired"
    return "pending"


def invitation_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[InvitationRow], str | None]:
    """The case's invitations, newest first, for its mediators, a page at a time."""
    me = access_case(user, case_id)
    require(me, Action.LIST_INVITATIONS)
    now = timezone.now()
    preload([me.case_id])
    found = paging.page(
        Invitation.objects.filter(case_id=me.case_id),
        ("-created_at", "-id"),
        cursor=cursor,
        limit=limit,
    )
    return [InvitationRow(i, invitation_status(i, me.case, now)) for i in found.rows], (
        found.next_cursor
    )


def invitations(user: User, case_id: uuid.UUID) -> list[InvitationRow]:
    """Every invitation of the case, newest first, for its mediators."""
    return invitation_page(user, case_id)[0]


def invitation(user: User, invitation_id: uuid.UUID) -> InvitationRow:
    """One invitation as it now is, for a mediator of its case."""
    case_id = Invitation.objects.filter(pk=invitation_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotVisible()
    me = access_case(user, case_id)
    require(me, Action.LIST_INVITATIONS)
    found = Invitation.objects.get(pk=invitation_id)
    return InvitationRow(found, invitation_status(found, me.case, timezone.now()))


def closing(user: User, case_id: uuid.UUID) -> Participant:
    """The mediator about to close the case, for the page that asks them to confirm."""
    me = access_case(user, case_id)
    require(me, Action.CLOSE)
    return me
