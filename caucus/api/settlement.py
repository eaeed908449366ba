"""The memorandum of understanding (API.md "The memorandum of understanding"): draft and
revise (mediators), versions and their differences, comments by side, ready, sign, the
PDF and the public-record proposal. Parse, call one service, render."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema, Status
from pydantic import Field, StringConstraints

from caucus.api.redaction import RedactionOut
from caucus.api.redaction import render as render_redaction
from caucus.api.routing import ResourceRouter
from caucus.api.schemas import ErrorOut, Flag, Listing, PageParams, required_text
from caucus.api.security import caller
from caucus.cases.onboarding_services import TYPED_NAME_MAX
from caucus.kernel.errors import NotVisible
from caucus.redaction import selectors as redaction_selectors
from caucus.settlement import selectors, services
from caucus.settlement.models import RemovalRequest, SettlementComment
from caucus.vault.responses import attachment

router = ResourceRouter(tags=["settlement"])

Text = Annotated[str, StringConstraints(max_length=services.TEXT_MAX)]
Sha256 = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class DraftIn(Schema):
    text: Text = Field("", description="The text; blank to start from `template`.")
    template: Literal["family", "workplace", "civil", "commercial"] | None = Field(
        None, description="A starting text for the kind of case."
    )


class SettlementReviseIn(Schema):
    text: Annotated[str, required_text(services.TEXT_MAX)]


class SettlementOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    version: int
    text: str
    text_sha256: str
    status: str
    audience: Literal["case"] = "case"
    signers: list[uuid.UUID]
    signed_by: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class SettlementVersionOut(Schema):
    number: int
    text: str
    text_sha256: str
    created_at: datetime
    against: int | None = Field(description="The version the diff is taken from.")
    diff: list[str] = Field(description="A unified diff by lines from `against`.")


class VersionList(Listing[SettlementVersionOut]):
    pass


class CommentIn(Schema):
    body: Annotated[str, required_text(services.COMMENT_MAX)]
    audience: Literal["own_side", "case"] = "own_side"


class CommentOut(Schema):
    id: uuid.UUID
    settlement_id: uuid.UUID
    version: int
    author_id: uuid.UUID
    body: str
    audience: str
    created_at: datetime


class CommentList(Listing[CommentOut]):
    pass


class SettlementSignIn(Schema):
    typed_name: Annotated[str, required_text(TYPED_NAME_MAX)]
    text_sha256: Sha256


class ReadyIn(Schema):
    partial: Flag = Field(
        False, description="It settles part of the dispute: the outcome will be `partial`."
    )


class RemovalRequestIn(Schema):
    passage: Annotated[str, required_text(services.PASSAGE_MAX)] = Field(
        description="Text of the shown public-record copy to remove, wherever it appears."
    )


class RemovalRequestOut(Schema):
    id: uuid.UUID
    settlement_id: uuid.UUID
    author_id: uuid.UUID
    passage: str
    audience: str
    created_at: datetime
    applied_at: datetime | None


class PublicRecordOut(Schema):
    settlement_id: uuid.UUID
    text: str
    final: bool
    audience: Literal["case"] = "case"
    requests: list[RemovalRequestOut] = Field(description="The requests the caller may see.")


def render(view: selectors.SettlementView) -> SettlementOut:
    s, v = view.settlement, view.current
    return SettlementOut(
        id=s.id,
        case_id=s.case_id,
        version=v.number,
        text=v.text,
        text_sha256=v.text_sha256,
        status=s.status,
        signers=[p.id for p in view.signers],
        signed_by=view.signed_by,
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def render_version(view: selectors.VersionView) -> SettlementVersionOut:
    v = view.version
    return SettlementVersionOut(
        number=v.number,
        text=v.text,
        text_sha256=v.text_sha256,
        created_at=v.created_at,
        against=view.against,
        diff=view.diff,
    )


def render_comment(c: SettlementComment) -> CommentOut:
    return CommentOut(
        id=c.id,
        settlement_id=c.settlement_id,
        version=c.version,
        author_id=c.author_id,
        body=c.body,
        audience=c.audience,
        created_at=c.created_at,
    )


@router.post(
    "/cases/{case_id}/settlement",
    response={201: SettlementOut},
    summary="Draft the memorandum of understanding (mediators)",
)
def draft(request: HttpRequest, case_id: uuid.UUID, payload: DraftIn) -> Status[SettlementOut]:
    user = caller(request)
    s = services.draft(user, case_id, text=payload.text, template=payload.template)
    return Status(201, render(selectors.settlement(user, s.id)))


@router.get(
    "/cases/{case_id}/settlement",
    response=SettlementOut,
    summary="The case's memorandum of understanding (404 before it is drafted)",
)
def of_case(request: HttpRequest, case_id: uuid.UUID) -> SettlementOut:
    view = selectors.settlement_of_case(caller(request), case_id)
    if view is None:
        raise NotVisible()
    return render(view)


@router.get(
    "/settlement/{settlement_id}", response=SettlementOut, summary="The memorandum of understanding"
)
def get(request: HttpRequest, settlement_id: uuid.UUID) -> SettlementOut:
    return render(selectors.settlement(caller(request), settlement_id))


@router.put(
    "/settlement/{settlement_id}",
    response=SettlementOut,
    summary="A new version (mediators); earlier signatures are void",
)
def revise(
    request: HttpRequest, settlement_id: uuid.UUID, payload: SettlementReviseIn
) -> SettlementOut:
    user = caller(request)
    services.revise(user, settlement_id, text=payload.text)
    return render(selectors.settlement(user, settlement_id))


@router.get(
    "/settlement/{settlement_id}/versions",
    response=VersionList,
    summary="Every version, newest first, each with its difference from the one before",
)
def versions(
    request: HttpRequest, settlement_id: uuid.UUID, params: Query[PageParams]
) -> VersionList:
    found, more = selectors.version_page(
        caller(request), settlement_id, cursor=params.cursor, limit=params.limit
    )
    return VersionList(items=[render_version(v) for v in found], next=more)


@router.get(
    "/settlement/{settlement_id}/versions/{number}",
    response=SettlementVersionOut,
    summary="One version and its difference from the one before (or from `against`)",
)
def version(
    request: HttpRequest,
    settlement_id: uuid.UUID,
    number: int,
    against: int | None = None,
) -> SettlementVersionOut:
    found = selectors.version(caller(request), settlement_id, number, against=against)
    return render_version(found)


@router.post(
    "/settlement/{settlement_id}/comments",
    response={201: CommentOut},
    summary="Comment on the draft: own_side (that side and the mediators) or case",
)
def comment(
    request: HttpRequest, settlement_id: uuid.UUID, payload: CommentIn
) -> Status[CommentOut]:
    c = services.comment(
        caller(request), settlement_id, body=payload.body, audience=payload.audience
    )
    return Status(201, render_comment(c))


@router.get(
    "/settlement/{settlement_id}/comments",
    response=CommentList,
    summary="The comments the caller may see",
)
def comments(
    request: HttpRequest, settlement_id: uuid.UUID, params: Query[PageParams]
) -> CommentList:
    page, _me = selectors.comment_page(
        caller(request), settlement_id, cursor=params.cursor, limit=params.limit
    )
    return CommentList(items=[render_comment(c) for c in page.rows], next=page.next_cursor)


@router.get(
    "/settlement/{settlement_id}/comments/{comment_id}",
    response=CommentOut,
    summary="One comment (404 to another side)",
)
def one_comment(
    request: HttpRequest, settlement_id: uuid.UUID, comment_id: uuid.UUID
) -> CommentOut:
    c, _me = selectors.comment(caller(request), settlement_id, comment_id)
    return render_comment(c)


@router.post(
    "/settlement/{settlement_id}/ready",
    response=SettlementOut,
    summary="Open signing of the current version (mediators)",
    # The body is optional (no body: it settles the whole dispute), but when sent it is an
    # object.
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReadyIn"}}},
            "required": False,
        }
    },
)
def ready(
    request: HttpRequest, settlement_id: uuid.UUID, payload: ReadyIn | None = None
) -> SettlementOut:
    user = caller(request)
    services.mark_ready(user, settlement_id, partial=payload is not None and payload.partial)
    return render(selectors.settlement(user, settlement_id))


@router.post(
    "/settlement/{settlement_id}/sign",
    response=SettlementOut,
    summary="Sign the current version: 409 `stale_text` with the current fingerprint",
)
def sign(
    request: HttpRequest, settlement_id: uuid.UUID, payload: SettlementSignIn
) -> SettlementOut:
    user = caller(request)
    services.sign(
        user, settlement_id, typed_name=payload.typed_name, text_sha256=payload.text_sha256
    )
    return render(selectors.settlement(user, settlement_id))


def download(request: HttpRequest, settlement_id: uuid.UUID, what: str) -> HttpResponse:
    found = services.export(caller(request), settlement_id, what)
    return attachment(found.body, found.content_type, found.filename)


@router.get(
    "/settlement/{settlement_id}/pdf",
    response=None,
    summary="The memorandum with its signatures, as a PDF",
)
def pdf(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    return download(request, settlement_id, "pdf")


@router.get(
    "/settlement/{settlement_id}/docx",
    response=None,
    summary="The memorandum with its signatures, as a DOCX with its headings and tables",
)
def docx(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    return download(request, settlement_id, "docx")


@router.post(
    "/settlement/{settlement_id}/public-record",
    response={201: RedactionOut, 413: ErrorOut},
    summary="Propose the redaction of the signed text for public record (mediators)",
)
def public_record(request: HttpRequest, settlement_id: uuid.UUID) -> Status[RedactionOut]:
    r = services.propose_public_record(caller(request), settlement_id)
    return Status(201, render_redaction(r, redaction_selectors.spans(r)))


@router.get(
    "/settlement/{settlement_id}/public-record/docx",
    response=None,
    summary="The finalized public-record copy as a DOCX with the memorandum's structure",
)
def public_record_docx(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    return download(request, settlement_id, "public-record.docx")


@router.get(
    "/settlement/{settlement_id}/public-record/pdf",
    response=None,
    summary="The finalized public-record copy as a PDF with the memorandum's structure",
)
def public_record_pdf(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    return download(request, settlement_id, "public-record.pdf")


def render_request(r: RemovalRequest) -> RemovalRequestOut:
    return RemovalRequestOut(
        id=r.id,
        settlement_id=r.settlement_id,
        author_id=r.author_id,
        passage=r.passage,
        audience=r.audience,
        created_at=r.created_at,
        applied_at=r.applied_at,
    )


def render_record(view: selectors.PublicRecordView) -> PublicRecordOut:
    return PublicRecordOut(
        settlement_id=view.settlement.id,
        text=view.text,
        final=view.final,
        requests=[render_request(r) for r in view.requests],
    )


@router.get(
    "/settlement/{settlement_id}/public-record",
    response=PublicRecordOut,
    summary="The public-record copy shown to the case, and the removal requests one may see",
)
def public_record_copy(request: HttpRequest, settlement_id: uuid.UUID) -> PublicRecordOut:
    return render_record(selectors.public_record(caller(request), settlement_id))


@router.post(
    "/settlement/{settlement_id}/public-record/show",
    response=PublicRecordOut,
    summary="Show the reviewed public-record copy to the parties before it is final (mediators)",
)
def show_public_record(request: HttpRequest, settlement_id: uuid.UUID) -> PublicRecordOut:
    user = caller(request)
    services.show_public_record(user, settlement_id)
    return render_record(selectors.public_record(user, settlement_id))


@router.post(
    "/settlement/{settlement_id}/public-record/requests",
    response={201: RemovalRequestOut},
    summary="Ask for one more passage to be removed (its audience: your side and the mediators)",
)
def request_removal(
    request: HttpRequest, settlement_id: uuid.UUID, payload: RemovalRequestIn
) -> Status[RemovalRequestOut]:
    r = services.request_removal(caller(request), settlement_id, passage=payload.passage)
    return Status(201, render_request(r))


@router.get(
    "/settlement/{settlement_id}/public-record/requests/{request_id}",
    response=RemovalRequestOut,
    summary="One removal request (404 to the other side)",
)
def removal_request(
    request: HttpRequest, settlement_id: uuid.UUID, request_id: uuid.UUID
) -> RemovalRequestOut:
    r, _me = selectors.removal_request(caller(request), settlement_id, request_id)
    return render_request(r)


@router.post(
    "/settlement/{settlement_id}/public-record/final",
    response=PublicRecordOut,
    summary="Apply every requested removal and make the public-record copy final (mediators)",
)
def finalize_public_record(request: HttpRequest, settlement_id: uuid.UUID) -> PublicRecordOut:
    user = caller(request)
    services.finalize_public_record(user, settlement_id)
    return render_record(selectors.public_record(user, settlement_id))
