"""The mediator's review page: proposed removals marked with number and label, accept or
reject each, add by selecting or typing text, then the copy is made and the page links to it."""

from __future__ import annotations

import pytest
from django.test import Client

from caucus.vault.models import Document
from tests.conftest import World
from tests.redaction.test_redaction_api import MEMO, _intake
from tests.vault.helpers import body, upload

pytestmark = pytest.mark.django_db


def _client(w: World) -> Client:
    client = Client()
    assert w.mediator.user is not None
    client.force_login(w.mediator.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _review(w: World, **form: str) -> tuple[Client, str, str]:
    """The mediator's client, party A's memo and the review page the mediator started."""
    doc = upload(w.party_a, w.case.id, name="memo.txt", data=MEMO.encode(),
                 content_type="text/plain", audience="case").json()  # fmt: skip
    client = _client(w)
    page_url = client.post(f"/documents/{doc['id']}/redact", form)["Location"]
    return client, str(doc["id"]), page_url


def test_it_reviews_and_makes_the_redacted_copy_from_the_page(active_world: World) -> None:
    w = active_world
    _intake(w)
    doc = upload(w.party_a, w.case.id, name="memo.txt", data=MEMO.encode(),
                 content_type="text/plain", audience="case").json()  # fmt: skip
    client = _client(w)
    listing = client.get(f"/cases/{w.case.id}/documents").content.decode()
    assert f"/documents/{doc['id']}/redact" in listing
    started = client.post(f"/documents/{doc['id']}/redact")
    assert started.status_code == 302
    page_url = started["Location"]
    page = client.get(page_url).content.decode()
    assert 'class="proposed"' in page and ": name of a child]" in page and "<script" in page
    assert "style=" not in page
    import re

    ids = re.findall(r'name="accept" value="([0-9a-f-]+)"', page)
    start = MEMO.index("Kestrel")
    done = client.post(
        page_url,
        {"accept": ids, "add-0-start": str(start), "add-0-end": str(start + 7),
         "add-0-label": "PERSON"},
    )  # fmt: skip
    assert done.status_code == 302
    copy = Document.objects.get(public_record=True)
    text = body(w.mediator.client.get(f"documents/{copy.id}/content")).decode()
    assert "Kestrel" not in text and "Lena" not in text
    again = client.get(page_url).content.decode()
    assert 'id="finalized"' in again


def test_it_shows_field_errors_for_bad_offsets_and_hides_the_page_from_parties(
    active_world: World,
) -> None:
    w = active_world
    client, doc_id, page_url = _review(w)
    bad = client.post(page_url, {"add-0-start": "50", "add-0-end": "10", "add-0-label": "PERSON"})
    assert bad.status_code == 400
    # Said in words: the page never shows offsets (issue 15).
    assert "Removal 1: the selection does not mark text" in bad.content.decode()
    party = Client()
    assert w.party_a.user is not None
    party.force_login(w.party_a.user, backend="django.contrib.auth.backends.ModelBackend")
    assert party.get(page_url).status_code == 404
    assert party.post(f"/documents/{doc_id}/redact").status_code == 403


def test_it_generalises_from_the_checkbox_and_removes_typed_text_without_offsets(
    active_world: World,
) -> None:
    from caucus.redaction.models import Redaction

    w = active_world
    client, _, page_url = _review(w, generalise="on")
    listing = client.get(f"/cases/{w.case.id}/documents").content.decode()
    assert 'name="generalise"' in listing
    assert Redaction.objects.get().generalise is True
    page = client.get(page_url).content.decode()
    # people choose text, never numbers: no offsets are shown, only hidden for a selection
    assert "characters" not in page and 'type="number"' not in page
    missing = client.post(page_url, {"add-0-text": "Zebedee", "add-0-label": "PERSON"})
    assert missing.status_code == 400 and "not in the document" in missing.content.decode()
    done = client.post(page_url, {"add-0-text": "Support", "add-0-label": "OTHER_ID"})
    assert done.status_code == 302
    copy = Document.objects.get(public_record=True)
    text = body(w.mediator.client.get(f"documents/{copy.id}/content")).decode()
    assert "Support" not in text and "[OTHER_ID]" in text


# issue 15: the review page after the case is closed, and the step before the copy is made.


def test_it_shows_the_review_page_of_a_closed_case_without_a_form(active_world: World) -> None:
    w = active_world
    client, _, page_url = _review(w)
    closed = w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "impasse"})
    assert closed.status_code == 200, closed.content
    page = client.get(page_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="redaction-form"' not in text
    assert "closed" in text
    refused = client.post(page_url, {"accept": []})
    assert refused.status_code == 409


def test_it_says_what_making_the_copy_does_before_it_is_made(active_world: World) -> None:
    client, _, page_url = _review(active_world)
    page = client.get(page_url).content.decode()
    assert 'id="make-copy-step"' in page and "It cannot be undone" in page
