"""Audiences: who may see a piece of content. Every content model carries one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models

from caucus.kernel.errors import Invalid


class AudienceKind(models.TextChoices):
    MEDIATORS = "mediators"
    SIDE = "side"
    CASE = "case"


class AudienceScoped(models.Model):
    """Content with an audience. Only the kernel's visibility filter reads these fields to
    decide who sees the row; only the disclosure executor and the structure rule widen them."""

    audience_kind = models.CharField(max_length=16, choices=AudienceKind.choices)
    audience_side = models.ForeignKey(
        "cases.Side", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    if TYPE_CHECKING:
        audience_side_id: uuid.UUID | None

    class Meta:
        abstract = True

    @property
    def audience(self) -> str:
        return render_audience(self.audience_kind, self.audience_side_id)


def render_audience(kind: str, side_id: uuid.UUID | None) -> str:
    if kind == AudienceKind.SIDE:
        return f"side:{side_id}"
    return str(kind)


def parse_audience(
    raw: str, *, own_side_id: uuid.UUID | None, case_side_ids: set[uuid.UUID]
) -> tuple[AudienceKind, uuid.UUID | None]:
    """Turns `mediators`, `case`, `own_side` or `side:<id>` into a kind and a side."""
    if raw == AudienceKind.MEDIATORS:
        return AudienceKind.MEDIATORS, None
    if raw == AudienceKind.CASE:
        return AudienceKind.CASE, None
    if raw == "own_side":
        if own_side_id is None:
            raise Invalid({"audience": ["You have no side; choose mediators or case."]})
        return AudienceKind.SIDE, own_side_id
    if raw.startswith("side:"):
        try:
            side_id = uuid.UUID(raw.removeprefix("side:"))
        except ValueError:
            raise Invalid({"audience": ["Unknown side."]}) from None
        if side_id not in case_side_ids:
            raise Invalid({"audience": ["Unknown side."]})
        return AudienceKind.SIDE, side_id
    raise Invalid({"audience": ["Must be mediators, own_side, case or side:<id>."]})
