from __future__ import annotations

import json
import uuid
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caucus.retention import selectors
from caucus.retention.signing import verify_document


class Command(BaseCommand):
    help = (
        "Verify a deletion certificate, from a file or by case id, against the practice's "
        "public key. Exits 0 when the signature is valid, 1 otherwise."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("certificate", help="A certificate file (JSON) or a case id.")

    def handle(self, *args: Any, **options: Any) -> None:
        doc = self._load(options["certificate"])
        verdict = verify_document(doc)
        if not verdict.ok:
            raise CommandError(f"certificate NOT valid: {verdict.reason}")
        self.stdout.write(f"certificate valid: case {verdict.case_id} ({verdict.reason})")

    def _load(self, ref: str) -> dict[str, Any]:
        path = Path(ref)
        if path.is_file():
            try:
                loaded = json.loads(path.read_text())
            except (OSError, ValueError):
                raise CommandError("certificate NOT valid: the file is not JSON") from None
            if not isinstance(loaded, dict):
                raise CommandError("certificate NOT valid: not a deletion certificate")
            return loaded
        try:
            case_id = uuid.UUID(ref)
        except ValueError:
            raise CommandError("no such file, and not a case id") from None
        doc = selectors.certificate_document(case_id)
        if doc is None:
            raise CommandError("no deletion certificate for that case")
        return doc
