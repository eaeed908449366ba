"""The filter on every log handler: whatever a logger writes (Django's "Bad Request: /invite/…",
a traceback's message, a third-party library's line) loses the secrets a path can carry."""

from __future__ import annotations

import logging
import re

# An invitation or password-reset link's path holds its token; a bearer token may be quoted
# in an error.
SECRET_PATTERNS = (
    (re.compile(r"(/invite/)[^/\s?#\"'<>]+"), r"\1[redacted]"),
    (re.compile(r"(/password-reset/)[^/\s?#\"'<>]+"), r"\1[redacted]"),
    (re.compile(r"\bcau_[A-Za-z0-9_-]+"), "cau_[redacted]"),
)


def scrub(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True
