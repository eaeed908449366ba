"""A party withdraws (issue 15, deliver 7): `POST /cases/{id}/withdraw`. The mediation ends
for everyone (outcome party_withdrew, the neutral statement only); nothing of the
withdrawing side travels: its undecided or unconfirmed items are kept confidential and
pending disclosures lapse."""

from __future__ import annotations

import pytest

from caucus.cases.models import CLOSING_STATEMENTS, Outcome
from caucus.disclosures.models import Disclosure
from caucus.meetings.models import Item, Meeting
from tests.conftest import World
from tests.meetings.closeout_steps import confirm, decide, draft_to_case, meeting, raise_item
from tests.meetings.rooms import admit
from tests.web.pages import assert_asks_before_the_one_button, browser

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_only_a_party_withdraws(world: World) -> None:
    path = f"cases/{world.case.id}/withdraw"
    assert world.anonymous.client.post(path).status_code == 401
    assert world.outsider.client.post(path).status_code == 404
    assert world.mediator.client.post(path).status_code == 403
    assert world.attorney_a.client.post(path).status_code == 403
    world.case.refresh_from_db()
    assert world.case.status == "onboarding"


def test_a_withdrawal_ends_the_mediation_with_a_neutral_statement(world: World) -> None:
    done = world.party_b.client.post(f"cases/{world.case.id}/withdraw")
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["outcome"]) == ("closed", "party_withdrew")
    for who in (world.mediator, world.party_a, world.attorney_a):
        shown = who.client.get(f"cases/{world.case.id}").json()
        assert (shown["status"], shown["outcome"]) == ("closed", "party_withdrew")
    page = browser(world.party_a).get(f"/cases/{world.case.id}").content.decode()
    assert CLOSING_STATEMENTS[Outcome.PARTY_WITHDREW] in page
    again = world.party_a.client.post(f"cases/{world.case.id}/withdraw")
    assert again.status_code == 409


def test_nothing_of_the_withdrawing_side_travels(active_world: World) -> None:
    w = active_world
    caucus = meeting(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    undecided = raise_item(w, caucus, "Ada hides a bank account.", who=w.party_a)
    shareable = raise_item(w, caucus, "Ada would sell the car.", who=w.party_a)
    decide(w, shareable, "may_share")
    unconfirmed = raise_item(w, caucus, "Ada would move out.", who=w.party_a)
    decide(w, unconfirmed, "may_share")
    confirm(w, shareable)
    drafted = draft_to_case(w, shareable, "A car may be sold.")

    done = w.party_a.client.post(f"cases/{w.case.id}/withdraw")
    assert done.status_code == 200, done.content
    for item_id in (undecided, unconfirmed):
        row = Item.objects.get(pk=item_id)
        assert (row.decision, row.confirmed, row.audience) == (
            "keep_confidential",
            True,
            f"side:{w.side_a}",
        )
    assert Disclosure.objects.get(pk=drafted["id"]).status == "cancelled"
    assert Meeting.objects.get(pk=caucus).status == "ended"
    assert w.party_b.client.get(f"items/{undecided}").status_code == 404


def test_the_withdraw_page_says_what_will_happen_first(world: World) -> None:
    url = f"/cases/{world.case.id}/withdraw"
    assert_asks_before_the_one_button(
        world, url, "withdraw", actor=world.party_a, refused=world.mediator
    )
    done = browser(world.party_a).post(url)
    assert done.status_code == 302 and done["Location"] == f"/cases/{world.case.id}"
    world.case.refresh_from_db()
    assert world.case.outcome == "party_withdrew"
