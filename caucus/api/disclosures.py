"""Disclosures, consents and concerns (API.md "Disclosures, consents, concerns, messages").
Parse, call one service, render."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import AliasChoices, Field, StringConstraints

from caucus.api.routing import ResourceRouter
from caucus.api.schemas import Email, Listing, PageParams, required_text
from caucus.api.security import caller
from caucus.disclosures import selectors, services
from caucus.disclosures.models import Concern, Disclosure

disclosures_router = ResourceRouter(tags=["disclosures"])
consents_router = ResourceRouter(tags=["consents"])
# Concerns are not substantive work: one may be raised before any agreement is signed.
concerns_router = ResourceRouter(tags=["concerns"])

Text = Annotated[str, required_text(services.TEXT_MAX)]
Name = Annotated[str, required_text(services.NAME_MAX)]


class AnswerOut(Schema):
    participant_id: uuid.UUID
    answer: str
    answered_at: datetime | None


class OriginalOut(Schema):
    item_id: uuid.UUID
    text: str
    decision: str | None
    wording: str | None


# Where a disclosure may go, as the service reads it: the case, or a side by its id.
DISCLOSE_TO = r"^(case|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})$"


class DisclosureIn(Schema):
    to: Annotated[str, StringConstraints(strip_whitespace=True, pattern=DISCLOSE_TO)] = Field(
        description='"case", or the id of a side of the case.'
    )
    text: Text


class DisclosureOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    item_id: uuid.UUID
    status: str
    to: str
    text: str
    audience: str
    original: OriginalOut
    approvers: list[uuid.UUID]
    answers: list[AnswerOut]
    released_item_id: uuid.UUID | None
    created_at: datetime
    decided_at: datetime | None


class DisclosureList(Listing[DisclosureOut]):
    pass


def render_disclosure(d: Disclosure) -> DisclosureOut:
    approvals = list(d.approvals.all())
    item = d.item
    return DisclosureOut(
        id=d.id,
        case_id=d.case_id,
        item_id=d.item_id,
        status=d.status,
        to=f"side:{d.to_side_id}" if d.to_side_id else "case",
        text=d.text,
        audience=d.audience,
        # The original beside the proposed wording: everyone who may see the disclosure
        # may see its item (the same side's audience).
        original=OriginalOut(
            item_id=item.id,
            text=item.text,
            decision=item.decision or None,
            wording=item.wording or None,
        ),
        approvers=[a.approver_id for a in approvals],
        answers=[
            AnswerOut(participant_id=a.approver_id, answer=a.answer, answered_at=a.answered_at)
            for a in approvals
        ],
        released_item_id=d.released_item_id,
        created_at=d.created_at,
        decided_at=d.decided_at,
    )


def _disclosure_out(request: HttpRequest, disclosure_id: uuid.UUID) -> DisclosureOut:
    found, _ = services.read_disclosure(caller(request), disclosure_id)
    return render_disclosure(found)


@disclosures_router.post(
    "/items/{item_id}/disclosures",
    response={201: DisclosureOut},
    summary="Draft a disclosure of an item (mediators)",
)
def draft(request: HttpRequest, item_id: uuid.UUID, payload: DisclosureIn) -> Status[DisclosureOut]:
    d = services.draft_disclosure(caller(request), item_id, **payload.model_dump())
    return Status(201, _disclosure_out(request, d.id))


@disclosures_router.get(
    "/cases/{case_id}/disclosures",
    response=DisclosureList,
    summary="Disclosures the caller may see: the mediators all, a side its own",
)
def list_disclosures(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> DisclosureList:
    found, _ = services.read_disclosures_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return DisclosureList(items=[render_disclosure(d) for d in found.rows], next=found.next_cursor)


@disclosures_router.get(
    "/disclosures/{disclosure_id}", response=DisclosureOut, summary="A disclosure"
)
def get_disclosure(request: HttpRequest, disclosure_id: uuid.UUID) -> DisclosureOut:
    return _disclosure_out(request, disclosure_id)


@disclosures_router.post(
    "/disclosures/{disclosure_id}/approve",
    response=DisclosureOut,
    summary="Approve a disclosure (its named approvers)",
)
def approve(request: HttpRequest, disclosure_id: uuid.UUID) -> DisclosureOut:
    services.approve_disclosure(caller(request), disclosure_id)
    return _disclosure_out(request, disclosure_id)


@disclosures_router.post(
    "/disclosures/{disclosure_id}/reject",
    response=DisclosureOut,
    summary="Reject a disclosure (its named approvers); one rejection ends it",
)
def reject(request: HttpRequest, disclosure_id: uuid.UUID) -> DisclosureOut:
    services.reject_disclosure(caller(request), disclosure_id)
    return _disclosure_out(request, disclosure_id)


# --- Consents -----------------------------------------------------------------------------


class ConsentIn(Schema):
    kind: Literal["add_expert", "admit_guest"]
    name: Name
    email: Email | None = None
    purpose: Text
    meeting_id: uuid.UUID | None = None
    side_id: uuid.UUID | None = None


class ConsentOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    status: str
    name: str
    email: str | None
    purpose: str
    meeting_id: uuid.UUID | None
    side_id: uuid.UUID | None
    approvers: list[uuid.UUID]
    answers: list[AnswerOut]
    invite_url: str | None
    created_at: datetime
    decided_at: datetime | None


class ConsentList(Listing[ConsentOut]):
    pass


def render_consent(view: selectors.ConsentView) -> ConsentOut:
    c = view.consent
    return ConsentOut(
        id=c.id,
        case_id=c.case_id,
        kind=c.kind,
        status=c.status,
        name=c.name,
        email=view.email,
        purpose=c.purpose,
        meeting_id=view.meeting_id,
        side_id=c.side_id,
        approvers=[v.party_id for v in view.votes],
        answers=[
            AnswerOut(participant_id=v.party_id, answer=v.answer, answered_at=v.answered_at)
            for v in view.votes
        ],
        invite_url=view.invite_url,
        created_at=c.created_at,
        decided_at=c.decided_at,
    )


def _consent_out(request: HttpRequest, consent_id: uuid.UUID) -> ConsentOut:
    found, me = services.read_consent(caller(request), consent_id)
    return render_consent(selectors.consent_views(me, [found])[0])


@consents_router.post(
    "/cases/{case_id}/consents",
    response={201: ConsentOut},
    summary="Ask every party to consent to an expert or a guest (mediators)",
)
def request_consent(
    request: HttpRequest, case_id: uuid.UUID, payload: ConsentIn
) -> Status[ConsentOut]:
    c = services.request_consent(
        caller(request),
        case_id,
        **payload.model_dump(),
    )
    return Status(201, _consent_out(request, c.id))


@consents_router.get("/cases/{case_id}/consents", response=ConsentList, summary="Consents")
def list_consents(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> ConsentList:
    found, me = services.read_consents_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return ConsentList(
        items=[render_consent(v) for v in selectors.consent_views(me, found.rows)],
        next=found.next_cursor,
    )


@consents_router.get("/consents/{consent_id}", response=ConsentOut, summary="A consent")
def get_consent(request: HttpRequest, consent_id: uuid.UUID) -> ConsentOut:
    return _consent_out(request, consent_id)


@consents_router.post(
    "/consents/{consent_id}/approve",
    response=ConsentOut,
    summary="Approve (parties); when all have, granted",
)
def approve_consent(request: HttpRequest, consent_id: uuid.UUID) -> ConsentOut:
    services.approve_consent(caller(request), consent_id)
    return _consent_out(request, consent_id)


@consents_router.post(
    "/consents/{consent_id}/deny", response=ConsentOut, summary="Deny (parties); one denial denies"
)
def deny_consent(request: HttpRequest, consent_id: uuid.UUID) -> ConsentOut:
    services.deny_consent(caller(request), consent_id)
    return _consent_out(request, consent_id)


# --- Concerns -----------------------------------------------------------------------------


class ConcernIn(Schema):
    topic: Literal["impartiality", "confidentiality", "safety", "other"]
    body: Text


class ResponseIn(Schema):
    body: Text


class ResponseOut(Schema):
    id: uuid.UUID
    author_id: uuid.UUID
    body: str
    created_at: datetime


class ConcernOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    topic: str
    body: str
    raised_by: uuid.UUID = Field(validation_alias=AliasChoices("raised_by_id", "raised_by"))
    audience: str
    responses: list[ResponseOut]
    created_at: datetime


class ConcernList(Listing[ConcernOut]):
    pass


def render_concern(c: Concern) -> ConcernOut:
    return ConcernOut.from_orm(c)


def _concern_out(request: HttpRequest, concern_id: uuid.UUID) -> ConcernOut:
    found, _ = services.read_concern(caller(request), concern_id)
    return render_concern(found)


@concerns_router.post(
    "/cases/{case_id}/concerns",
    response={201: ConcernOut},
    summary="Raise a concern (any participant, any time before the case closes)",
)
def raise_concern(
    request: HttpRequest, case_id: uuid.UUID, payload: ConcernIn
) -> Status[ConcernOut]:
    c = services.raise_concern(caller(request), case_id, **payload.model_dump())
    return Status(201, _concern_out(request, c.id))


@concerns_router.get(
    "/cases/{case_id}/concerns",
    response=ConcernList,
    summary="Concerns: the mediators see all, others their side's and their own",
)
def list_concerns(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> ConcernList:
    found, _ = services.read_concerns_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return ConcernList(items=[render_concern(c) for c in found.rows], next=found.next_cursor)


@concerns_router.get("/concerns/{concern_id}", response=ConcernOut, summary="A concern")
def get_concern(request: HttpRequest, concern_id: uuid.UUID) -> ConcernOut:
    return _concern_out(request, concern_id)


@concerns_router.post(
    "/concerns/{concern_id}/respond", response=ConcernOut, summary="Answer a concern (mediators)"
)
def respond(request: HttpRequest, concern_id: uuid.UUID, payload: ResponseIn) -> ConcernOut:
    services.respond_to_concern(caller(request), concern_id, body=payload.body)
    return _concern_out(request, concern_id)
