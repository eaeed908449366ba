"""A caucus run in real browsers against a live `caucus serve` (issue 4's Done-when): the
case is set up through the API, then the mediator schedules and starts a virtual caucus with
side A, party A joins with the attestation and waits in the lobby, is admitted, both chat
over the WebSocket, an item is raised and decided, party A completes the close-out, and the
mediator ends the caucus. Party B, in a third browser context, sees none of it.

Every page visited is checked as in test_browser.py: no CSP violation, labels, headings,
44px targets."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    PARTY_PASSWORD,
    OpenTab,
    Tab,
    enter_code,
    sign_in,
    unique_email,
)
from tests.e2e.conftest import MEDIATOR_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e

MEETING_URL = re.compile(r"/meetings/[0-9a-f-]{36}(#[a-z-]*)?$")


class Api:
    """The live server's API as one caller."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self.url = f"{server.url}/api/v1"
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None, expect_status: int = 200) -> Any:
        response = httpx.request(
            method, self.url + path, json=body, headers=self.headers, timeout=30
        )
        assert response.status_code == expect_status, (path, response.text)
        return response.json() if response.content else None


@dataclass
class Person:
    name: str
    email: str
    api: Api


@dataclass
class ActiveCase:
    id: str
    title: str
    mediator: Person
    party_a: Person
    party_b: Person


