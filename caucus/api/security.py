from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from caucus.accounts.models import User
from caucus.accounts.services import refuse_password_only, token_identity

CALLING_TOKEN_ATTR = "caucus_token_id"  # noqa: S105  (an attribute name, not a secret)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_identity(token)
        if found is None:
            return None
        user, token_id = found
        refuse_password_only(user)
        request.user = user
        # Which of the account's tokens this call came with (`GET /me/sessions` marks it).
        setattr(request, CALLING_TOKEN_ATTR, token_id)
        return user


def calling_token(request: HttpRequest) -> uuid.UUID | None:
    """The id of the bearer token this call came with; None for a browser session."""
    token_id = getattr(request, CALLING_TOKEN_ATTR, None)
    return token_id if isinstance(token_id, uuid.UUID) else None


class CaucusSessionAuth(SessionAuth):
    """The browser's session, CSRF-checked. Sessions exist only after the MFA step."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing a forged request could ride on: the
        # caller is not authenticated (401), not refused a CSRF check (403).
        if not isinstance(getattr(request, "user", None), User):
            return None
        key: str | None = super()._get_key(request)
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if isinstance(user, User) else None


def caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User):
        raise TypeError("route without authentication")
    return user
