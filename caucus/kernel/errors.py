"""Domain errors. The HTTP layers map each to one status; the domain never builds responses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Each kind names its answer where it is declared:
    `class Gone(DomainError, status=410, code="gone")`."""

    status = 400
    code = "error"

    def __init_subclass__(cls, *, status: int = 0, code: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = status or cls.status
        cls.code = code or cls.code

    def __init__(self, code: str | None = None, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.__class__.__name__)
        if code:
            self.code = code
        self.detail = detail
        self.extra = extra


class Invalid(DomainError, status=400, code="invalid"):
    def __init__(
        self, fields: dict[str, list[str]], detail: str = "The input is not valid."
    ) -> None:
        super().__init__("invalid", detail, fields=fields)


def required_text(fields: dict[str, list[str]], name: str, value: str, limit: int) -> str:
    """`value` stripped, as it is kept; its error added to `fields` when it is blank or
    longer than `limit` (the constant the API schema and the form also read)."""
    value = value.strip()
    if not value:
        fields.setdefault(name, []).append("This field is required.")
    elif len(value) > limit:
        fields.setdefault(name, []).append(f"At most {limit} characters.")
    return value


def checked_text(name: str, value: str, limit: int) -> str:
    """`required_text` of a form's only free-text field: its error is the answer."""
    fields: dict[str, list[str]] = {}
    value = required_text(fields, name, value, limit)
    if fields:
        raise Invalid(fields)
    return value


class Unauthenticated(DomainError, status=401, code="not_authenticated"):
    pass


class Forbidden(DomainError, status=403, code="forbidden"):
    """The caller may see the object but may not do this to it."""


class NotVisible(DomainError, status=404, code="not_found"):
    """Missing and not visible are one answer: the existence of an object is confidential."""

    def __init__(self) -> None:
        super().__init__("not_found", "Not found.")


class Conflict(DomainError, status=409, code="conflict"):
    pass


class Gone(DomainError, status=410, code="gone"):
    pass


class Throttled(DomainError, status=429, code="throttled"):
    pass


class Unavailable(DomainError, status=503, code="unavailable"):
    """A service Caucus depends on (the video server) does not answer now."""
