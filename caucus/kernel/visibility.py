"""The one module that decides who sees what. Every filter is a SQL condition, so a list is
one query whatever its size and a detail lookup that is not visible is simply not found."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet

from caucus.cases.models import Case, Participant, Role, Side, Status
from caucus.kernel.audience import AudienceKind
from caucus.kernel.errors import Invalid, NotVisible

if TYPE_CHECKING:
    from caucus.accounts.models import User

HIDDEN_STATUSES = (Status.PURGING, Status.PURGED)


_Scoped = TypeVar("_Scoped", bound=Model)


def visible_cases(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(participants__user=user).exclude(status__in=HIDDEN_STATUSES).distinct()
    )


def access_case(user: User, case_id: uuid.UUID | str) -> Participant:
    """The caller's participation in a case. Missing and not a participant are one error."""
    try:
        case_uuid = uuid.UUID(str(case_id))
    except ValueError:
        raise NotVisible() from None
    participant = (
        Participant.objects.select_related("case", "case__practice", "side", "user")
        .filter(case_id=case_uuid)
        .filter(user=user)
        .exclude(case__status__in=HIDDEN_STATUSES)
        .first()
    )
    if participant is None:
        raise NotVisible()
    return participant


def access_in_case(
    user: User, model: type[_Scoped], object_id: uuid.UUID | str
) -> tuple[_Scoped, Participant]:
    """An object that belongs to a case, with the caller's participation in that case. For
    objects every participant of the case may see (agreements, ground rules)."""
    try:
        object_uuid = uuid.UUID(str(object_id))
    except ValueError:
        raise NotVisible() from None
    # Unscoped lookup by id, then scoped: the caller must be in the object's case, and a
    # missing object and one in another case give the same answer.
    obj = model._default_manager.filter(pk=object_uuid).first()
    if obj is None:
        raise NotVisible()
    participant = access_case(user, getattr(obj, "case_id"))  # noqa: B009
    return obj, participant


def require_of_case(
    user: User, model: type[Model], object_id: uuid.UUID, case_id: uuid.UUID
) -> None:
    """A URL that names both a case and an object in it: the caller must be in that case and
    the object must belong to it. Anything else is one answer, 404."""
    me = access_case(user, case_id)
    if not model._default_manager.filter(pk=object_id, case_id=me.case_id).exists():
        raise NotVisible()


# Content whose author always sees it, whatever its audience: a concern or a message a party
# without a side (or anyone, to the mediators only) wrote is still theirs to read.
AUTHOR_FIELDS: dict[str, str] = {
    "disclosures.Concern": "raised_by",
    "portal.Message": "author",
    "vault.Document": "uploaded_by",
}
# An expert retained by a side sees the case's content and only what their side shares with
# them: messages and documents addressed to the side. Never the side's caucuses, items,
# notes or disclosures (issue 5: "sees only case content plus what their own side shares").
EXPERT_SIDE_MODELS = frozenset({"portal.Message", "vault.Document"})


def visible_q(participant: Participant, prefix: str = "", model: type[Model] | None = None) -> Q:
    """The audience condition for content rows of `participant`'s case, as SQL.

    Mediators see everything in their case. Everyone else sees `case` content and, when they
    belong to a side, that side's content (experts: only the kinds in EXPERT_SIDE_MODELS).
    `mediators` content is seen by mediators only, and by its author where the model has one.
    """
    p = prefix
    same_case = Q(**{f"{p}case_id": participant.case_id})
    if participant.role == Role.MEDIATOR:
        return same_case
    label = model._meta.label if model is not None else ""
    audience = Q(**{f"{p}audience_kind": AudienceKind.CASE})
    side_content = participant.role != Role.EXPERT or label in EXPERT_SIDE_MODELS
    if participant.side_id is not None and side_content:
        audience |= Q(
            **{f"{p}audience_kind": AudienceKind.SIDE, f"{p}audience_side_id": participant.side_id}
        )
    author = AUTHOR_FIELDS.get(label)
    if author is not None:
        audience |= Q(**{f"{p}{author}_id": participant.id})
    return same_case & audience


def case_participants(participant: Participant) -> QuerySet[Participant]:
    """Who is in the case. Every participant may see the list of names and roles."""
    return (
        Participant.objects.filter(case_id=participant.case_id)
        .select_related("user")
        .order_by("created_at", "id")
    )


def access_visible(
    user: User, model: type[_Scoped], object_id: uuid.UUID | str
) -> tuple[_Scoped, Participant]:
    """A content object (with an audience) and the caller's participation, if the caller may
    see it. Missing, in another case and outside the caller's audience are one answer."""
    try:
        object_uuid = uuid.UUID(str(object_id))
    except ValueError:
        raise NotVisible() from None
    case_id = (
        model._default_manager.filter(pk=object_uuid).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise NotVisible()
    participant = access_case(user, case_id)
    obj = (
        model._default_manager.filter(visible_q(participant, model=model))
        .filter(pk=object_uuid)
        .first()
    )
    if obj is None:
        raise NotVisible()
    return obj, participant


def visible(participant: Participant, model: type[_Scoped]) -> QuerySet[_Scoped]:
    """Every row of `model` in the participant's case that they may see, as one query."""
    return model._default_manager.filter(visible_q(participant, model=model))


def visible_ids(
    participant: Participant, model: type[Model], ids: Iterable[uuid.UUID | None]
) -> set[uuid.UUID]:
    """Of `ids`, those of rows the participant may see, in one query. For references between
    content (an item's meeting, a released item's source): a reference to something hidden
    is not shown, since its id would tell that it exists."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(
        model._default_manager.filter(visible_q(participant, model=model))
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )


AUDIENCE_INPUTS = ("mediators", "own_side", "case")


def requested_audience(actor: Participant, audience: str) -> tuple[str, uuid.UUID | None]:
    """The audience a participant asks for new content (API.md conventions): `mediators`,
    `case`, `own_side`, or `side:<id>` of their own side (any side of the case, for a
    mediator). Nobody may address content to a side they do not belong to."""
    audience = audience.strip()
    if audience == "mediators":
        return AudienceKind.MEDIATORS, None
    if audience == "case":
        return AudienceKind.CASE, None
    if audience == "own_side":
        if actor.side_id is None:
            raise Invalid({"audience": ["You belong to no side: choose mediators or case."]})
        return AudienceKind.SIDE, actor.side_id
    if audience.startswith("side:"):
        try:
            side_id = uuid.UUID(audience[5:])
        except ValueError:
            raise Invalid({"audience": ["side: names a side by its id."]}) from None
        allowed = actor.role == Role.MEDIATOR or side_id == actor.side_id
        if allowed and Side.objects.filter(case_id=actor.case_id, id=side_id).exists():
            return AudienceKind.SIDE, side_id
        raise Invalid({"audience": ["You may address your own side only."]})
    raise Invalid({"audience": ["Choose one of: " + ", ".join(AUDIENCE_INPUTS) + "."]})


def shown_origin_side(
    viewer: Participant, origin_side_id: uuid.UUID | None, *, released: bool
) -> uuid.UUID | None:
    """The side an item came from, as `viewer` may be told it. A released item (a disclosure's
    approved wording) names its origin side only to the mediators and to that side: the
    wording was approved to travel, not the fact of which side's caucus said it."""
    if not released or viewer.role == Role.MEDIATOR or viewer.side_id == origin_side_id:
        return origin_side_id
    return None
