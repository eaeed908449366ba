"""One call from a file's bytes to its redacted copy, shared by the service and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from caucus.redaction.engine import detect
from caucus.redaction.formats import Extracted, extract, write
from caucus.redaction.knowledge import CaseKnowledge
from caucus.redaction.spans import Span, apply


@dataclass(frozen=True)
class Proposal:
    source: Extracted
    spans: list[Span]


def propose(
    data: bytes, *, name: str, content_type: str, knowledge: CaseKnowledge | None = None
) -> Proposal:
    source = extract(data, name=name, content_type=content_type)
    return Proposal(source, detect(source.text, knowledge))


def redacted_copy(
    proposal: Proposal, spans: list[Span], *, generalise: bool = False
) -> tuple[bytes, str, str]:
    return write(proposal.source.kind, apply(proposal.source.text, spans, generalise=generalise))
