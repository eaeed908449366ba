from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104  (compared, not bound)
# Any fixed number, the same in every server: the PostgreSQL advisory lock that lets one
# server at a time migrate and seed when several start at once.
START_LOCK = 0x43415543


@contextlib.contextmanager
def one_server_at_a_time() -> Iterator[None]:
    """Several servers starting together on one PostgreSQL database would race to create the
    same tables; each waits for the others' migrations instead."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [START_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [START_LOCK])


def prepare(*, demo: bool) -> None:
    with one_server_at_a_time():
        call_command("migrate", interactive=False, verbosity=0)
        if demo and not settings.PRODUCTION:
            call_command("demo")


def prepare_in_child(*, demo: bool) -> None:
    """Migrating loads every migration module (about 15 MB) into memory that Python keeps for
    the life of the process: a child process migrates and seeds, and exits, so the process
    that then serves never holds them."""
    command = [sys.executable, "-m", "caucus.cli", "serve", "--prepare-only"]
    if not demo:
        command.append("--no-demo")
    done = subprocess.run(command, check=False)  # noqa: S603  (our own command)
    if done.returncode != 0:
        raise CommandError(f"migrating the database failed (exit {done.returncode})")


def without_unused_backends() -> None:
    """huey imports its optional back ends (psycopg, Redis, gevent) whenever they are
    installed, about 16 MB in the process that serves, even on SQLite. The ones this
    configuration never uses are marked absent, which huey treats as not installed."""
    names = ["gevent"]
    if not settings.REDIS_URL:
        names.append("redis")
    if all(db["ENGINE"] == "django.db.backends.sqlite3" for db in settings.DATABASES.values()):
        names.append("psycopg")
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]


class Command(BaseCommand):
    help = "Apply migrations, seed the demo on first run, and serve pages, API and WebSockets."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Server processes on this port (uvicorn workers), each with its own event "
            "loop. Needs REDIS_URL when above 1, so that live chat crosses processes.",
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not seed the demo.")
        # The child process that migrates and seeds before the server starts (see handle).
        parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        workers: int = options["workers"]
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if workers > 1 and not settings.REDIS_URL:
            # The in-memory channel layer and cache live in one process: a chat message
            # would reach only the sockets of the worker that received it, and the upload
            # bound would count per worker.
            raise CommandError("--workers above 1 needs REDIS_URL (channel layer and cache)")
        if options["prepare_only"]:
            prepare(demo=not options["no_demo"])
            return
        prepare_in_child(demo=not options["no_demo"])
        host, port = options["host"], options["port"]
        if not settings.PRODUCTION and not os.environ.get("CAUCUS_SITE_URL"):
            # Links in mails and invitations must reach this server, so without an
            # operator-given site URL they name the address and port actually served.
            shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
            shown = f"[{shown}]" if ":" in shown else shown
            settings.CAUCUS_SITE_URL = f"http://{shown}:{port}"
            os.environ["CAUCUS_SITE_URL"] = settings.CAUCUS_SITE_URL
        self.stdout.write(f"Caucus is serving at http://{host}:{port}/ (API docs at /api/v1/docs)")
        if workers > 1:
            self.stdout.write(f"{workers} worker processes")
        if settings.EMAIL_BACKEND == "caucus.portal.mailbox.MailboxBackend":
            self.stdout.write(f"Mail is kept in {settings.EMAIL_FILE_PATH}, one .eml file each.")
        self.stdout.flush()
        without_unused_backends()
        from caucus.retention.worker import start_embedded_consumer

        # One consumer per `caucus serve`, in this (the supervising) process when there are
        # workers: the purge runs once per machine, not once per worker.
        consumer = start_embedded_consumer()
        # No access log: request lines carry invitation tokens and case ids.
        uvicorn.run(
            "caucus.asgi:application",
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            # uvicorn's loggers go through the project's handler and its scrubbing filter
            # instead of handlers of their own.
            log_config=None,
            lifespan="off",
            log_level="warning",
            # X-Forwarded-For and -Proto are believed only from the addresses in uvicorn's
            # FORWARDED_ALLOW_IPS (127.0.0.1 unless set): the proxy's.
            proxy_headers=bool(settings.SECURE_PROXY_SSL_HEADER),
        )
        if consumer is not None:
            consumer.stop(graceful=True)
