"""The embedded email backend: each message becomes one file in a private directory under the
data directory (`CAUCUS_DATA_DIR/mail`, mode 0700), readable with any mail client, instead of
being printed. Printed mail put every recipient's address into the server's log, where the
purge cannot reach it; a message file is deleted by the purge with its recipient's account."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

# Backends that write messages, recipients included, to standard output or a log.
PRINTING_BACKENDS = frozenset({"django.core.mail.backends.console.EmailBackend"})


def directory() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class MailboxBackend(BaseEmailBackend):
    def __init__(self, *, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = directory()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            # Microseconds in the name: a folder listing is the order the messages were sent in.
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex}.eml"
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.message().as_bytes())
            sent += 1
        return sent


def forget(addresses: Iterable[str]) -> int:
    """Deletes every stored message that names one of `addresses` anywhere (To, Cc, body).
    Safe to repeat: the purge calls it before it deletes the accounts."""
    needles = [a.strip().lower().encode() for a in addresses if a.strip()]
    folder = directory()
    if not needles or not folder.is_dir():
        return 0
    deleted = 0
    for path in folder.iterdir():
        if not path.is_file():
            continue
        text = path.read_bytes().lower()
        if any(needle in text for needle in needles):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


@checks.register(checks.Tags.security)
def no_printing_backend_in_production(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.PRODUCTION and settings.EMAIL_BACKEND in PRINTING_BACKENDS:
        return [
            checks.Error(
                "The console email backend prints every recipient's address into the log.",
                hint="Set CAUCUS_EMAIL_BACKEND to an SMTP backend (or leave the default "
                "mailbox under the data directory).",
                id="caucus.E001",
            )
        ]
    return []
