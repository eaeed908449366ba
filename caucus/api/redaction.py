"""Redaction calls (API.md, Documents and redaction): propose spans for a document, then
finalize into a new public-record document. Mediators only; thin over the services."""

from __future__ import annotations

import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status

from caucus.api.routing import ResourceRouter
from caucus.api.schemas import ErrorOut, WholeNumber
from caucus.api.security import caller
from caucus.redaction import selectors, services
from caucus.redaction.models import Redaction, RedactionSpan

router = ResourceRouter(tags=["documents"])
Label = Literal[
    "PERSON", "CHILD", "ADDRESS", "EMAIL", "PHONE", "SSN", "ACCOUNT", "CARD", "DOB",
    "CASE_NUMBER", "EMPLOYER", "OTHER_ID",
]  # fmt: skip


class SpanOut(Schema):
    id: uuid.UUID
    start: int
    end: int
    label: str
    text: str


class RedactionOut(Schema):
    id: uuid.UUID
    document_id: uuid.UUID
    spans: list[SpanOut]
    result_document_id: uuid.UUID | None = None


class AddSpanIn(Schema):
    start: WholeNumber = Field(ge=0)
    end: WholeNumber = Field(ge=1)
    label: Label


class FinalizeIn(Schema):
    accept: list[uuid.UUID] = Field(max_length=100_000)
    add: list[AddSpanIn] = Field(default_factory=list, max_length=services.MAX_ADDED)


class FinalizeOut(Schema):
    document_id: uuid.UUID


def render(r: Redaction, spans: list[RedactionSpan]) -> RedactionOut:
    return RedactionOut(
        id=r.id,
        document_id=r.document_id,
        spans=[
            SpanOut(id=s.id, start=s.start, end=s.end, label=s.label, text=s.text) for s in spans
        ],
        result_document_id=r.result_document_id,
    )


@router.post(
    "/documents/{document_id}/redactions",
    response={201: RedactionOut, 413: ErrorOut},
    summary="Propose the spans to remove from a text, DOCX or PDF document (mediators)",
)
def propose(
    request: HttpRequest, document_id: uuid.UUID, generalise: bool = False
) -> Status[RedactionOut]:
    """`generalise=true`: a date of birth becomes its year and an address its city, instead
    of a label, in the copy made from this proposal."""
    r = services.propose_redaction(caller(request), document_id, generalise=generalise)
    return Status(201, render(r, selectors.spans(r)))


@router.get(
    "/redactions/{redaction_id}",
    response=RedactionOut,
    summary="A redaction and its spans (mediators)",
)
def get_redaction(request: HttpRequest, redaction_id: uuid.UUID) -> RedactionOut:
    r, _ = selectors.redaction(caller(request), redaction_id)
    return render(r, selectors.spans(r))


@router.post(
    "/redactions/{redaction_id}/finalize",
    response={201: FinalizeOut},
    summary="Make the redacted copy: a new public-record document (mediators)",
)
def finalize(
    request: HttpRequest, redaction_id: uuid.UUID, body: FinalizeIn
) -> Status[FinalizeOut]:
    doc = services.finalize_redaction(
        caller(request),
        redaction_id,
        accept=body.accept,
        add=[a.model_dump() for a in body.add],
    )
    return Status(201, FinalizeOut(document_id=doc.id))
