"""`caucus serve --workers N` (issue 18): several processes need the shared channel layer."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings


def test_it_refuses_several_workers_without_redis(settings: Settings) -> None:
    # With the in-memory layer a chat message would reach only its own worker's sockets.
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("serve", "--workers", "2", "--no-demo")


def test_it_refuses_zero_workers(settings: Settings) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--workers", "0", "--no-demo")
