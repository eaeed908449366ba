"""Documents and the access log. The upload route declares no body parameters, so Ninja
never parses the body: the vault's parser does, after the caller has been resolved."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Schema, Status
from pydantic import AliasChoices, Field

from caucus.api.routing import ResourceRouter
from caucus.api.schemas import ErrorOut, Listing, PageParams
from caucus.api.security import caller
from caucus.kernel.visibility import AUDIENCE_INPUTS
from caucus.vault import selectors, services
from caucus.vault.models import Document
from caucus.vault.responses import download_response
from caucus.vault.selectors import access_log
from caucus.vault.upload import upload_context

router = ResourceRouter(tags=["documents"])

# The audiences `requested_audience` reads, besides the named ones: a side by its id.
SIDE_AUDIENCE = r"^side:[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "audience"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "audience": {
                            "type": "string",
                            "anyOf": [{"enum": list(AUDIENCE_INPUTS)}, {"pattern": SIDE_AUDIENCE}],
                            "description": "mediators, own_side, case or side:<side_id>",
                        },
                    },
                }
            }
        },
    }
}


class DocumentOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    name: str
    size: int
    sha256: str
    content_type: str
    audience: str
    uploaded_by: uuid.UUID = Field(validation_alias=AliasChoices("uploaded_by_id", "uploaded_by"))
    origin_side_id: uuid.UUID | None
    public_record: bool
    source_document_id: uuid.UUID | None
    created_at: datetime


class DocumentList(Listing[DocumentOut]):
    pass


class AccessObjectOut(Schema):
    type: str
    id: str


class AccessOut(Schema):
    at: datetime
    participant_id: uuid.UUID
    action: str
    object: AccessObjectOut


class AccessList(Listing[AccessOut]):
    pass


def render_document(d: Document) -> DocumentOut:
    return DocumentOut.from_orm(d)


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentOut, 413: ErrorOut},
    summary="Upload a document (multipart `file`, `audience`); encrypted as it streams in",
    openapi_extra=UPLOAD_BODY,
)
def upload(request: HttpRequest, case_id: uuid.UUID) -> Status[DocumentOut]:
    actor = services.begin_upload(caller(request), case_id)
    files = request.FILES
    doc = services.finish_upload(
        actor,
        upload_context(request),
        files_present="file" in files,
        audience=str(request.POST.get("audience", "")),
    )
    return Status(201, render_document(doc))


@router.get(
    "/cases/{case_id}/documents", response=DocumentList, summary="Documents the caller may see"
)
def list_documents(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> DocumentList:
    page = selectors.document_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return DocumentList(items=[render_document(d) for d in page.rows], next=page.next_cursor)


@router.get("/documents/{document_id}", response=DocumentOut, summary="One document")
def get_document(request: HttpRequest, document_id: uuid.UUID) -> DocumentOut:
    return render_document(selectors.document(caller(request), document_id)[0])


@router.get(
    "/documents/{document_id}/content",
    response=None,
    summary="The document's bytes, streamed as an attachment; audited",
)
def content(request: HttpRequest, document_id: uuid.UUID) -> StreamingHttpResponse:
    doc, _, chunks = services.open_document(caller(request), document_id)
    return download_response(request, doc, chunks)


@router.get(
    "/cases/{case_id}/access-log",
    response=AccessList,
    summary="Who read the caller's side's content, and when (mediators: every read)",
)
def get_access_log(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> AccessList:
    page = access_log(caller(request), case_id, cursor=params.cursor, limit=params.limit)
    return AccessList(
        items=[
            AccessOut(
                at=r.at,
                participant_id=r.participant_id,
                action=r.action,
                object=AccessObjectOut(type=r.object_type, id=r.object_id),
            )
            for r in page.rows
        ],
        next=page.next_cursor,
    )
