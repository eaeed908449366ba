"""The only code that widens an audience (practice 4): the disclosure executor and the
structure rule of `shared_unless_marked` cases. `tests/security/test_audience_paths.py` scans
the code base for any other write that could widen one."""

from __future__ import annotations

import uuid
from typing import Protocol, TypeVar, cast

from caucus.kernel.audience import AudienceKind, AudienceScoped, Decision
from caucus.kernel.parties import CaseLike, Structure


class ApprovedWording(Protocol):
    """A disclosure every approver approved: the wording and where it goes."""

    @property
    def case_id(self) -> uuid.UUID: ...
    @property
    def drafted_by_id(self) -> uuid.UUID: ...
    @property
    def to_kind(self) -> str: ...
    @property
    def to_side_id(self) -> uuid.UUID | None: ...
    @property
    def text(self) -> str: ...


class DecidedItem(Protocol):
    """An item's confidentiality decision and where it came from."""

    @property
    def decision(self) -> str: ...
    @property
    def confirmed(self) -> bool: ...
    @property
    def origin_side_id(self) -> uuid.UUID | None: ...


class Worded(Protocol):
    text: str


# The item model is the meetings domain's; the kernel reads it through `DecidedItem`.
_Item = TypeVar("_Item", bound=AudienceScoped)


def apply_structure_rule(case: CaseLike, item: _Item) -> bool:
    """In a `shared_unless_marked` case, an item whose confirmed decision is `may_share`
    becomes visible to the whole case. Returns whether the audience widened."""
    if case.confidentiality_structure != Structure.SHARED_UNLESS_MARKED:
        return False
    decided = cast(DecidedItem, item)
    if decided.decision != Decision.MAY_SHARE or not decided.confirmed:
        return False
    if item.audience_kind == AudienceKind.CASE:
        return False
    type(item)._default_manager.filter(pk=item.pk).update(
        audience_kind=AudienceKind.CASE, audience_side=None
    )
    item.audience_kind, item.audience_side_id = AudienceKind.CASE, None
    return True


def execute_disclosure(disclosure: ApprovedWording, source: _Item) -> _Item:
    """A disclosure every approver approved: a new item holding only the approved wording
    appears for the target audience. The original item (`source`, the disclosed one) is not
    touched and stays private.

    The new item names no meeting, so the wording does not reveal which caucus it came from;
    `source_item_id` is an opaque id the recipients cannot open."""
    released = type(source)(
        id=uuid.uuid4(),
        case_id=disclosure.case_id,
        meeting=None,
        origin_side_id=cast(DecidedItem, source).origin_side_id,
        raised_by_id=disclosure.drafted_by_id,
        source_item=source,
        audience_kind=disclosure.to_kind,
        audience_side_id=disclosure.to_side_id,
    )
    cast(Worded, released).text = disclosure.text
    released.save()
    return released
