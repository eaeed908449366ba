"""`caucus`: the operator's command. Our commands are Django management commands; the CLI
maps each hyphenated name the README gives (`create-mediator`, `totp-code`) to the command's
module name (`create_mediator`, `totp_code`) and passes everything else through."""

from __future__ import annotations

import os
import sys

ALIASES = {
    "create-mediator": "create_mediator",
    "janus-config": "janus_config",
    "rotate-master-key": "rotate_master_key",
    "turn-config": "turn_config",
    "verify-certificate": "verify_certificate",
    "totp-code": "totp_code",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
    from django.core.management import execute_from_command_line

    if args:
        args[0] = ALIASES.get(args[0], args[0])
        if args[0] == "run_huey":
            # Only the job consumer installs huey's Django app (see INSTALLED_APPS).
            os.environ["CAUCUS_JOB_CONSUMER"] = "true"
    execute_from_command_line(["caucus", *args])


if __name__ == "__main__":
    main()