def token_for(server: LiveServer, email: str, password: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/auth/token",
        json={"email": email, "password": password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def invited_party(server: LiveServer, mediator: Api, case_id: str, name: str) -> Person:
    email = unique_email("party")
    made = mediator.call(
        "POST",
        f"/cases/{case_id}/invitations",
        {"email": email, "name": name, "role": "party"},
        expect_status=201,
    )
    token = urlsplit(made["invite_url"]).path.removeprefix("/invite/")
    response = httpx.post(
        f"{server.url}/api/v1/invitations/accept",
        json={"token": token, "name": name, "password": PARTY_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return Person(name, email, Api(server, response.json()["token"]))


def new_mediator(server: LiveServer) -> Person:
    email = unique_email("mediator")
    server.create_mediator(email, "Mara Mediator", mfa=False)
    return Person("Mara Mediator", email, Api(server, token_for(server, email, MEDIATOR_PASSWORD)))


def active_case(server: LiveServer, mediator: Person | None = None) -> ActiveCase:
    """A case through screening and the whole onboarding, by API, as the contract says; with
    a new mediator unless one is given."""
    mediator = mediator or new_mediator(server)
    title = f"Orchard boundary {uuid.uuid4().hex[:6]}"
    case = mediator.api.call(
        "POST", "/cases", {"title": title, "kind": "civil", "litigated": False}, expect_status=201
    )
    case_id = case["id"]
    mediator.api.call("POST", f"/cases/{case_id}/screening", {"decision": "accept"})
    party_a = invited_party(server, mediator.api, case_id, "Ada Appleby")
    party_b = invited_party(server, mediator.api, case_id, "Ben Birch")
    for party in (party_a, party_b):
        party.api.call("POST", f"/cases/{case_id}/confidentiality-structure/acknowledge")
    agreements = mediator.api.call("GET", f"/cases/{case_id}/agreements")["items"]
    for person in (mediator, party_a, party_b):
        for agreement in agreements:
            person.api.call(
                "POST",
                f"/agreements/{agreement['id']}/sign",
                {"typed_name": person.name, "text_sha256": agreement["text_sha256"]},
                expect_status=201,
            )
    rules = mediator.api.call("GET", f"/cases/{case_id}/ground-rules")["items"]
    for party in (party_a, party_b):
        for rule in rules:
            party.api.call("POST", f"/ground-rules/{rule['id']}/agree")
    assert mediator.api.call("GET", f"/cases/{case_id}")["status"] == "active"
    return ActiveCase(case_id, title, mediator, party_a, party_b)


def caucus_of_side_a(case: ActiveCase, api: Api) -> dict[str, Any]:
    """A virtual caucus with side A, scheduled through the mediator's `api`."""
    side_a = case.party_a.api.call("GET", f"/cases/{case.id}")["my_side_id"]
    body = {
        "kind": "caucus",
        "side_id": side_a,
        "mode": "virtual",
        "starts_at": "2026-12-01T10:00:00Z",
    }
    meeting: dict[str, Any] = api.call(
        "POST", f"/cases/{case.id}/meetings", body, expect_status=201
    )
    return meeting


def mediator_signs_in(tab: Tab, email: str) -> None:
    """A mediator created without MFA enrols an authenticator at the first web login."""
    sign_in(tab, email)
    expect(tab.page).to_have_url(re.compile(r"/login/code$"))
    secret = tab.page.locator("#totp-secret").inner_text().strip()
    enter_code(tab, secret)
    expect(tab.page).to_have_url(re.compile(r"/cases$"))


def party_signs_in(tab: Tab, email: str) -> None:
    sign_in(tab, email, PARTY_PASSWORD)
    expect(tab.page).to_have_url(re.compile(r"/cases$"))


def chat_connected(tab: Tab) -> None:
    expect(tab.page.locator("#chat")).to_have_attribute("data-connected", "true")


def test_it_runs_a_caucus_with_lobby_chat_and_closeout_that_the_other_side_never_sees(
    caucus_server: LiveServer,
    open_tab: OpenTab,
) -> None:
    case = active_case(caucus_server)
    case_path = f"/cases/{case.id}"
    item_text = f"Ada would accept moving the fence by two metres {uuid.uuid4().hex[:6]}"

    # The mediator schedules a virtual caucus with side A and starts it.
    mediator = open_tab()
    mediator_signs_in(mediator, case.mediator.email)
    mediator.goto(case_path)
    m = mediator.page
    schedule = m.get_by_role("region", name="Schedule a meeting")
    schedule.get_by_label("Kind of meeting").select_option("caucus")
    schedule.get_by_label("Side (for a caucus)").select_option(label="Ada Appleby's side")
    schedule.get_by_label("Where").select_option("virtual")
    schedule.get_by_label("Starts at (UTC)").fill("2026-12-01T10:00")
    mediator.submit(schedule.get_by_role("button", name="Schedule meeting"))
    expect(m).to_have_url(MEETING_URL)
    meeting_path = urlsplit(m.url).path
    expect(m.get_by_role("heading", level=1)).to_have_text("Caucus with Ada Appleby")
    expect(m.locator("#meeting-status")).to_have_text("Scheduled")
    mediator.submit(m.get_by_role("button", name="Start meeting"))
    expect(m.locator("#meeting-status")).to_have_text("Running")
    expect(m.locator("#video-room-name")).to_have_text(re.compile(r"^caucus-\S{20,}$"))
    expect(m.locator("#video-note")).to_contain_text(
        "Recording, live streaming and transcription are off"
    )
    expect(m.locator("#video")).not_to_contain_text("jit.si")

    # Party A finds the caucus on the case page, attests and waits in the lobby.
    party_a = open_tab()
    party_signs_in(party_a, case.party_a.email)
    party_a.goto(case_path)
    a = party_a.page
    party_a.submit(a.get_by_role("link", name="Caucus with Ada Appleby"))
    expect(a).to_have_url(re.compile(re.escape(meeting_path) + "$"))
    expect(a.locator("#chat")).to_have_count(0)  # no room and no chat before admission
    a.get_by_label("I am in a private place where nobody can overhear").check()
    a.get_by_label("I am not recording this meeting in any way").check()
    party_a.submit(a.get_by_role("button", name="Join and wait in the lobby"))
    expect(a.locator("#lobby-state")).to_contain_text("You are waiting in the lobby")
    expect(a.locator("#chat")).to_have_count(0)

    # The mediator sees the attestation in the lobby and admits party A.
    mediator.goto(meeting_path)
    row = m.get_by_role("row", name=re.compile("Ada Appleby"))
    expect(row).to_contain_text("Lobby")
    expect(row).to_contain_text("Private location: yes")
    expect(row).to_contain_text("Not recording: yes")
    # Admitting is sent without a reload; the waiting page opens the room by itself.
    row.get_by_role("button", name="Admit Ada Appleby").click()
    expect(m.get_by_role("row", name=re.compile("Ada Appleby"))).to_contain_text("Admitted")
    expect(a.locator("#admitted-state")).to_be_visible()
    party_a.check_page()
    expect(a.locator("#chat-note")).to_contain_text("Nothing here is kept.")
    expect(a.locator("#video-room-name")).to_have_text(m.locator("#video-room-name").inner_text())

    # Both chat; each message appears on the other's page.
    chat_connected(mediator)
    chat_connected(party_a)
    m.get_by_role("textbox", name="Message").fill("Welcome, Ada. This chat is not kept.")
    m.get_by_role("button", name="Send").click()
    expect(a.locator("#chat-log")).to_contain_text("Welcome, Ada. This chat is not kept.")
    expect(a.locator("#chat-log")).to_contain_text("Mara Mediator")
    a.get_by_role("textbox", name="Message").fill("Thank you, I can hear you.")
    a.get_by_role("button", name="Send").click()
    expect(m.locator("#chat-log")).to_contain_text("Thank you, I can hear you.")
    expect(m.locator("#chat-log")).to_contain_text("Ada Appleby")
    mediator.check_page()
    party_a.check_page()

    # Party A raises an item; the caucus cannot end now, and its close-out names the item.
    # Forms in the room are sent without a reload: the chat stays as it was.
    a.get_by_label("What was raised").fill(item_text)
    a.get_by_role("button", name="Raise item").click()
    expect(a.get_by_role("heading", name=item_text)).to_be_visible()
    expect(a.locator("#chat-log")).to_contain_text("Thank you, I can hear you.")
    expect(a.locator("#chat")).to_have_attribute("data-connected", "true")
    mediator.goto(meeting_path)
    expect(m.locator("#end-blocked")).to_contain_text("1 item still needs a decision")
    expect(m.get_by_role("button", name="End meeting")).to_have_count(0)
    mediator.submit(m.get_by_role("link", name="Close-out: what is still missing"))
    expect(m.get_by_role("heading", level=1)).to_have_text("Close-out")
    expect(m.locator("#closeout-missing")).to_contain_text(item_text)
    expect(m.locator("#closeout-missing")).to_contain_text("needs the mediator's decision")
    expect(m.get_by_role("button", name="End meeting")).to_have_count(0)
    mediator.goto(meeting_path)
    expect(m.locator("#meeting-status")).to_have_text("Running")

    # The mediator decides; party A confirms on the close-out page.
    item = m.get_by_role("article", name=item_text)
    item.get_by_label("Decision").select_option("keep_confidential")
    item.get_by_role("button", name="Record decision").click()
    expect(m.get_by_role("article", name=item_text).locator(".decision")).to_have_text(
        "Keep confidential"
    )
    party_a.goto(meeting_path)
    party_a.submit(a.get_by_role("link", name="Close-out: review every decision"))
    expect(a.get_by_role("heading", level=1)).to_have_text("Close-out")
    closeout_item = a.get_by_role("article", name=item_text)
    expect(closeout_item.locator(".decision")).to_have_text("Keep confidential")
    party_a.submit(closeout_item.get_by_role("button", name=re.compile("^Save my decision")))
    expect(a.get_by_role("article", name=item_text)).to_contain_text("Confirmed by the party.")
    expect(a.locator("#closeout-state")).to_have_text(
        "Every item has a confirmed decision. The mediator can end the caucus."
    )

    # Now the close-out page offers the end, and the caucus ends.
    mediator.goto(meeting_path + "/closeout")
    expect(m.locator("#closeout-nothing-missing")).to_be_visible()
    # Ending cannot be undone: a step first says what will happen.
    m.locator("#end-meeting-step summary").click()
    expect(m.locator("#end-meeting-consequences")).to_contain_text("cannot be undone")
    ended = mediator.submit(m.get_by_role("button", name="End meeting"))
    assert ended.status == 200
    expect(m.locator("#meeting-status")).to_have_text("Ended")
    expect(m.locator("#chat")).to_have_count(0)

    # Party B sees none of it: not listed, 404, and the item text nowhere.
    party_b = open_tab()
    party_signs_in(party_b, case.party_b.email)
    party_b.goto(case_path)
    b = party_b.page
    expect(b.get_by_role("heading", level=1)).to_have_text(case.title)
    expect(b.locator("#meetings")).to_contain_text("No meetings you may attend yet.")
    expect(b.get_by_role("link", name=re.compile("^Caucus with"))).to_have_count(0)
    assert meeting_path not in b.content()
    assert item_text not in b.content()
    party_b.submit(b.get_by_role("button", name="Request the records"))
    expect(b.get_by_role("heading", level=1)).to_have_text("Records request")
    expect(b.locator("#no-recording-statement")).to_contain_text("No recording or transcript")
    assert item_text not in b.content()
    for path in (meeting_path, meeting_path + "/closeout"):
        response = party_b.goto(path)
        assert response.status == 404, path
        assert item_text not in b.content()
        assert "Ada Appleby" not in b.content()
