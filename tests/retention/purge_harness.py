"""Runs `run_purge` in a separate process against a given database, optionally dying
(`os._exit`, like a SIGKILL: nothing is cleaned up or committed) right after a named step.
Used only by the tests; the fault hook it sets cannot be set from the product."""

from __future__ import annotations

import os
import sys
from datetime import datetime


def main() -> None:
    db_name, as_of, kill_at = sys.argv[1], sys.argv[2], sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = db_name
    django.setup()
    from caucus.crypto.keyring import key_scope
    from caucus.retention import purge

    def die(step: str) -> None:
        if step == kill_at:
            os._exit(137)

    purge.fault_hook = die
    with key_scope():
        report = purge.run_purge(datetime.fromisoformat(as_of))
    print(len(report.purged))


if __name__ == "__main__":
    main()
