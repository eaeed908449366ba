"""The documents page, the plain-form upload, the download link and the access log on the
case page, as a browser without JavaScript uses them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caucus.vault.models import Document
from tests.conftest import Persona, World
from tests.vault.helpers import PDF, body

pytestmark = pytest.mark.django_db


def browser(who: Persona) -> Client:
    client = Client()
    assert who.user is not None
    client.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_it_uploads_with_a_plain_form_and_lists_the_document_with_its_badge(
    active_world: World,
) -> None:
    w = active_world
    a = browser(w.party_a)
    page = a.get(f"/cases/{w.case.id}/documents")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    upload = SimpleUploadedFile("offer.pdf", PDF, "application/pdf")
    done = a.post(f"/cases/{w.case.id}/documents", {"file": upload, "audience": "own_side"})
    assert done.status_code == 302
    doc = Document.objects.get()
    assert done["Location"].endswith(f"/cases/{w.case.id}/documents#document-{doc.id}")
    listed = a.get(f"/cases/{w.case.id}/documents").content.decode()
    assert "offer.pdf" in listed and "side only" in listed
    assert b"offer.pdf" not in browser(w.party_b).get(f"/cases/{w.case.id}/documents").content
    got = a.get(f"/documents/{doc.id}/download")
    assert got.status_code == 200
    assert body(got) == PDF
    assert got["Content-Disposition"].startswith("attachment")
    assert browser(w.party_b).get(f"/documents/{doc.id}/download").status_code == 404


def test_it_shows_the_form_again_with_the_reason_for_a_bad_file(active_world: World) -> None:
    w = active_world
    a = browser(w.party_a)
    upload = SimpleUploadedFile("empty.txt", b"", "text/plain")
    page = a.post(f"/cases/{w.case.id}/documents", {"file": upload, "audience": "case"})
    assert page.status_code == 400
    assert b"The file is empty." in page.content
    assert not Document.objects.exists()


def test_it_shows_who_read_a_sides_content_on_the_case_page(active_world: World) -> None:
    w = active_world
    a = browser(w.party_a)
    a.post(
        f"/cases/{w.case.id}/documents",
        {"file": SimpleUploadedFile("offer.pdf", PDF, "application/pdf"), "audience": "case"},
    )
    doc = Document.objects.get()
    body(browser(w.party_b).get(f"/documents/{doc.id}/download"))
    case_page = a.get(f"/cases/{w.case.id}").content.decode()
    assert 'id="access-log"' in case_page
    assert "Bea Party" in case_page and "read a document" in case_page
