"""What each pytest-xdist worker keeps apart from the others (`scripts/test` runs the suite on
every core). A worker runs as a run of its own would: its own data directory (database file,
key files, blobs, mail, huey's queue), its own PostgreSQL database for the `caucus` processes
it starts (pytest-django already gives each worker its own test database), and its own Redis
database (cache, channel layer, huey) when REDIS_URL is set."""

from __future__ import annotations

import os
import random
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from xdist.scheduler import LoadScopeScheduling

# Tests whose parameters are run apart, each its own unit of work: parts of one long test.
SPREAD = (
    "tests/security/test_information_flow.py::test_nobody_reads_content_outside_its_audience[",
)


class ModuleScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    """`--dist loadscope` by module: a module's tests run on one worker, in order, so that its
    module-scoped worlds, scenes and servers are built once; tests in SPREAD go one by one.
    Run with `--no-loadscope-reorder`: units then go out in collection order, where
    pytest-django puts the database tests before the others, so that no database test runs
    on a worker after a browser test left Playwright's event loop running there."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(SPREAD):
            return nodeid
        return nodeid.split("::", 1)[0]


def worker_environments(environ: dict[str, str], workers: list[str]) -> dict[str, dict[str, str]]:
    """The variables each worker's environment overrides, by worker id (gw0, gw1, ...).
    Each worker's PostgreSQL database is made afresh here (see `fresh_database`)."""
    data_dir = Path(environ.get("CAUCUS_DATA_DIR") or "var").resolve()
    database_url = environ.get("DATABASE_URL", "")
    redis_url = environ.get("REDIS_URL", "")
    environments: dict[str, dict[str, str]] = {}
    for number, worker in enumerate(workers):
        env = {"CAUCUS_DATA_DIR": str(data_dir / worker)}
        if database_url.startswith(("postgres://", "postgresql://")):
            env["DATABASE_URL"] = fresh_database(database_url, worker)
        if redis_url:
            env["REDIS_URL"] = redis_database(redis_url, number)
        environments[worker] = env
    return environments


def fresh_database(database_url: str, worker: str) -> str:
    """An empty database beside DATABASE_URL's, named after it and the worker: the `caucus
    serve` processes a worker starts migrate it and keep their accounts and data keys there,
    which must neither meet another worker's nor outlive the run before."""
    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in ("DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}"):
            conn.execute(sql.SQL(statement).format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def redis_database(redis_url: str, offset: int) -> str:
    """REDIS_URL with its database number moved up by `offset`."""
    parts = urlsplit(redis_url)
    number = int(parts.path.lstrip("/") or "0") + offset
    return urlunsplit(parts._replace(path=f"/{number}"))


MEDIA_PORTS = range(40000, 59000)


def media_port_block(size: int = 200) -> int:
    """The first of `size` consecutive UDP ports for a Janus or coturn started by a test: a
    random block inside this worker's own share of MEDIA_PORTS, so that servers started at
    the same time by different workers never draw the same ports."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or "1")
    index = int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").removeprefix("gw"))
    share = len(MEDIA_PORTS) // count
    return MEDIA_PORTS.start + index * share + random.randrange(0, share - size + 1, size)
