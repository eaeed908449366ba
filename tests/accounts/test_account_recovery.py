"""Accounts (issue 15, deliver 8): password reset by email, change of name and password,
and the places an account is signed in."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from caucus.accounts.models import PasswordReset, User, WebSession
from caucus.web.logs import scrub
from caucus.web.views import MODEL_BACKEND
from tests.conftest import PASSWORD, ApiClient, World
from tests.delivery import delivered

RESET_LINK = re.compile(r"https?://\S+/password-reset/(\S+)")
NEW_PASSWORD = "a fresh and long passphrase 42"


@pytest.fixture(autouse=True)
def fresh_throttle(sent: None) -> None:
    cache.clear()  # the per-address throttle


def ask(email: str) -> Any:
    return delivered(lambda: ApiClient(None).post("auth/password-reset", {"email": email}))


def reset_token(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address] and "Reset" in m.subject]
    found = RESET_LINK.search(str(message.body))
    assert found, message.body
    return found.group(1)


def confirm(token: str, password: str = NEW_PASSWORD) -> Any:
    return delivered(
        lambda: ApiClient(None).post(
            "auth/password-reset/confirm", {"token": token, "password": password}
        )
    )


def test_it_answers_alike_for_known_and_unknown_addresses(world: World) -> None:
    known, unknown = ask("a@example.test"), ask("nobody@example.test")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["a@example.test"]]
    body = mail.outbox[0].body
    assert "Ada Party" not in body and world.case.title not in body


def test_a_reset_link_works_once_and_ends_every_session(world: World) -> None:
    browser = Client()
    assert world.party_a.user is not None
    browser.force_login(world.party_a.user, backend=MODEL_BACKEND)
    ask("a@example.test")
    token = reset_token("a@example.test")
    assert confirm(token).status_code == 200
    assert confirm(token, "another long passphrase 77").status_code == 410
    user = User.objects.get(email="a@example.test")
    assert user.check_password(NEW_PASSWORD)
    # The old bearer token and the browser signed in before are out.
    assert world.party_a.client.get("auth/me").status_code == 401
    assert browser.get("/cases").status_code == 302
    assert any("password was changed" in m.subject for m in mail.outbox)
    signed = ApiClient(None).post(
        "auth/token", {"email": "a@example.test", "password": NEW_PASSWORD}
    )
    assert signed.status_code == 200


def test_a_reset_link_expires_and_a_weak_password_is_refused(world: World) -> None:
    ask("a@example.test")
    token = reset_token("a@example.test")
    weak = confirm(token, "short")
    assert weak.status_code == 400 and "password" in weak.json()["fields"]
    PasswordReset.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert confirm(token).status_code == 410
    assert confirm("not-a-token").status_code == 404
    assert User.objects.get(email="a@example.test").check_password(PASSWORD)


def test_only_the_stored_hash_of_the_link_is_kept(world: World) -> None:
    ask("a@example.test")
    token = reset_token("a@example.test")
    stored = PasswordReset.objects.get()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


@override_settings(CAUCUS_PASSWORD_RESETS_PER_ADDRESS=4)
def test_it_throttles_requests_and_never_floods_a_mailbox(world: World) -> None:
    answers = [ask("a@example.test").status_code for _ in range(5)]
    assert answers == [202, 202, 202, 202, 429]
    assert len(mail.outbox) == 3  # at most three links an hour to one account


def test_the_web_pages_reset_a_password(world: World) -> None:
    browser = Client()
    assert browser.get("/login").content.count(b'href="/password-reset"') == 1
    page = delivered(lambda: browser.post("/password-reset", {"email": "a@example.test"}))
    assert page.status_code == 200 and b"is on its way" in page.content
    unknown = browser.post("/password-reset", {"email": "nobody@example.test"})
    assert unknown.status_code == 200 and unknown.content == page.content
    token = reset_token("a@example.test")
    assert browser.get(f"/password-reset/{token}").status_code == 200
    for bad in ("short", "x" * 2000):
        refused = browser.post(f"/password-reset/{token}", {"password": bad})
        assert refused.status_code == 400 and b'id="id_password_error"' in refused.content
    assert browser.get("/password-reset/never-issued").status_code == 404
    done = delivered(lambda: browser.post(f"/password-reset/{token}", {"password": NEW_PASSWORD}))
    assert done.status_code == 302 and done["Location"].startswith("/login")
    assert browser.get(f"/password-reset/{token}").status_code == 410


def test_the_reset_token_never_reaches_a_log_line() -> None:
    line = "Gone: /password-reset/Zq9_secret-token and /invite/abc"
    assert "Zq9_secret-token" not in scrub(line) and "abc" not in scrub(line)
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, line, None, None)
    from caucus.web.logs import ScrubSecrets

    ScrubSecrets().filter(record)
    assert "Zq9_secret-token" not in record.getMessage()


def signed_in_browser(user: User | None) -> Client:
    browser = Client()
    assert user is not None
    browser.force_login(user, backend=MODEL_BACKEND)
    return browser


def test_a_person_changes_their_name_and_password(world: World) -> None:
    browser = signed_in_browser(world.party_a.user)
    other = signed_in_browser(world.party_a.user)
    assert b"Your account" in browser.get("/account").content
    renamed = browser.post("/account/name", {"name": "Ada Renamed"})
    assert renamed.status_code == 302
    assert User.objects.get(email="a@example.test").name == "Ada Renamed"
    assert browser.post("/account/name", {"name": "  "}).status_code == 400
    wrong = browser.post(
        "/account/password", {"current_password": "wrong one", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 400 and b"not your current password" in wrong.content
    changed = delivered(
        lambda: browser.post(
            "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
    )
    assert changed.status_code == 302
    assert browser.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account").status_code == 302  # the other one is out
    assert User.objects.get(email="a@example.test").check_password(NEW_PASSWORD)


def test_it_lists_and_ends_the_other_sessions(world: World) -> None:
    here = signed_in_browser(world.party_a.user)
    there = signed_in_browser(world.party_a.user)
    assert WebSession.objects.filter(user=world.party_a.user).count() == 2
    page = here.get("/account").content.decode()
    assert page.count("A browser") == 2 and "(this one)" in page
    assert "API token" in page
    done = here.post("/account/sign-out-others")
    assert done.status_code == 200 and b"Every other browser" in done.content
    assert there.get("/cases").status_code == 302
    assert here.get("/cases").status_code == 200
    assert world.party_a.client.get("auth/me").status_code == 401
    assert WebSession.objects.filter(user=world.party_a.user).count() == 1
    # Somebody else's sessions are untouched.
    assert world.party_b.client.get("auth/me").status_code == 200
