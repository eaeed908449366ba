"""Domain errors. The HTTP layers map each to one status; the domain never builds responses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, code: str | None = None, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.__class__.__name__)
        if code:
            self.code = code
        self.detail = detail
        self.extra = extra


class Invalid(DomainError):
    status = 400
    code = "invalid"

    def __init__(
        self, fields: dict[str, list[str]], detail: str = "The input is not valid."
    ) -> None:
        super().__init__("invalid", detail, fields=fields)


class Unauthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    """The caller may see the object but may not do this to it."""

    status = 403
    code = "forbidden"


class NotVisible(DomainError):
    """Missing and not visible are one answer: the existence of an object is confidential."""

    status = 404
    code = "not_found"

    def __init__(self) -> None:
        super().__init__("not_found", "Not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "gone"


class Throttled(DomainError):
    status = 429
    code = "throttled"


class Unavailable(DomainError):
    """A service Caucus depends on (the video server) does not answer now."""

    status = 503
    code = "unavailable"
