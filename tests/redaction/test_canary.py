"""Redaction holds the document's text, the spans' text and the copy: none of it may reach
the raw database file or the logs in the clear."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import build_world, complete_onboarding
from tests.redaction.test_redaction_api import _intake
from tests.security.test_canary import raw_database_bytes, variants
from tests.vault.helpers import upload

CANARY_NAME = "Quillon Vexmarrow"
CANARY_SSN = "538-27-9164"
TEXT = f"Settlement. {CANARY_NAME} (SSN {CANARY_SSN}) agrees with Ada Party.\n"


@pytest.mark.django_db(transaction=True)
def test_it_keeps_redacted_text_out_of_the_raw_database_and_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    w = build_world()
    complete_onboarding(w)
    _intake(w)
    doc = upload(w.party_a, w.case.id, name="s.txt", data=TEXT.encode(),
                 content_type="text/plain", audience="case").json()  # fmt: skip
    proposal = w.mediator.client.post(f"documents/{doc['id']}/redactions").json()
    assert CANARY_NAME in {s["text"] for s in proposal["spans"]}
    done = w.mediator.client.post(
        f"redactions/{proposal['id']}/finalize", {"accept": [s["id"] for s in proposal["spans"]]}
    )
    assert done.status_code == 201
    raw = raw_database_bytes()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for canary in (CANARY_NAME, CANARY_SSN):
        for form in variants(canary):
            assert form not in raw
        assert canary.lower() not in logs.lower()
