"""Nothing shown to people is a raw code (issue 15, deliver 9): the main pages, rendered as
each persona in an active case with something of every kind in it, show no snake_case code
(`permission_required`), no redaction label (`PERSON`, `ACCOUNT`), no content type
(`application/pdf`), no SHA-256 fingerprint and no character offset: only what a person
reads, not the attributes and hidden fields a browser keeps for itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client

from caucus.redaction.label_words import LABEL_WORDS
from caucus.redaction.spans import LABELS
from caucus.vault.kinds import KIND_WORDS
from caucus.vault.services import TYPES
from caucus.web.views import MODEL_BACKEND
from tests.conftest import Persona, World
from tests.security.test_authorization_matrix import Scene, make_scene

# Codes the API names, which must never reach a page as they are.
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
LABEL = re.compile(r"\b(?:" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")\b")
CONTENT_TYPE = re.compile(r"\b(?:application|text|image|audio|video|multipart)/[\w.+-]+")
FINGERPRINT = re.compile(r"\b[0-9a-fA-F]{64}\b")
OFFSETS = re.compile(r"\boffsets?\b|\bstart\s*<\s*end\b", re.IGNORECASE)
CHECKS = {
    "code": SNAKE_CASE,
    "redaction label": LABEL,
    "content type": CONTENT_TYPE,
    "fingerprint": FINGERPRINT,
    "offset": OFFSETS,
}
# Attributes a person reads (or hears from a screen reader).
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class ShownText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def shown_text(html: str) -> str:
    parser = ShownText()
    parser.feed(html)
    return "\n".join(parser.parts)


# What the scene's people wrote is theirs, codes or not: a message's body, a document's text.
WRITTEN_BY_PEOPLE = ("A message to own_side.", "SSN 123-45-6789")


def raw_codes(html: str) -> list[str]:
    text = shown_text(html)
    for written in WRITTEN_BY_PEOPLE:
        text = text.replace(written, "")
    return [f"{what}: {m.group(0)!r}" for what, rx in CHECKS.items() for m in rx.finditer(text)]


def browser(persona: Persona) -> Client:
    client = Client()
    assert persona.user is not None
    client.force_login(persona.user, backend=MODEL_BACKEND)
    return client


def main_pages(scene: Scene) -> list[str]:
    case = scene.world.case.id
    assert scene.redaction is not None and scene.meetings is not None
    return [
        "/",
        "/cases",
        "/account",
        f"/cases/{case}",
        f"/cases/{case}/onboarding",
        f"/cases/{case}/messages",
        f"/cases/{case}/disclosures",
        f"/cases/{case}/consents",
        f"/cases/{case}/concerns",
        f"/cases/{case}/documents",
        f"/cases/{case}/settlement",
        f"/cases/{case}/access-log",
        f"/cases/{case}/withdraw",
        f"/cases/{case}/close",
        f"/meetings/{scene.meetings.caucus}",
        f"/meetings/{scene.meetings.caucus}/closeout",
        f"/meetings/{scene.meetings.scheduled}",
        f"/redactions/{scene.redaction[1]}",
    ]


def test_the_checks_find_what_they_look_for() -> None:
    page = (
        "<p>Policy: permission_required; PERSON at offsets 3 to 9; application/pdf</p>"
        f'<p>{"ab" * 32}</p><input type="hidden" name="text_sha256" value="{"cd" * 32}">'
        '<script>var not_shown = "SSN";</script><a title="text/plain">x</a>'
    )
    found = raw_codes(page)
    assert found == [
        "code: 'permission_required'",
        "redaction label: 'PERSON'",
        "content type: 'application/pdf'",
        "content type: 'text/plain'",
        f"fingerprint: '{'ab' * 32}'",
        "offset: 'offsets'",
    ]


def test_every_label_and_accepted_type_has_words() -> None:
    assert set(LABEL_WORDS) == set(LABELS)
    assert set(KIND_WORDS) == set(TYPES)


def test_no_main_page_shows_a_raw_code_to_anyone(active_world: World) -> None:
    scene = make_scene(active_world)
    found: list[str] = []
    seen = 0
    for name in ("mediator", "party_a", "attorney_a", "party_b"):
        client = browser(scene.persona(name))
        for path in main_pages(scene):
            response = client.get(path)
            if response.status_code != 200:
                continue
            seen += 1
            found += [f"{name} {path}: {code}" for code in raw_codes(response.content.decode())]
    assert seen > 40
    assert not found, "\n".join(found)


def test_a_refused_upload_names_the_accepted_kinds_in_words(active_world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = active_world
    upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary", content_type="application/x-exe")
    response = browser(w.party_a).post(
        f"/cases/{w.case.id}/documents", {"file": upload, "audience": "own_side"}
    )
    assert response.status_code == 400
    text = shown_text(response.content.decode())
    assert "PDF documents" in text and "Word documents" in text
    assert not raw_codes(response.content.decode())


def test_no_onboarding_page_shows_a_raw_code_to_anyone(world: World) -> None:
    """Onboarding: the structure's choices (`permission_required`), agreements, rules."""
    found: list[str] = []
    pages = ("/", "/cases", f"/cases/{world.case.id}", f"/cases/{world.case.id}/onboarding")
    for persona in (world.mediator, world.party_a, world.attorney_a, world.party_b):
        client = browser(persona)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            found += [f"{persona.name} {path}: {c}" for c in raw_codes(response.content.decode())]
    assert not found, "\n".join(found)


def test_a_refused_removal_is_said_without_offsets_or_labels(active_world: World) -> None:
    scene = make_scene(active_world)
    assert scene.redaction is not None
    page = browser(scene.world.mediator).post(
        f"/redactions/{scene.redaction[1]}",
        {"add-0-start": "7", "add-0-end": "2", "add-0-label": "PERSON", "confirm": "on"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Removal 1: the selection does not mark text" in html
    assert not raw_codes(html)
