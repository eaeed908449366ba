"""Uploads through the real ASGI application, whose body arrives message by message: a body
too slow for the deadline is cut off (408), a client that goes away mid-upload is a plain
warning in the log, and neither leaves a blob behind."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import override_settings

from caucus.asgi import application
from caucus.vault.models import Document
from tests.conftest import World, build_world, complete_onboarding

CANARY = b"canary-upload-body-7f3a"
BOUNDARY = "asgiboundary"


@pytest.fixture
def live_world(transactional_db: None, tmp_path: Path) -> World:
    world = build_world()
    complete_onboarding(world)
    return world


def blobs() -> list[Path]:
    root = Path(settings.STORAGES["vault"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def head() -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="audience"\r\n\r\ncase\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + CANARY * 40_000


def post(world: World, then: str) -> list[dict[str, Any]]:
    """Sends the start of an upload (more than one segment of the file), then either waits
    forever ("stall") or disconnects ("abort"); returns what the application sent."""
    assert world.party_a.token is not None
    first = head()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/v1/cases/{world.case.id}/documents",
        "raw_path": f"/api/v1/cases/{world.case.id}/documents".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(len(first) + 1_000_000).encode()),
            (b"authorization", f"Bearer {world.party_a.token}".encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def scenario() -> None:
        messages = [{"type": "http.request", "body": first, "more_body": True}]
        if then == "abort":
            messages.append({"type": "http.disconnect"})

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.Event().wait()  # the client sends nothing more
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        # A guard against a hang on code without a deadline, not a measurement.
        await asyncio.wait_for(application(scope, receive, send), timeout=60)

    async_to_sync(scenario)()
    return sent


def test_it_cuts_off_a_body_slower_than_the_deadline_and_keeps_nothing(
    live_world: World,
) -> None:
    with override_settings(CAUCUS_UPLOAD_DEADLINE_SECONDS=1):
        sent = post(live_world, "stall")
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 408
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b'"upload_timeout"' in body
    assert blobs() == []
    assert not Document.objects.exists()


def test_it_logs_an_aborted_upload_as_a_plain_warning_and_keeps_nothing(
    live_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        post(live_world, "abort")
    assert blobs() == []
    assert not Document.objects.exists()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all(r.exc_info is None and r.exc_text is None for r in caplog.records)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("Upload aborted by the client") for m in warnings), warnings
    assert not any(CANARY.decode() in m for m in warnings)
