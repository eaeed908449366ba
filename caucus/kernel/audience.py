"""Audiences: who may see a piece of content. Every content model carries one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models


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
