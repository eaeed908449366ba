"""The daily purge as a huey periodic task (huey.contrib.djhuey finds this module)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from caucus.crypto.keyring import key_scope
from caucus.retention.purge import run_purge

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="17"))  # type: ignore[untyped-decorator]
@lock_task("caucus-retention-purge")  # type: ignore[untyped-decorator]
def purge_expired() -> int:
    """Purges every closed case past its purge_after. Returns how many were purged."""
    with key_scope():
        report = run_purge()
    log.info("retention: daily purge done, %d cases purged", len(report.purged))
    return len(report.purged)
