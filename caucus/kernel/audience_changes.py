"""The only code that widens an audience, apart from the disclosure executor (practice 4).
A test greps the code base for any other write to audience fields."""

from __future__ import annotations

from caucus.cases.models import Case, Structure
from caucus.kernel.audience import AudienceKind
from caucus.meetings.models import Decision, Item


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
