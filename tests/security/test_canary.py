"""Hunts for content where it must not be: the raw database (the SQLite file and its WAL, or
a pg_dump on PostgreSQL) and the logs, after known strings went in through the services."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from caucus.accounts.models import User
from caucus.cases import services
from caucus.cases.models import Case, Practice
from caucus.crypto.keyring import key_scope
from tests.conftest import PASSWORD, World, build_world, complete_onboarding

# Password handling runs on the hashers caucus/settings.py declares (Argon2).
pytestmark = pytest.mark.usefixtures("production_password_hashing")

CANARIES = {
    "title": "CANARY-TITLE-Zanzibar-7f3a",
    "private_note": "CANARY-NOTE-hidden-assets-91b2",
    "invitee_name": "CANARY-NAME-Quillon-55c1",
    "invitee_email": "canary-email-3e8d@example.test",
    "note_to_parties": "CANARY-PARTIES-statement-a0d4",
}


def pg_command(tool: str) -> list[str]:
    """A PostgreSQL client tool pointed at the test database's server."""
    settings = connection.settings_dict
    binary = shutil.which(tool)
    if binary is None:
        pytest.fail(f"{tool} is needed to reach the PostgreSQL database")
    return [
        binary,
        "--host",
        str(settings.get("HOST") or "127.0.0.1"),
        "--port",
        str(settings.get("PORT") or 5432),
        "--username",
        str(settings.get("USER") or "postgres"),
    ]


