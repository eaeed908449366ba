"""Portal messages. Parse, call one service, render."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import AliasChoices, AliasPath, Field

from caucus.api.routing import ResourceRouter
from caucus.api.schemas import Listing, PageParams, required_text
from caucus.api.security import caller
from caucus.portal import services
from caucus.portal.models import Message

router = ResourceRouter(tags=["messages"])


class MessageIn(Schema):
    body: Annotated[str, required_text(services.BODY_MAX)]
    audience: Literal["mediators", "own_side", "case"]


class MessageOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str = Field(
        validation_alias=AliasChoices(AliasPath("author", "user", "name"), "author_name")
    )
    body: str
    audience: str
    created_at: datetime


class MessageList(Listing[MessageOut]):
    pass


def render_message(m: Message) -> MessageOut:
    return MessageOut.from_orm(m)


@router.post(
    "/cases/{case_id}/messages",
    response={201: MessageOut},
    summary="Send a portal message to the mediators, your side or the case",
)
def post(request: HttpRequest, case_id: uuid.UUID, payload: MessageIn) -> Status[MessageOut]:
    m = services.post_message(caller(request), case_id, **payload.model_dump())
    return Status(201, render_message(m))


@router.get(
    "/cases/{case_id}/messages",
    response=MessageList,
    summary="The messages the caller may read (audited)",
)
def list_messages(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> MessageList:
    found, _ = services.read_message_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return MessageList(items=[render_message(m) for m in found.rows], next=found.next_cursor)


@router.get("/messages/{message_id}", response=MessageOut, summary="A message")
def get_message(request: HttpRequest, message_id: uuid.UUID) -> MessageOut:
    found, _ = services.read_message(caller(request), message_id)
    return render_message(found)
