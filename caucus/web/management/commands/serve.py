from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104  (compared, not bound)


class Command(BaseCommand):
    help = "Apply migrations, seed the demo on first run, and serve pages, API and WebSockets."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="Do not seed the demo.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not settings.PRODUCTION:
            call_command("demo")
        host, port = options["host"], options["port"]
        if not settings.PRODUCTION and not os.environ.get("CAUCUS_SITE_URL"):
            # Links in mails and invitations must reach this server, so without an
            # operator-given site URL they name the address and port actually served.
            shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
            shown = f"[{shown}]" if ":" in shown else shown
            settings.CAUCUS_SITE_URL = f"http://{shown}:{port}"
            os.environ["CAUCUS_SITE_URL"] = settings.CAUCUS_SITE_URL
        self.stdout.write(f"Caucus is serving at http://{host}:{port}/ (API docs at /api/v1/docs)")
        if settings.EMAIL_BACKEND == "caucus.portal.mailbox.MailboxBackend":
            self.stdout.write(f"Mail is kept in {settings.EMAIL_FILE_PATH}, one .eml file each.")
        self.stdout.flush()
        from caucus.retention.worker import start_embedded_consumer

        consumer = start_embedded_consumer()
        # No access log: request lines carry invitation tokens and case ids.
        uvicorn.run(
            "caucus.asgi:application",
            host=host,
            port=port,
            access_log=False,
            # uvicorn's loggers go through the project's handler and its scrubbing filter
            # instead of handlers of their own.
            log_config=None,
            lifespan="off",
            log_level="warning",
            proxy_headers=bool(settings.SECURE_PROXY_SSL_HEADER),
        )
        if consumer is not None:
            consumer.stop(graceful=True)
