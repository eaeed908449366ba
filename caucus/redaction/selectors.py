"""Reads of redactions: only the mediators see them (their audience), others get 404."""

from __future__ import annotations

import uuid

from caucus.accounts.models import User
from caucus.cases.access import access_visible
from caucus.cases.models import Participant
from caucus.kernel.permissions import Action, require
from caucus.redaction.models import Redaction, RedactionSpan


def redaction(user: User, redaction_id: uuid.UUID | str) -> tuple[Redaction, Participant]:
    """Not visible first (a redaction is the mediators' only: to anyone else it does not
    exist, whatever the state of the case), then the gate: a closed case's redactions stay
    readable until the purge, like the rest of its record."""
    found, me = access_visible(user, Redaction, redaction_id)
    require(me, Action.READ_RECORD)
    return found, me


def spans(r: Redaction) -> list[RedactionSpan]:
    return list(RedactionSpan.objects.filter(redaction=r).order_by("start", "end"))
