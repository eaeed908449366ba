"""The party decides at close-out (issue 15, deliver 1): `POST /items/{id}/confirm` with an
optional `decision` and `wording`. The party confirms the mediator's proposal or narrows it
(to keep_confidential always; to may_share_as_worded with their own wording, which travels
only once the mediator accepts it through `POST /items/{id}/accept-wording`); never widens
it. Once the meeting has ended nobody decides or confirms anything of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from caucus.audit.models import AuditEntry
from caucus.meetings.models import Item
from tests.conftest import World
from tests.meetings.closeout_steps import decide, meeting, raise_item
from tests.meetings.rooms import admit

pytestmark = pytest.mark.usefixtures("fast_passwords")
OWN = "Ada is open to talking about the car."


def caucus_item(w: World, decision: str) -> tuple[str, str]:
    caucus = meeting(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    item = raise_item(w, caucus, "Ada would keep the car.", who=w.party_a)
    decide(w, item, decision)
    return caucus, item


def confirm(w: World, item: str, body: dict[str, Any] | None = None) -> Any:
    return w.party_a.client.post(f"items/{item}/confirm", body)


def shown(answer: Any) -> tuple[str, bool, str | None, str | None]:
    """The item as a successful answer shows it: decision, confirmed, the wording that may
    travel, and the party's own wording awaiting the mediator."""
    assert answer.status_code == 200, answer.content
    body = answer.json()
    return body["decision"], body["confirmed"], body["wording"], body["proposed_wording"]


def test_a_call_without_any_body_is_a_plain_confirmation(active_world: World) -> None:
    """Clients written before issue 15 send no body at all (no content type either)."""
    w = active_world
    _, item = caucus_item(w, "may_share")
    client = w.party_a.client
    done = client.django.generic(
        "POST",
        f"/api/v1/items/{item}/confirm",
        b"",
        headers={"Authorization": f"Bearer {w.party_a.token}"},
    )
    assert done.status_code == 200, done.content
    assert (done.json()["decision"], done.json()["confirmed"]) == ("may_share", True)


def test_confirming_without_a_choice_keeps_the_mediators_proposal(active_world: World) -> None:
    w = active_world
    _, item = caucus_item(w, "may_share_as_worded")
    assert shown(confirm(w, item)) == (
        "may_share_as_worded",
        True,
        "Side A has a view on the house.",
        None,
    )


@pytest.mark.parametrize("proposed", ["may_share", "may_share_as_worded", "keep_confidential"])
def test_the_party_may_always_narrow_to_keep_confidential(
    active_world: World, proposed: str
) -> None:
    w = active_world
    _, item = caucus_item(w, proposed)
    done = confirm(w, item, {"decision": "keep_confidential"})
    assert shown(done) == ("keep_confidential", True, None, None)
    row = Item.objects.get(pk=item)
    assert row.wording_sealed is None and row.confirmed_by_id == w.party_a.participant.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("proposed", "chosen"),
    [
        ("keep_confidential", "may_share"),
        ("keep_confidential", "may_share_as_worded"),
        ("may_share_as_worded", "may_share"),
    ],
)
def test_the_party_never_widens(active_world: World, proposed: str, chosen: str) -> None:
    w = active_world
    _, item = caucus_item(w, proposed)
    body: dict[str, Any] = {"decision": chosen}
    if chosen == "may_share_as_worded":
        body["wording"] = OWN
    refused = confirm(w, item, body)
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"] == "would_widen"
    row = Item.objects.get(pk=item)
    assert (row.decision, row.confirmed) == (proposed, False)


