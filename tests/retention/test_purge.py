from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from caucus.accounts.models import ApiToken, User
from caucus.audit.chain import read_details, verify
from caucus.audit.models import AuditEntry
from caucus.cases.models import Case
from caucus.crypto import keys
from caucus.crypto.cipher import TamperedCiphertext
from caucus.crypto.keyring import is_destroyed
from caucus.retention.models import CasePurge, DeletionCertificate
from caucus.retention.purge import due, run_purge
from caucus.retention.signing import verify_document
from caucus.retention.tasks import purge_expired
from tests.conftest import PASSWORD, World
from tests.retention.scenario import Scenario, after_purge_after, build_scenario


@pytest.fixture
def closed(db: None) -> Scenario:
    return build_scenario()


def rows_left(case_id: object) -> dict[str, int]:
    """Rows of every model with a foreign key to Case, but the retention bookkeeping."""
    left = {}
    for model in apps.get_models():
        if model._meta.app_label == "retention":
            continue
        for f in model._meta.fields:
            if f.is_relation and f.related_model is Case and f.name == "case":
                n = model._default_manager.filter(case_id=case_id).count()
                if n:
                    left[model._meta.label] = n
    return left


def test_it_purges_nothing_before_purge_after(closed: Scenario) -> None:
    case = Case.objects.get(pk=closed.case_id)
    assert case.purge_after is not None
    assert closed.case_id not in due(case.purge_after - __import__("datetime").timedelta(seconds=1))
    assert run_purge(case.closed_at).purged == []
    assert Case.objects.get(pk=closed.case_id).status == "closed"


def test_it_purges_a_closed_case_past_purge_after(closed: Scenario) -> None:
    before = rows_left(closed.case_id)
    # The caucus item and its released disclosure; three invitations and the expert's.
    assert before["meetings.Item"] == 2 and before["cases.Invitation"] == 4
    report = run_purge(after_purge_after(closed.case_id))
    assert report.purged == [closed.case_id]
    case = Case.objects.get(pk=closed.case_id)
    assert case.status == "purged" and case.purged_at is not None
    assert bytes(case.title_sealed) == b"" and case.note_to_parties_sealed is None
    assert rows_left(closed.case_id) == {}
    assert is_destroyed(closed.case_id)
    progress = CasePurge.objects.get(case_id=closed.case_id)
    assert progress.step == "done" and progress.user_ids == []
    # The document's blob went through the vault, its row through the safety net.
    assert progress.blobs_deleted >= 1
    assert progress.deleted.get("vault.Document") == 1
    # The three non-mediators had no other case; the mediator keeps the account.
    assert progress.accounts_deleted == 3
    assert not User.objects.filter(pk__in=[u.pk for u in closed.people.values()]).exists()
    assert User.objects.filter(pk=closed.mediator.pk).exists()


def test_it_is_idempotent(closed: Scenario) -> None:
    as_of = after_purge_after(closed.case_id)
    run_purge(as_of)
    cert = DeletionCertificate.objects.get(case_id=closed.case_id)
    assert run_purge(as_of).purged == []
    assert DeletionCertificate.objects.get(case_id=closed.case_id).body == cert.body


def test_it_keeps_the_account_of_someone_with_another_live_case(closed: Scenario) -> None:
    from caucus.cases import services

    party_a = closed.people["party_a"]
    other = services.open_case(closed.mediator, title="Other", kind="civil", litigated=False)
    issued = services.invite(
        closed.mediator, other.case_id, email=party_a.email, name="x", role="party", side_id=None
    )
    services.accept_invitation(issued.token, name="x", password=PASSWORD, user=party_a)
    run_purge(after_purge_after(closed.case_id))
    assert User.objects.filter(pk=party_a.pk).exists()
    assert not User.objects.filter(pk=closed.people["party_b"].pk).exists()


def test_it_removes_tokens_sessions_and_lockout_records_of_deleted_accounts(
    closed: Scenario,
) -> None:
    from axes.models import AccessAttempt

    party_b = closed.people["party_b"]
    client = Client()
    client.force_login(party_b)
    assert Session.objects.count() >= 1
    AccessAttempt.objects.create(
        username=party_b.email.upper(),
        ip_address="127.0.0.1",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login",
        failures_since_start=1,
    )
    assert ApiToken.objects.filter(user=party_b).exists()
    report = run_purge(after_purge_after(closed.case_id))
    assert report.sessions_deleted >= 1
    assert not Session.objects.exists()
    assert not ApiToken.objects.filter(user_id=party_b.pk).exists()
    assert not AccessAttempt.objects.filter(username__iexact=party_b.email).exists()


