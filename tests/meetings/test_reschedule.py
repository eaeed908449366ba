"""Meetings in time (issue 15, deliver 5): a duration, moving and cancelling before the
start, the same calendar event updated, and content-free emails to those who may attend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from caucus.accounts.models import User
from caucus.meetings.models import Meeting
from caucus.web.views import MODEL_BACKEND
from tests.conftest import World
from tests.delivery import delivered

JAN_15 = "2031-01-15T10:00:00Z"


pytestmark = pytest.mark.usefixtures("sent")


def schedule(w: World, **extra: Any) -> dict[str, Any]:
    body = {"kind": "joint", "mode": "virtual", "starts_at": JAN_15, **extra}
    made = delivered(lambda: w.mediator.client.post(f"cases/{w.case.id}/meetings", body))
    assert made.status_code == 201, made.content
    result: dict[str, Any] = made.json()
    return result


def recipients() -> list[str]:
    return sorted(a for m in mail.outbox for a in m.to)


def event_of(w: World, meeting_id: str) -> Any:
    raw = w.party_b.client.get(f"meetings/{meeting_id}/ics").content
    [event] = Calendar.from_ical(raw).walk("VEVENT")
    return event


def assert_content_free(w: World) -> None:
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for secret in (w.case.title, "Ada Party", "Bea Party", "Abe Attorney", "Mia Mediator"):
            assert secret not in text


def test_scheduling_tells_each_attendee_in_their_zone_and_no_one_else(active_world: World) -> None:
    w = active_world
    User.objects.filter(email="b@example.test").update(time_zone="America/New_York")
    joint = schedule(w, duration_minutes=90)
    assert joint["duration_minutes"] == 90
    assert recipients() == ["a@example.test", "att@example.test", "b@example.test"]
    to_b = next(m for m in mail.outbox if m.to == ["b@example.test"])
    assert "05:00 (America/New York)" in to_b.body and "90 minutes" in to_b.body
    assert_content_free(w)
    mail.outbox.clear()
    schedule(w, kind="caucus", side_id=str(w.side_a))
    assert recipients() == ["a@example.test", "att@example.test"]  # side B never hears of it
    assert_content_free(w)


def test_a_move_updates_the_same_calendar_event_and_tells_the_attendees(
    active_world: World,
) -> None:
    w = active_world
    meeting = schedule(w)
    first = event_of(w, meeting["id"])
    mail.outbox.clear()
    moved = delivered(
        lambda: w.mediator.client.post(
            f"meetings/{meeting['id']}/reschedule",
            {"starts_at": "2031-01-16T09:30:00Z", "duration_minutes": 45},
        )
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["starts_at"].startswith("2031-01-16T09:30")
    assert len(mail.outbox) == 3 and all("was moved" in m.subject for m in mail.outbox)
    assert_content_free(w)
    event = event_of(w, meeting["id"])
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert event.decoded("DTEND") == datetime(2031, 1, 16, 10, 15, tzinfo=UTC)
    refused = w.mediator.client.post(
        f"meetings/{meeting['id']}/reschedule", {"starts_at": JAN_15, "duration_minutes": 1}
    )
    assert refused.status_code == 400 and "duration_minutes" in refused.json()["fields"]


def test_a_cancelled_meeting_cannot_start_and_its_invite_says_so(active_world: World) -> None:
    w = active_world
    meeting = schedule(w)
    mail.outbox.clear()
    cancelled = delivered(lambda: w.mediator.client.post(f"meetings/{meeting['id']}/cancel"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert len(mail.outbox) == 3 and all("cancelled" in m.subject for m in mail.outbox)
    assert str(event_of(w, meeting["id"])["STATUS"]) == "CANCELLED"
    for path in ("start", "cancel", "reschedule"):
        again = w.mediator.client.post(f"meetings/{meeting['id']}/{path}", {"starts_at": JAN_15})
        assert again.status_code == 409, path


def test_only_the_mediator_moves_or_cancels(active_world: World) -> None:
    w = active_world
    joint = schedule(w)
    caucus = schedule(w, kind="caucus", side_id=str(w.side_a))
    for who in (w.party_a, w.attorney_a, w.party_b):
        assert who.client.post(f"meetings/{joint['id']}/cancel").status_code == 403
    assert w.party_b.client.post(f"meetings/{caucus['id']}/cancel").status_code == 404
    assert w.outsider.client.post(f"meetings/{joint['id']}/cancel").status_code == 404
    assert Meeting.objects.get(pk=joint["id"]).status == "scheduled"


def test_starting_a_meeting_tells_its_attendees(active_world: World) -> None:
    w = active_world
    caucus = schedule(w, kind="caucus", side_id=str(w.side_a))
    mail.outbox.clear()
    delivered(lambda: w.mediator.client.post(f"meetings/{caucus['id']}/start"))
    assert recipients() == ["a@example.test", "att@example.test"]
    assert all("has started" in m.subject for m in mail.outbox)
    assert_content_free(w)


def test_the_case_page_moves_and_cancels(active_world: World) -> None:
    w = active_world
    meeting = schedule(w)
    browser = Client()
    assert w.mediator.user is not None
    browser.force_login(w.mediator.user, backend=MODEL_BACKEND)
    prefix = f"m{meeting['id'].replace('-', '')[:8]}"
    page = browser.get(f"/cases/{w.case.id}").content.decode()
    assert "Move or cancel this meeting" in page and f'name="{prefix}-starts_at"' in page
    moved = browser.post(
        f"/meetings/{meeting['id']}/reschedule",
        {f"{prefix}-starts_at": "2031-02-01T08:00", f"{prefix}-duration_minutes": "30"},
    )
    assert moved.status_code == 302
    found = Meeting.objects.get(pk=meeting["id"])
    assert found.starts_at == datetime(2031, 2, 1, 8, 0, tzinfo=UTC)
    assert found.duration_minutes == 30
    assert browser.post(f"/meetings/{meeting['id']}/cancel").status_code == 302
    assert Meeting.objects.get(pk=meeting["id"]).status == "cancelled"
