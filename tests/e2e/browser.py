"""Driving Debian's Chromium with Playwright against a live `caucus serve`: a tab that checks
every page it shows (CSP violations on the console, accessibility basics), and the steps
that several browser tests share (signing in, entering a TOTP code, opening a case)."""

from __future__ import annotations

import base64
import re
import uuid
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

MEDIATOR_PASSWORD = "live mediator password 7741"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # A synthetic camera and microphone, granted without a prompt: the meeting room's tests
    # decode each other's video and audio (issue 12).
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
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
    + " input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    + " label:has(input[type=checkbox]), label:has(input[type=radio])";
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
