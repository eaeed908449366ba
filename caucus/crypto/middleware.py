from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from caucus.crypto.keyring import key_scope


class KeyScopeMiddleware:
    """Unwrapped data keys are cached for one request and forgotten at its end."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with key_scope():
            return self.get_response(request)
