from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Query, Status

from caucus.accounts.models import User
from caucus.api.routing import ResourceRouter
from caucus.api.schemas import (
    CaseIn,
    CaseList,
    CaseOut,
    CloseIn,
    ErrorOut,
    InvitationIn,
    InvitationItem,
    InvitationList,
    InvitationOut,
    InvitationResent,
    PageParams,
    ParticipantList,
    ParticipantOut,
    ScreeningIn,
)
from caucus.api.security import caller
from caucus.cases import selectors, services
from caucus.kernel.errors import NotVisible
from caucus.retention import selectors as retention

router = ResourceRouter(tags=["cases"])


def render_case(view: selectors.CaseView) -> CaseOut:
    # The answer is the read model, field for field: what the viewer may not read is None.
    return CaseOut.model_validate(view, from_attributes=True)


def _case_out(user: User, case_id: uuid.UUID) -> CaseOut:
    view, _ = selectors.case_for(user, case_id)
    return render_case(view)


@router.post("/cases", response={201: CaseOut}, summary="Open a case (mediators)")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    me = services.open_case(caller(request), **payload.model_dump())
    return Status(201, render_case(selectors.case_view(me)))


@router.get("/cases", response=CaseList, summary="The caller's cases")
def list_cases(request: HttpRequest, params: Query[PageParams]) -> CaseList:
    page = selectors.my_cases(caller(request), cursor=params.cursor, limit=params.limit)
    return CaseList(
        items=[render_case(selectors.case_view(r.me, r.onboarding_missing)) for r in page.rows],
        next=page.next_cursor,
    )


@router.get("/cases/{case_id}", response={200: CaseOut, 410: ErrorOut}, summary="One case")
def get_case(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    user = caller(request)
    try:
        view, me = selectors.case_for(user, case_id)
    except NotVisible:
        retention.raise_if_purged(user, case_id)
        raise
    services.record_view(me)
    return render_case(view)


@router.post(
    "/cases/{case_id}/invitations",
    response={201: InvitationOut},
    summary="Invite a party (opens a side) or an attorney (joins a side)",
)
def create_invitation(
    request: HttpRequest, case_id: uuid.UUID, payload: InvitationIn
) -> Status[InvitationOut]:
    issued = services.invite(
        caller(request),
        case_id,
        **payload.model_dump(),
    )
    inv = issued.invitation
    url = services.invitation_link(issued.token)
    return Status(
        201,
        InvitationOut(
            id=inv.id, invite_url=url, role=inv.role, side_id=inv.side_id, expires_at=inv.expires_at
        ),
    )


def _invitation_item(row: selectors.InvitationRow) -> InvitationItem:
    inv = row.invitation
    return InvitationItem(
        id=inv.id,
        email=inv.email,
        name=inv.name,
        role=inv.role,
        side_id=inv.side_id,
        status=row.status,
        expires_at=inv.expires_at,
    )


@router.get(
    "/cases/{case_id}/invitations",
    response=InvitationList,
    summary="The case's invitations and where each stands (mediators)",
)
def list_invitations(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> InvitationList:
    rows, more = selectors.invitation_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return InvitationList(items=[_invitation_item(r) for r in rows], next=more)


@router.post(
    "/invitations/{invitation_id}/resend",
    response=InvitationResent,
    summary="Email a new link; the old one answers 410 (mediators)",
)
def resend_invitation(request: HttpRequest, invitation_id: uuid.UUID) -> InvitationResent:
    user = caller(request)
    issued = services.resend_invitation(user, invitation_id)
    item = _invitation_item(selectors.invitation(user, invitation_id))
    return InvitationResent(**item.model_dump(), invite_url=services.invitation_link(issued.token))


@router.delete(
    "/invitations/{invitation_id}",
    response=InvitationItem,
    summary="Revoke an invitation: its link answers 410 (mediators)",
)
def revoke_invitation(request: HttpRequest, invitation_id: uuid.UUID) -> InvitationItem:
    user = caller(request)
    services.revoke_invitation(user, invitation_id)
    return _invitation_item(selectors.invitation(user, invitation_id))


@router.get("/cases/{case_id}/participants", response=ParticipantList, summary="Who is in the case")
def participants(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> ParticipantList:
    page = selectors.participants(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return ParticipantList(
        items=[
            ParticipantOut(id=p.id, name=p.user.name, role=p.role, side_id=p.side_id)
            for p in page.rows
        ],
        next=page.next_cursor,
    )


@router.delete(
    "/participants/{participant_id}",
    response={204: None},
    summary="Remove an attorney from their side: their access ends at once (mediators)",
)
def remove_participant(request: HttpRequest, participant_id: uuid.UUID) -> Status[None]:
    services.remove_attorney(caller(request), participant_id)
    return Status(204, None)


@router.post(
    "/cases/{case_id}/screening", response=CaseOut, summary="Accept or decline a case at intake"
)
def screening(request: HttpRequest, case_id: uuid.UUID, payload: ScreeningIn) -> CaseOut:
    user = caller(request)
    case = services.screen_case(
        user,
        case_id,
        **payload.model_dump(),
    )
    return _case_out(user, case.id)


@router.post(
    "/cases/{case_id}/close",
    response=CaseOut,
    summary="Close a case (mediator); a running caucus needs its close-out first",
)
def close(request: HttpRequest, case_id: uuid.UUID, payload: CloseIn) -> CaseOut:
    user = caller(request)
    case = services.close_case(
        user,
        case_id,
        **payload.model_dump(),
    )
    return _case_out(user, case.id)


@router.post(
    "/cases/{case_id}/withdraw",
    response=CaseOut,
    summary="A party withdraws: the mediation ends for everyone, with a neutral statement",
)
def withdraw(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    user = caller(request)
    case = services.withdraw(user, case_id)
    return _case_out(user, case.id)
