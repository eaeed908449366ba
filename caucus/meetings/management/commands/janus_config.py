from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.meetings.deploy import JANUS_FILES, ConfigError, render_janus, write_private


class Command(BaseCommand):
    help = (
        "Write Janus's configuration (deploy/janus/, filled from the environment) to a folder, "
        "mode 0600; then run `janus -F DIR`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="folder to write into")
        parser.add_argument("--ws-port", type=int, help="default: CAUCUS_JANUS_WS_PORT")
        parser.add_argument("--rtp-ports", help="default: CAUCUS_JANUS_RTP_PORTS")
        parser.add_argument("--lib-dir", type=Path, help="Janus's plugin root (Debian's default)")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            files = render_janus(
                out,
                ws_port=options["ws_port"],
                rtp_ports=options["rtp_ports"],
                lib_dir=options["lib_dir"],
            )
        except (ConfigError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from None
        out.mkdir(parents=True, exist_ok=True)
        out.chmod(0o700)
        for name in JANUS_FILES:
            write_private(out / name, files[name])
        self.stdout.write(f"Wrote {len(files)} files to {out}; start Janus with: janus -F {out}")
