"""`caucus redact FILE [--knowledge case.json] [--out PATH] [--generalise]`: writes the
redacted copy of a local file next to it (or to --out) and prints the removals by label."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caucus.redaction.formats import FormatError
from caucus.redaction.knowledge import CaseKnowledge
from caucus.redaction.redact import propose, redacted_copy


class Command(BaseCommand):
    help = "Redact a local text, DOCX or PDF file, optionally with the case's knowledge."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--knowledge", type=Path, help="JSON: people, children, addresses…")
        parser.add_argument("--out", type=Path)
        parser.add_argument("--generalise", action="store_true", help="DOB → year, address → city")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        knowledge = None
        if options["knowledge"]:
            try:
                knowledge = CaseKnowledge.from_json(json.loads(options["knowledge"].read_text()))
            except (OSError, ValueError) as exc:
                raise CommandError(f"case knowledge: {exc}") from exc
        try:
            proposal = propose(
                source.read_bytes(), name=source.name, content_type="", knowledge=knowledge
            )
            data, _, ext = redacted_copy(proposal, proposal.spans, generalise=options["generalise"])
        except FormatError as exc:
            raise CommandError(f"{exc.code}: {exc.detail}") from exc
        out: Path = options["out"] or source.with_name(f"{source.stem}.redacted.{ext}")
        out.write_bytes(data)
        counts = Counter(span.label for span in proposal.spans)
        summary = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
        self.stdout.write(f"{out}: {len(proposal.spans)} removals ({summary or 'none'})")
