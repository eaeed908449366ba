"""Audited reads (practices 10 and 17): whose content each object read is, and who may see
that it was read. The owner of a read comes from the row's audience, for every kind of
content a domain registered (`caucus.kernel.audience.register_content`). The access log lists
a read only to someone who may see the object read, decided by the same audience condition
as the object itself (`visible_q`), as SQL: a log entry must never tell that content hidden
from its viewer exists (THREATS.md, 3)."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Sequence
from functools import reduce

from django.db.models import Model, Q

from caucus.kernel.audience import (
    AudienceKind,
    AudienceScoped,
    ContentKind,
    content_kind,
    content_kinds,
)
from caucus.kernel.parties import ParticipantLike, Role
from caucus.kernel.visibility import visible_q


def object_type_of(rows: Sequence[Model], object_type: str = "") -> str:
    """The name the read of `rows` goes by: the registered one of their model, or
    `object_type` when the model registered it (a note read as a PDF is a `note_pdf`)."""
    kind = content_kind(type(rows[0]))
    if kind is None:
        raise LookupError(f"{type(rows[0]).__name__} is not content the kernel knows.")
    if object_type and object_type not in kind.object_types:
        raise LookupError(f"{type(rows[0]).__name__} is not read as {object_type}.")
    return object_type or kind.object_types[0]


def owners(rows: Sequence[Model]) -> list[tuple[str, uuid.UUID | None]]:
    """(object id, the side whose content it is, None for the mediators') for each row: the
    side it is addressed to, else the side it came from (the registered `owner_field`), else
    the mediators'. An owner behind a relation (a message's author's side) costs one query
    for all the rows."""
    if not rows:
        return []
    kind = content_kind(type(rows[0]))
    if kind is None:
        return [(str(row.pk), None) for row in rows]
    found: dict[str, uuid.UUID | None] = {}
    pending: list[str] = []
    for row in rows:
        pk = str(row.pk)
        if isinstance(row, AudienceScoped) and row.audience_kind == AudienceKind.SIDE:
            found[pk] = row.audience_side_id
        elif kind.owner_field is None:
            found[pk] = None
        elif "__" in kind.owner_field:
            pending.append(pk)
        else:
            found[pk] = getattr(row, kind.owner_field)
    if pending and kind.owner_field is not None:
        related = kind.model._default_manager.filter(pk__in=pending)
        found.update((str(pk), side) for pk, side in related.values_list("pk", kind.owner_field))
    return [(str(row.pk), found.get(str(row.pk))) for row in rows]


def _may_see(participant: ParticipantLike, kind: ContentKind) -> Q:
    """The rows of `kind` the participant may see. A model without an audience (consents)
    is the whole case's."""
    if kind.scoped:
        return visible_q(participant, model=kind.model)
    return Q(case_id=participant.case_id)


def access_log_q(participant: ParticipantLike) -> Q | None:
    """Which reads of the access log (practice 17) a participant sees, as SQL over the
    access records: the mediators every read in their case; anyone else the reads of their
    own side's content, and of that only the reads of objects they may see themselves (an
    expert does not learn of their side's caucus items, a party of what their attorney wrote
    to the mediators only). None: nothing."""
    same_case = Q(case_id=participant.case_id)
    if participant.role == Role.MEDIATOR:
        return same_case
    if participant.side_id is None:
        return None
    seen = [
        Q(
            object_type__in=kind.object_types,
            object_uuid__in=kind.model._default_manager.filter(_may_see(participant, kind)).values(
                "pk"
            ),
        )
        for kind in content_kinds()
    ]
    if not seen:
        return None
    return same_case & Q(owner_side_id=participant.side_id) & reduce(operator.or_, seen)
