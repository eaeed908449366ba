"""Hardening from the start (issue 2, item 9): concurrent writers on SQLite, the deploy check,
security headers, the SQLite PRAGMAs, and Redis really in use when configured."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from caucus.accounts.services import new_api_token
from tests.conftest import World

CAUCUS = str(Path(sys.executable).parent / "caucus")
ROOT = Path(__file__).resolve().parents[2]
ON_SQLITE = not os.environ.get("DATABASE_URL")
REDIS_URL = os.environ.get("REDIS_URL", "")


def caucus_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a separate `caucus` process on its own data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CAUCUS_"))}
    env.update({"CAUCUS_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "caucus.settings"})
    env.update(extra)
    return env


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """`caucus_env` as a production deployment sets it: its host, a long secret key."""
    return caucus_env(
        data_dir,
        CAUCUS_ENV="production",
        CAUCUS_ALLOWED_HOSTS="caucus.example.org",
        CAUCUS_SECRET_KEY=secrets.token_urlsafe(64),
        **extra,
    )


def run_caucus(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CAUCUS, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )


# (a) Several processes writing to one SQLite file at once.

WRITER = textwrap.dedent(
    """
    import os
    import sys

    import django

    django.setup()

    from caucus.cases.practices import create_mediator
    from caucus.cases import services
    from caucus.crypto.keyring import key_scope

    label, count = sys.argv[1], int(sys.argv[2])
    with key_scope():
        user, _ = create_mediator(
            email=f"writer-{label}@hardening.test",
            name=f"Writer {label}",
            password="writer password for the test 4471",
            mfa=False,
        )
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(count):
        with key_scope():
            me = services.open_case(
                user, title=f"Concurrent {label} {i}", kind="civil", litigated=False
            )
            services.invite(
                user,
                me.case_id,
                email=f"party-{label}-{i}@hardening.test",
                name=f"Party {label} {i}",
                role="party",
                side_id=None,
            )
    print("done", flush=True)
    """
)
WRITERS = 4
CASES_PER_WRITER = 15


@pytest.mark.skipif(not ON_SQLITE, reason="concurrent writers on the embedded SQLite database")
def test_it_lets_several_processes_write_to_sqlite_at_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = caucus_env(data_dir)
    migrated = run_caucus(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    script = tmp_path / "writer.py"
    script.write_text(WRITER)

    procs = [
        subprocess.Popen(
            [sys.executable, str(script), f"w{n}", str(CASES_PER_WRITER)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    try:
        # Every writer is set up and waiting; then all start writing at the same moment.
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "ready":
                proc.wait(timeout=60)
                pytest.fail(
                    f"writer failed to start: {line!r} {proc.stderr and proc.stderr.read()}"
                )
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [proc.communicate(timeout=300) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for proc, (out, err) in zip(procs, results, strict=True):
        assert "database is locked" not in err, err
        assert proc.returncode == 0, err
        assert out.strip() == "done", out

    total = WRITERS * CASES_PER_WRITER
    db = sqlite3.connect(data_dir / "caucus.sqlite3")
    try:
        cases = db.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        invitations = db.execute("SELECT count(*) FROM cases_invitation").fetchone()[0]
        opened = db.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'case.opened'"
        ).fetchone()[0]
        entries = db.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0]
    finally:
        db.close()
    assert cases == total
    assert invitations == total
    assert opened == total
    # One entry per mediator, per case opened and per invitation, in one unbroken chain.
    assert entries == WRITERS + 2 * total

    verified = run_caucus(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{entries} entries checked" in verified.stdout


# (b) Production settings pass Django's deploy checks with nothing to report.


def test_it_passes_the_deploy_check_in_production(tmp_path: Path) -> None:
    env = production_env(tmp_path / "data")
    result = run_caucus(env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


# (c) Security headers on the login page, a case page and API answers.


def assert_security_headers(response: object, *, no_store: bool) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    hsts = headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts, headers
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000, hsts
    assert "includeSubDomains" in hsts, hsts
    csp = headers.get("Content-Security-Policy", "")
    assert csp, "no Content-Security-Policy"
    assert "'unsafe-inline'" not in csp, csp
    assert "'unsafe-eval'" not in csp, csp
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert "default-src" in directives, csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY"
    if no_store:
        assert "no-store" in headers.get("Cache-Control", ""), headers


def test_it_sends_security_headers_on_the_login_page(db: None) -> None:
    response = Client().get("/login", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, no_store=False)


def test_it_sends_security_headers_and_no_store_on_a_case_page(world: World) -> None:
    client = Client()
    assert world.party_a.user is not None
    client.force_login(world.party_a.user)
    response = client.get(f"/cases/{world.case.id}", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, no_store=True)
    listing = client.get("/cases", secure=True)
    assert listing.status_code == 200
    assert_security_headers(listing, no_store=True)
    # A case the caller may not see is a 404, with the same headers.
    hidden = client.get(f"/cases/{world.other_case.id}", secure=True)
    assert hidden.status_code == 404
    assert_security_headers(hidden, no_store=True)


def test_it_sends_security_headers_and_no_store_on_api_answers(world: World) -> None:
    assert world.mediator.user is not None
    bearer = {"Authorization": f"Bearer {new_api_token(world.mediator.user)}"}
    client = Client()
    for path, headers, status in (
        (f"/api/v1/cases/{world.case.id}", bearer, 200),
        ("/api/v1/cases", bearer, 200),
        ("/api/v1/cases", {}, 401),
        (f"/api/v1/cases/{uuid.uuid4()}", bearer, 404),
    ):
        response = client.get(path, headers=headers, secure=True)
        assert response.status_code == status, (path, response.content)
        assert_security_headers(response, no_store=True)


# (d) The SQLite connection runs in WAL mode with secure_delete on.


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite PRAGMAs")
def test_it_runs_sqlite_in_wal_mode_with_secure_delete(db: None) -> None:
    connection.ensure_connection()
    fresh = connection.get_new_connection(connection.get_connection_params())
    try:
        for conn in (connection.connection, fresh):
            assert conn is not None
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
            assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            # Writers wait for each other instead of failing at once.
            assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5_000
    finally:
        fresh.close()
    # Every transaction takes the write lock at BEGIN, so none fails on upgrading to it.
    assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]


# (e) With REDIS_URL set, the cache and the channel layer really are Redis.


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
def test_it_uses_redis_for_the_cache() -> None:
    import redis

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"hardening-{uuid.uuid4().hex}"
    cache.set(key, {"probe": key}, timeout=60)
    try:
        assert cache.get(key) == {"probe": key}
        # The value is in the Redis server itself, not in this process.
        raw = redis.Redis.from_url(REDIS_URL)
        try:
            assert raw.exists(cache.make_key(key)) == 1
        finally:
            raw.close()
    finally:
        cache.delete(key)


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
def test_it_uses_redis_for_the_channel_layer() -> None:
    from channels.layers import ChannelLayerManager

    # Two separate layer objects share messages only through the Redis server.
    sender = ChannelLayerManager()["default"]
    receiver = ChannelLayerManager()["default"]
    assert type(receiver).__name__ == "RedisChannelLayer"

    async def round_trip() -> dict[str, str]:
        channel = await receiver.new_channel()
        await sender.send(channel, {"type": "probe", "text": "through redis"})
        try:
            message: dict[str, str] = await receiver.receive(channel)
        finally:
            await sender.close_pools()
            await receiver.close_pools()
        return message

    # A fresh thread with its own event loop: other tests (a browser driver, say) may have
    # left a loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        message = pool.submit(asyncio.run, round_trip()).result(timeout=60)
    assert message == {"type": "probe", "text": "through redis"}
