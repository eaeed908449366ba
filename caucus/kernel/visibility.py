"""The one module that decides who sees what. Every filter is a SQL condition, so a list is
one query whatever its size and a detail lookup that is not visible is simply not found.

The kernel imports no domain: the conditions on content rows read only the audience fields
and what each domain registered (`caucus.kernel.audience.register_content`); the lookups of
cases and participations (`Membership`) are bound to the cases domain's models by
`caucus.cases.access`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Generic, TypeVar, cast

from django.db.models import Model, Q, QuerySet

from caucus.kernel.audience import AudienceKind, content_kind
from caucus.kernel.errors import Invalid, NotVisible
from caucus.kernel.parties import HIDDEN_STATUSES, ParticipantLike, Role, UserLike

_Scoped = TypeVar("_Scoped", bound=Model)
_Participant = TypeVar("_Participant", bound=Model)
_Case = TypeVar("_Case", bound=Model)


def _object_uuid(object_id: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(object_id))
    except ValueError:
        raise NotVisible() from None


def visible_q(
    participant: ParticipantLike, prefix: str = "", model: type[Model] | None = None
) -> Q:
    """The audience condition for content rows of `participant`'s case, as SQL.

    Mediators see everything in their case. Everyone else sees `case` content and, when they
    belong to a side, that side's content (experts: only the kinds registered with
    `expert_sees_side`). `mediators` content is seen by mediators only, and by its author
    where the kind registered one.
    """
    p = prefix
    same_case = Q(**{f"{p}case_id": participant.case_id})
    if participant.role == Role.MEDIATOR:
        return same_case
    kind = content_kind(model) if model is not None else None
    audience = Q(**{f"{p}audience_kind": AudienceKind.CASE})
    side_content = participant.role != Role.EXPERT or (kind is not None and kind.expert_sees_side)
    if participant.side_id is not None and side_content:
        audience |= Q(
            **{f"{p}audience_kind": AudienceKind.SIDE, f"{p}audience_side_id": participant.side_id}
        )
    if kind is not None and kind.author_field is not None:
        audience |= Q(**{f"{p}{kind.author_field}_id": participant.id})
    return same_case & audience


def visible(participant: ParticipantLike, model: type[_Scoped]) -> QuerySet[_Scoped]:
    """Every row of `model` in the participant's case that they may see, as one query."""
    return model._default_manager.filter(visible_q(participant, model=model))


def visible_ids(
    participant: ParticipantLike, model: type[Model], ids: Iterable[uuid.UUID | None]
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


def shown_origin_side(
    viewer: ParticipantLike, origin_side_id: uuid.UUID | None, *, released: bool
) -> uuid.UUID | None:
    """The side an item came from, as `viewer` may be told it. A released item (a disclosure's
    approved wording) names its origin side only to the mediators and to that side: the
    wording was approved to travel, not the fact of which side's caucus said it."""
    if not released or viewer.role == Role.MEDIATOR or viewer.side_id == origin_side_id:
        return origin_side_id
    return None


class Membership(Generic[_Participant, _Case]):
    """Who is in which case, over the cases domain's models (given, not imported): the
    lookups every service starts from. Missing and not a participant are one answer, 404."""

    def __init__(
        self, *, cases: type[_Case], participants: type[_Participant], sides: type[Model]
    ) -> None:
        self.cases = cases
        self.participants = participants
        self.sides = sides

    def visible_cases(self, user: UserLike) -> QuerySet[_Case]:
        return (
            # One filter call: the same participation must be the caller's and current, a
            # removed attorney's row admits nothing.
            self.cases._default_manager.filter(
                participants__user_id=user.id, participants__removed_at__isnull=True
            )
            .exclude(status__in=HIDDEN_STATUSES)
            .distinct()
        )

    def access_case(self, user: UserLike, case_id: uuid.UUID | str) -> _Participant:
        """The caller's participation in a case. Missing and not a participant are one
        error."""
        case_uuid = _object_uuid(case_id)
        participant = (
            self.participants._default_manager.select_related(
                "case", "case__practice", "side", "user"
            )
            .filter(case_id=case_uuid, user_id=user.id, removed_at__isnull=True)
            .exclude(case__status__in=HIDDEN_STATUSES)
            .first()
        )
        if participant is None:
            raise NotVisible()
        return participant

    def access_in_case(
        self, user: UserLike, model: type[_Scoped], object_id: uuid.UUID | str
    ) -> tuple[_Scoped, _Participant]:
        """An object that belongs to a case, with the caller's participation in that case.
        For objects every participant of the case may see (agreements, ground rules)."""
        object_uuid = _object_uuid(object_id)
        # Unscoped lookup by id, then scoped: the caller must be in the object's case, and a
        # missing object and one in another case give the same answer.
        obj = model._default_manager.filter(pk=object_uuid).first()
        if obj is None:
            raise NotVisible()
        participant = self.access_case(user, getattr(obj, "case_id"))  # noqa: B009
        return obj, participant

    def require_of_case(
        self, user: UserLike, model: type[Model], object_id: uuid.UUID, case_id: uuid.UUID
    ) -> None:
        """A URL that names both a case and an object in it: the caller must be in that case
        and the object must belong to it. Anything else is one answer, 404."""
        me = self.access_case(user, case_id)
        mine = _as_participant(me)
        if not model._default_manager.filter(pk=object_id, case_id=mine.case_id).exists():
            raise NotVisible()

    def access_visible(
        self, user: UserLike, model: type[_Scoped], object_id: uuid.UUID | str
    ) -> tuple[_Scoped, _Participant]:
        """A content object (with an audience) and the caller's participation, if the caller
        may see it. Missing, in another case and outside the caller's audience are one
        answer."""
        object_uuid = _object_uuid(object_id)
        case_id = (
            model._default_manager.filter(pk=object_uuid).values_list("case_id", flat=True).first()
        )
        if case_id is None:
            raise NotVisible()
        participant = self.access_case(user, case_id)
        obj = (
            model._default_manager.filter(visible_q(_as_participant(participant), model=model))
            .filter(pk=object_uuid)
            .first()
        )
        if obj is None:
            raise NotVisible()
        return obj, participant

    def case_participants(self, participant: ParticipantLike) -> QuerySet[_Participant]:
        """Who is in the case. Every participant may see the list of names and roles."""
        return (
            self.participants._default_manager.filter(case_id=participant.case_id)
            .select_related("user")
            .order_by("created_at", "id")
        )

    def requested_audience(
        self, actor: ParticipantLike, audience: str
    ) -> tuple[str, uuid.UUID | None]:
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
            sides = self.sides._default_manager.filter(case_id=actor.case_id, id=side_id)
            if allowed and sides.exists():
                return AudienceKind.SIDE, side_id
            raise Invalid({"audience": ["You may address your own side only."]})
        raise Invalid({"audience": ["Choose one of: " + ", ".join(AUDIENCE_INPUTS) + "."]})


def _as_participant(row: Model) -> ParticipantLike:
    # The participant model the cases domain bound has the participant's shape; a Model
    # type variable cannot say so as well.
    return cast(ParticipantLike, row)
