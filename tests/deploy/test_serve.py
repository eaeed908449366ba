"""`caucus serve --workers N` (issue 18): several processes need the shared channel layer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_it_refuses_several_workers_without_redis(settings: Settings) -> None:
    # With the in-memory layer a chat message would reach only its own worker's sockets.
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("serve", "--workers", "2", "--no-demo")


def test_it_refuses_zero_workers(settings: Settings) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--workers", "0", "--no-demo")


def test_the_job_consumer_command_is_there_though_huey_is_not_an_app_of_the_servers(
    tmp_path: Path,
) -> None:
    # deploy/systemd/caucus-jobs.service runs it; only this command installs huey's app.
    env = {**os.environ, "CAUCUS_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "caucus.cli", "run_huey", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--workers" in done.stdout
    assert "huey.contrib.djhuey" not in settings.INSTALLED_APPS
