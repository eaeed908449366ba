"""Audiences: who may see a piece of content. Every content model carries one, and each
domain registers its content models here (`register_content`, from its AppConfig.ready), so
that the kernel decides visibility and the owner of a read without importing a domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models


class AudienceKind(models.TextChoices):
    MEDIATORS = "mediators"
    SIDE = "side"
    CASE = "case"


class Decision(models.TextChoices):
    """The confidentiality decision on an item (practice 3): whether it may travel."""

    KEEP_CONFIDENTIAL = "keep_confidential"
    MAY_SHARE = "may_share"
    MAY_SHARE_AS_WORDED = "may_share_as_worded"


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


@dataclass(frozen=True)
class ContentKind:
    """What the kernel knows of one kind of content.

    `object_types`: the names its audited reads go by (the first is the default).
    `owner_field`: the side the content came from, which owns a read of it unless it is
    addressed to one side (then that side owns it); on a model without an audience it is the
    owner. None: only a side audience makes an owner, anything else is the mediators'.
    `author_field`: whoever wrote it always sees it, whatever its audience.
    `expert_sees_side`: an expert retained by a side sees this kind when addressed to the
    side (messages and documents: issue 5, "only what their own side shares")."""

    model: type[models.Model]
    object_types: tuple[str, ...]
    owner_field: str | None = None
    author_field: str | None = None
    expert_sees_side: bool = False

    @property
    def scoped(self) -> bool:
        return issubclass(self.model, AudienceScoped)


_CONTENT: dict[str, ContentKind] = {}


def register_content(
    model: type[models.Model],
    *object_types: str,
    owner_field: str | None = None,
    author_field: str | None = None,
    expert_sees_side: bool = False,
) -> None:
    kind = ContentKind(model, object_types, owner_field, author_field, expert_sees_side)
    _CONTENT[model._meta.label] = kind


def content_kind(model: type[models.Model]) -> ContentKind | None:
    return _CONTENT.get(model._meta.label)


def content_kinds() -> list[ContentKind]:
    return list(_CONTENT.values())
