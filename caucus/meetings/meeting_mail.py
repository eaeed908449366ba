"""Emails about a meeting's time (issue 15): scheduled, moved, cancelled, started. They say
when, in the recipient's own time zone, and nothing else: no case title, no names, no side,
not even which case. Sent after the commit, to the people who may attend only (asked of the
kernel for each participant, so that a caucus is announced to its side alone)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from caucus.cases.models import Participant
from caucus.kernel.visibility import visible
from caucus.meetings.models import Meeting

SUBJECTS = {
    "scheduled": "A meeting was scheduled for you in Caucus",
    "moved": "A meeting of yours in Caucus was moved",
    "cancelled": "A meeting of yours in Caucus was cancelled",
    "started": "A meeting of yours in Caucus has started",
}
LINES = {
    "scheduled": "A meeting was scheduled for you: {when}, for {minutes} minutes.",
    "moved": "A meeting of yours was moved. It is now {when}, for {minutes} minutes.",
    "cancelled": "A meeting of yours planned for {when} was cancelled.",
    "started": "A meeting of yours has started. The mediator will let you in from the lobby.",
}
FOOTER = (
    "\n\nSee it in Caucus: {site}/\n\n"
    "For your confidentiality, emails from Caucus never say what a mediation is about."
)


def local_time(at: datetime, zone: str) -> str:
    try:
        tz = zoneinfo.ZoneInfo(zone) if zone else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = UTC
    local = at.astimezone(tz)
    name = zone.replace("_", " ") if zone else "UTC"
    return f"on {local:%A %d %B %Y at %H:%M} ({name})"


def attendees(meeting: Meeting, exclude: Participant | None) -> list[Participant]:
    people = Participant.objects.filter(case_id=meeting.case_id).select_related("user")
    return [
        p
        for p in people
        if (exclude is None or p.id != exclude.id)
        and p.user.is_active
        and visible(p, Meeting).filter(pk=meeting.pk).exists()
    ]


def tell(meeting: Meeting, event: str, *, exclude: Participant | None, at: datetime) -> None:
    messages = tuple(
        (
            SUBJECTS[event],
            LINES[event].format(
                when=local_time(at, p.user.time_zone), minutes=meeting.duration_minutes
            )
            + FOOTER.format(site=settings.CAUCUS_SITE_URL),
            settings.DEFAULT_FROM_EMAIL,
            [p.user.email],
        )
        for p in _one_each(attendees(meeting, exclude))
    )
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def _one_each(people: Iterable[Participant]) -> list[Participant]:
    seen: set[str] = set()
    unique = []
    for p in people:
        if p.user.email not in seen:
            seen.add(p.user.email)
            unique.append(p)
    return unique
