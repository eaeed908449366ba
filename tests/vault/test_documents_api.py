"""Documents through the API: upload, list, detail, download, audiences, limits, access log."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from caucus.audit.models import AccessRecord, AuditEntry
from caucus.vault.models import Document
from tests.conftest import World
from tests.vault.helpers import PDF, body, raw_upload, upload

pytestmark = pytest.mark.django_db


def test_it_stores_an_upload_encrypted_and_serves_it_back_as_an_attachment(
    active_world: World,
) -> None:
    w = active_world
    r = upload(w.party_a, w.case.id)
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["name"] == "statement.pdf"
    assert doc["size"] == len(PDF)
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert doc["audience"] == f"side:{w.side_a}"
    got = w.party_a.client.get(f"documents/{doc['id']}/content")
    assert got.status_code == 200
    assert body(got) == PDF
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    row = Document.objects.get(pk=doc["id"])
    raw = (Path(settings.STORAGES["vault"]["OPTIONS"]["location"]) / row.blob_name).read_bytes()
    assert b"canary-pdf-body" not in raw
    assert b"statement" not in bytes(row.name_sealed)


def test_it_hides_a_sides_document_from_the_other_side_and_outsiders(active_world: World) -> None:
    w = active_world
    doc_id = upload(w.party_a, w.case.id).json()["id"]
    for who in (w.party_b, w.outsider):
        assert who.client.get(f"documents/{doc_id}").status_code == 404
        assert who.client.get(f"documents/{doc_id}/content").status_code == 404
    listed = w.party_b.client.get(f"cases/{w.case.id}/documents").json()["items"]
    assert doc_id not in {d["id"] for d in listed}
    for who in (w.attorney_a, w.mediator):
        assert who.client.get(f"documents/{doc_id}").status_code == 200
    assert w.anonymous.client.get(f"documents/{doc_id}").status_code == 401


def test_it_lets_a_party_address_the_mediators_only_and_still_see_their_own(
    active_world: World,
) -> None:
    w = active_world
    doc_id = upload(w.party_a, w.case.id, audience="mediators").json()["id"]
    assert w.party_a.client.get(f"documents/{doc_id}").status_code == 200
    assert w.attorney_a.client.get(f"documents/{doc_id}").status_code == 404
    assert w.mediator.client.get(f"documents/{doc_id}").status_code == 200


def test_it_refuses_a_party_addressing_the_other_side(active_world: World) -> None:
    w = active_world
    r = upload(w.party_a, w.case.id, audience=f"side:{w.side_b}")
    assert r.status_code == 400
    assert "audience" in r.json()["fields"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "field"),
    [
        ("empty.txt", b"", "text/plain", "file"),
        ("../../etc/passwd.txt", b"hello", "text/plain", "file"),
        ("..\\..\\boot.txt", b"hello", "text/plain", "file"),
        (".htaccess.txt", b"hello", "text/plain", "file"),
        ("evil.html", b"<script>alert(1)</script>", "text/html", "file"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf\x00\x01", "application/pdf", "file"),
        ("text.png", b"just words", "image/png", "file"),
        ("notes.exe", b"plain words", "application/octet-stream", "file"),
    ],
)
def test_it_answers_bad_files_with_400_and_field_errors(
    active_world: World, name: str, data: bytes, content_type: str, field: str
) -> None:
    w = active_world
    r = raw_upload(w.party_a, w.case.id, name, data, content_type)
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"]
    assert not Document.objects.exists()
    assert not list(_blobs())


def _blobs() -> list[Path]:
    root = Path(settings.STORAGES["vault"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_it_answers_a_json_body_and_a_corrupt_multipart_body_with_400(active_world: World) -> None:
    w = active_world
    r = w.party_a.client.post(f"cases/{w.case.id}/documents", {"audience": "case"})
    assert r.status_code == 400
    assert "file" in r.json()["fields"]
    corrupt = w.party_a.client.django.post(
        f"/api/v1/cases/{w.case.id}/documents",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
        content_type="multipart/form-data; boundary=xyz",
        headers=w.party_a.client._headers(),
    )
    assert corrupt.status_code == 400
    for content_type in ("multipart/form-data", "multipart/form-data; boundary="):
        no_boundary = w.party_a.client.django.post(
            f"/api/v1/cases/{w.case.id}/documents",
            data=b"abc",
            content_type=content_type,
            headers=w.party_a.client._headers(),
        )
        assert no_boundary.status_code == 400, content_type
        assert "file" in no_boundary.json()["fields"], content_type
    assert not Document.objects.exists()
    assert not list(_blobs())


def test_it_answers_413_over_the_limit_before_and_while_reading(active_world: World) -> None:
    w = active_world
    with override_settings(CAUCUS_MAX_UPLOAD_BYTES=1024):
        r = upload(
            w.party_a, w.case.id, name="big.txt", data=b"a" * 200_000, content_type="text/plain"
        )
        assert r.status_code == 413
        assert r.json()["error"] == "too_large"
        # Within the multipart slack: refused while streaming.
        r = upload(
            w.party_a, w.case.id, name="big.txt", data=b"a" * 5_000, content_type="text/plain"
        )
        assert r.status_code == 413
    assert not Document.objects.exists()
    assert not list(_blobs())


def test_it_gates_uploads_during_onboarding(world: World) -> None:
    r = upload(world.party_a, world.case.id)
    assert r.status_code == 409
    assert r.json()["error"] == "onboarding_incomplete"
    assert not list(_blobs())


def test_it_audits_reads_and_shows_them_in_the_access_log_by_side(active_world: World) -> None:
    w = active_world
    doc_id = upload(w.party_a, w.case.id, audience="case").json()["id"]
    body(w.party_b.client.get(f"documents/{doc_id}/content"))
    assert AuditEntry.objects.filter(action="document.read", object_id=doc_id).count() == 1
    log_a = w.party_a.client.get(f"cases/{w.case.id}/access-log").json()["items"]
    reads = [e for e in log_a if e["action"] == "document.read"]
    assert reads and reads[0]["participant_id"] == str(w.party_b.participant.id)  # type: ignore[union-attr]
    assert reads[0]["object"] == {"type": "document", "id": doc_id}
    log_b = w.party_b.client.get(f"cases/{w.case.id}/access-log").json()["items"]
    assert all(e["object"]["id"] != doc_id for e in log_b)
    log_m = w.mediator.client.get(f"cases/{w.case.id}/access-log").json()["items"]
    assert any(e["object"]["id"] == doc_id for e in log_m)
    assert w.outsider.client.get(f"cases/{w.case.id}/access-log").status_code == 404


def test_it_lists_documents_in_a_constant_number_of_queries(
    active_world: World, django_assert_max_num_queries: object
) -> None:
    w = active_world
    for i in range(5):
        upload(w.party_a, w.case.id, name=f"n{i}.pdf")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        w.party_a.client.get(f"cases/{w.case.id}/documents")
    for i in range(5, 15):
        upload(w.party_a, w.case.id, name=f"n{i}.pdf")
    with CaptureQueriesContext(connection) as many:
        r = w.party_a.client.get(f"cases/{w.case.id}/documents")
    assert len(r.json()["items"]) == 15
    assert len(many) == len(few)
    assert AccessRecord.objects.filter(action="document.listed").count() == 20
