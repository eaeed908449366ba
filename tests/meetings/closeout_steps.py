"""Steps that build a meeting's close-out state through the API, as the personas of
tests/conftest.py: the mediator runs meetings and decides, party A confirms."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.fixtures import Settings

from tests.conftest import Persona, World

# ATTEST and admit are steps of this module too (other tests import them from here).
from tests.meetings.rooms import ATTEST as ATTEST
from tests.meetings.rooms import admit as admit
from tests.meetings.rooms import running, schedule

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_passwords(settings: Settings) -> None:
    # Password handling is tested in tests/accounts; the personas' hashes would only add time.
    settings.PASSWORD_HASHERS = FAST_HASHERS


def meeting(w: World, kind: str, side: Any = None, *, start: bool = True) -> str:
    return str((running if start else schedule)(w, kind, side)["id"])


def raise_item(w: World, meeting_id: str, text: str, who: Persona | None = None) -> str:
    raised = (who or w.mediator).client.post(f"meetings/{meeting_id}/items", {"text": text})
    assert raised.status_code == 201, raised.content
    return str(raised.json()["id"])


def decide(w: World, item_id: str, decision: str = "keep_confidential") -> None:
    body = {"decision": decision}
    if decision == "may_share_as_worded":
        body["wording"] = "Side A has a view on the house."
    decided = w.mediator.client.put(f"items/{item_id}/decision", body)
    assert decided.status_code == 200, decided.content


def confirm(w: World, item_id: str, who: Persona | None = None) -> None:
    confirmed = (who or w.party_a).client.post(f"items/{item_id}/confirm")
    assert confirmed.status_code == 200, confirmed.content


def draft_to_case(w: World, item_id: str, text: str) -> dict[str, Any]:
    """The mediator drafts a disclosure of the item to the whole case."""
    drafted = w.mediator.client.post(f"items/{item_id}/disclosures", {"to": "case", "text": text})
    assert drafted.status_code == 201, drafted.content
    result: dict[str, Any] = drafted.json()
    return result
