"""A pending disclosure follows its item's current decision: once the party has confirmed
`keep_confidential` (or a new decision awaits confirmation), approving cannot release it."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.disclosures.test_disclosures import WORDING, caucus_item, draft, texts_seen

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")


def test_it_releases_nothing_once_the_item_is_kept_confidential(active_world: World) -> None:
    w = active_world
    item = caucus_item(w)
    disclosure = draft(w, item).json()
    assert w.party_a.client.post(f"disclosures/{disclosure['id']}/approve").status_code == 200
    kept = w.mediator.client.put(f"items/{item['id']}/decision", {"decision": "keep_confidential"})
    assert kept.status_code == 200
    assert w.party_a.client.post(f"items/{item['id']}/confirm").status_code == 200

    late = w.attorney_a.client.post(f"disclosures/{disclosure['id']}/approve")
    assert late.status_code == 409, late.content
    assert WORDING not in " ".join(texts_seen(w.party_b, w))
    shown = w.mediator.client.get(f"disclosures/{disclosure['id']}").json()
    assert shown["released_item_id"] is None


def test_it_waits_for_a_new_decision_to_be_confirmed(active_world: World) -> None:
    w = active_world
    item = caucus_item(w)
    disclosure = draft(w, item).json()
    w.party_a.client.post(f"disclosures/{disclosure['id']}/approve")
    redecided = w.mediator.client.put(
        f"items/{item['id']}/decision", {"decision": "may_share_as_worded", "wording": "Less."}
    )
    assert redecided.status_code == 200
    late = w.attorney_a.client.post(f"disclosures/{disclosure['id']}/approve")
    assert late.status_code == 409, late.content
    assert WORDING not in " ".join(texts_seen(w.party_b, w))
