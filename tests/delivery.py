"""Emails sent on commit, as a real commit sends them: the `sent` fixture empties the outbox
and lets `delivered` run a call's on-commit sends inside the test's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail

Capture = Callable[..., AbstractContextManager[Any]]
_capture: list[Capture] = []


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Capture) -> Iterator[None]:
    """Lets `delivered` run each call's on-commit sends, as a real commit would."""
    mail.outbox.clear()
    _capture.append(django_capture_on_commit_callbacks)
    yield
    _capture.clear()


def delivered(call: Callable[[], Any]) -> Any:
    with _capture[-1](execute=True):
        return call()
