from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.meetings.deploy import ConfigError, render_turn, write_private


class Command(BaseCommand):
    help = (
        "Write coturn's configuration (deploy/coturn/turnserver.conf, filled from the "
        "environment) to a file, mode 0600; then run `turnserver -c FILE`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="file to write")
        parser.add_argument("--listening-ip", required=True, help="address coturn listens on")
        parser.add_argument("--listening-port", type=int, default=3478)
        parser.add_argument("--relay-ip", default="", help="address relays are allocated on")
        parser.add_argument("--min-port", type=int, default=49152)
        parser.add_argument("--max-port", type=int, default=65535)
        parser.add_argument("--cert", default="", help="TLS certificate (turns:, port 5349)")
        parser.add_argument("--pkey", default="", help="TLS private key")
        parser.add_argument(
            "--allow-loopback-peers", action="store_true", help="tests on one machine only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = render_turn(
                listening_ip=options["listening_ip"],
                listening_port=options["listening_port"],
                relay_ip=options["relay_ip"],
                min_port=options["min_port"],
                max_port=options["max_port"],
                cert=options["cert"],
                pkey=options["pkey"],
                allow_loopback_peers=options["allow_loopback_peers"],
            )
        except (ConfigError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from None
        write_private(options["out"], text)
        out = options["out"]
        self.stdout.write(f"Wrote {out}; start coturn with: turnserver -c {out}")
