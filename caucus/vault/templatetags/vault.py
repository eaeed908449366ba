"""`{% access_log_section me %}`: the case page's access-log section (practice 17), summarised
(who read what kind of thing, how many times, when last), with the full log one click away
(`access_log_rows`, for the log's own page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template

from caucus.audit.access import log_for
from caucus.audit.models import AccessRecord
from caucus.cases import onboarding
from caucus.cases.models import Participant, Role
from caucus.cases.selectors import People

register = template.Library()

ACTIONS = {"read": "read", "listed": "listed", "viewed": "opened", "processed": "processed"}
# Each kind of thing read, once and many times, so that the log reads as sentences.
NOUNS = {
    "item": ("an item", "items"),
    "note": ("a note", "notes"),
    "note_pdf": ("a note as a PDF", "notes as PDFs"),
    "records_request": ("the notes in a records request", "the notes in records requests"),
    "message": ("a message", "messages"),
    "document": ("a document", "documents"),
    "concern": ("a concern", "concerns"),
    "consent": ("a request for consent", "requests for consent"),
    "disclosure": ("a disclosure", "disclosures"),
    "redaction": ("a redaction", "redactions"),
}
SUMMARY_READS = 2000


def phrase(action: str, object_type: str, count: int, times: int = 0) -> str:
    """As said: 'read an item', 'read an item 2 times', 'read 3 items'."""
    verb = action.rsplit(".", 1)[-1]
    how = ACTIONS.get(verb, verb)
    words = object_type.replace("_", " ")
    one, many = NOUNS.get(
        object_type, (("an " if words[:1] in "aeiou" else "a ") + words, words + "s")
    )
    said = f"{how} {one}" if count == 1 else f"{how} {count} {many}"
    return f"{said} {times} times" if times > count else said


@dataclass
class Summary:
    who: str
    what: str
    times: int
    last: datetime


def may_see_log(me: Participant) -> bool:
    return me.case.status in ("active", "closed") and onboarding.has_signed_all(me)


def summarise(records: list[AccessRecord], people: People) -> list[Summary]:
    groups: dict[tuple[uuid.UUID, str, str], list[AccessRecord]] = {}
    for r in records:
        groups.setdefault((r.participant_id, r.action, r.object_type), []).append(r)
    rows = [
        Summary(
            who=people.name(pid),
            what=phrase(action, kind, len({r.object_id for r in rs}), len(rs)),
            times=len(rs),
            last=max(r.at for r in rs),
        )
        for (pid, action, kind), rs in groups.items()
    ]
    return sorted(rows, key=lambda s: s.last, reverse=True)


def access_log_rows(me: Participant, records: list[AccessRecord]) -> list[dict[str, Any]]:
    """Each read as a sentence, for the log's own page."""
    people = People(me)
    return [
        {
            "at": r.at,
            "who": people.name(r.participant_id),
            "what": phrase(r.action, r.object_type, 1),
        }
        for r in records
    ]


@register.inclusion_tag("vault/_access_log.html")
def access_log_section(me: Participant) -> dict[str, Any]:
    if not may_see_log(me):
        return {"show": False}
    return {
        "show": True,
        "case_id": me.case_id,
        "all_sides": me.role == Role.MEDIATOR,
        "rows": summarise(log_for(me, limit=SUMMARY_READS), People(me)),
    }
