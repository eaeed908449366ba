"""An attorney may be replaced (issue 15, deliver 7): the mediator removes an attorney with
`DELETE /participants/{id}` or the confirmation page. The participation is kept, marked
removed; from then on the attorney gets 404 on the case and all of its content, their
meeting sockets close, disclosures that wait on them lapse, and the party's side can have a
new attorney invited."""

from __future__ import annotations

import pytest

from caucus.audit.chain import read_details
from caucus.audit.models import AuditEntry
from caucus.cases.models import Participant
from caucus.disclosures.models import Disclosure
from tests.conftest import PASSWORD, Persona, World
from tests.meetings.closeout_steps import confirm, decide, draft_to_case, meeting, raise_item
from tests.meetings.conftest import live_world  # noqa: F401  (fixture)
from tests.meetings.rooms import admit, start_caucus
from tests.sockets import closed_by
from tests.vault.helpers import upload
from tests.web.pages import assert_asks_before_the_one_button, browser

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _attorney_id(w: World) -> str:
    assert w.attorney_a.participant is not None
    return str(w.attorney_a.participant.id)


def test_only_the_mediator_removes_and_only_an_attorney(world: World) -> None:
    path = f"participants/{_attorney_id(world)}"
    assert world.anonymous.client.delete(path).status_code == 401
    assert world.outsider.client.delete(path).status_code == 404
    for who in (world.party_a, world.attorney_a, world.party_b):
        assert who.client.delete(path).status_code == 403
    assert world.party_a.participant is not None
    party = world.mediator.client.delete(f"participants/{world.party_a.participant.id}")
    assert (party.status_code, party.json()["error"]) == (409, "not_an_attorney")
    assert not Participant.all_participations.filter(removed_at__isnull=False).exists()

    assert world.mediator.client.delete(path).status_code == 204
    assert world.mediator.client.delete(path).status_code == 404
    entries = AuditEntry.objects.filter(action="case.attorney_removed")
    assert [e.object_id for e in entries] == [_attorney_id(world)]


def test_not_in_a_closed_case(world: World) -> None:
    closed = world.mediator.client.post(f"cases/{world.case.id}/close", {"outcome": "impasse"})
    assert closed.status_code == 200, closed.content
    refused = world.mediator.client.delete(f"participants/{_attorney_id(world)}")
    assert (refused.status_code, refused.json()["error"]) == (409, "case_closed")


