from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class NoStoreMiddleware:
    """Case pages and API answers must not be kept by browsers or proxies: a shared
    computer's back button or disk cache would otherwise show another person's caucus."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class TimeZoneMiddleware:
    """Pages show times in the signed-in person's zone (issue 15); UTC for everyone else,
    and for a zone name the server does not know."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = getattr(getattr(request, "user", None), "time_zone", "") or ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone) if zone else UTC)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(UTC)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
