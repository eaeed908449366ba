from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from caucus.accounts.models import User
from caucus.accounts.services import refuse_password_only, user_for_token


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            refuse_password_only(user)
            request.user = user
        return user


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
