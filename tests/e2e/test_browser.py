"""The web pages in a real browser (Debian's Chromium driven by Playwright) against a live
`caucus serve`: signing in with MFA, opening a case, inviting a party and what the party
sees, enrolment forced by practice policy, wrong passwords and other people's cases.

Every page a test visits is also checked for a Content-Security-Policy violation reported
on the browser console and for the accessibility basics that can be checked mechanically
(language, labels, errors linked to their fields, heading order, target sizes)."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.e2e.conftest import MEDIATOR_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MISSING_CHROMIUM = (
    f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
    "(apt-get install chromium); Playwright's own browser download is not used."
)
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
PARTY_PASSWORD = "orchard lantern velvet 5521"
CSP_MESSAGE = re.compile(r"content.security.policy", re.IGNORECASE)
CASE_URL = re.compile(r"/cases/[0-9a-f-]{36}$")

# Mechanical accessibility checks run on every page visited; each problem is one string.
PAGE_BASICS_JS = """
() => {
  const problems = [];
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  if (!document.documentElement.lang) problems.push("<html> has no lang");
  if (!document.title.trim()) problems.push("the page has no title");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  let level = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const n = Number(h.tagName[1]);
    if (n > level + 1) problems.push(`${h.tagName} "${h.textContent.trim()}" skips a level`);
    level = n;
  }
  if (document.querySelector("[style]")) problems.push("a style= attribute");
  for (const s of document.querySelectorAll("script:not([src])")) problems.push("inline script");
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const name = el.name || el.id || el.type;
    const labelled = (el.labels && el.labels.length > 0)
      || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push(`${name} has no label`);
    const ids = (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
    for (const id of ids) {
      if (!document.getElementById(id)) problems.push(`${name} is described by missing #${id}`);
    }
    if (el.getAttribute("aria-invalid") === "true"
        && !ids.some((id) => document.getElementById(id)?.classList.contains("error"))) {
      problems.push(`${name} is invalid but its error is not linked (aria-describedby)`);
    }
  }
  const targets = "button, select, textarea, summary, .button, header a, nav a, .cases a,"
    + " input:not([type=hidden]):not([type=checkbox]), label:has(input[type=checkbox])";
  for (const el of document.querySelectorAll(targets)) {
    if (!visible(el) || el.classList.contains("skip")) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 43.5 || box.width < 43.5) {
      const text = (el.textContent || el.name || "").trim().slice(0, 30);
      problems.push(`${el.tagName.toLowerCase()} "${text}" is ${Math.round(box.width)}x`
        + `${Math.round(box.height)}px, under 44px`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px wide`
      + ` in a ${window.innerWidth}px window)`);
  }
  return problems;
}
"""


def unique_email(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}@example.test"


def totp_code(key_b32: str) -> str:
    """The code an authenticator app shows now for this key (as printed or displayed)."""
    key = base64.b32decode(key_b32 + "=" * (-len(key_b32) % 8))
    return f"{int(TOTP(key).token()):06d}"


def wrong_code(key_b32: str) -> str:
    """A code no authenticator with this key shows now (nor 30 s before or after)."""
    key = base64.b32decode(key_b32 + "=" * (-len(key_b32) % 8))
    totp = TOTP(key)
    near: set[int] = set()
    for drift in (-1, 0, 1):
        totp.drift = drift
        near.add(int(totp.token()))
    return next(f"{n:06d}" for n in range(1_000_000) if n not in near)


class Tab:
    """One browser context and page, remembering every console message with its page."""

    def __init__(self, base_url: str, context: BrowserContext) -> None:
        self.base_url = base_url
        self.context = context
        self.page: Page = context.new_page()
        self.console: list[tuple[str, str]] = []
        self.page.on("console", self._remember)

    def _remember(self, message: ConsoleMessage) -> None:
        self.console.append((self.page.url, message.text))

    def csp_violations(self) -> list[str]:
        return [f"{url}: {text}" for url, text in self.console if CSP_MESSAGE.search(text)]

    def check_page(self) -> None:
        """The page now shown: no CSP violation so far, and the accessibility basics."""
        self.page.wait_for_load_state("load")
        assert self.csp_violations() == [], "the browser reported CSP violations"
        problems: list[str] = self.page.evaluate(PAGE_BASICS_JS)
        assert problems == [], f"{self.page.url}: {problems}"

    def goto(self, path_or_url: str) -> Response:
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        response = self.page.goto(url)
        assert response is not None
        self.check_page()
        return response

    def submit(self, button: Locator) -> Response:
        """Clicks a form's submit button and waits for the page it leads to."""
        with self.page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        assert response is not None
        self.check_page()
        return response

    def status_of(self, path: str) -> tuple[int, str]:
        """Status and Location of a GET with this tab's cookies, without following."""
        response = self.context.request.get(self.base_url + path, max_redirects=0)
        return response.status, response.headers.get("location", "")


class OpenTab(Protocol):
    def __call__(self, *, phone: bool = False) -> Tab: ...


class Chromium:
    """Debian's Chromium, launched on first use inside a test, so that a missing browser
    fails that test (with a message saying what to install) instead of skipping it."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            if not CHROMIUM.exists():
                pytest.fail(MISSING_CHROMIUM, pytrace=False)
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    holder = Chromium()
    try:
        yield holder
    finally:
        holder.close()


@pytest.fixture
def open_tab(caucus_server: LiveServer, chromium: Chromium) -> Iterator[OpenTab]:
    """Opens a fresh browser context (its own cookies) per call; phone=True for 390x844."""
    tabs: list[Tab] = []

    def new_tab(*, phone: bool = False) -> Tab:
        if phone:
            context = chromium.browser().new_context(
                viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
            )
        else:
            context = chromium.browser().new_context(viewport=DESKTOP)
        context.set_default_timeout(15_000)
        tab = Tab(caucus_server.url, context)
        tabs.append(tab)
        return tab

    yield new_tab
    violations = [v for tab in tabs for v in tab.csp_violations()]
    for tab in tabs:
        tab.context.close()
    assert violations == [], "the browser reported CSP violations"


def sign_in(tab: Tab, email: str, password: str = MEDIATOR_PASSWORD) -> Response:
    """Fills and sends the login form; answers the response of the page it leads to."""
    page = tab.page
    if "/login" not in page.url:
        tab.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    return tab.submit(page.get_by_role("button", name="Continue"))


def enter_code(tab: Tab, key_b32: str) -> Response:
    tab.page.get_by_label("Code from your authenticator app").fill(totp_code(key_b32))
    return tab.submit(tab.page.get_by_role("button", name="Verify"))


def sign_in_with_mfa(tab: Tab, email: str, key_b32: str) -> None:
    sign_in(tab, email)
    expect(tab.page).to_have_url(re.compile(r"/login/code$"))
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    enter_code(tab, key_b32)
    expect(tab.page).to_have_url(re.compile(r"/cases$"))
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Your cases")


def open_case(tab: Tab, title: str) -> str:
    """Opens a case with the form on the case list; answers the case page's path."""
    page = tab.page
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option(label="Workplace")
    tab.submit(page.get_by_role("button", name="Open case"))
    expect(page).to_have_url(CASE_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url.removeprefix(tab.base_url)


def participant_rows(page: Page) -> Locator:
    return page.get_by_role("table").get_by_role("row")


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
    mediator.submit(invite.get_by_role("button", name="Create invitation"))
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
    mediator_forms = "form[action*='/invite'], form[action*='/close'], form[action*='/screening']"
    expect(view.locator(mediator_forms)).to_have_count(0)
    assert note not in view.content()

    # The mediator's own page still has what the party must not see.
    mediator.goto(case_path)
    for heading in ("Invite someone", "Close the case", "Private screening note"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(mediator_forms)).to_have_count(2)  # screening is done
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
