"""Onboarding in real browsers (issue 3's Done-when): a mediator and two parties, each in
their own browser context, go through screening, the confidentiality structure, signing
both agreements and the ground rules (with one objection and an amendment) until the case
is active. Every page visited gets the CSP and accessibility checks of test_browser.py."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

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

MEDIATOR = "Mina Haddad"
PARTY_A = "Ana Ruiz"
PARTY_B = "Ben Osei"


def invite_party(mediator: Tab, name: str) -> str:
    """Invites a party from the case page; answers the invitation link shown once."""
    region = mediator.page.get_by_role("region", name="Invite someone")
    region.get_by_label("Name").fill(name)
    region.get_by_label("Email").fill(unique_email("party"))
    region.get_by_label("Role").select_option("party")
    mediator.submit(region.get_by_role("button", name="Send invitation"))
    link = mediator.page.locator("#invite-url")
    expect(link).to_be_visible()
    return link.inner_text().strip()


def accept_invitation(party: Tab, invite_url: str, name: str, case_path: str) -> None:
    party.goto(invite_url)
    expect(party.page.get_by_role("heading", level=1)).to_have_text("Join a mediation")
    party.page.get_by_label("Your name").fill(name)
    party.page.get_by_label("Password").fill(PARTY_PASSWORD)
    party.submit(party.page.get_by_role("button", name="Accept invitation"))
    expect(party.page).to_have_url(re.compile(re.escape(case_path) + "$"))


def open_onboarding(tab: Tab, case_path: str) -> None:
    """From the case page, follows its link to the onboarding page."""
    if not tab.page.url.endswith(case_path):
        tab.goto(case_path)
    tab.submit(tab.page.locator("#open-onboarding"))
    expect(tab.page).to_have_url(re.compile(re.escape(case_path) + "/onboarding(#.*)?$"))
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Before we start")


def structure_section(tab: Tab) -> Locator:
    return tab.page.locator("#structure")


def checklist(tab: Tab) -> Locator:
    return tab.page.locator("#onboarding-checklist")


def agreement_sections(tab: Tab) -> Locator:
    return tab.page.locator("section[id^='agreement-']")


def sign_both_agreements(tab: Tab, typed_name: str) -> None:
    sections = agreement_sections(tab)
    expect(sections).to_have_count(2)
    for index in range(2):
        section = agreement_sections(tab).nth(index)
        section.get_by_label("Type your full name to sign").fill(typed_name)
        section.get_by_label(re.compile("agree to sign it electronically")).check()
        tab.submit(section.get_by_role("button", name="Sign this text", exact=True))
        section = agreement_sections(tab).nth(index)
        expect(section.get_by_role("status")).to_have_text("You have signed this text.")
        expect(section.locator(".signers")).to_contain_text(f"signed as “{typed_name}”")


def rule_article(tab: Tab, text: str) -> Locator:
    return tab.page.locator("article.rule").filter(
        has=tab.page.get_by_role("heading", level=3, name=re.compile(re.escape(text)))
    )


def agree_to_every_rule(tab: Tab) -> None:
    """Clicks Agree on each rule that still offers it, one page load at a time."""
    agree = tab.page.locator("article.rule button.agree")
    while agree.count():
        tab.submit(agree.first)


def test_it_walks_a_mediator_and_two_parties_through_onboarding_to_an_active_case(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    email = unique_email("mediator")
    key = caucus_server.create_mediator(email, MEDIATOR, mfa=True)
    mediator = open_tab()
    sign_in_with_mfa(mediator, email, key)
    title = f"Workshop rota dispute {uuid.uuid4().hex[:6]}"
    case_path = open_case(mediator, title)
    page = mediator.page

    # Screening: the mediator accepts the case on the case page.
    expect(page.locator("#case-status")).to_have_text("Intake")
    screening = page.get_by_role("region", name="Screening")
    screening.get_by_label("Decision").select_option("accept")
    mediator.submit(screening.get_by_role("button", name="Record decision"))
    expect(page.locator("#case-status")).to_have_text("Onboarding")
    expect(page.get_by_role("region", name="Screening")).to_have_count(0)

    # Two parties, invited from the page, each accepting in their own browser.
    invite_a = invite_party(mediator, PARTY_A)
    invite_b = invite_party(mediator, PARTY_B)
    assert invite_a != invite_b
    for url in (invite_a, invite_b):
        assert url.startswith(f"{caucus_server.url}/invite/"), url
    party_a = open_tab()
    accept_invitation(party_a, invite_a, PARTY_A, case_path)
    party_b = open_tab(phone=True)
    accept_invitation(party_b, invite_b, PARTY_B, case_path)

    open_onboarding(mediator, case_path)
    expect(page.locator("#case-status")).to_have_text("Onboarding")
    expect(checklist(mediator)).to_contain_text(f"{PARTY_A} has not acknowledged the structure.")
    expect(checklist(mediator)).to_contain_text(
        f"{PARTY_B} has not signed the confidentiality agreement."
    )
    expect(checklist(mediator)).to_contain_text(
        f"{MEDIATOR} has not signed the agreement to mediate."
    )
    # Mediators set the structure; they do not acknowledge it.
    expect(structure_section(mediator).locator("#acknowledge")).to_have_count(0)

    # Party A acknowledges the default structure (permission required) ...
    open_onboarding(party_a, case_path)
    default_explanation = party_a.page.locator("#structure-explanation").inner_text()
    expect(structure_section(party_a).locator(".policy")).to_contain_text(
        re.compile("permission required", re.I)
    )
    expect(structure_section(party_a).get_by_text("Change the structure")).to_have_count(0)
    party_a.submit(party_a.page.get_by_role("button", name="I understand and accept this"))
    expect(structure_section(party_a).get_by_role("status")).to_have_text(
        "You have acknowledged this structure."
    )
    mediator.goto(case_path + "/onboarding")
    expect(structure_section(mediator)).to_contain_text(f"Acknowledged by: {PARTY_A}")
    expect(checklist(mediator)).not_to_contain_text(f"{PARTY_A} has not acknowledged")

    # ... then the mediator changes it, which resets that acknowledgement.
    structure = structure_section(mediator)
    structure.get_by_text("Change the structure").click()
    structure.get_by_label("Confidentiality structure").select_option("shared_unless_marked")
    mediator.submit(structure.get_by_role("button", name="Save structure"))
    structure = structure_section(mediator)
    expect(structure.locator(".policy")).to_contain_text(re.compile("shared unless marked", re.I))
    expect(structure).to_contain_text("Acknowledged by: nobody yet")
    expect(checklist(mediator)).to_contain_text(f"{PARTY_A} has not acknowledged the structure.")

    # Each party reads the new explanation and acknowledges it.
    for party in (party_a, party_b):
        if party is party_a:
            party.goto(case_path + "/onboarding")
        else:
            open_onboarding(party, case_path)
        explanation = party.page.locator("#structure-explanation")
        expect(explanation).to_be_visible()
        assert explanation.inner_text().strip()
        assert explanation.inner_text() != default_explanation
        party.submit(party.page.get_by_role("button", name="I understand and accept this"))
        expect(structure_section(party).get_by_role("status")).to_have_text(
            "You have acknowledged this structure."
        )
    mediator.goto(case_path + "/onboarding")
    expect(structure_section(mediator)).to_contain_text(
        re.compile(rf"Acknowledged by: ({PARTY_A}, {PARTY_B}|{PARTY_B}, {PARTY_A})")
    )
    expect(checklist(mediator)).not_to_contain_text("acknowledged the structure")

    # Everyone signs both agreements with a typed name.
    sign_both_agreements(mediator, MEDIATOR)
    sign_both_agreements(party_a, PARTY_A)
    sign_both_agreements(party_b, PARTY_B)
    mediator.goto(case_path + "/onboarding")
    expect(checklist(mediator)).not_to_contain_text("has not signed")
    expect(page.locator("#case-status")).to_have_text("Onboarding")  # rules still open

    # Party A proposes a rule (proposing is agreeing) ...
    rule = "We speak one at a time"
    form = party_a.page.locator("#propose-rule")
    form.get_by_label("The rule").fill(rule)
    form.get_by_label("Why it matters").fill("Being interrupted makes it hard to explain.")
    form.get_by_label("How it is called out if crossed").fill("Anyone can raise a hand.")
    party_a.submit(form.get_by_role("button", name="Propose"))
    article = rule_article(party_a, rule)
    expect(article).to_have_count(1)
    expect(article.locator(".help")).to_have_text(f"Agreed by: {PARTY_A}")
    expect(article.get_by_role("button", name="Agree", exact=True)).to_have_count(0)

    # ... party B objects with a comment ...
    comment = "It should say what happens when someone is upset and cannot wait."
    party_b.goto(case_path + "/onboarding")
    article = rule_article(party_b, rule)
    article.get_by_text("Object to this rule").click()
    article.get_by_label("What you object to").fill(comment)
    party_b.submit(article.get_by_role("button", name="Object", exact=True))
    article = rule_article(party_b, rule)
    expect(article.locator(".rule-status")).to_have_text("objected")
    expect(article.locator(".objection")).to_have_text(f"{PARTY_B} objects: {comment}")

    # ... party A sees it and amends the rule, which clears the objection.
    amended = "We speak one at a time, and anyone may ask for a break"
    party_a.goto(case_path + "/onboarding")
    article = rule_article(party_a, rule)
    expect(article.locator(".objection")).to_have_text(f"{PARTY_B} objects: {comment}")
    expect(checklist(party_a)).to_contain_text(f"Not every party has agreed to the rule “{rule}”.")
    article.get_by_text("Amend this rule").click()
    article.get_by_label("The rule").fill(amended)
    article.get_by_label("How it is called out if crossed").fill(
        "Anyone can raise a hand or ask for a ten-minute break."
    )
    party_a.submit(article.get_by_role("button", name="Save amendment"))
    article = rule_article(party_a, amended)
    expect(article).to_have_count(1)
    expect(article.locator(".objection")).to_have_count(0)
    expect(article.locator(".rule-status")).not_to_have_text("objected")
    expect(article.locator(".help")).to_have_text(f"Agreed by: {PARTY_A}")
    expect(party_a.page.get_by_text(comment)).to_have_count(0)

    # Party B agrees to every rule (the mediator's confidentiality rule and the amended
    # one), then party A to the confidentiality rule: the last agreement activates the case.
    party_b.goto(case_path + "/onboarding")
    expect(rule_article(party_b, amended).locator(".objection")).to_have_count(0)
    agree_to_every_rule(party_b)
    expect(party_b.page.locator("#case-status")).to_have_text("Onboarding")
    expect(checklist(party_b)).to_have_count(1)
    party_a.goto(case_path + "/onboarding")
    agree_to_every_rule(party_a)

    for tab in (party_a, party_b, mediator):
        tab.goto(case_path + "/onboarding")
        expect(tab.page.locator("#case-status")).to_have_text("Active")
        expect(tab.page.locator("#onboarding-complete")).to_have_text(
            "Everything is in place. The mediation can begin."
        )
        expect(checklist(tab)).to_have_count(0)
        for article in tab.page.locator("article.rule").all():
            expect(article.locator(".rule-status")).to_have_text("agreed")
            expect(article.locator(".help")).to_contain_text(PARTY_A)
            expect(article.locator(".help")).to_contain_text(PARTY_B)
        expect(tab.page.locator("article.rule form")).to_have_count(0)
        expect(tab.page.locator("#propose-rule")).to_have_count(0)

    # The signed agreement downloads as a PDF in the browser.
    confidentiality = agreement_sections(mediator).filter(
        has=page.get_by_role("heading", level=2, name=re.compile("confidentiality", re.I))
    )
    expect(confidentiality).to_have_count(1)
    with page.expect_download() as download_info:
        confidentiality.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename == "confidentiality.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]
    assert len(pdf) > 1_000

    # The case page of each shows the case active, with no onboarding link left.
    for tab in (mediator, party_a, party_b):
        tab.goto(case_path)
        expect(tab.page.locator("#case-status")).to_have_text("Active")
        expect(tab.page.locator("#onboarding-missing")).to_have_count(0)
        expect(tab.page.locator("#open-onboarding")).to_have_count(0)
