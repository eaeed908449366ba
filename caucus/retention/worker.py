"""The huey consumer embedded in `caucus serve`.

Why embedded: on one machine Caucus must run its daily purge with nothing else to start or
supervise (the product promise is "one command"), and a forgotten worker would mean
personal data kept past its retention period. So `caucus serve` runs a consumer in threads
of its own process. Deployments with several servers turn it off on all but one, or on all
and run `caucus run_huey` as a service (CAUCUS_EMBEDDED_WORKER=false); a purge running
twice at once is safe anyway (each step is taken under a row lock, see purge.py).
"""

from __future__ import annotations

import logging

from huey.consumer import Consumer

log = logging.getLogger(__name__)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer that leaves signal handling to the web server it runs beside."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_consumer() -> EmbeddedConsumer | None:
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    if not settings.CAUCUS_EMBEDDED_WORKER or HUEY.immediate:
        return None
    # Imported for its registration of the periodic task with HUEY.
    import caucus.retention.tasks  # noqa: F401

    consumer = EmbeddedConsumer(HUEY, workers=1, worker_type="thread", periodic=True)
    consumer.start()
    log.info("retention: embedded job consumer started")
    return consumer
