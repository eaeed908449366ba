"""The counts on a case's tabs (issue 15): what waits in each for the viewer, and how many
documents there are, in one SQL query whatever the number of rows counted.

It lives in this package because it is the highest domain layer, the one that sees every
kind of thing a tab counts (meetings and items, messages, disclosures and consents,
documents, the memorandum). Each count is offered only when the kernel's
`allowed_actions` lets the viewer take that tab's action now, and each counts only rows
`visible` to them, so no count tells of anything they may not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import Combinable

from caucus.cases.models import Case, Participant
from caucus.disclosures.attention import OPEN, items_to_confirm, upcoming
from caucus.disclosures.models import (
    Answer,
    Concern,
    ConsentStatus,
    ConsentVote,
    DisclosureApproval,
    DisclosureStatus,
)
from caucus.kernel.parties import Role
from caucus.kernel.permissions import Action, allowed_actions
from caucus.kernel.visibility import visible
from caucus.portal.unread import unread
from caucus.settlement.models import (
    Settlement,
    SettlementPolicy,
    SettlementSignature,
    SettlementStatus,
)
from caucus.vault.models import Document


class Count(Subquery):
    """COUNT(*) of a queryset as a scalar subquery, so that several counts share one query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(queryset.order_by().values("pk"))


@dataclass(frozen=True)
class TabCounts:
    to_confirm: int = 0  # overview: items of a private session the party confirms
    upcoming_meetings: int = 0  # overview
    disclosures: int = 0  # awaiting the viewer's approval
    consents: int = 0  # awaiting the viewer's vote
    unread_messages: int = 0
    documents: int = 0  # every document the viewer may see
    settlement_to_sign: int = 0  # 1 when the memorandum waits for the viewer's signature
    concerns: int = 0  # unanswered, for the mediators who answer them


def _to_sign(me: Participant) -> Combinable:
    """The memorandum is ready, its current version unsigned by `me`, and `me` signs it
    (parties and mediators; attorneys where the practice's policy says so)."""
    ready = Settlement.objects.filter(case_id=me.case_id, status=SettlementStatus.READY)
    signed = SettlementSignature.objects.filter(
        settlement=OuterRef("pk"), participant=me, version__number=OuterRef("version")
    )
    waiting = ready.exclude(Exists(signed))
    if me.role == Role.ATTORNEY:
        attorneys_sign = SettlementPolicy.objects.filter(
            practice_id=me.case.practice_id, attorneys_sign=True
        )
        waiting = waiting.filter(Exists(attorneys_sign))
    elif me.role not in (Role.PARTY, Role.MEDIATOR):
        return Value(0)
    return Count(waiting)


def _counted(me: Participant) -> dict[str, Combinable]:
    allowed = allowed_actions(me)
    waits = me.case.status in OPEN
    counts: dict[str, Combinable] = {}
    if Action.READ_RECORD in allowed:
        counts["documents"] = Count(visible(me, Document))
        counts["unread_messages"] = Count(unread(me))
        if waits:
            counts["upcoming_meetings"] = Count(upcoming(me))
    if waits and Action.CONFIRM_ITEM in allowed and me.side_id is not None:
        counts["to_confirm"] = Count(items_to_confirm(me))
    if waits and Action.ANSWER_DISCLOSURE in allowed:
        counts["disclosures"] = Count(
            DisclosureApproval.objects.filter(
                approver=me, answer=Answer.PENDING, disclosure__status=DisclosureStatus.PENDING
            )
        )
    if waits and Action.ANSWER_CONSENT in allowed:
        counts["consents"] = Count(
            ConsentVote.objects.filter(
                party=me, answer=Answer.PENDING, consent__status=ConsentStatus.PENDING
            )
        )
    if waits and Action.SIGN_SETTLEMENT in allowed:
        counts["settlement_to_sign"] = _to_sign(me)
    if Action.RESPOND_TO_CONCERN in allowed:
        counts["concerns"] = Count(visible(me, Concern).filter(responses__isnull=True))
    return counts


def tab_counts(me: Participant) -> TabCounts:
    """Every count of the case's tabs for `me`: one query, plus the kernel's own check of
    what `me` may do now."""
    counts = _counted(me)
    if not counts:
        return TabCounts()
    # Positional, not named: a count's name may be a relation's of Case ("documents").
    row = Case.objects.filter(pk=me.case_id).values_list(*counts.values()).get()
    return TabCounts(**{name: int(n) for name, n in zip(counts, row, strict=True)})
