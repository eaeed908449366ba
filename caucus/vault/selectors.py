"""Reads of document metadata. Lists are one SQL query through the kernel's filter; the
names they reveal are content, so each list or lookup is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from caucus.accounts.models import User
from caucus.audit.access import log_for, log_page, record_read
from caucus.audit.models import AccessRecord
from caucus.cases.access import access_case, access_visible
from caucus.cases.models import Participant
from caucus.kernel import paging
from caucus.kernel.permissions import Action, allowed_actions, can, require
from caucus.kernel.visibility import visible
from caucus.vault.models import Document

PAGE = 200


@dataclass(frozen=True)
class DocumentPage:
    rows: list[Document]
    me: Participant
    next_cursor: str | None


def document_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int = PAGE
) -> DocumentPage:
    """The documents the caller may see, newest first, one page at a time: a fixed number of
    queries per page whatever the number of documents in the case."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    found = paging.page(visible(me, Document), ("-created_at", "-id"), cursor=cursor, limit=limit)
    record_read(me, found.rows, action="document.listed")
    return DocumentPage(found.rows, me, found.next_cursor)


def documents(user: User, case_id: uuid.UUID) -> tuple[list[Document], Participant]:
    page = document_page(user, case_id)
    return page.rows, page.me


def document(user: User, document_id: uuid.UUID | str) -> tuple[Document, Participant]:
    doc, me = access_visible(user, Document, document_id)
    require(me, Action.READ_RECORD)
    record_read(me, [doc], action="document.viewed")
    return doc, me


def access_log(
    user: User, case_id: uuid.UUID, *, cursor: str | None, limit: int
) -> paging.Page[AccessRecord]:
    """Reads of the caller's side's content that the caller may see, newest first, a page at
    a time; the mediators see every read (practice 17)."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    return log_page(me, cursor=cursor, limit=limit)


def access_log_of(user: User, case_id: uuid.UUID) -> tuple[list[AccessRecord], Participant]:
    """The same log, with the participation it was read as (the web's full log page)."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    return log_for(me), me


def may_upload(me: Participant) -> bool:
    return Action.UPLOAD_DOCUMENT in allowed_actions(me)


def may_share_with_any_side(me: Participant) -> bool:
    """A mediator may put a document before any one side; a side's member only before its
    own side."""
    return me.side_id is None and can(me, Action.INVITE)
