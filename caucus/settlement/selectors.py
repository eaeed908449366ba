"""Reads of the memorandum of understanding. Every read of its text or of comments is
audited (`record_read`); comments are filtered by the kernel in SQL, so a comment of another
side is neither listed nor found."""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from typing import TypeVar

from caucus.accounts.models import User
from caucus.audit.access import record_read
from caucus.cases.access import access_case, access_in_case, access_visible
from caucus.cases.models import Participant
from caucus.kernel import paging
from caucus.kernel.errors import Invalid, NotVisible
from caucus.kernel.permissions import Action, allowed_actions, require
from caucus.kernel.visibility import visible
from caucus.settlement.models import (
    RemovalRequest,
    Settlement,
    SettlementComment,
    SettlementStatus,
    SettlementVersion,
)
from caucus.settlement.services import current_version, signers


@dataclass(frozen=True)
class SettlementView:
    settlement: Settlement
    current: SettlementVersion
    signers: list[Participant]
    signed_by: list[uuid.UUID]
    me: Participant

    @property
    def may_draft(self) -> bool:
        return Action.DRAFT_SETTLEMENT in allowed_actions(self.me)

    @property
    def may_sign(self) -> bool:
        return (
            self.settlement.status == SettlementStatus.READY
            and self.me.id in {p.id for p in self.signers}
            and self.me.id not in self.signed_by
            and Action.SIGN_SETTLEMENT in allowed_actions(self.me)
        )


@dataclass(frozen=True)
class VersionView:
    version: SettlementVersion
    # The version it is compared with (the one before, unless another was asked for).
    against: int | None
    diff: list[str]


def _view(settlement: Settlement, me: Participant) -> SettlementView:
    version = current_version(settlement)
    signed_by = list(
        version.signatures.order_by("signed_at", "id").values_list("participant_id", flat=True)
    )
    view = SettlementView(settlement, version, signers(me.case), signed_by, me)
    record_read(me, [version], object_type="settlement_version")
    return view


