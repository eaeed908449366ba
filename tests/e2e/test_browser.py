"""The web pages in a real browser (Debian's Chromium driven by Playwright) against a live
`caucus serve`: signing in with MFA, opening a case, inviting a party and what the party
sees, enrolment forced by practice policy, wrong passwords and other people's cases.

Every page a test visits is also checked for a Content-Security-Policy violation reported
on the browser console and for the accessibility basics that can be checked mechanically
(language, labels, errors linked to their fields, heading order, target sizes)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    CSP_MESSAGE,
    PARTY_PASSWORD,
    OpenTab,
    enter_code,
    open_case,
    participant_rows,
    sign_in,
    sign_in_with_mfa,
    unique_email,
    wrong_code,
)
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e


def test_it_notices_a_csp_violation_on_the_console(open_tab: OpenTab) -> None:
    # The CSP check of every other test relies on Chromium reporting violations on the
    # console; an inline style added to a served page must show up there.
    tab = open_tab()
    tab.goto("/login")
    with tab.page.expect_console_message(lambda m: bool(CSP_MESSAGE.search(m.text))):
        tab.page.evaluate(
            "() => { const s = document.createElement('style');"
            " s.textContent = 'body { color: red }'; document.head.appendChild(s); }"
        )
    expect(tab.page.locator("body")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert tab.csp_violations(), tab.console
    tab.console.clear()  # expected here; the fixture's final check is for real pages


def test_it_signs_a_mediator_in_with_a_totp_code_and_opens_a_case_from_the_list(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    email = unique_email("mediator")
    key = caucus_server.create_mediator(email, "Ada Okafor", mfa=True)
    tab = open_tab()
    page = tab.page

    response = tab.goto("/cases")
    expect(page).to_have_url(re.compile(r"/login\?next=/cases$"))
    assert response.status == 200

    sign_in(tab, email)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    assert tab.status_of("/cases")[0] == 302, "signed in before the second step"
    enter_code(tab, key)
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_text("You are not in any case yet.")).to_be_visible()

    title = f"Harbour staff dispute {uuid.uuid4().hex[:6]}"
    case_path = open_case(tab, title)

    page.get_by_role("navigation").get_by_role("link", name="Cases").click()
    expect(page).to_have_url(re.compile(r"/cases$"))
    tab.check_page()
    tab.submit(page.get_by_role("link", name=title))
    expect(page).to_have_url(re.compile(re.escape(case_path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    rows = participant_rows(page)
    expect(rows).to_have_count(2)  # the header row and the mediator
    expect(rows.nth(1)).to_contain_text("Ada Okafor")
    expect(rows.nth(1)).to_contain_text("Mediator")


def test_it_lets_an_invited_party_join_on_a_phone_and_see_only_what_parties_see(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    email = unique_email("mediator")
    key = caucus_server.create_mediator(email, "Bea Lindqvist", mfa=True)
    mediator = open_tab()
    sign_in_with_mfa(mediator, email, key)
    title = f"Tenancy repairs {uuid.uuid4().hex[:6]}"
    case_path = open_case(mediator, title)
    page = mediator.page

    note = f"Private screening note {uuid.uuid4().hex}"
    screening = page.get_by_role("region", name="Screening")
    screening.get_by_label("Decision").select_option("accept")
    screening.get_by_label("Private note (mediators only)").fill(note)
    mediator.submit(screening.get_by_role("button", name="Record decision"))
    expect(page.locator("#case-status")).to_have_text("Onboarding")
    expect(page.get_by_text(note)).to_be_visible()

    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("Name").fill("Chidi Party")
    invite.get_by_label("Email").fill(unique_email("party"))
    invite.get_by_label("Role").select_option("party")
    mediator.submit(invite.get_by_role("button", name="Send invitation"))
    link = page.locator("#invite-url")
    expect(link).to_be_visible()
    invite_url = link.inner_text().strip()
    assert invite_url.startswith(f"{caucus_server.url}/invite/"), invite_url

    party = open_tab(phone=True)
    party.goto(invite_url)
    expect(party.page.get_by_role("heading", level=1)).to_have_text("Join a mediation")
    party.page.get_by_label("Your name").fill("Chidi Party")
    party.page.get_by_label("Password").fill(PARTY_PASSWORD)
    party.submit(party.page.get_by_role("button", name="Accept invitation"))

    view = party.page
    expect(view).to_have_url(re.compile(re.escape(case_path) + "$"))
    expect(view.get_by_role("heading", level=1)).to_have_text(title)
    rows = participant_rows(view)
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Bea Lindqvist")).to_contain_text("Mediator")
    expect(rows.filter(has_text="Chidi Party")).to_contain_text("Party")
    for heading in ("Screening", "Invite someone", "Close the case", "Private screening note"):
        expect(view.get_by_role("heading", name=heading)).to_have_count(0)
    mediator_forms = "form[action*='/invite#'], form[action*='/close'], form[action*='/screening#']"
    expect(view.locator(mediator_forms)).to_have_count(0)
    assert note not in view.content()

    # The mediator's own page still has what the party must not see.
    mediator.goto(case_path)
    for heading in ("Invite someone", "Close the case", "Private screening note"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # Screening is done; closing has its own page (issue 15).
    expect(page.locator(mediator_forms)).to_have_count(1)
    expect(page.get_by_text(note)).to_be_visible()


def test_it_makes_a_mediator_without_mfa_enrol_an_authenticator_on_the_web(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    email = unique_email("nomfa")
    assert caucus_server.create_mediator(email, "Dana Whitfield", mfa=False) == ""
    tab = open_tab()
    page = tab.page

    sign_in(tab, email)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator")
    assert tab.status_of("/cases")[0] == 302, "signed in without enrolling"
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret

    # Coming back to the page (a reload, a second look) shows the same key, not a new one
    # that would invalidate what was already added to the app.
    tab.goto("/login/code")
    expect(page.locator("#totp-secret")).to_have_text(secret)

    enter_code(tab, secret)
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cases")
    assert tab.status_of("/cases")[0] == 200

    # Enrolled for good: the next login asks for a code and shows no key.
    tab.submit(page.get_by_role("button", name="Sign out"))
    sign_in(tab, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.locator("#totp-secret")).to_have_count(0)


def test_it_shows_an_error_and_starts_no_session_for_a_wrong_password(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    email = unique_email("mediator")
    key = caucus_server.create_mediator(email, "Eli Moreau", mfa=True)
    tab = open_tab()
    page = tab.page

    response = sign_in(tab, email, "not the password at all 0000")
    assert response.status == 400
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Password")).to_have_value("")
    assert "sessionid" not in {cookie["name"] for cookie in tab.context.cookies()}
    status, location = tab.status_of("/cases")
    assert status == 302
    assert location.startswith("/login")

    # A missing field is named next to the field, and linked to it.
    page.get_by_label("Email").fill("")
    response = tab.submit(page.get_by_role("button", name="Continue"))
    assert response.status == 400
    email_field = page.get_by_label("Email")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_accessible_description(re.compile("required", re.IGNORECASE))

    # The right password and a wrong code: an error on the code field, still no session.
    sign_in(tab, email)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.get_by_label("Code from your authenticator app").fill(wrong_code(key))
    response = tab.submit(page.get_by_role("button", name="Verify"))
    assert response.status == 400
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(re.compile("code", re.IGNORECASE))
    assert tab.status_of("/cases")[0] == 302


def test_it_answers_404_to_an_outsider_opening_another_case(
    caucus_server: LiveServer, open_tab: OpenTab
) -> None:
    owner_email, outsider_email = unique_email("owner"), unique_email("outsider")
    owner_key = caucus_server.create_mediator(owner_email, "Fay Owner", mfa=True)
    outsider_key = caucus_server.create_mediator(outsider_email, "Gus Outsider", mfa=True)

    owner = open_tab()
    sign_in_with_mfa(owner, owner_email, owner_key)
    title = f"Confidential estate matter {uuid.uuid4().hex[:6]}"
    case_path = open_case(owner, title)

    outsider = open_tab()
    sign_in_with_mfa(outsider, outsider_email, outsider_key)
    response = outsider.goto(case_path)
    assert response.status == 404
    expect(outsider.page.get_by_role("heading", level=1)).to_have_text(
        re.compile("not found", re.I)
    )
    assert title not in outsider.page.content()
    expect(outsider.page.get_by_role("link", name=title)).to_have_count(0)

    # The same answer as for a case that does not exist: existence stays confidential.
    unknown = outsider.goto(f"/cases/{uuid.uuid4()}")
    assert unknown.status == 404
