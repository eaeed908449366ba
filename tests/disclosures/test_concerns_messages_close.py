"""Practices 10 (messages), 15 (withdrawal) and 16 (concerns)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caucus.audit.models import AuditEntry
from caucus.cases.models import Case
from caucus.meetings.models import Meeting
from tests.conftest import World
from tests.meetings.rooms import running

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

SECRET = "my brother-in-law pays cash MSG-SECRET-77"


# --- Concerns ---------------------------------------------------------------------------


def test_a_concern_is_seen_by_the_mediators_and_the_raisers_side(active_world: World) -> None:
    w = active_world
    raised = w.party_a.client.post(
        f"cases/{w.case.id}/concerns", {"topic": "impartiality", "body": SECRET}
    )
    assert raised.status_code == 201, raised.content
    concern = raised.json()
    assert concern["audience"] == f"side:{w.side_a}"
    answered = w.mediator.client.post(
        f"concerns/{concern['id']}/respond", {"body": "Thank you; let us talk."}
    )
    assert answered.status_code == 200
    assert answered.json()["responses"][0]["body"] == "Thank you; let us talk."
    assert w.attorney_a.client.get(f"concerns/{concern['id']}").status_code == 200
    assert w.party_b.client.get(f"concerns/{concern['id']}").status_code == 404
    assert w.party_b.client.get(f"cases/{w.case.id}/concerns").json()["items"] == []
    assert w.outsider.client.get(f"concerns/{concern['id']}").status_code == 404


def test_a_concern_may_be_raised_during_onboarding(world: World) -> None:
    w = world
    response = w.party_b.client.post(
        f"cases/{w.case.id}/concerns", {"topic": "safety", "body": "I feel unsafe"}
    )
    assert response.status_code == 201


def test_only_the_mediator_answers_a_concern(active_world: World) -> None:
    w = active_world
    concern = w.party_a.client.post(
        f"cases/{w.case.id}/concerns", {"topic": "other", "body": "x"}
    ).json()
    response = w.attorney_a.client.post(f"concerns/{concern['id']}/respond", {"body": "y"})
    assert response.status_code == 403


def test_it_refuses_an_unknown_topic(active_world: World) -> None:
    w = active_world
    response = w.party_a.client.post(f"cases/{w.case.id}/concerns", {"topic": "money", "body": "x"})
    assert response.status_code == 400 and "topic" in response.json()["fields"]


# --- Messages ---------------------------------------------------------------------------


def post(w: World, who: str, body: str, audience: str) -> dict[str, str]:
    response = getattr(w, who).client.post(
        f"cases/{w.case.id}/messages", {"body": body, "audience": audience}
    )
    assert response.status_code == 201, response.content
    result: dict[str, str] = response.json()
    return result


def bodies(w: World, who: str) -> set[str]:
    response = getattr(w, who).client.get(f"cases/{w.case.id}/messages")
    assert response.status_code == 200
    return {m["body"] for m in response.json()["items"]}


def test_messages_reach_exactly_their_audience(active_world: World) -> None:
    w = active_world
    post(w, "party_a", "to mediators", "mediators")
    post(w, "party_a", "to side a", "own_side")
    post(w, "party_b", "to everyone", "case")
    assert bodies(w, "mediator") == {"to mediators", "to side a", "to everyone"}
    assert bodies(w, "party_a") == {"to mediators", "to side a", "to everyone"}
    assert bodies(w, "attorney_a") == {"to side a", "to everyone"}
    assert bodies(w, "party_b") == {"to everyone"}
    assert w.outsider.client.get(f"cases/{w.case.id}/messages").status_code == 404


def test_a_message_is_sealed_and_its_read_audited(active_world: World) -> None:
    w = active_world
    message = post(w, "party_a", SECRET, "own_side")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_sealed FROM portal_message")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert stored and all(b"MSG-SECRET" not in raw for raw in stored)
    before = AuditEntry.objects.filter(action="message.read").count()
    assert w.attorney_a.client.get(f"messages/{message['id']}").status_code == 200
    assert AuditEntry.objects.filter(action="message.read").count() == before + 1
    assert w.party_b.client.get(f"messages/{message['id']}").status_code == 404


def test_the_mediator_cannot_write_to_own_side(active_world: World) -> None:
    w = active_world
    response = w.mediator.client.post(
        f"cases/{w.case.id}/messages", {"body": "x", "audience": "own_side"}
    )
    assert response.status_code == 400 and "audience" in response.json()["fields"]


def test_messages_wait_for_onboarding(world: World) -> None:
    w = world
    response = w.party_a.client.post(
        f"cases/{w.case.id}/messages", {"body": "x", "audience": "case"}
    )
    assert response.status_code == 409 and response.json()["error"] == "onboarding_incomplete"


def test_notifications_say_only_that_something_is_waiting(
    active_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    w = active_world
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(w, "party_a", SECRET, "own_side")
        post(w, "party_b", SECRET, "case")
        w.party_a.client.post(f"cases/{w.case.id}/concerns", {"topic": "safety", "body": SECRET})
    recipients = [m.to for m in mail.outbox]
    assert all(len(to) == 1 for to in recipients)
    flat = {to[0] for to in recipients}
    assert w.attorney_a.user and w.party_b.user and w.mediator.user
    assert w.attorney_a.user.email in flat
    assert w.mediator.user.email in flat
    # Party B gets nothing for side A's own message: its timing would hint at it.
    first_batch = [m.to[0] for m in mail.outbox[:2]]
    assert w.party_b.user.email not in first_batch
    names = [p.user.name for p in (w.party_a, w.party_b, w.attorney_a) if p.user]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert "MSG-SECRET" not in text
        assert w.case.title not in text
        assert str(w.case.id) not in text
        for name in names:
            assert name not in text


def test_the_message_list_is_a_fixed_number_of_queries(active_world: World) -> None:
    w = active_world
    post(w, "party_a", "one", "case")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            w.party_b.client.get(f"cases/{w.case.id}/messages")
        return len(ctx.captured_queries)

    count()  # the first read of a session warms caches that later reads skip
    before = count()
    for i in range(3):
        post(w, "party_b", f"more {i}", "case")
    assert count() == before


# --- Closing ----------------------------------------------------------------------------


def test_a_withdrawal_shows_a_neutral_statement_and_keeps_the_reasons(
    active_world: World,
) -> None:
    w = active_world
    meeting = running(w, "joint")
    reasons = "Party B is hiding assets CLOSE-SECRET-3"
    closed = w.mediator.client.post(
        f"cases/{w.case.id}/close", {"outcome": "mediator_withdrew", "private_note": reasons}
    )
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed"
    assert body["purge_after"] is not None
    assert body["closing_note"] == reasons
    for party in (w.party_a, w.party_b, w.attorney_a):
        seen = party.client.get(f"cases/{w.case.id}")
        assert seen.status_code == 200
        assert "CLOSE-SECRET" not in seen.text
        assert "withdrawn" in seen.json()["closing_statement"]
    assert Meeting.objects.get(pk=meeting["id"]).status == "ended"
    case = Case.objects.get(pk=w.case.id)
    assert case.purge_after is not None and case.closed_at is not None
    retention = (case.purge_after - case.closed_at).days
    assert retention == case.practice.retention_days


def test_closing_lets_pending_requests_lapse(active_world: World) -> None:
    w = active_world
    consent = w.mediator.client.post(
        f"cases/{w.case.id}/consents",
        {"kind": "add_expert", "name": "X", "email": "x@example.com", "purpose": "y"},
    ).json()
    w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "impasse"})
    assert w.mediator.client.get(f"consents/{consent['id']}").json()["status"] == "cancelled"
    assert w.party_a.client.post(f"consents/{consent['id']}/approve").status_code == 409


def test_only_the_mediator_closes(active_world: World) -> None:
    w = active_world
    response = w.party_a.client.post(f"cases/{w.case.id}/close", {"outcome": "party_withdrew"})
    assert response.status_code == 403
