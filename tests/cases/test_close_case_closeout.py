"""Closing a case never ends a caucus past its close-out (practice 2, issue 14).

While a running caucus has an item without a confirmed decision, `POST /cases/{id}/close`
answers 409 `closeout_incomplete` naming each such caucus and item, to the mediator only,
and changes nothing. Otherwise every running meeting (joint meetings whatever their items,
caucuses with nothing missing) ends through the normal end, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from caucus.audit.models import AuditEntry
from caucus.cases.models import Case, Invitation
from caucus.meetings.models import Attendance, Meeting
from tests.conftest import World
from tests.meetings import closeout_steps as steps
from tests.meetings.rooms import admit

CLOSE = {"outcome": "settled", "note_to_parties": "Thank you both."}
pytestmark = pytest.mark.usefixtures("fast_passwords")


def item(w: World, meeting_id: str, text: str, decision: str | None = None) -> str:
    item_id = steps.raise_item(w, meeting_id, text)
    if decision is not None:
        steps.decide(w, item_id, decision)
    return item_id


def snapshot(w: World) -> dict[str, Any]:
    case = Case.objects.get(pk=w.case.id)
    return {
        "case": (case.status, case.outcome, case.closed_at, case.purge_after),
        "meetings": sorted(Meeting.objects.filter(case=case).values_list("id", "status")),
        "attendance": sorted(Attendance.objects.filter(case=case).values_list("id", "state")),
        "audit": AuditEntry.objects.count(),
        "invitations": sorted(Invitation.objects.filter(case=case).values_list("id", "expires_at")),
    }


def test_it_refuses_to_close_while_a_running_caucus_lacks_confirmed_decisions(
    active_world: World,
) -> None:
    w = active_world
    caucus_a = steps.meeting(w, "caucus", w.side_a)
    admit(w, caucus_a, w.party_a)
    undecided = item(w, caucus_a, "Ada would keep the car.")
    unconfirmed = item(w, caucus_a, "Ada could wait a year.", "keep_confidential")
    caucus_b = steps.meeting(w, "caucus", w.side_b)
    b_item = item(w, caucus_b, "Bea wants the house.", "may_share")
    done = steps.meeting(w, "caucus", w.side_a)  # nothing raised: nothing missing
    joint = steps.meeting(w, "joint")
    item(w, joint, "We meet weekly.")  # a joint meeting has no close-out
    # A pending invitation: the close would expire it.
    invited = w.mediator.client.post(
        f"cases/{w.case.id}/invitations",
        {"email": "counsel-b@example.test", "name": "Cal", "role": "attorney",
         "side_id": str(w.side_b)},
    )  # fmt: skip
    assert invited.status_code == 201, invited.content
    before = snapshot(w)

    refused = w.mediator.client.post(f"cases/{w.case.id}/close", CLOSE)

    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["error"] == "closeout_incomplete"
    assert body["detail"]
    assert body["meetings"] == [
        {
            "id": caucus_a,
            "items": [undecided, unconfirmed],
            "missing": [f"decision:{undecided}", f"confirmation:{unconfirmed}"],
        },
        {"id": caucus_b, "items": [b_item], "missing": [f"confirmation:{b_item}"]},
    ]
    assert body["items"] == [undecided, unconfirmed, b_item]
    assert body["missing"] == [
        f"decision:{undecided}",
        f"confirmation:{unconfirmed}",
        f"confirmation:{b_item}",
    ]
    assert done not in refused.content.decode() and joint not in refused.content.decode()
    # Nothing changed: the case, every meeting, every attendance, the audit log.
    assert snapshot(w) == before


def test_it_tells_nobody_but_the_mediator_what_a_caucus_lacks(active_world: World) -> None:
    """The parties may not close a case; they are refused before the close-out is read, so
    side B never learns of side A's caucus or its items."""
    w = active_world
    caucus_a = steps.meeting(w, "caucus", w.side_a)
    item_a = item(w, caucus_a, "Ada would keep the car.")
    for who in (w.party_a, w.attorney_a, w.party_b):
        response = who.client.post(f"cases/{w.case.id}/close", CLOSE)
        assert response.status_code == 403, (who.name, response.content)
        assert caucus_a not in response.content.decode()
        assert item_a not in response.content.decode()
    assert w.outsider.client.post(f"cases/{w.case.id}/close", CLOSE).status_code == 404


def test_it_ends_every_running_meeting_with_nothing_missing_when_the_case_closes(
    active_world: World,
) -> None:
    w = active_world
    joint = steps.meeting(w, "joint")
    admit(w, joint, w.party_b)
    item(w, joint, "We meet weekly.")  # undecided, and a joint meeting ends anyway
    caucus = steps.meeting(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    confirmed = item(w, caucus, "Ada would keep the car.", "keep_confidential")
    steps.confirm(w, confirmed)
    empty = steps.meeting(w, "caucus", w.side_b)
    running_ids = {joint, caucus, empty}

    closed = w.mediator.client.post(f"cases/{w.case.id}/close", CLOSE)

    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    statuses = dict(Meeting.objects.filter(case=w.case).values_list("id", "status"))
    assert {str(k) for k, v in statuses.items() if v == "ended"} == running_ids
    assert not Attendance.objects.filter(case=w.case).exclude(state="left").exists()
    # Each through the normal end: one audit entry each, before the case's own.
    entries = list(
        AuditEntry.objects.filter(case_id=w.case.id, action__in=("meeting.ended", "case.closed"))
        .order_by("seq")
        .values_list("action", "object_id")
    )
    assert sorted(object_id for action, object_id in entries[:-1]) == sorted(running_ids)
    assert {action for action, _ in entries[:-1]} == {"meeting.ended"}
    assert entries[-1][0] == "case.closed"


def test_it_shows_the_refusal_on_the_case_page_as_a_message(active_world: World) -> None:
    w = active_world
    caucus = steps.meeting(w, "caucus", w.side_a)
    item(w, caucus, "Ada would keep the car.", "keep_confidential")
    page = Client()
    assert w.mediator.user is not None
    page.force_login(w.mediator.user)

    response = page.post(f"/cases/{w.case.id}/close", {"outcome": "settled", "confirm": "on"})

    # The web answers a refusal with the API's status (one error mapping).
    assert response.status_code == 409
    body = response.content.decode()
    assert "A caucus that is still running has items without a decision" in body
    assert 'role="alert"' in body
    assert Case.objects.get(pk=w.case.id).status == "active"
    assert Meeting.objects.get(pk=caucus).status == "running"
