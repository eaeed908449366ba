from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from caucus.api.schemas import (
    CaseIn,
    CaseList,
    CaseOut,
    CloseIn,
    ErrorOut,
    InvitationIn,
    InvitationOut,
    OnboardingOut,
    ParticipantList,
    ParticipantOut,
    ScreeningIn,
    ScreeningOut,
)
from caucus.api.security import caller
from caucus.cases import onboarding, selectors, services
from caucus.cases.access import access_case, case_participants
from caucus.cases.models import CLOSING_STATEMENTS, Case, Outcome, Participant
from caucus.kernel.errors import Invalid, NotVisible
from caucus.kernel.permissions import Action, can, require
from caucus.retention import selectors as retention

router = Router(tags=["cases"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def render_case(case: Case, me: Participant, missing: list[str] | None = None) -> CaseOut:
    if missing is None:
        missing = onboarding.missing(case)
    mediator = can(me, Action.READ_SCREENING_NOTE)
    return CaseOut(
        id=case.id,
        title=case.title,
        kind=case.kind,
        litigated=case.litigated,
        status=case.status,
        confidentiality_structure=case.confidentiality_structure,
        onboarding=OnboardingOut(complete=not missing, missing=missing),
        my_participant_id=me.id,
        my_role=me.role,
        my_side_id=me.side_id,
        outcome=case.outcome or None,
        closed_at=case.closed_at,
        purge_after=case.purge_after,
        created_at=case.created_at,
        screening=ScreeningOut(
            decision=case.screening_decision or None,
            reason_code=case.screening_reason_code or None,
            private_note=(case.screening_note or None) if mediator else None,
        ),
        note_to_parties=case.note_to_parties or None,
        closing_statement=CLOSING_STATEMENTS[Outcome(case.outcome)] if case.outcome else None,
        closing_note=(case.closing_note or None) if mediator else None,
    )


PAGE_MAX = 200


class ListParams(Schema):
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(50, ge=1, le=PAGE_MAX)


def _parse_cursor(raw: str | None) -> tuple[datetime, uuid.UUID] | None:
    if not raw:
        return None
    try:
        return selectors.decode_cursor(raw)
    except ValueError:
        raise Invalid({"cursor": ["Not a cursor this API gave out."]}) from None


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Open a case (mediators)")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    me = services.open_case(
        caller(request), title=payload.title, kind=payload.kind, litigated=payload.litigated
    )
    return Status(201, render_case(me.case, me))


@router.get("/cases", response={200: CaseList, **ERRORS}, summary="The caller's cases")
def list_cases(request: HttpRequest, params: Query[ListParams]) -> CaseList:
    page = selectors.my_cases(
        caller(request), after=_parse_cursor(params.cursor), limit=params.limit
    )
    return CaseList(
        items=[render_case(r.case, r.me, r.onboarding_missing) for r in page.rows],
        next=page.next_cursor,
    )


@router.get(
    "/cases/{case_id}", response={200: CaseOut, 410: ErrorOut, **ERRORS}, summary="One case"
)
def get_case(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    user = caller(request)
    try:
        me = access_case(user, case_id)
    except NotVisible:
        retention.raise_if_purged(user, case_id)
        raise
    services.record_view(me)
    return render_case(me.case, me)


@router.post(
    "/cases/{case_id}/invitations",
    response={201: InvitationOut, **ERRORS},
    summary="Invite a party (opens a side) or an attorney (joins a side)",
)
def create_invitation(
    request: HttpRequest, case_id: uuid.UUID, payload: InvitationIn
) -> Status[InvitationOut]:
    issued = services.invite(
        caller(request),
        case_id,
        email=payload.email,
        name=payload.name,
        role=payload.role,
        side_id=payload.side_id,
    )
    inv = issued.invitation
    url = services.invitation_link(issued.token)
    return Status(
        201,
        InvitationOut(
            id=inv.id, invite_url=url, role=inv.role, side_id=inv.side_id, expires_at=inv.expires_at
        ),
    )


@router.get(
    "/cases/{case_id}/participants",
    response={200: ParticipantList, **ERRORS},
    summary="Who is in the case",
)
def participants(request: HttpRequest, case_id: uuid.UUID) -> ParticipantList:
    me = access_case(caller(request), case_id)
    require(me, Action.LIST_PARTICIPANTS)
    return ParticipantList(
        items=[
            ParticipantOut(id=p.id, name=p.user.name, role=p.role, side_id=p.side_id)
            for p in case_participants(me)
        ]
    )


@router.post(
    "/cases/{case_id}/screening",
    response={200: CaseOut, **ERRORS},
    summary="Accept or decline a case at intake",
)
def screening(request: HttpRequest, case_id: uuid.UUID, payload: ScreeningIn) -> CaseOut:
    user = caller(request)
    case = services.screen_case(
        user,
        case_id,
        decision=payload.decision,
        reason_code=payload.reason_code,
        private_note=payload.private_note,
    )
    return render_case(case, access_case(user, case.id))


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, **ERRORS},
    summary="Close a case (mediator); a running caucus needs its close-out first",
)
def close(request: HttpRequest, case_id: uuid.UUID, payload: CloseIn) -> CaseOut:
    user = caller(request)
    case = services.close_case(
        user,
        case_id,
        outcome=payload.outcome,
        note_to_parties=payload.note_to_parties,
        private_note=payload.private_note,
    )
    return render_case(case, access_case(user, case.id))
