"""Local times on the meeting and signing pages (issue 15, deliver 5): each time a page
shows is in the viewer's own zone (TimeZoneMiddleware), with the zone named; no page says
"UTC" of a time it shows in another zone."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django.test import Client
from django.utils import dateformat

from caucus.cases.models import Signature
from caucus.meetings import services as meetings
from caucus.settlement.models import SettlementComment, SettlementVersion
from caucus.web.views import MODEL_BACKEND
from tests.conftest import Persona, World
from tests.security.test_authorization_matrix import make_settlement

NEW_YORK = "America/New_York"
STARTS = datetime(2031, 1, 15, 15, 0, tzinfo=UTC)


def browser_in(persona: Persona, zone: str) -> Client:
    user = persona.user
    assert user is not None
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def in_new_york(at: datetime) -> str:
    return dateformat.format(at.astimezone(zoneinfo.ZoneInfo(NEW_YORK)), "j M Y H:i T")


def joint_meeting(world: World) -> str:
    assert world.mediator.user is not None
    meeting = meetings.schedule_meeting(
        world.mediator.user,
        world.case.id,
        kind="joint",
        side_id=None,
        mode="virtual",
        starts_at=STARTS,
    )
    return str(meeting.id)


def test_the_meeting_page_shows_the_start_in_the_viewer_s_zone(active_world: World) -> None:
    w = active_world
    meeting_id = joint_meeting(w)
    page = browser_in(w.party_a, NEW_YORK).get(f"/meetings/{meeting_id}").content.decode()
    assert "15 Jan 2031 10:00 EST" in page
    assert "15:00" not in page and "UTC" not in page
    # Someone without a zone sees UTC, named.
    assert (
        "15 Jan 2031 15:00 UTC"
        in browser_in(w.party_b, "").get(f"/meetings/{meeting_id}").content.decode()
    )


def test_the_agreements_page_shows_each_signature_in_the_viewer_s_zone(
    active_world: World,
) -> None:
    w = active_world
    page = browser_in(w.party_a, NEW_YORK).get(f"/cases/{w.case.id}/onboarding").content.decode()
    signed = Signature.objects.filter(agreement__case=w.case).first()
    assert signed is not None
    assert f"on {in_new_york(signed.signed_at)}" in page
    assert "UTC" not in page


def test_the_memorandum_page_shows_versions_and_comments_in_the_viewer_s_zone(
    active_world: World,
) -> None:
    w = active_world
    made = make_settlement(w)
    page = browser_in(w.party_a, NEW_YORK).get(f"/cases/{w.case.id}/settlement").content.decode()
    version = SettlementVersion.objects.get(settlement_id=made.settlement)
    comment = SettlementComment.objects.get(pk=made.comment_of_side_a)
    assert in_new_york(version.created_at) in page
    assert in_new_york(comment.created_at) in page
    assert "UTC" not in page


def test_a_meeting_named_in_a_consent_form_is_in_the_viewer_s_zone(active_world: World) -> None:
    w = active_world
    joint_meeting(w)
    page = browser_in(w.mediator, NEW_YORK).get(f"/cases/{w.case.id}/consents").content.decode()
    assert "Joint meeting, 15 Jan 2031 10:00 EST" in page
    assert "UTC" not in page
