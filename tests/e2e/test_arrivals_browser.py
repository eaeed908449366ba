"""Invitations that arrive and the home page, in real browsers (issue 15): the mediator
invites from the case page, Caucus emails the link (read here from the server's mail
directory, the embedded mail sink), the invitee follows it and accepts; a resent link
replaces the old one; a party then works from their home page. Every page gets the CSP and
accessibility checks of `Tab`."""

from __future__ import annotations

import email
import email.policy
import re
import time
import uuid
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    PARTY_PASSWORD,
    OpenTab,
    Tab,
    open_case,
    sign_in_with_mfa,
    unique_email,
)
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

MEDIATOR = "Rosa Mendes"
LINK = re.compile(r"(https?://\S+/invite/\S+)")


def mails_to(server: LiveServer, address: str) -> list[EmailMessage]:
    folder = server.data_dir / "mail"
    found: list[EmailMessage] = []
    for path in sorted(folder.glob("*.eml")) if folder.is_dir() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


def wait_for_mail(server: LiveServer, address: str, count: int) -> EmailMessage:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = mails_to(server, address)
        if len(found) >= count:
            return found[count - 1]
        time.sleep(0.2)
    raise AssertionError(f"no mail number {count} to {address}")


def link_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(1)


def invite(mediator: Tab, name: str, address: str, role: str, side: str | None = None) -> None:
    region = mediator.page.get_by_role("region", name="Invite someone")
    region.get_by_label("Name").fill(name)
    region.get_by_label("Email").fill(address)
    region.get_by_label("Role").select_option(role)
    if side is not None:
        region.get_by_label("Side (for an attorney)").select_option(label=side)
    mediator.submit(region.get_by_role("button", name="Send invitation"))
    expect(mediator.page.locator("#invited-email")).to_have_text(address)


def accept(tab: Tab, link: str, name: str, address: str, role_words: str) -> None:
    tab.goto(link)
    offer = tab.page.locator("#invitation-offer")
    expect(offer).to_contain_text(MEDIATOR)
    expect(offer).to_contain_text(role_words)
    expect(tab.page.locator("#invitation-email")).to_have_text(address)
    tab.page.get_by_label("Your name").fill(name)
    tab.page.get_by_label("Password").fill(PARTY_PASSWORD)
    tab.submit(tab.page.get_by_role("button", name="Accept invitation"))
    expect(tab.page).to_have_url(re.compile(r"/cases/[0-9a-f-]+$"))


def test_invitations_arrive_by_email_and_a_party_works_from_home(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    mediator_email = unique_email("mediator")
    key = caucus_server.create_mediator(mediator_email, MEDIATOR, mfa=True)
    mediator = open_tab()
    sign_in_with_mfa(mediator, mediator_email, key)
    title = f"Boundary hedge {uuid.uuid4().hex[:6]}"
    case_path = open_case(mediator, title)
    page = mediator.page
    screening = page.get_by_role("region", name="Screening")
    screening.get_by_label("Decision").select_option("accept")
    mediator.submit(screening.get_by_role("button", name="Record decision"))

    # Party A is invited; the email names the mediator, never the case.
    party_email = unique_email("party")
    invite(mediator, "Ines Party", party_email, "party")
    message = wait_for_mail(caucus_server, party_email, 1)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert MEDIATOR in text and title not in text

    # Party B is invited, and their attorney to the side reserved for them, at once.
    other_email, counsel_email = unique_email("party"), unique_email("attorney")
    invite(mediator, "Teo Party", other_email, "party")
    invite(
        mediator,
        "Uma Counsel",
        counsel_email,
        "attorney",
        side="Teo Party's side (invited, not yet joined)",
    )
    rows = page.locator("#invitation-list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Uma Counsel")).to_contain_text("Waiting for an answer")

    # A new link for the attorney: the first one stops working.
    first_link = link_in(wait_for_mail(caucus_server, counsel_email, 1))
    mediator.submit(
        rows.filter(has_text="Uma Counsel").get_by_role(
            "button", name="Send a new link to Uma Counsel"
        )
    )
    second_link = link_in(wait_for_mail(caucus_server, counsel_email, 2))
    assert second_link != first_link
    counsel = open_tab(phone=True)
    gone = counsel.page.goto(first_link)
    assert gone is not None and gone.status == 410
    accept(counsel, second_link, "Uma Counsel", counsel_email, "attorney")

    # Party A accepts from the email and is led by their home page.
    party = open_tab()
    accept(party, link_in(message), "Ines Party", party_email, "as a party")
    party.submit(party.page.get_by_role("link", name="Home"))
    expect(party.page.get_by_role("heading", level=1)).to_have_text("What needs you")
    waiting = party.page.locator("#waiting-list")
    expect(waiting).to_contain_text("Acknowledge the confidentiality structure")
    expect(waiting).to_contain_text(title)
    party.submit(waiting.get_by_role("link", name="Acknowledge the confidentiality structure"))
    expect(party.page.get_by_role("heading", level=1)).to_have_text("Before we start")

    # The mediator's list says who accepted; the case list counts what waits.
    mediator.goto(case_path)
    expect(rows.filter(has_text="Ines Party")).to_contain_text("Accepted")
    party.goto("/cases")
    expect(party.page.locator(".attention-count")).to_contain_text("waiting for you")
