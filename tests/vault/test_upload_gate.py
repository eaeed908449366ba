"""Nothing reaches the vault before the caller is checked: who may not upload to the case
(no or a wrong credential, no CSRF token, an outsider, a case not open for work) leaves no
file and no directory, and not a byte is written. One user's uploads in flight are bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caucus.cases.models import Case
from caucus.vault import storage
from caucus.vault.models import Document
from caucus.vault.upload import UploadSlot
from tests.conftest import Persona, World
from tests.vault.helpers import PDF, upload

pytestmark = pytest.mark.django_db

CSRF_SECRET = "A" * 32


def vault_entries() -> list[Path]:
    root = Path(settings.STORAGES["vault"]["OPTIONS"]["location"])
    return list(root.rglob("*")) if root.exists() else []


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every blob the vault opens for writing, even one deleted before the response."""
    opened: list[str] = []
    real = storage.open_for_write

    def spy(name: str) -> Any:
        opened.append(name)
        return real(name)

    monkeypatch.setattr(storage, "open_for_write", spy)
    yield opened


def session(who: Persona, *, csrf_cookie: bool = True) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert who.user is not None
    client.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
    if csrf_cookie:
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def file_part() -> SimpleUploadedFile:
    return SimpleUploadedFile("statement.pdf", PDF, "application/pdf")


def _bearer(token: str) -> Callable[[World], Any]:
    def send(w: World) -> Any:
        return Client().post(
            f"/api/v1/cases/{w.case.id}/documents",
            {"audience": "case", "file": file_part()},
            headers={"Authorization": token},
        )

    return send


def _web(who: str, token: str | None) -> Callable[[World], Any]:
    def send(w: World) -> Any:
        data: dict[str, Any] = {"csrfmiddlewaretoken": token} if token is not None else {}
        data |= {"audience": "case", "file": file_part()}
        return session(getattr(w, who)).post(f"/cases/{w.case.id}/documents", data)

    return send


def _api_session(token: str | None) -> Callable[[World], Any]:
    def send(w: World) -> Any:
        data: dict[str, Any] = {"csrfmiddlewaretoken": token} if token is not None else {}
        data |= {"audience": "case", "file": file_part()}
        return session(w.party_a).post(f"/api/v1/cases/{w.case.id}/documents", data)

    return send


def _outsider_bearer(w: World) -> Any:
    return upload(w.outsider, w.case.id, audience="case")


REFUSED: dict[str, tuple[Callable[[World], Any], int]] = {
    "anonymous": (_bearer(""), 401),
    "wrong bearer token": (_bearer("Bearer cau_not-a-token"), 401),
    "other scheme": (_bearer("Basic YTpi"), 401),
    "outsider with a token": (_outsider_bearer, 404),
    "session without a CSRF token": (_web("party_a", None), 403),
    "session with a wrong CSRF token": (_web("party_a", "B" * 32), 403),
    "API session without a CSRF token": (_api_session(None), 403),
    "outsider with a session and a CSRF token": (_web("outsider", CSRF_SECRET), 404),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_it_writes_nothing_for_a_caller_who_may_not_upload(
    active_world: World, writes: list[str], case: str
) -> None:
    send, status = REFUSED[case]
    r = send(active_world)
    assert r.status_code == status, r.content
    assert writes == []
    assert vault_entries() == []
    assert not Document.objects.exists()


@pytest.mark.parametrize("status", ["onboarding", "closed"])
def test_it_writes_nothing_to_a_case_that_takes_no_uploads(
    active_world: World, writes: list[str], status: str
) -> None:
    w = active_world
    Case.objects.filter(pk=w.case.id).update(status=status)
    via_api = upload(w.party_a, w.case.id, audience="case")
    via_web = _web("party_a", CSRF_SECRET)(w)
    assert via_api.status_code == 409
    assert via_web.status_code == 409
    assert writes == []
    assert vault_entries() == []


def test_it_stores_a_session_upload_whose_csrf_token_comes_first(
    active_world: World, writes: list[str]
) -> None:
    w = active_world
    r = _web("party_a", CSRF_SECRET)(w)
    assert r.status_code == 302, r.content
    header = session(w.party_b).post(
        f"/api/v1/cases/{w.case.id}/documents",
        {"audience": "case", "file": file_part()},
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert header.status_code == 201, header.content
    assert len(writes) == 2
    assert Document.objects.count() == 2


def test_it_refuses_an_upload_beyond_the_users_concurrent_uploads_with_429(
    active_world: World, writes: list[str]
) -> None:
    w = active_world
    assert w.party_a.user is not None
    held = [UploadSlot.acquire(w.party_a.user.pk) for _ in range(settings.CAUCUS_UPLOADS_PER_USER)]
    assert all(held)
    r = upload(w.party_a, w.case.id)
    assert r.status_code == 429
    assert r.json()["error"] == "too_many_uploads"
    assert writes == []
    assert vault_entries() == []
    # Another user is not held back by party A's uploads.
    assert upload(w.attorney_a, w.case.id).status_code == 201
    held.pop().release()  # type: ignore[union-attr]
    assert upload(w.party_a, w.case.id).status_code == 201
    # A finished upload gives its slot back.
    assert UploadSlot.acquire(w.party_a.user.pk) is not None
