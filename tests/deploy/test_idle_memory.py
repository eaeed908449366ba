"""The served process's memory before any transfer (issue 18): under 100 MB per worker after
answering the login page, because what only some requests need is imported when they need it.
Argon2's memory per password hash is separate and bounded by concurrent sign-ins (README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import LiveServer, _start
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]
# Issue 18 asks for under 100 MB. One process on SQLite measures 93 MB after the login page
# and 96 MB after the OpenAPI document since Django's test framework is no longer imported
# for Django Ninja's one signal (caucus.cli.load_test_signals_alone); the bound leaves
# about 4 MB for the noise of a shared machine.
IDLE_BOUND = 100 * 1024 * 1024

# Imported on first use only: PII recognition, PDF writing and signing, the S3 client, the
# calendar format, the job queue with its optional back ends, and the migration machinery.
HEAVY = (
    "presidio_analyzer",
    "spacy",
    "reportlab",
    "pyhanko",
    "pypdf",
    "boto3",
    "botocore",
    "icalendar",
    "huey",
    "gevent",
    "django.db.migrations.loader",
)

# A test of the CLI earlier in the same process may have set CAUCUS_JOB_CONSUMER (as
# `caucus run_huey` does), which would install huey's app in the measured server.
ONE_MACHINE = {"DATABASE_URL": "", "REDIS_URL": "", "CAUCUS_JOB_CONSUMER": "false"}

PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
import caucus.asgi
from django.test import Client
assert Client().get("/login").status_code == 200
print(json.dumps(sorted(sys.modules)))
"""


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], LiveServer]]:
    # The one-machine configuration (SQLite, no Redis) even in CI's PostgreSQL leg: on
    # PostgreSQL psycopg adds about 15 MB (README, "The served process's memory").
    proc, server = _start(tmp_path, ONE_MACHINE)
    try:
        yield proc, server
    finally:
        stop(proc)


@pytest.mark.e2e
def test_a_started_server_holds_under_100_mb_after_the_login_page(
    served: tuple[subprocess.Popen[bytes], LiveServer],
) -> None:
    proc, server = served
    for path in ("/login", "/login", "/api/v1/openapi.json"):
        assert httpx.get(f"{server.url}{path}", timeout=30).status_code == 200
    assert rss(proc.pid) < IDLE_BOUND, f"{rss(proc.pid) / 1024**2:.0f} MB"


def modules_after(probe: str, tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter holds after running `probe`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAUCUS_DATA_DIR": str(tmp_path / "data")}
    env.update(ONE_MACHINE)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_serving_the_login_page_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = modules_after(PROBE, tmp_path)
    assert "caucus.api.app" in modules  # the probe did load the URL configuration
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)
    assert loaded == []


# The application and its URL configuration (Django Ninja and every API route) loaded as the
# server loads them, without the test client the probe above needs.
SERVED_PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
import caucus.asgi
from django.urls import resolve
resolve("/login")
resolve("/api/v1/openapi.json")
print(json.dumps(sorted(sys.modules)))
"""


def test_the_served_application_never_imports_djangos_test_framework(tmp_path: Path) -> None:
    modules = modules_after(SERVED_PROBE, tmp_path)
    assert {"ninja", "caucus.api.app", "django.test.signals"} <= modules
    assert sorted(m for m in modules if m.split(".")[0] in ("unittest", "jinja2")) == []
    assert "django.test" not in modules
    assert "django.test.client" not in modules
