"""Reads of document metadata. Lists are one SQL query through the kernel's filter; the
names they reveal are content, so each list or lookup is audited."""

from __future__ import annotations

import uuid

from caucus.accounts.models import User
from caucus.audit.access import record_reads
from caucus.cases.models import Participant
from caucus.kernel.gate import require_content_access
from caucus.kernel.permissions import Action, can
from caucus.kernel.visibility import access_case, access_visible, visible
from caucus.vault.models import Document

PAGE = 200


def documents(user: User, case_id: uuid.UUID) -> tuple[list[Document], Participant]:
    me = access_case(user, case_id)
    require_content_access(me)
    rows = list(visible(me, Document).order_by("-created_at", "id")[:PAGE])
    record_reads(me, "document", [d.id for d in rows], action="document.listed")
    return rows, me


def document(user: User, document_id: uuid.UUID | str) -> tuple[Document, Participant]:
    doc, me = access_visible(user, Document, document_id)
    require_content_access(me)
    record_reads(me, "document", [doc.id], action="document.viewed")
    return doc, me


def may_upload(me: Participant) -> bool:
    return can(me, Action.UPLOAD_DOCUMENT) and me.case.status == "active"


def may_share_with_any_side(me: Participant) -> bool:
    """A mediator may put a document before any one side; a side's member only before its
    own side."""
    return me.side_id is None and can(me, Action.INVITE)
