"""Time zones (issue 15, deliver 5): each person's zone, told by the browser and changeable;
pages show local times with the zone, and a typed time is read in it."""

from __future__ import annotations

from datetime import UTC, datetime

from caucus.accounts.models import User
from caucus.meetings.models import Meeting
from tests.conftest import World
from tests.meetings.rooms import scheduled_meeting
from tests.web.pages import browser


def test_the_browser_tells_the_zone_until_one_is_set_and_it_can_be_changed(world: World) -> None:
    party = browser(world.party_a)
    first = party.get("/").content.decode()
    assert 'id="tz-auto"' in first and "web/timezone" in first
    saved = party.post("/account/time-zone", {"time_zone": "Europe/Madrid"})
    assert saved.status_code == 302
    assert User.objects.get(email="a@example.test").time_zone == "Europe/Madrid"
    assert 'id="tz-auto"' not in party.get("/").content.decode()
    refused = party.post("/account/time-zone", {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 400
    assert User.objects.get(email="a@example.test").time_zone == "Europe/Madrid"
    assert party.post("/account/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert User.objects.get(email="a@example.test").time_zone == "Asia/Tokyo"


def test_pages_show_meetings_in_each_persons_zone(active_world: World) -> None:
    w = active_world
    scheduled_meeting(w, datetime(2031, 1, 15, 10, 0, tzinfo=UTC))
    User.objects.filter(email="a@example.test").update(time_zone="Europe/Madrid")
    User.objects.filter(email="b@example.test").update(time_zone="America/New_York")
    assert "15 Jan 2031 11:00 CET" in browser(w.party_a).get("/").content.decode()
    assert "15 Jan 2031 05:00 EST" in browser(w.party_b).get("/").content.decode()
    case_page = browser(w.party_b).get(f"/cases/{w.case.id}").content.decode()
    assert "15 Jan 2031 05:00 EST" in case_page
    # Nobody with a zone not set sees anything but UTC.
    assert "15 Jan 2031 10:00 UTC" in browser(w.attorney_a).get("/").content.decode()


def test_a_typed_meeting_time_is_read_in_the_mediators_zone(active_world: World) -> None:
    w = active_world
    User.objects.filter(email="mediator@example.test").update(time_zone="America/New_York")
    mediator = browser(w.mediator)
    page = mediator.get(f"/cases/{w.case.id}").content.decode()
    assert "Starts at (America/New York)" in page
    made = mediator.post(
        f"/cases/{w.case.id}/meetings",
        {"kind": "joint", "mode": "virtual", "starts_at": "2031-01-15T10:00"},
    )
    assert made.status_code == 302, made.content
    meeting = Meeting.objects.get(case=w.case)
    assert meeting.starts_at == datetime(2031, 1, 15, 15, 0, tzinfo=UTC)
