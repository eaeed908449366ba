"""The only code that widens an audience (practice 4): the disclosure executor and the
structure rule of `shared_unless_marked` cases. `tests/security/test_audience_paths.py` scans
the code base for any other write that could widen one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from caucus.cases.models import Case, Structure
from caucus.kernel.audience import AudienceKind
from caucus.meetings.models import Decision, Item

if TYPE_CHECKING:
    from caucus.disclosures.models import Disclosure


def apply_structure_rule(case: Case, item: Item) -> bool:
    """In a `shared_unless_marked` case, an item whose confirmed decision is `may_share`
    becomes visible to the whole case. Returns whether the audience widened."""
    if case.confidentiality_structure != Structure.SHARED_UNLESS_MARKED:
        return False
    if item.decision != Decision.MAY_SHARE or not item.confirmed:
        return False
    if item.audience_kind == AudienceKind.CASE:
        return False
    Item.objects.filter(pk=item.pk).update(audience_kind=AudienceKind.CASE, audience_side=None)
    item.audience_kind, item.audience_side_id = AudienceKind.CASE, None
    return True


def execute_disclosure(disclosure: Disclosure) -> Item:
    """A disclosure every approver approved: a new item holding only the approved wording
    appears for the target audience. The original item is not touched and stays private.

    The new item names no meeting, so the wording does not reveal which caucus it came from;
    `source_item_id` is an opaque id the recipients cannot open."""
    source = Item.objects.get(pk=disclosure.item_id)
    released = Item(
        id=uuid.uuid4(),
        case_id=disclosure.case_id,
        meeting=None,
        origin_side_id=source.origin_side_id,
        raised_by_id=disclosure.drafted_by_id,
        source_item=source,
        audience_kind=disclosure.to_kind,
        audience_side_id=disclosure.to_side_id,
    )
    released.text = disclosure.text
    released.save()
    return released
