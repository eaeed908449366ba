"""`{% access_log_section me %}`: the case page's small access-log section (practice 17)."""

from __future__ import annotations

from typing import Any

from django import template

from caucus.audit.access import log_for
from caucus.cases import onboarding
from caucus.cases.models import Participant, Role
from caucus.cases.selectors import People

register = template.Library()

ACTIONS = {"read": "read", "listed": "listed", "viewed": "opened", "processed": "processed"}


@register.inclusion_tag("vault/_access_log.html")
def access_log_section(me: Participant) -> dict[str, Any]:
    if me.case.status not in ("active", "closed") or not onboarding.has_signed_all(me):
        return {"show": False}
    people = People(me)
    rows = log_for(me, limit=50)
    return {
        "show": True,
        "all_sides": me.role == Role.MEDIATOR,
        "rows": [
            {
                "at": r.at,
                "who": people.name(r.participant_id),
                "what": r.object_type.replace("_", " "),
                "how": ACTIONS.get(r.action.rsplit(".", 1)[-1], r.action.rsplit(".", 1)[-1]),
            }
            for r in rows
        ],
    }
