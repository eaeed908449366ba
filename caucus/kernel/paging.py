"""Keyset paging with opaque cursors (issue 18), the one implementation every list uses.

A page is the next `limit` rows of an already filtered queryset after the row a cursor names,
in a fixed order that ends on a unique field: one query whatever the length of the list. The
cursor is the last row's values of the ordering fields, signed with the server's secret and
salted with the model, so a cursor that was not given out for this kind of list (edited,
truncated, or taken from another list) is refused as a field error instead of reaching SQL.
A cursor only positions the caller in rows the selector has already filtered for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Field, Model, Q, QuerySet

from caucus.kernel.errors import Invalid

PAGE_MAX = 200
PAGE_DEFAULT = 50

M = TypeVar("M", bound=Model)

_NOT_OURS = "Not a cursor this API gave out."


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None


def _signer(model: type[Model], order: Sequence[str]) -> signing.Signer:
    return signing.Signer(salt=f"caucus.paging:{model._meta.label_lower}:{','.join(order)}")


def _after(model: type[Model], order: Sequence[str], cursor: str) -> Q:
    try:
        raw = _signer(model, order).unsign_object(cursor)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise Invalid({"cursor": [_NOT_OURS]}) from None
    if not isinstance(raw, list) or len(raw) != len(order):
        raise Invalid({"cursor": [_NOT_OURS]})
    values: list[Any] = []
    for name, text in zip(order, raw, strict=True):
        field = model._meta.get_field(name.lstrip("-"))
        if not isinstance(field, Field):
            raise Invalid({"cursor": [_NOT_OURS]})
        try:
            values.append(field.to_python(text))
        except ValidationError:
            raise Invalid({"cursor": [_NOT_OURS]}) from None
    # Rows strictly after the cursor's row in this order: equal on the first fields, past it
    # on the next one.
    after = Q()
    for i, name in enumerate(order):
        column = name.lstrip("-")
        step = Q(**{f"{column}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
        for earlier, value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        after = step if i == 0 else after | step
    return after


def page(
    qs: QuerySet[M], order: Sequence[str], *, cursor: str | None, limit: int | None
) -> Page[M]:
    """The rows of `qs` after `cursor` in `order` (whose last field is unique), at most
    `limit` of them; with no limit, every row and no cursor (the web's pages)."""
    if cursor:
        qs = qs.filter(_after(qs.model, order, cursor))
    qs = qs.order_by(*order)
    if limit is None:
        return Page(list(qs), None)
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    last = rows[-1]
    key = [str(getattr(last, name.lstrip("-"))) for name in order]
    return Page(rows, _signer(qs.model, order).sign_object(key))