def test_own_wording_stays_confidential_until_the_mediator_accepts_it(active_world: World) -> None:
    w = active_world
    _, item = caucus_item(w, "may_share")
    done = confirm(w, item, {"decision": "may_share_as_worded", "wording": OWN})
    # Meanwhile nothing travels: the decision is keep_confidential, confirmed by the party.
    assert shown(done) == ("keep_confidential", True, None, OWN)
    # The close-out is complete: the item may stay confidential if the mediator does not accept.
    assert w.mediator.client.get(f"items/{item}").json()["proposed_wording"] == OWN
    draft = w.mediator.client.post(
        f"items/{item}/disclosures", {"to": "case", "text": "Anything at all"}
    )
    assert draft.status_code == 409 and draft.json()["error"] == "keep_confidential"

    # Only the mediator accepts; the other side does not even see the item.
    assert w.party_a.client.post(f"items/{item}/accept-wording").status_code == 403
    assert w.attorney_a.client.post(f"items/{item}/accept-wording").status_code == 403
    assert w.party_b.client.post(f"items/{item}/accept-wording").status_code == 404
    assert w.outsider.client.post(f"items/{item}/accept-wording").status_code == 404

    accepted = w.mediator.client.post(f"items/{item}/accept-wording")
    assert shown(accepted) == ("may_share_as_worded", True, OWN, None)
    again = w.mediator.client.post(f"items/{item}/accept-wording")
    assert again.status_code == 409 and again.json()["error"] == "no_party_wording"
    actions = list(
        AuditEntry.objects.filter(object_id=item)
        .exclude(action="item.read")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["item.confirmed", "item.wording_accepted"]


def test_a_new_mediator_proposal_drops_the_partys_unaccepted_wording(active_world: World) -> None:
    w = active_world
    _, item = caucus_item(w, "may_share")
    assert confirm(w, item, {"decision": "may_share_as_worded", "wording": OWN}).status_code == 200
    decide(w, item, "may_share")
    decision, confirmed, _, proposed = shown(w.party_a.client.get(f"items/{item}"))
    assert (decision, confirmed, proposed) == ("may_share", False, None)
    assert w.mediator.client.post(f"items/{item}/accept-wording").status_code == 409


def test_own_wording_equal_to_the_mediators_is_a_plain_confirmation(active_world: World) -> None:
    w = active_world
    _, item = caucus_item(w, "may_share_as_worded")
    same = {"decision": "may_share_as_worded", "wording": "Side A has a view on the house."}
    assert shown(confirm(w, item, same)) == ("may_share_as_worded", True, same["wording"], None)


def test_narrowing_needs_wording_and_wording_needs_as_worded(active_world: World) -> None:
    w = active_world
    _, item = caucus_item(w, "may_share")
    missing = confirm(w, item, {"decision": "may_share_as_worded"})
    assert missing.status_code == 400 and "wording" in missing.json()["fields"]
    stray = confirm(w, item, {"decision": "keep_confidential", "wording": OWN})
    assert stray.status_code == 400 and "wording" in stray.json()["fields"]
    bad = confirm(w, item, {"decision": "share_with_everyone"})
    assert bad.status_code == 400
    assert not Item.objects.get(pk=item).confirmed


def test_only_the_party_of_the_items_side_decides(active_world: World) -> None:
    w = active_world
    _, item = caucus_item(w, "may_share")
    body = {"decision": "keep_confidential"}
    assert w.mediator.client.post(f"items/{item}/confirm", body).status_code == 403
    assert w.attorney_a.client.post(f"items/{item}/confirm", body).status_code == 403
    assert w.party_b.client.post(f"items/{item}/confirm", body).status_code == 404
    assert w.outsider.client.post(f"items/{item}/confirm", body).status_code == 404
    assert w.anonymous.client.post(f"items/{item}/confirm", body).status_code == 401
    assert not Item.objects.get(pk=item).confirmed


def test_nothing_is_decided_or_confirmed_once_the_meeting_ended(active_world: World) -> None:
    w = active_world
    caucus, item = caucus_item(w, "may_share")
    assert confirm(w, item, {"decision": "may_share_as_worded", "wording": OWN}).status_code == 200
    assert w.mediator.client.post(f"meetings/{caucus}/end").status_code == 200
    calls: list[Callable[[], Any]] = [
        lambda: w.mediator.client.put(f"items/{item}/decision", {"decision": "may_share"}),
        lambda: w.mediator.client.post(f"items/{item}/accept-wording"),
        lambda: confirm(w, item, {"decision": "keep_confidential"}),
    ]
    for call in calls:
        refused = call()
        assert refused.status_code == 409, refused.content
        assert refused.json()["error"] == "meeting_ended"
    row = Item.objects.get(pk=item)
    # Not accepted before the end: the item stays confidential.
    assert (row.decision, row.confirmed) == ("keep_confidential", True)


def test_narrowing_keeps_the_item_in_its_audience_under_shared_unless_marked(
    active_world: World,
) -> None:
    """Practice 5's structure rule shares a confirmed may_share item with the case; the
    party's narrowing to keep_confidential keeps it with their side."""
    w = active_world
    w.case.confidentiality_structure = "shared_unless_marked"
    w.case.save(update_fields=["confidentiality_structure"])
    _, item = caucus_item(w, "may_share")
    answer = confirm(w, item, {"decision": "keep_confidential"}).json()
    assert answer["audience"] == f"side:{w.side_a}"
    assert w.party_b.client.get(f"items/{item}").status_code == 404
    assert item not in w.party_b.client.get(f"cases/{w.case.id}/items").content.decode()
