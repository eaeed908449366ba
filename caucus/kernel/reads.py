"""Audited reads (practices 10 and 17): whose content each object read is, and who may see
that it was read. The access log lists a read only to someone who may see the object read,
decided by the same audience condition as the object itself (`visible_q`), as SQL: a log
entry must never tell that content hidden from its viewer exists (THREATS.md, 3)."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.apps import apps
from django.db.models import Model, Q

from caucus.cases.models import Participant, Role
from caucus.kernel.audience import AudienceKind, AudienceScoped
from caucus.kernel.visibility import visible_q


@dataclass(frozen=True)
class Audited:
    """`model`: the model behind an audited object type. `side_field`: the side the content
    came from, which owns it unless it is addressed to one side (then that side owns it); on
    a model without an audience it is the owner. None: only a side audience makes an owner,
    anything else is the mediators'."""

    model: str
    side_field: str | None


AUDITED: dict[str, Audited] = {
    "item": Audited("meetings.Item", "origin_side_id"),
    "note": Audited("meetings.Note", None),
    "note_pdf": Audited("meetings.Note", None),
    "records_request": Audited("meetings.Note", None),
    "message": Audited("portal.Message", "author__side_id"),
    "concern": Audited("disclosures.Concern", "raised_by__side_id"),
    "disclosure": Audited("disclosures.Disclosure", None),
    # Consents have no audience (every participant sees them); a consent to an expert
    # retained by one side is that side's.
    "consent": Audited("disclosures.Consent", "side_id"),
    "document": Audited("vault.Document", "origin_side_id"),
}


def _model(object_type: str) -> type[Model]:
    return apps.get_model(AUDITED[object_type].model)


def _scoped(model: type[Model]) -> bool:
    return issubclass(model, AudienceScoped)


def read_owners(
    object_type: str, object_ids: Iterable[uuid.UUID | str]
) -> list[tuple[str, uuid.UUID | None]]:
    """(object id, the side whose content it is, None for the mediators') for each id, in
    one query. An object type the kernel does not know is the mediators'."""
    ids = [str(i) for i in object_ids]
    spec = AUDITED.get(object_type)
    if spec is None or not ids:
        return [(i, None) for i in ids]
    model = _model(object_type)
    found: dict[str, uuid.UUID | None] = {}
    if _scoped(model):
        fields = ["id", "audience_kind", "audience_side_id"]
        rows = model._default_manager.filter(pk__in=ids).values_list(
            *fields, *([spec.side_field] if spec.side_field else [])
        )
        for row in rows:
            if row[1] == AudienceKind.SIDE:
                found[str(row[0])] = row[2]
            else:
                found[str(row[0])] = row[3] if spec.side_field else None
    elif spec.side_field:
        for pk, side in model._default_manager.filter(pk__in=ids).values_list(
            "id", spec.side_field
        ):
            found[str(pk)] = side
    return [(i, found.get(i)) for i in ids]


def _may_see(participant: Participant, model: type[Model]) -> Q:
    """The rows of `model` the participant may see. A model without an audience (consents)
    is the whole case's."""
    if _scoped(model):
        return visible_q(participant, model=model)
    return Q(case_id=participant.case_id)


def access_log_q(participant: Participant) -> Q | None:
    """Which reads of the access log (practice 17) a participant sees, as SQL over
    `AccessRecord`: the mediators every read in their case; anyone else the reads of their
    own side's content, and of that only the reads of objects they may see themselves (an
    expert does not learn of their side's caucus items, a party of what their attorney wrote
    to the mediators only). None: nothing."""
    same_case = Q(case_id=participant.case_id)
    if participant.role == Role.MEDIATOR:
        return same_case
    if participant.side_id is None:
        return None
    types_of: dict[str, list[str]] = {}
    for object_type, spec in AUDITED.items():
        types_of.setdefault(spec.model, []).append(object_type)
    seen = [
        Q(
            object_type__in=types,
            object_uuid__in=apps.get_model(label)
            ._default_manager.filter(_may_see(participant, apps.get_model(label)))
            .values("pk"),
        )
        for label, types in types_of.items()
    ]
    return same_case & Q(owner_side_id=participant.side_id) & reduce(operator.or_, seen)
