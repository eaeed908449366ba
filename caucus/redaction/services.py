"""Redaction of a stored document: the mediator asks for a proposal, reviews its spans,
and finalizes, which stores the redacted copy as a new `public_record` document. Each call
resolves the caller through the kernel, passes the gate, checks the action, and writes its
state and audit entry in one transaction. Audit details hold counts and labels only."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from caucus.accounts.models import User
from caucus.audit.chain import record
from caucus.cases.access import access_visible
from caucus.cases.models import IntakeAnswers, Invitation, Participant
from caucus.kernel.audience import AudienceKind
from caucus.kernel.errors import Conflict, DomainError, Invalid
from caucus.kernel.permissions import Action, require
from caucus.redaction import selectors
from caucus.redaction.formats import FormatError, Limits, extract, write
from caucus.redaction.knowledge import KNOWLEDGE_KEYS, CaseKnowledge
from caucus.redaction.models import Redaction, RedactionSpan
from caucus.redaction.spans import LABELS, Span, apply
from caucus.vault.models import Document
from caucus.vault.services import read_plaintext_for, store_document

MAX_ADDED = 1000
# Intake answers name people and details under free-form keys; a key mentioning one of
# these words feeds that kind of knowledge.
INTAKE_KEYS = {
    # the more specific words first: "child date of birth" is a date of birth
    "birth": "dates_of_birth", "dob": "dates_of_birth", "case number": "case_numbers",
    "file number": "case_numbers", "docket": "case_numbers", "ssn": "national_ids",
    "social security": "national_ids", "social insurance": "national_ids",
    "national insurance": "national_ids", "licence": "identifiers", "license": "identifiers",
    "passport": "identifiers", "health card": "identifiers",
    "child": "children", "kid": "children", "son": "children", "daughter": "children",
    "address": "addresses", "email": "emails", "phone": "phones", "employer": "employers",
    "account": "accounts", "name": "people", "partner": "people", "spouse": "people",
    "people": "people", "person": "people",
}  # fmt: skip


class Unredactable(DomainError):
    """The file cannot be redacted whole (encrypted, image-only, corrupt): 400 with a code;
    too large to redact here: 413."""

    status = 400

    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        super().__init__(code, detail)
        self.status = status


def _limits() -> Limits:
    return Limits(
        max_chars=int(settings.CAUCUS_REDACTION_MAX_CHARS),
        max_pdf_pages=int(settings.CAUCUS_REDACTION_MAX_PDF_PAGES),
    )


def _audit(actor: Participant, action: str, obj_id: object, **details: Any) -> None:
    record(
        action,
        case_id=actor.case_id,
        actor_user_id=actor.user_id,
        actor_participant_id=actor.id,
        object_type="redaction",
        object_id=obj_id,
        details=details,
    )


def _walk(value: Any, key: str, out: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _walk(v, f"{key} {k}".casefold(), out)
    elif isinstance(value, list):
        for v in value:
            _walk(v, key, out)
    elif isinstance(value, str) and value.strip():
        for word, kind in INTAKE_KEYS.items():
            if word in key:
                out.setdefault(kind, []).append(value.strip()[:200])
                break


def knowledge_for_case(case_id: uuid.UUID) -> CaseKnowledge:
    """What the case knows: its participants, who was invited, and the intake answers."""
    found: dict[str, list[str]] = {k: [] for k in KNOWLEDGE_KEYS}
    for p in Participant.all_participations.filter(case_id=case_id).select_related("user"):
        found["people"].append(p.user.name)
        found["emails"].append(p.user.email)
    for inv in Invitation.objects.filter(case_id=case_id):
        found["people"].append(inv.name)
        found["emails"].append(inv.email)
    for intake in IntakeAnswers.objects.filter(case_id=case_id):
        try:
            _walk(json.loads(intake.answers_json), "", found)
        except ValueError:
            continue
    return CaseKnowledge.from_json(found)


def _read(actor: Participant, doc: Document) -> bytes:
    limit = int(settings.CAUCUS_REDACTION_MAX_BYTES)
    if doc.size > limit:
        raise Unredactable("document_too_large", "The document is too large to redact.", 413)
    parts, size = [], 0
    for chunk in read_plaintext_for(actor, doc):
        size += len(chunk)
        if size > limit:
            raise Unredactable("document_too_large", "The document is too large to redact.", 413)
        parts.append(chunk)
    return b"".join(parts)


def propose_redaction(user: User, document_id: uuid.UUID, *, generalise: bool = False) -> Redaction:
    doc, actor = access_visible(user, Document, document_id)
    require(actor, Action.REDACT_DOCUMENT)
    data = _read(actor, doc)
    try:
        source = extract(data, name=doc.name, content_type=doc.content_type, limits=_limits())
    except FormatError as exc:
        raise Unredactable(exc.code, exc.detail, exc.status) from None
    del data
    from caucus.redaction.engine import detect  # Presidio loads on the first redaction

    spans = detect(source.text, knowledge_for_case(actor.case_id))
    most = int(settings.CAUCUS_REDACTION_MAX_SPANS)
    if len(spans) > most:
        raise Unredactable(
            "too_many_spans",
            f"The document has more than {most} things to remove; redact it in parts.",
        )
    with transaction.atomic():
        redaction = Redaction(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            document=doc,
            created_by=actor,
            kind=source.kind,
            generalise=generalise,
            audience_kind=AudienceKind.MEDIATORS,
        )
        redaction.text = source.text
        redaction.save()
        rows = []
        for span in spans:
            row = RedactionSpan(
                id=uuid.uuid4(),
                case_id=actor.case_id,
                redaction=redaction,
                start=span.start,
                end=span.end,
                label=span.label,
            )
            row.text = source.text[span.start : span.end]
            rows.append(row)
        RedactionSpan.objects.bulk_create(rows)
        counts = Counter(s.label for s in spans)
        _audit(
            actor,
            "redaction.proposed",
            redaction.id,
            document_id=str(doc.id),
            spans=dict(sorted(counts.items())),
        )
    return redaction


def _occurrences(text: str, wanted: Iterable[dict[str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    missing: list[str] = []
    for i, item in enumerate(wanted):
        value = item.get("text", "")
        found = [m.start() for m in re.finditer(re.escape(value), text)] if value else []
        if not found:
            missing.append(f"Removal {i + 1}: that text is not in the document.")
        out.extend({"start": p, "end": p + len(value), "label": item.get("label")} for p in found)
        if len(out) > MAX_ADDED:
            break
    if missing:
        raise Invalid({"add": missing})
    return out


def _added(text: str, add: Iterable[dict[str, Any]]) -> list[Span]:
    out, errors = [], []
    for i, item in enumerate(add):
        start, end, label = item.get("start"), item.get("end"), str(item.get("label", ""))
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
            # Said without offsets: the review page shows these messages to people.
            errors.append(f"Removal {i + 1}: the selection does not mark text; select it again.")
        elif end > len(text):
            errors.append(f"Removal {i + 1}: the selection runs past the end of the text.")
        elif label not in LABELS:
            errors.append(f"Removal {i + 1}: choose what kind of detail it is from the list.")
        else:
            out.append(Span(start, end, label))
    if errors:
        raise Invalid({"add": errors})
    return out


def finalize_redaction(
    user: User,
    redaction_id: uuid.UUID,
    *,
    accept: list[uuid.UUID],
    add: list[dict[str, Any]],
    add_text: Iterable[dict[str, str]] = (),
) -> Document:
    """`add` names spans by offsets; `add_text` names text to remove wherever it appears,
    so that the review page never shows people offsets."""
    redaction, actor = selectors.redaction(user, redaction_id)
    require(actor, Action.REDACT_DOCUMENT)
    text = redaction.text
    add = [*add, *_occurrences(text, add_text)]
    if len(add) > MAX_ADDED:
        raise Invalid({"add": [f"At most {MAX_ADDED} added spans."]})
    added = _added(text, add)
    with transaction.atomic():
        redaction = Redaction.objects.select_for_update().get(pk=redaction.pk)
        if redaction.finalized_at is not None:
            raise Conflict("redaction_finalized", "This redaction has already been made.")
        proposed = {s.id: s for s in RedactionSpan.objects.filter(redaction=redaction)}
        unknown = [str(i) for i in accept if i not in proposed]
        if unknown:
            raise Invalid({"accept": ["A removal ticked is not one this review proposed."]})
        wanted = set(accept)
        chosen = [Span(s.start, s.end, s.label) for s in proposed.values() if s.id in wanted]
        chosen += added
        redacted = apply(text, _union(chosen), generalise=redaction.generalise)
        data, content_type, ext = write(redaction.kind, redacted)
        source = redaction.document
        stem = PurePath(source.name).stem or "document"
        copy = store_document(
            actor,
            name=f"{stem}.redacted.{ext}"[:200],
            content_type=content_type.split(";")[0],
            chunks=[data],
            audience_kind=source.audience_kind,
            audience_side_id=source.audience_side_id,
            public_record=True,
            source_document=source,
        )
        for row_span in proposed.values():
            row_span.accepted = row_span.id in wanted
        RedactionSpan.objects.bulk_update(list(proposed.values()), ["accepted"])
        rows = []
        for span in added:
            row = RedactionSpan(
                id=uuid.uuid4(),
                case_id=actor.case_id,
                redaction=redaction,
                start=span.start,
                end=span.end,
                label=span.label,
                proposed=False,
                accepted=True,
            )
            row.text = text[span.start : span.end]
            rows.append(row)
        RedactionSpan.objects.bulk_create(rows)
        redaction.result_document = copy
        redaction.finalized_at = timezone.now()
        redaction.save(update_fields=["result_document", "finalized_at"])
        _audit(
            actor,
            "redaction.finalized",
            redaction.id,
            document_id=str(copy.id),
            accepted=len(wanted),
            rejected=len(proposed) - len(wanted),
            added=len(added),
        )
    return copy


def _union(spans: list[Span]) -> list[Span]:
    """Accepted and added spans may overlap; the copy removes their union."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start <= out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, span.end), last.label)
        else:
            out.append(span)
    return out