def settlement_of_case(user: User, case_id: uuid.UUID) -> SettlementView | None:
    """The case's memorandum; None when there is none yet."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    found = Settlement.objects.filter(case_id=me.case_id).first()
    return None if found is None else _view(found, me)


def settlement(user: User, settlement_id: uuid.UUID) -> SettlementView:
    found, me = access_in_case(user, Settlement, settlement_id)
    require(me, Action.READ_RECORD)
    return _view(found, me)


def case_of(user: User, settlement_id: uuid.UUID) -> uuid.UUID:
    """The case a memorandum belongs to, for a caller in that case (a page's way back);
    it reads nothing of its content."""
    found, _me = access_in_case(user, Settlement, settlement_id)
    return found.case_id


def diff_lines(before: str, after: str, a: int, b: int) -> list[str]:
    """A unified diff by lines, as people read one: `-` removed, `+` added."""
    return list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"version {a}",
            tofile=f"version {b}",
            lineterm="",
        )
    )


def version_page(
    user: User, settlement_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[VersionView], str | None]:
    """The versions, newest first, a page at a time, each with its difference from the one
    before (the page's oldest's is read apart: one query more, not one per version)."""
    found, me = access_in_case(user, Settlement, settlement_id)
    require(me, Action.READ_RECORD)
    mine = SettlementVersion.objects.filter(settlement=found)
    page = paging.page(mine, ("-number",), cursor=cursor, limit=limit)
    rows = page.rows
    before = None
    if rows and rows[-1].number > 1:
        before = mine.filter(number__lt=rows[-1].number).order_by("-number").first()
    views: list[VersionView] = []
    for row, previous in zip(rows, [*rows[1:], before], strict=True):
        if previous is None:
            views.append(VersionView(row, None, []))
        else:
            diff = diff_lines(previous.text, row.text, previous.number, row.number)
            views.append(VersionView(row, previous.number, diff))
    record_read(me, rows, object_type="settlement_version")
    return views, page.next_cursor


def versions(user: User, settlement_id: uuid.UUID) -> list[VersionView]:
    """Every version, newest first, each with its difference from the one before."""
    return version_page(user, settlement_id)[0]


def version(
    user: User, settlement_id: uuid.UUID, number: int, *, against: int | None = None
) -> VersionView:
    """One version and its difference from `against` (any other version; by default the
    one before)."""
    found, me = access_in_case(user, Settlement, settlement_id)
    require(me, Action.READ_RECORD)
    row = SettlementVersion.objects.filter(settlement=found, number=number).first()
    if row is None:
        raise NotVisible()
    base_number = number - 1 if against is None else against
    if against is not None and (against == number or against < 1):
        raise Invalid({"against": ["Compare with another version of this memorandum."]})
    base = SettlementVersion.objects.filter(settlement=found, number=base_number).first()
    if base is None and against is not None:
        raise Invalid({"against": ["This memorandum has no such version."]})
    read = [row] if base is None else [row, base]
    record_read(me, read, object_type="settlement_version")
    if base is None:
        return VersionView(row, None, [])
    return VersionView(row, base.number, diff_lines(base.text, row.text, base.number, number))


def comment_page(
    user: User, settlement_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[SettlementComment], Participant]:
    """The comments the caller may see, oldest first, in one query, a page at a time."""
    found, me = access_in_case(user, Settlement, settlement_id)
    require(me, Action.READ_RECORD)
    qs = visible(me, SettlementComment).filter(settlement=found).select_related("author__user")
    page = paging.page(qs, ("created_at", "id"), cursor=cursor, limit=limit)
    record_read(me, page.rows)
    return page, me


def comments(user: User, settlement_id: uuid.UUID) -> tuple[list[SettlementComment], Participant]:
    """Every comment the caller may see, oldest first."""
    page, me = comment_page(user, settlement_id)
    return page.rows, me


_Row = TypeVar("_Row", SettlementComment, RemovalRequest)


def _one_of(
    user: User, model: type[_Row], settlement_id: uuid.UUID, row_id: uuid.UUID
) -> tuple[_Row, Participant]:
    """One row of a memorandum that the caller may see (the kernel decides), audited."""
    found, me = access_visible(user, model, row_id)
    require(me, Action.READ_RECORD)
    if found.settlement_id != settlement_id:
        raise NotVisible()
    record_read(me, [found])
    return found, me


def comment(
    user: User, settlement_id: uuid.UUID, comment_id: uuid.UUID
) -> tuple[SettlementComment, Participant]:
    return _one_of(user, SettlementComment, settlement_id, comment_id)


@dataclass(frozen=True)
class PublicRecordView:
    settlement: Settlement
    # The copy as shown (and, once final, with every requested removal applied).
    text: str
    final: bool
    # The removal requests the caller may see: their own side's, or all for a mediator.
    requests: list[RemovalRequest]
    me: Participant


def public_record(user: User, settlement_id: uuid.UUID) -> PublicRecordView:
    """The public-record copy the mediator has shown to the case, and the removal requests
    the caller may see (filtered in SQL). Not found before it is shown."""
    found, me = access_in_case(user, Settlement, settlement_id)
    require(me, Action.READ_RECORD)
    if found.record_shown_at is None:
        raise NotVisible()
    rows = list(
        visible(me, RemovalRequest)
        .filter(settlement=found)
        .select_related("author__user")
        .order_by("created_at", "id")
    )
    record_read(me, [current_version(found)], object_type="settlement_public_record")
    record_read(me, rows)
    return PublicRecordView(found, found.record_text, found.record_final_at is not None, rows, me)


def removal_request(
    user: User, settlement_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[RemovalRequest, Participant]:
    """One removal request: not found by the other side."""
    return _one_of(user, RemovalRequest, settlement_id, request_id)
