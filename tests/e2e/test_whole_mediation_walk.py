"""A whole family mediation walked in Debian's Chromium (issue 15's Done-when): a mediator,
two parties and party A's attorney, each in their own browser context, from the case's
opening to its close. After the sign-in page and the links that arrive by email (read from
the server's mail directory, the embedded mail sink), every page is reached by clicking a
link or a button, starting from the home page `/`.

Every page shown gets the checks of `Tab` (CSP, the accessibility basics) and axe-core's
(`axe.min.js` as shipped in the axe-playwright-python wheel, injected with `page.evaluate`
because the CSP refuses script tags) at 1280 and at 390 pixels wide: no violation of any
rule at all. A full-page screenshot of each step at each width is kept under
`var/artifacts/walk/<sqlite|postgresql>/` (CI keeps var/)."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.e2e.browser import (
    DESKTOP,
    PARTY_PASSWORD,
    PHONE,
    Chromium,
    OpenTab,
    Tab,
    unique_email,
)
from tests.e2e.conftest import ROOT, LiveServer
from tests.e2e.test_arrivals_browser import invite, link_in, mails_to, wait_for_mail
from tests.e2e.test_meetings_browser import mediator_signs_in

pytestmark = pytest.mark.e2e

# axe-core's own build, as the axe-playwright-python wheel ships it (requirements/dev.lock).
AXE_JS = (resources.files("axe_playwright_python") / "axe.min.js").read_text()
# One folder per database leg of CI, so that the PostgreSQL run keeps the SQLite run's.
LEG = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
ARTIFACTS = ROOT / "var" / "artifacts" / "walk" / LEG
WIDTHS: tuple[ViewportSize, ...] = (DESKTOP, PHONE)
# axe-core's default rule set (WCAG A and AA, and its best practices), no rule turned off.
AXE_RUN_JS = """
async () => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => [n.target.join(" "), n.failureSummary]),
  }));
}
"""
STARTED = "A meeting of yours in Caucus has started"
SEE_IT = re.compile(r"See it in Caucus: (https?://\S+)")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

MEDIATOR = "Marisol Vega"
PARTY_A = "Ana Lucía Ortega"
PARTY_B = "Bruno Keller"
ATTORNEY_A = "Chloé Durand"
WHO = {PARTY_A: "party-a", PARTY_B: "party-b", ATTORNEY_A: "attorney-a"}


@dataclass
class Walk:
    """The walk's record: the steps screenshotted, the distinct pages axe has passed, and
    every page.goto after the invitations (only emailed links are allowed)."""

    server: LiveServer
    step: int = 0
    pages: set[str] = field(default_factory=set)
    axed: set[tuple[str, str, str]] = field(default_factory=set)
    allowed: set[str] = field(default_factory=set)
    typed: list[str] = field(default_factory=list)
    who: dict[int, str] = field(default_factory=dict)

    def guard(self, tab: Tab, who: str) -> None:
        """From now on, this tab (who's, for the screenshots) opens no URL by itself except
        an emailed link."""
        self.who[id(tab)] = who
        real_goto: Callable[..., Any] = tab.page.goto

        def goto(url: str, **kwargs: Any) -> Any:
            self.typed.append(url)
            assert url in self.allowed, f"typed URL {url}: the walk must click its way there"
            return real_goto(url, **kwargs)

        tab.page.goto = goto  # type: ignore[method-assign]

    def follow(self, tab: Tab, link: str) -> None:
        self.allowed.add(link)
        tab.goto(link)

    def check(self, tab: Tab, name: str) -> None:
        """The page shown: the basics, axe at both widths, a screenshot at each."""
        tab.check_page()
        page = tab.page
        self.step += 1
        who = self.who.get(id(tab), "mediator")
        path = UUID.sub("{id}", page.url.removeprefix(self.server.url).split("#")[0])
        self.pages.add(path)
        # The same page at the same step for another person of the same role (party B after
        # party A) is not run again: the same template with other names, and the walk must
        # stay within minutes. Each role's view of each page is run.
        seen = (path, name, who.split("-")[0])
        run_axe = seen not in self.axed
        self.axed.add(seen)
        original = page.viewport_size or DESKTOP
        try:
            for size in WIDTHS:
                page.set_viewport_size(size)
                if run_axe:
                    violations = axe_violations(page)
                    where = f"{name} ({page.url}) at {size['width']}px"
                    assert violations == [], f"{where}: {violations}"
                # caret="initial": hiding the caret leaves style="" on every input, which
                # the basics (no style attributes) would then report on this document.
                page.screenshot(
                    path=ARTIFACTS / f"{self.step:03d}-{who}-{name}-{size['width']}.png",
                    full_page=True,
                    caret="initial",
                )
        finally:
            page.set_viewport_size(original)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS)
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN_JS)
    return found


def test_axe_reports_a_page_that_breaks_its_rules(chromium: Chromium) -> None:
    """The check the walk relies on can fail: an image without a text alternative and a
    field without a label are reported."""
    page = chromium.browser().new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>'
        '<h1>Bad</h1><img src="data:,"><input type="text"></main></body></html>'
    )
    try:
        assert {v["id"] for v in axe_violations(page)} >= {"image-alt", "label"}
    finally:
        page.close()


@pytest.fixture
def walk(caucus_server: LiveServer) -> Iterator[Walk]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    yield Walk(caucus_server)


def click(walk: Walk, tab: Tab, target: Locator, name: str) -> None:
    """Follows a link or sends a form, then checks the page it leads to."""
    tab.submit(target)
    walk.check(tab, name)


def home(walk: Walk, tab: Tab, name: str) -> Page:
    click(
        walk,
        tab,
        tab.page.get_by_role("navigation", name="Account").get_by_role("link", name="Home"),
        name,
    )
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("What needs you")
    return tab.page


def test_a_whole_mediation_walked_from_the_home_pages_reaches_a_closed_case(
    caucus_server: LiveServer, open_tab: OpenTab, walk: Walk
) -> None:
    mediator_email = unique_email("mediator")
    caucus_server.create_mediator(mediator_email, MEDIATOR, mfa=False)
    mediator = open_tab()
    mediator.goto("/login")
    walk.check(mediator, "sign-in")
    mediator_signs_in(mediator, mediator_email)
    walk.guard(mediator, "mediator")
    m = home(walk, mediator, "mediator-home")

    # The mediator opens a family case with litigation pending, from the case list.
    title = f"Ortega and Keller parenting plan {uuid.uuid4().hex[:6]}"
    click(walk, mediator, m.get_by_role("link", name="All your cases"), "case-list")
    m.get_by_label("Title").fill(title)
    m.get_by_label("Kind").select_option(label="Family")
    m.get_by_label("Litigation is pending").check()
    click(walk, mediator, m.get_by_role("button", name="Open case"), "case-opened")
    expect(m.get_by_role("heading", level=1)).to_have_text(title)
    expect(m.locator("p.meta").first).to_contain_text("litigation pending")

    # Screening, then the three invitations, each emailed by Caucus.
    screening = m.get_by_role("region", name="Screening")
    screening.get_by_label("Decision").select_option("accept")
    click(walk, mediator, screening.get_by_role("button", name="Record decision"), "screened")
    addresses = {
        PARTY_A: unique_email("party-a"),
        PARTY_B: unique_email("party-b"),
        ATTORNEY_A: unique_email("attorney-a"),
    }
    for name, role, side in (
        (PARTY_A, "party", None),
        (PARTY_B, "party", None),
        (ATTORNEY_A, "attorney", f"{PARTY_A}'s side (invited, not yet joined)"),
    ):
        invite(mediator, name, addresses[name], role, side)
        walk.check(mediator, f"invited-{role}")

    # Each follows the emailed link, accepts, and is led from their home page.
    people: dict[str, Tab] = {}
    for name in (PARTY_A, PARTY_B, ATTORNEY_A):
        message = wait_for_mail(caucus_server, addresses[name], 1)
        tab = open_tab()
        walk.guard(tab, WHO[name])
        walk.follow(tab, link_in(message))
        walk.check(tab, "invitation")
        expect(tab.page.locator("#invitation-offer")).to_contain_text(MEDIATOR)
        tab.page.get_by_label("Your name").fill(name)
        tab.page.get_by_label("Password").fill(PARTY_PASSWORD)
        click(walk, tab, tab.page.get_by_role("button", name="Accept invitation"), "accepted")
        people[name] = tab
    party_a, party_b, attorney_a = people[PARTY_A], people[PARTY_B], people[ATTORNEY_A]

    for name, tab in people.items():
        onboard(walk, tab, name, intake=name != ATTORNEY_A)
    onboard(walk, mediator, MEDIATOR, intake=False)
    expect(m.locator("#case-status")).to_have_text("Active")

    # A joint meeting: party B follows the email saying it started, the others their home.
    start_meeting(walk, mediator, title, "Joint meeting")
    arrive_by_email(walk, party_b, addresses[PARTY_B], 1)
    b = party_b.page
    for tab in (party_a, attorney_a):
        page = home(walk, tab, "home-meeting")
        click(walk, tab, page.locator("#next-meeting-list").get_by_role("link").first, "joint")
        join(walk, tab)
    lobby(walk, mediator, "joint-lobby")
    for name in (PARTY_A, PARTY_B, ATTORNEY_A):
        m.get_by_role("button", name=f"Admit {name}").click()
        expect(m.get_by_role("row", name=re.compile(name))).to_contain_text("Admitted")
    for tab in (party_a, party_b, attorney_a):
        expect(tab.page.locator("#admitted-state")).to_be_visible()
        walk.check(tab, "joint-room")
    walk.check(mediator, "joint-room-mediator")
    end_meeting(walk, mediator)

    # A caucus with party A's side: the item party A raises is narrowed at close-out.
    start_meeting(walk, mediator, title, "Caucus (one side)", side=f"{PARTY_A}'s side")
    arrive_by_email(walk, party_a, addresses[PARTY_A], 2)
    a = party_a.page
    lobby(walk, mediator, "caucus-lobby")
    m.get_by_role("button", name=f"Admit {PARTY_A}").click()
    expect(a.locator("#admitted-state")).to_be_visible()
    item_text = "Ana could take the children on alternate Wednesdays"
    a.get_by_label("What was raised").fill(item_text)
    a.get_by_role("button", name="Raise item").click()
    expect(a.get_by_role("heading", name=item_text)).to_be_visible()
    walk.check(party_a, "caucus-item-raised")
    page = home(walk, mediator, "mediator-home-item")
    click(
        walk, mediator, page.locator("#next-meeting-list").get_by_role("link").first, "caucus-item"
    )
    item = m.get_by_role("article", name=item_text)
    item.get_by_label("Decision").select_option("may_share")
    item.get_by_role("button", name="Record decision").click()
    expect(m.get_by_role("article", name=item_text).locator(".decision")).to_have_text(
        "May be shared"
    )
    walk.check(mediator, "caucus-decided")
    page = home(walk, party_a, "home-confirm")
    click(
        walk,
        party_a,
        page.locator("#waiting-list").get_by_role(
            "link", name="Confirm what stays confidential from a private session"
        ),
        "caucus-to-confirm",
    )
    click(walk, party_a, a.get_by_role("link", name="Close-out: review every decision"), "closeout")
    row = a.get_by_role("article", name=item_text)
    row.get_by_role("radio", name="Keep it confidential").check()
    click(
        walk,
        party_a,
        row.get_by_role("button", name=re.compile("^Save my decision")),
        "closeout-narrowed",
    )
    row = a.get_by_role("article", name=item_text)
    expect(row.locator(".done")).to_have_text("Confirmed by the party.")
    expect(row.locator(".decision")).to_have_text("Keep confidential")
    click(
        walk,
        mediator,
        m.get_by_role("link", name="Close-out: what is still missing"),
        "closeout-mediator",
    )
    expect(m.locator("#closeout-nothing-missing")).to_be_visible()
    end_meeting(walk, mediator)

    # Party A writes to everyone through the portal; attorney A uploads a document for the side.
    open_case_tab(walk, party_a, title, "Messages")
    write = a.get_by_role("region", name="Write a message")
    write.get_by_label("Message").fill("Could we talk about the school holidays next time?")
    write.get_by_label("To").select_option("case")
    click(walk, party_a, write.get_by_role("button", name="Send message"), "message-sent")
    expect(a.locator("#message-list")).to_contain_text("school holidays")
    open_case_tab(walk, attorney_a, title, "Documents")
    c = attorney_a.page
    upload = c.get_by_role("region", name="Upload a document")
    upload.get_by_label("File").set_input_files(
        {"name": "school-calendar.txt", "mimeType": "text/plain", "buffer": b"Term dates.\n"}
    )
    upload.get_by_label("Who may see it").select_option("own_side")
    click(walk, attorney_a, upload.get_by_role("button", name="Upload"), "document-uploaded")
    expect(c.locator(".documents li", has_text="school-calendar.txt")).to_be_visible()
    open_case_tab(walk, party_b, title, "Messages")
    expect(b.locator("#message-list")).to_contain_text("school holidays")

    # The memorandum: drafted from the family starting text, marked ready, signed by both
    # parties and the mediator with their full names; the case's outcome is then "settled".
    open_case_tab(walk, mediator, title, "Memorandum")
    m.get_by_label("Start from").select_option("family")
    click(walk, mediator, m.get_by_role("button", name="Save the first version"), "memo-drafted")
    click(
        walk, mediator, m.get_by_role("button", name="Mark version 1 ready to sign"), "memo-ready"
    )
    for tab, name in ((party_a, PARTY_A), (party_b, PARTY_B), (mediator, MEDIATOR)):
        if tab is not mediator:
            open_case_tab(walk, tab, title, "Memorandum")
        signing = tab.page.locator("#sign")
        signing.get_by_label("I agree to sign this memorandum electronically").check()
        signing.get_by_label("Type your full name to sign").fill(name)
        click(walk, tab, signing.get_by_role("button", name="Sign"), "memo-signed")
        expect(signing).to_contain_text(f"{name}: signed version 1")
    expect(m.locator("#settlement-status")).to_have_text("Signed")
    expect(m.locator("#case-outcome")).to_have_text("settled")

    # The mediator closes the case, through the step that says what closing does.
    open_case_tab(walk, mediator, title, "Overview")
    click(walk, mediator, m.get_by_role("link", name="Close the case…"), "close")
    confirm = m.get_by_role("region", name="Confirm")
    confirm.get_by_label("Outcome").select_option("settled")
    confirm.get_by_label("Note to the parties").fill("Thank you both for your work.")
    confirm.get_by_role("checkbox").check()
    click(walk, mediator, confirm.get_by_role("button", name="Close the case now"), "closed")
    expect(m.locator("#case-status")).to_have_text("Closed")
    for tab in (party_a, party_b, attorney_a):
        page = home(walk, tab, "home-closed")
        click(walk, tab, page.get_by_role("link", name="All your cases"), "case-list-closed")
        click(walk, tab, page.get_by_role("link", name=title), "case-closed")
        expect(page.get_by_role("heading", name="This case is closed")).to_be_visible()
        expect(page.locator("#note-to-parties")).to_have_text("Thank you both for your work.")

    # Party A reads who read their side's content, one read at a time, and their account.
    click(walk, party_a, a.get_by_role("link", name="Every read, one by one"), "access-log")
    account = a.get_by_role("navigation", name="Account").get_by_role("link", name=PARTY_A)
    click(walk, party_a, account, "account")

    # Nothing was typed after the invitations but the emailed links; every page passed axe.
    assert set(walk.typed) <= walk.allowed
    assert len(walk.typed) == 5, walk.typed
    assert len(walk.pages) >= 12, sorted(walk.pages)


def open_case_tab(walk: Walk, tab: Tab, title: str, tab_name: str) -> None:
    """Home, the case list, the case, then one of the case's tabs."""
    page = home(walk, tab, "home")
    click(walk, tab, page.get_by_role("link", name="All your cases"), "case-list")
    click(walk, tab, page.get_by_role("link", name=title), "case")
    if tab_name != "Overview":
        nav = page.get_by_role("navigation", name="This case")
        click(walk, tab, nav.get_by_role("link", name=tab_name), tab_name.lower())


def start_meeting(
    walk: Walk, mediator: Tab, title: str, kind: str, side: str | None = None
) -> None:
    """From the home page to the case page; schedules a virtual meeting there and starts it."""
    open_case_tab(walk, mediator, title, "Overview")
    form = mediator.page.get_by_role("region", name="Schedule a meeting")
    form.get_by_label("Kind of meeting").select_option(label=kind)
    if side is not None:
        form.get_by_label("Side (for a caucus)").select_option(label=side)
    form.get_by_label("Where").select_option("virtual")
    form.get_by_label(re.compile("^Starts at")).fill(
        mediator.page.evaluate(
            "() => { const d = new Date(Date.now() + 3600e3 - new Date().getTimezoneOffset()"
            " * 60e3); return d.toISOString().slice(0, 16); }"
        )
    )
    click(walk, mediator, form.get_by_role("button", name="Schedule meeting"), "scheduled")
    expect(mediator.page.locator("#meeting-status")).to_have_text("Scheduled")
    click(walk, mediator, mediator.page.get_by_role("button", name="Start meeting"), "started")


def arrive_by_email(walk: Walk, tab: Tab, address: str, count: int) -> None:
    """Follows the count-th "has started" email to the home page, then its next meeting's
    link, and joins the lobby."""
    walk.follow(tab, notice(walk.server, address, STARTED, count))
    walk.check(tab, "home-from-email")
    next_meeting = tab.page.locator("#next-meeting-list").get_by_role("link").first
    click(walk, tab, next_meeting, "meeting-from-home")
    join(walk, tab)


def lobby(walk: Walk, mediator: Tab, name: str) -> None:
    """The mediator's home page says someone waits in a lobby; its link opens the meeting."""
    page = home(walk, mediator, f"mediator-home-{name}")
    click(
        walk,
        mediator,
        page.locator("#waiting-list")
        .get_by_role("link", name="Someone is waiting in a meeting's lobby")
        .first,
        name,
    )


def join(walk: Walk, tab: Tab) -> None:
    page = tab.page
    page.get_by_label("I am in a private place where nobody can overhear").check()
    page.get_by_label("I am not recording this meeting in any way").check()
    click(walk, tab, page.get_by_role("button", name="Join and wait in the lobby"), "lobby")
    expect(page.locator("#lobby-state")).to_contain_text("You are waiting in the lobby")


def end_meeting(walk: Walk, mediator: Tab) -> None:
    page = mediator.page
    page.locator("#end-meeting-step summary").click()
    expect(page.locator("#end-meeting-consequences")).to_contain_text("cannot be undone")
    click(walk, mediator, page.get_by_role("button", name="End meeting"), "meeting-ended")
    expect(page.locator("#meeting-status")).to_have_text("Ended")


def notice(server: LiveServer, address: str, subject: str, count: int) -> str:
    """The link in the count-th notification with this subject to this address."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [m for m in mails_to(server, address) if m["Subject"] == subject]
        if len(found) >= count:
            body = found[count - 1].get_body(preferencelist=("plain",))
            assert body is not None
            link = SEE_IT.search(body.get_content())
            assert link, body.get_content()
            return link.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no notice number {count} of {subject!r} to {address}")


def onboard(walk: Walk, tab: Tab, name: str, *, intake: bool) -> None:
    """From the home page: acknowledge, intake where asked, both agreements signed with the
    full name, every ground rule agreed; each step reached again from the home page."""
    page = home(walk, tab, "home")
    waiting = page.locator("#waiting-list")
    click(walk, tab, waiting.get_by_role("link").first, "onboarding")
    expect(page.get_by_role("heading", level=1)).to_have_text("Before we start")
    acknowledge = page.locator("#acknowledge")
    if acknowledge.count():
        click(walk, tab, acknowledge, "acknowledged")
    if intake:
        form = page.locator("#intake")
        form.get_by_label("What would you like the mediation to achieve?").fill(
            "A parenting plan both of us can keep."
        )
        form.get_by_label("I feel safe meeting the other party in the same (virtual) room").check()
        click(walk, tab, form.get_by_role("button", name="Send to the mediator"), "intake-sent")
    sections = page.locator("section[id^='agreement-']")
    for index in range(sections.count()):
        section = sections.nth(index)
        if not section.get_by_role("button", name="Sign this text", exact=True).count():
            continue
        section.get_by_label("Type your full name to sign").fill(name)
        section.get_by_label(re.compile("agree to sign it electronically")).check()
        click(
            walk,
            tab,
            section.get_by_role("button", name="Sign this text", exact=True),
            "signed",
        )
        expect(sections.nth(index).get_by_role("status")).to_have_text("You have signed this text.")
    agree = page.locator("article.rule button.agree")
    while agree.count():
        click(walk, tab, agree.first, "rule-agreed")
