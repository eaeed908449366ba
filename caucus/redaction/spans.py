"""Spans and how a removal is written: no detection here, so that the pages and the API can
use them without loading Presidio (detection is imported only when a redaction is proposed,
which keeps the server's resident memory small)."""

from __future__ import annotations

import re
from dataclasses import dataclass

LABELS = (
    "PERSON", "CHILD", "ADDRESS", "EMAIL", "PHONE", "SSN", "ACCOUNT", "CARD", "DOB",
    "CASE_NUMBER", "EMPLOYER", "OTHER_ID",
)  # fmt: skip


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


_YEAR = re.compile(r"\b(\d{4})\b|\b\d{1,2}[/.-]\d{1,2}[/.-](\d{2})\b")
_CITY = re.compile(r",\s*([A-Z][A-Za-z.' -]+?),?\s+(?:[A-Z]{2}|[A-Z][a-z]+)\.?\s+\d{5}")


def replacement(text: str, span: Span, generalise: bool) -> str:
    """The label, or with generalisation a date of birth's year and an address's city."""
    if generalise:
        value = text[span.start : span.end]
        if span.label == "DOB" and (m := _YEAR.search(value)):
            return m.group(1) or f"[DOB {m.group(2)}]"
        if span.label == "ADDRESS" and (m := _CITY.search(value)):
            return f"[ADDRESS, {m.group(1).strip()}]"
    return f"[{span.label}]"


def apply(text: str, spans: list[Span], *, generalise: bool = False) -> str:
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < pos:
            continue
        out.append(text[pos : span.start])
        out.append(replacement(text, span, generalise))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