def raw_database_bytes() -> bytes:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"])
        chunks = [path.read_bytes()]
        for suffix in ("-wal", "-shm", "-journal"):
            extra = Path(f"{path}{suffix}")
            if extra.exists():
                chunks.append(extra.read_bytes())
        return b"".join(chunks)
    if connection.vendor == "postgresql":
        return subprocess.run(
            [
                *pg_command("pg_dump"),
                "--data-only",
                "--inserts",
                str(settings["NAME"]),
            ],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
    pytest.fail(f"no raw scan for {connection.vendor}")


@pytest.fixture
def canary_world(transactional_db: None, caplog: pytest.LogCaptureFixture) -> Iterator[World]:
    """An onboarded world, committed for real, whose test runs in one key scope, with every
    log record kept and the outbox emptied first, for `assert_found_nowhere` to search."""
    caplog.set_level(logging.DEBUG)
    mail.outbox.clear()
    with key_scope():
        world = build_world()
        complete_onboarding(world)
        yield world


def variants(text: str) -> list[bytes]:
    return [text.encode(), text.encode("utf-16-le"), text.lower().encode(), text.upper().encode()]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_content_string_out_of_the_raw_database_and_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with key_scope():
        practice = Practice.objects.create(name="Canary practice")
        mediator = User.objects.create_user(
            email="canary-mediator@example.test", name="M", password=PASSWORD, practice=practice
        )
        me = services.open_case(mediator, title=CANARIES["title"], kind="family", litigated=False)
        services.screen_case(
            mediator,
            me.case_id,
            decision="accept",
            reason_code=None,
            private_note=CANARIES["private_note"],
        )
        services.invite(
            mediator,
            me.case_id,
            email=CANARIES["invitee_email"],
            name=CANARIES["invitee_name"],
            role="party",
            side_id=None,
        )
        services.close_case(
            mediator, me.case_id, outcome="impasse", note_to_parties=CANARIES["note_to_parties"]
        )
        # The service path really stored them: they read back through the key.
        case = Case.objects.get(pk=me.case_id)
        assert case.title == CANARIES["title"]
        assert case.screening_note == CANARIES["private_note"]

    raw = raw_database_bytes()
    assert len(raw) > 10_000
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for label, canary in CANARIES.items():
        for form in variants(canary):
            assert form not in raw, f"{label} found in the raw database"
        assert canary.lower() not in logs.lower(), f"{label} found in the logs"


EXCHANGE_CANARIES = {
    "item": "CANARY-ITEM-offshore-4c1e",
    "disclosure": "CANARY-WORDING-open-to-sale-8b3f",
    "message": "CANARY-MESSAGE-late-payments-2d9a",
    "concern": "CANARY-CONCERN-bias-77e0",
    "concern_response": "CANARY-ANSWER-recusal-19fa",
    "consent_name": "CANARY-EXPERT-Vasquez-6a2b",
    "consent_purpose": "CANARY-PURPOSE-pension-valuation-e5c7",
    "closing_note": "CANARY-REASONS-threats-0b8d",
    # issue 15
    "party_wording": "CANARY-OWN-WORDING-car-5e21",
}


def test_issue_5_content_stays_out_of_the_raw_database_the_logs_and_the_mail(
    canary_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.meetings.rooms import admit, running

    w, c = canary_world, EXCHANGE_CANARIES
    meeting = running(w, "caucus", w.side_a)
    admit(w, meeting, w.party_a)
    item = w.party_a.client.post(f"meetings/{meeting['id']}/items", {"text": c["item"]})
    item_id = item.json()["id"]
    w.mediator.client.put(f"items/{item_id}/decision", {"decision": "may_share"})
    w.party_a.client.post(f"items/{item_id}/confirm")
    second = w.party_a.client.post(f"meetings/{meeting['id']}/items", {"text": "Car."})
    w.mediator.client.put(f"items/{second.json()['id']}/decision", {"decision": "may_share"})
    narrowed = w.party_a.client.post(
        f"items/{second.json()['id']}/confirm",
        {"decision": "may_share_as_worded", "wording": c["party_wording"]},
    )
    assert narrowed.json()["proposed_wording"] == c["party_wording"]
    drafted = w.mediator.client.post(
        f"items/{item_id}/disclosures", {"to": "case", "text": c["disclosure"]}
    )
    assert drafted.status_code == 201, drafted.content
    for who in (w.party_a, w.attorney_a):
        who.client.post(f"disclosures/{drafted.json()['id']}/approve")
    sent = w.party_b.client.post(
        f"cases/{w.case.id}/messages", {"body": c["message"], "audience": "case"}
    )
    assert sent.status_code == 201
    concern = w.party_a.client.post(
        f"cases/{w.case.id}/concerns", {"topic": "impartiality", "body": c["concern"]}
    )
    w.mediator.client.post(
        f"concerns/{concern.json()['id']}/respond", {"body": c["concern_response"]}
    )
    asked = w.mediator.client.post(
        f"cases/{w.case.id}/consents",
        {
            "kind": "add_expert",
            "name": c["consent_name"],
            "email": "canary-expert@example.test",
            "purpose": c["consent_purpose"],
        },
    )
    assert asked.status_code == 201
    closed = w.mediator.client.post(
        f"cases/{w.case.id}/close",
        {"outcome": "mediator_withdrew", "private_note": c["closing_note"]},
    )
    assert closed.status_code == 200
    assert mail.outbox, "the actions above notify someone"
    assert_found_nowhere(c, caplog)


# issue 16
SETTLEMENT_CANARIES = {
    "settlement_text": "CANARY-MOU-pays-the-boat-loan-3a7c",
    "settlement_revision": "CANARY-MOU-REVISED-keeps-the-dog-8e21",
    "settlement_comment_side": "CANARY-COMMENT-side-a-will-go-lower-5f90",
    "settlement_comment_case": "CANARY-COMMENT-shared-timeline-c4d2",
}


def test_issue_16_memorandum_content_stays_out_of_the_raw_database_the_logs_and_the_mail(
    canary_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    w, c = canary_world, SETTLEMENT_CANARIES
    made = w.mediator.client.post(f"cases/{w.case.id}/settlement", {"text": c["settlement_text"]})
    assert made.status_code == 201, made.content
    s = made.json()
    for body, audience in (
        (c["settlement_comment_side"], "own_side"),
        (c["settlement_comment_case"], "case"),
    ):
        said = w.party_a.client.post(
            f"settlement/{s['id']}/comments", {"body": body, "audience": audience}
        )
        assert said.status_code == 201
    revised = w.mediator.client.put(f"settlement/{s['id']}", {"text": c["settlement_revision"]})
    ready = w.mediator.client.post(f"settlement/{s['id']}/ready")
    assert revised.status_code == ready.status_code == 200
    # The service path really stored them: they read back through the API.
    versions = w.party_b.client.get(f"settlement/{s['id']}/versions").json()["items"]
    assert [v["text"] for v in versions] == [c["settlement_revision"], c["settlement_text"]]
    assert mail.outbox, "marking the memorandum ready tells the signers something waits"
    assert_found_nowhere(c, caplog)


# issue 15 (h15): the emails Caucus sends on its own carry neither content, nor the case's
# title, nor the names of anyone but the sender.
ISSUE_15_CANARIES = {
    "title": "CANARY-TITLE-Ostrava-c41d",
    "party_name": "CANARY-PARTY-Wexford-2b7e",
    "other_invitee": "CANARY-INVITEE-Lindqvist-9e03",
    "private_note": "CANARY-NOTE-screening-5f1a",
}


def test_issue_15_invitation_emails_name_no_case_and_no_one_else(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail
    from django.test import RequestFactory

    from caucus.accounts import services as accounts
    from tests.conftest import make_user

    c = ISSUE_15_CANARIES
    mail.outbox.clear()
    with key_scope(), django_capture_on_commit_callbacks(execute=True):
        practice = Practice.objects.create(name="Harbour Mediation")
        mediator = make_user("canary15-m@example.test", "Morgan Mediator", practice=practice)
        me = services.open_case(mediator, title=c["title"], kind="family", litigated=False)
        services.screen_case(
            mediator,
            me.case_id,
            decision="accept",
            reason_code=None,
            private_note=c["private_note"],
        )
        first = services.invite(
            mediator, me.case_id, email="p15@example.test", name=c["party_name"], role="party",
            side_id=None,
        )  # fmt: skip
        services.accept_invitation(first.token, name=c["party_name"], password=PASSWORD, user=None)
        second = services.invite(
            mediator, me.case_id, email="o15@example.test", name=c["other_invitee"],
            role="attorney", side_id=first.invitation.side_id,
        )  # fmt: skip
        services.resend_invitation(mediator, second.invitation.id)
    to_attorney = [m for m in mail.outbox if m.to == ["o15@example.test"]]
    assert len(to_attorney) == 2, "the invitation and its resend are emailed"
    invitations = list(mail.outbox)
    with key_scope(), django_capture_on_commit_callbacks(execute=True):
        accounts.request_password_reset(RequestFactory().post("/"), "p15@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        reset = mail.outbox[-1]
        token = reset.body.split("/password-reset/")[1].split()[0]
        accounts.confirm_password_reset(token, "a fresh and long passphrase 42")
    account_mails = mail.outbox[len(invitations) :]
    assert len(account_mails) == 2, "the reset link and the notice of the change"
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        if message in invitations:
            assert "Morgan Mediator" in text and "Harbour Mediation" in text
        else:
            assert "Morgan Mediator" not in text
        for label, canary in c.items():
            assert canary.lower() not in text.lower(), f"{label} found in an email"


def test_issue_15_meeting_emails_carry_a_time_only(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import UTC, datetime

    from django.core import mail

    from caucus.meetings import services as meetings
    from tests.conftest import build_world, complete_onboarding

    c = ISSUE_15_CANARIES
    with key_scope():
        w = build_world()
        complete_onboarding(w)
        case = Case.objects.get(pk=w.case.id)
        case.title = c["title"]
        case.save()
        mediator = w.mediator.user
        assert mediator is not None
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            at = datetime(2031, 1, 15, 10, tzinfo=UTC)
            joint = meetings.schedule_meeting(
                mediator, w.case.id, kind="joint", side_id=None, mode="virtual", starts_at=at
            )
            caucus = meetings.schedule_meeting(
                mediator, w.case.id, kind="caucus", side_id=w.side_a, mode="virtual", starts_at=at
            )
            meetings.reschedule_meeting(mediator, joint.id, starts_at=at, duration_minutes=30)
            meetings.cancel_meeting(mediator, joint.id)
            meetings.start_meeting(mediator, caucus.id)
    subjects = {m.subject for m in mail.outbox}
    assert len(subjects) == 4, subjects  # scheduled, moved, cancelled, started
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for secret in (c["title"], "Ada Party", "Bea Party", "Abe Attorney", "Mia Mediator"):
            assert secret.lower() not in text.lower(), f"{secret} found in a meeting email"


# issue 16: the public-record copy shown to the parties, and a party's removal request.
PUBLIC_RECORD_CANARIES = {
    "public_record_text": "CANARY-RECORD-boat-goes-to-auction-7d1e",
    "removal_passage": "CANARY-REMOVE-berth-number-2b9f",
}


def test_issue_16_public_record_copy_and_requests_stay_out_of_the_raw_database_and_logs(
    canary_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.settlement.memoranda import ready, sign_by_everyone

    w, c = canary_world, PUBLIC_RECORD_CANARIES
    text = f"1. {c['public_record_text']}\n2. {c['removal_passage']}\n"
    s = w.mediator.client.post(f"cases/{w.case.id}/settlement", {"text": text}).json()
    sign_by_everyone(w, ready(w, s))
    proposed = w.mediator.client.post(f"settlement/{s['id']}/public-record").json()
    made = w.mediator.client.post(
        f"redactions/{proposed['id']}/finalize", {"accept": [], "add": []}
    )
    assert made.status_code == 201, made.content
    copy = f"settlement/{s['id']}/public-record"
    assert w.mediator.client.post(f"{copy}/show").status_code == 200
    asked = w.party_a.client.post(f"{copy}/requests", {"passage": c["removal_passage"]})
    assert asked.status_code == 201, asked.content
    # The service path really stored them: they read back through the API.
    read = w.party_a.client.get(copy).json()
    assert c["public_record_text"] in read["text"]
    assert [r["passage"] for r in read["requests"]] == [c["removal_passage"]]
    final = w.mediator.client.post(f"{copy}/final").json()
    assert c["public_record_text"] in final["text"]
    assert c["removal_passage"] not in final["text"]
    assert mail.outbox, "showing the copy tells the parties something waits"
    assert_found_nowhere(c, caplog)


def assert_found_nowhere(c: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    """No canary in the raw database (in any encoding), the logs or a notification."""
    from django.core import mail

    raw = raw_database_bytes()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    mails = "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)
    for label, canary in c.items():
        for form in variants(canary):
            assert form not in raw, f"{label} found in the raw database"
        assert canary.lower() not in logs.lower(), f"{label} found in the logs"
        assert canary not in mails, f"{label} found in a notification"