def _side_a_content(w: World) -> dict[str, str]:
    """Side A's caucus with the attorney admitted, an item raised in it, a document and a
    message for side A, and a message to the whole case."""
    caucus = meeting(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    admit(w, caucus, w.attorney_a)
    item = raise_item(w, caucus, "Ada would keep the car.", who=w.party_a)
    document = upload(w.party_a, w.case.id)
    assert document.status_code == 201, document.content
    message = w.party_a.client.post(
        f"cases/{w.case.id}/messages", {"body": "For our side.", "audience": "own_side"}
    )
    assert message.status_code == 201, message.content
    return {
        "meeting": caucus,
        "item": item,
        "document": str(document.json()["id"]),
        "message": str(message.json()["id"]),
    }


def _api_paths(w: World, made: dict[str, str]) -> list[str]:
    case = w.case.id
    return [
        f"cases/{case}",
        f"cases/{case}/participants",
        f"cases/{case}/items",
        f"items/{made['item']}",
        f"cases/{case}/documents",
        f"documents/{made['document']}",
        f"documents/{made['document']}/content",
        f"cases/{case}/messages",
        f"messages/{made['message']}",
        f"cases/{case}/meetings",
        f"meetings/{made['meeting']}",
    ]


def _web_paths(w: World, made: dict[str, str]) -> list[str]:
    case = w.case.id
    return [
        f"/cases/{case}",
        f"/cases/{case}/documents",
        f"/documents/{made['document']}/download",
        f"/cases/{case}/messages",
        f"/meetings/{made['meeting']}",
    ]


def _status(who: Persona, path: str) -> int:
    return int(who.client.get(path).status_code)


def test_the_removed_attorney_sees_nothing_and_the_party_everything(
    active_world: World,
) -> None:
    w = active_world
    made = _side_a_content(w)
    api, web = _api_paths(w, made), _web_paths(w, made)
    assert [_status(w.attorney_a, p) for p in api] == [200] * len(api)
    assert [browser(w.attorney_a).get(p).status_code for p in web] == [200] * len(web)

    assert w.mediator.client.delete(f"participants/{_attorney_id(w)}").status_code == 204

    assert [_status(w.attorney_a, p) for p in api] == [404] * len(api)
    assert [browser(w.attorney_a).get(p).status_code for p in web] == [404] * len(web)
    assert w.attorney_a.client.get("cases").json()["items"] == []
    assert [_status(w.party_a, p) for p in api] == [200] * len(api)
    assert [browser(w.party_a).get(p).status_code for p in web] == [200] * len(web)
    listed = w.party_a.client.get(f"cases/{w.case.id}/participants").json()["items"]
    assert _attorney_id(w) not in {p["id"] for p in listed}
    # Rows that the record names stay: the participation is marked, not deleted.
    assert Participant.all_participations.filter(pk=_attorney_id(w)).exists()


def test_a_disclosure_waiting_on_the_attorney_lapses(active_world: World) -> None:
    w = active_world
    caucus = meeting(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    item = raise_item(w, caucus, "Ada would sell the car.", who=w.party_a)
    decide(w, item, "may_share")
    confirm(w, item)
    drafted = draft_to_case(w, item, "A car may be sold.")
    assert _attorney_id(w) in drafted["approvers"]

    assert w.mediator.client.delete(f"participants/{_attorney_id(w)}").status_code == 204

    assert Disclosure.objects.get(pk=drafted["id"]).status == "cancelled"
    entry = AuditEntry.objects.get(action="case.attorney_removed")
    assert read_details(entry)["lapsed_disclosures"] == [drafted["id"]]
    again = draft_to_case(w, item, "A car may be sold.")
    assert w.party_a.participant is not None
    assert again["approvers"] == [str(w.party_a.participant.id)]


def test_the_side_can_have_a_new_attorney(world: World) -> None:
    w = world
    assert w.mediator.client.delete(f"participants/{_attorney_id(w)}").status_code == 204
    invited = w.mediator.client.post(
        f"cases/{w.case.id}/invitations",
        {
            "email": "new.att@example.test",
            "name": "Nia Newcounsel",
            "role": "attorney",
            "side_id": str(w.side_a),
        },
    )
    assert invited.status_code == 201, invited.content
    token = invited.json()["invite_url"].rsplit("/", 1)[-1]
    accepted = w.anonymous.client.post(
        "invitations/accept", {"token": token, "name": "Nia Newcounsel", "password": PASSWORD}
    )
    assert accepted.status_code == 201, accepted.content
    newcomer = Persona("new attorney", None, accepted.json()["token"])
    shown = newcomer.client.get(f"cases/{w.case.id}")
    assert shown.status_code == 200
    assert (shown.json()["my_role"], shown.json()["my_side_id"]) == ("attorney", str(w.side_a))


def test_the_page_says_what_will_happen_before_the_one_button(world: World) -> None:
    w = world
    url = f"/participants/{_attorney_id(w)}/remove"
    case_page = browser(w.mediator).get(f"/cases/{w.case.id}").content.decode()
    assert f'href="{url}"' in case_page
    assert f'href="{url}"' not in browser(w.party_a).get(f"/cases/{w.case.id}").content.decode()
    assert_asks_before_the_one_button(
        w, url, "remove-attorney", actor=w.mediator, refused=w.party_a
    )
    assert w.party_a.participant is not None
    assert (
        browser(w.mediator).get(f"/participants/{w.party_a.participant.id}/remove").status_code
        == 404
    )
    done = browser(w.mediator).post(url)
    assert done.status_code == 302 and done["Location"] == f"/cases/{w.case.id}"
    assert browser(w.attorney_a).get(f"/cases/{w.case.id}").status_code == 404
    assert browser(w.mediator).get(url).status_code == 404


def test_the_attorneys_meeting_sockets_close(live_world: World) -> None:  # noqa: F811
    w = live_world
    meeting_id = start_caucus(w, w.side_a)
    admit(w, meeting_id, w.attorney_a)

    path = f"participants/{_attorney_id(w)}"
    remove = w.mediator.client.delete
    removed = closed_by(meeting_id, w.attorney_a, lambda: remove(path).status_code)
    assert removed == (204, 4002, False)