def test_it_signs_a_certificate_without_personal_data(closed: Scenario) -> None:
    run_purge(after_purge_after(closed.case_id))
    cert = DeletionCertificate.objects.get(case_id=closed.case_id)
    body = json.loads(cert.body)
    assert body["case_id"] == str(closed.case_id)
    assert body["key_destroyed"] is True
    assert body["rows_deleted"]["meetings.Item"] == 2
    assert body["rows_deleted_by_category"]["cases"] >= 1
    assert body["accounts_deleted"] == 3
    for text in closed.planted.values():
        assert text.lower() not in cert.body.lower()
    from caucus.retention.selectors import certificate_document

    doc = certificate_document(closed.case_id)
    assert doc is not None and verify_document(doc).ok
    forged = json.loads(json.dumps(doc))
    forged["certificate"]["accounts_deleted"] = 0
    assert not verify_document(forged).ok


def test_it_verifies_certificates_from_the_command_line(closed: Scenario, tmp_path: Path) -> None:
    run_purge(after_purge_after(closed.case_id))
    call_command("verify_certificate", str(closed.case_id))
    from caucus.retention.selectors import certificate_document

    doc = certificate_document(closed.case_id)
    assert doc is not None
    good = tmp_path / "cert.json"
    good.write_text(json.dumps(doc))
    call_command("verify_certificate", str(good))
    doc["certificate"]["blobs_deleted"] = 99
    bad = tmp_path / "forged.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="NOT valid"):
        call_command("verify_certificate", str(bad))
    with pytest.raises(CommandError):
        call_command("verify_certificate", "not-a-file-or-id")


def test_it_keeps_the_audit_chain_verifiable_with_the_details_unreadable(
    closed: Scenario,
) -> None:
    entries = list(AuditEntry.objects.filter(case_id=closed.case_id))
    assert entries and read_details(entries[0]) is not None
    run_purge(after_purge_after(closed.case_id))
    verdict = verify()
    assert verdict.ok, verdict
    for entry in AuditEntry.objects.filter(case_id=closed.case_id):
        with pytest.raises((keys.KeyUnavailable, TamperedCiphertext)):
            read_details(entry)
    purged = AuditEntry.objects.get(action="case.purged", object_id=str(closed.case_id))
    assert "certificate_id" in read_details(purged)
    call_command("audit", "verify")


def test_it_answers_410_with_the_certificate_to_the_practice_and_404_to_others(
    closed: Scenario,
) -> None:
    from caucus.accounts.services import new_api_token
    from caucus.cases.models import Practice

    run_purge(after_purge_after(closed.case_id))
    token = new_api_token(closed.mediator)
    headers = {"Authorization": f"Bearer {token}"}
    got = Client().get(f"/api/v1/cases/{closed.case_id}", headers=headers)
    assert got.status_code == 410
    body = got.json()
    assert body["error"] == "purged" and body["purged_at"]
    assert body["certificate"]["certificate"]["case_id"] == str(closed.case_id)
    assert verify_document(body["certificate"]).ok
    for sub in ("participants", "meetings", "items", "agreements"):
        assert Client().get(
            f"/api/v1/cases/{closed.case_id}/{sub}", headers=headers
        ).status_code in (
            404,
            410,
        )
    outsider = User.objects.create_user(
        email="out@example.test",
        name="Out",
        password=PASSWORD,
        practice=Practice.objects.create(name="Elsewhere"),
    )
    other = {"Authorization": f"Bearer {new_api_token(outsider)}"}
    assert Client().get(f"/api/v1/cases/{closed.case_id}", headers=other).status_code == 404


def test_it_shows_the_tombstone_page_and_the_certificate_download(closed: Scenario) -> None:
    run_purge(after_purge_after(closed.case_id))
    web = Client()
    web.force_login(closed.mediator)
    page = web.get(f"/cases/{closed.case_id}")
    assert page.status_code == 410
    assert b"This case was purged" in page.content
    download = web.get(f"/cases/{closed.case_id}/certificate")
    assert download.status_code == 200
    assert verify_document(json.loads(download.content)).ok


def test_it_runs_as_a_periodic_huey_task(closed: Scenario) -> None:
    Case.objects.filter(pk=closed.case_id).update(
        purge_after=Case.objects.get(pk=closed.case_id).closed_at
    )
    assert purge_expired.call_local() == 1
    assert Case.objects.get(pk=closed.case_id).status == "purged"


def test_it_parses_as_of_strictly(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("purge", "--as-of", "next tuesday")
    call_command("purge", "--as-of", "2020-01-01")


def test_a_declined_case_is_purged_on_the_same_schedule(intake_world: World) -> None:
    from caucus.cases import services

    w = intake_world
    assert w.mediator.user is not None
    declined = services.screen_case(
        w.mediator.user,
        w.case.id,
        decision="decline",
        reason_code="not_suitable_for_mediation",
        private_note="declined for a reason",
    )
    assert declined.status == "declined" and declined.purge_after is not None
    assert declined.closed_at is not None
    days = (declined.purge_after - declined.closed_at).days
    assert days == declined.practice.retention_days
    report = run_purge(declined.purge_after)
    assert report.purged == [w.case.id]
    assert Case.objects.get(pk=w.case.id).status == "purged"
