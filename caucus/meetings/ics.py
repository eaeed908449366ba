"""Calendar invites. They carry a time and a link, never a title, a name or a side."""

from __future__ import annotations

from datetime import timedelta

from caucus.meetings.models import Meeting, MeetingStatus


def invite(meeting: Meeting, url: str) -> bytes:
    # Imported here: a few megabytes that only a calendar download needs.
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Caucus//Mediation//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"{meeting.id}@caucus")
    event.add("summary", "Mediation meeting")
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    # Same UID, higher SEQUENCE: a calendar moves or cancels the event it already has.
    event.add("sequence", meeting.sequence)
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    event.add("description", "Details are in Caucus. Please join from a private place.")
    event.add("url", url)
    event.add("class", "CONFIDENTIAL")
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
