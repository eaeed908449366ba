"""Writes and audited reads of documents. An upload resolves the caller through the kernel,
passes the onboarding gate and the permission check before its body is parsed (API) or
before its staged blob is claimed (web), and its row and audit entry are one transaction."""

from __future__ import annotations

import base64
import codecs
import csv
import uuid
from collections.abc import Iterable, Iterator

from django.db import transaction

from caucus.accounts.models import User
from caucus.audit.access import record_read
from caucus.audit.chain import record
from caucus.cases.access import access_case, access_visible, requested_audience
from caucus.cases.models import Participant, Side
from caucus.crypto.cipher import TamperedCiphertext
from caucus.kernel.audience import AudienceKind
from caucus.kernel.errors import Conflict, DomainError, Invalid
from caucus.kernel.permissions import Action, require
from caucus.vault import storage
from caucus.vault.formulas import first_formula
from caucus.vault.kinds import accepted_kinds, kind_words
from caucus.vault.models import Document
from caucus.vault.segments import decrypt_stream
from caucus.vault.staging import ParsedUpload, StagedUpload

NAME_MAX = 200

# The allow-list: each type with the extensions it may carry and how its bytes begin.
TYPES: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "application/pdf": ((".pdf",), (b"%PDF-",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        (".docx",),
        (b"PK\x03\x04",),
    ),
    "text/plain": ((".txt", ".text", ".md", ".csv"), ()),
    "image/png": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "image/jpeg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "image/gif": ((".gif",), (b"GIF87a", b"GIF89a")),
    "image/webp": ((".webp",), (b"RIFF",)),
}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


class TooLarge(DomainError, status=413, code="too_large"):
    pass


class CsvFormula(DomainError, status=400, code="csv_formula"):
    pass


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _sniff(head: bytes) -> str | None:
    for kind, (_, magics) in TYPES.items():
        if any(head.startswith(m) for m in magics):
            if kind == "image/webp" and head[8:12] != b"WEBP":
                continue
            return kind
    return "text/plain" if _looks_like_text(head) else None


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid({"file": ["The file needs a name."]})
    if len(name) > NAME_MAX:
        raise Invalid({"file": [f"File names have at most {NAME_MAX} characters."]})
    if "/" in name or "\\" in name or name.startswith(".") or not name.isprintable():
        raise Invalid({"file": ["The file name may not contain a path or control characters."]})
    return name


def classify(name: str, declared: str, head: bytes) -> str:
    """The content type to store and serve: on the allow-list, agreeing with the bytes and
    with the file's extension."""
    declared = declared.split(";")[0].strip().lower()
    sniffed = _sniff(head)
    allowed = accepted_kinds()
    if declared not in GENERIC_TYPES and declared not in TYPES:
        raise Invalid({"file": [f"This type of file is not accepted. Accepted: {allowed}."]})
    if sniffed is None:
        raise Invalid({"file": [f"The content is not one of the accepted types: {allowed}."]})
    kind = sniffed if declared in GENERIC_TYPES else declared
    if kind != sniffed:
        raise Invalid({"file": ["The content does not match the declared type."]})
    extensions = TYPES[kind][0]
    if not name.lower().endswith(extensions):
        word = kind_words(kind)
        raise Invalid({"file": [f"A {word}'s name ends with {' or '.join(extensions)}."]})
    return kind


def begin_upload(user: User, case_id: uuid.UUID) -> Participant:
    """Everything that must hold before a byte of the body is read."""
    actor = access_case(user, case_id)
    require(actor, Action.UPLOAD_DOCUMENT)
    return actor


def _staged_from(context: ParsedUpload | None, files_present: bool) -> StagedUpload:
    if context is None or not context.parsed:
        raise Invalid({"file": ["Send the file as multipart/form-data."]})
    if context.too_large:
        raise TooLarge("too_large", f"The file is larger than the limit of {context.limit} bytes.")
    if context.corrupt:
        raise Invalid({"file": ["The multipart body is malformed or cut short."]})
    if context.refused:
        # The gate saw the file part before the caller could be checked (a session's CSRF
        # token sent after the file), so nothing was stored.
        raise Invalid({"file": ["Send the CSRF token before the file."]})
    if context.unsafe_name:
        raise Invalid({"file": ["The file name may not contain a path or control characters."]})
    if context.extra_files:
        raise Invalid({"file": ["Send exactly one file, in the field `file`."]})
    staged = context.staged
    if staged is None or not staged.complete or not files_present:
        raise Invalid({"file": ["This field is required."]})
    if staged.size == 0:
        raise Invalid({"file": ["The file is empty."]})
    return staged


def finish_upload(
    actor: Participant,
    context: ParsedUpload | None,
    *,
    files_present: bool,
    audience: str,
) -> Document:
    """Turns the staged blob of a parsed upload into a Document; the blob is deleted by the
    middleware if anything here refuses it."""
    staged = _staged_from(context, files_present)
    if staged.case_id != actor.case_id:
        raise Invalid({"file": ["This upload belongs to another case."]})
    kind, side_id = requested_audience(actor, audience)
    name = check_name(staged.name)
    content_type = classify(name, staged.declared_type, staged.head)
    if name.lower().endswith(".csv"):
        _refuse_formulas(staged)
    return _commit(actor, staged, name, content_type, kind, side_id, False, None)


def _refuse_formulas(staged: StagedUpload) -> None:
    """See caucus.vault.formulas: a CSV whose cell a spreadsheet would run is refused."""

    def read() -> Iterator[bytes]:
        source = storage.open_for_read(staged.blob_name)
        return decrypt_stream(staged.key, staged.document_id, source, on_done=source.close)

    try:
        found = first_formula(read)
    except csv.Error:
        raise Invalid({"file": ["The CSV file cannot be read as CSV."]}) from None
    if found is not None:
        row, column = found
        message = (
            f"Row {row}, column {column} starts with =, +, -, @ or a control character, which "
            "a spreadsheet would run as a formula. Put an apostrophe before it, or send a PDF."
        )
        raise CsvFormula("csv_formula", message, fields={"file": [message]})


def _commit(
    actor: Participant,
    staged: StagedUpload,
    name: str,
    content_type: str,
    audience_kind: str,
    audience_side_id: uuid.UUID | None,
    public_record: bool,
    source_document: Document | None,
) -> Document:
    with transaction.atomic():
        doc = Document(
            id=staged.document_id,
            case_id=actor.case_id,
            uploaded_by=actor,
            origin_side_id=actor.side_id,
            audience_kind=audience_kind,
            audience_side_id=audience_side_id,
            blob_name=staged.blob_name,
            size=staged.size,
            public_record=public_record,
            source_document=source_document,
        )
        doc.name = name
        doc.content_type = content_type
        doc.sha256 = staged.sha256
        doc.key_b64 = base64.b64encode(staged.key).decode()
        doc.save(force_insert=True)
        record(
            "document.uploaded",
            case_id=actor.case_id,
            actor_user_id=actor.user_id,
            actor_participant_id=actor.id,
            object_type="document",
            object_id=doc.id,
            details={"size": doc.size, "audience": doc.audience, "public_record": public_record},
        )
        staged.claimed = True
    return doc


def store_document(
    actor: Participant,
    *,
    name: str,
    content_type: str,
    chunks: Iterable[bytes],
    audience_kind: str,
    audience_side_id: uuid.UUID | None,
    public_record: bool = False,
    source_document: Document | None = None,
) -> Document:
    """Stores a document produced on the server (a redacted copy), streaming and encrypted
    like an upload, and audits it. The caller has resolved `actor` and checked what it may
    do; the content type must be on the allow-list and match the bytes."""
    name = check_name(name)
    if audience_kind not in AudienceKind.values:
        raise Invalid({"audience": ["Unknown audience."]})
    if (audience_kind == AudienceKind.SIDE) != (audience_side_id is not None):
        raise Invalid({"audience": ["A side audience names its side, and only it does."]})
    if (
        audience_side_id is not None
        and not Side.objects.filter(case_id=actor.case_id, id=audience_side_id).exists()
    ):
        raise Invalid({"audience": ["No such side in this case."]})
    if source_document is not None and source_document.case_id != actor.case_id:
        raise Invalid({"source_document": ["The source is in another case."]})
    staged = StagedUpload(actor.case_id, name, content_type)
    try:
        for chunk in chunks:
            staged.write(chunk)
        staged.finish()
        if staged.size == 0:
            raise Invalid({"file": ["The file is empty."]})
        kind = classify(name, content_type, staged.head)
        return _commit(
            actor,
            staged,
            name,
            kind,
            audience_kind,
            audience_side_id,
            public_record,
            source_document,
        )
    finally:
        if not staged.claimed:
            staged.discard()


def _plaintext(doc: Document) -> Iterator[bytes]:
    key = base64.b64decode(doc.key_b64)
    source = storage.open_for_read(doc.blob_name)
    return decrypt_stream(key, doc.id, source, on_done=source.close)


def open_document(
    user: User, document_id: uuid.UUID | str
) -> tuple[Document, Participant, Iterator[bytes]]:
    """A visible document, the reader, and its plaintext as a stream of segments. The read is
    audited (and in the access log) before the first byte is returned."""
    doc, me = access_visible(user, Document, document_id)
    require(me, Action.READ_RECORD)
    # The first segment is authenticated before anything is recorded or sent, so a missing
    # or foreign blob is an error response rather than a cut-off download.
    stream = _plaintext(doc)
    try:
        first = next(stream)
    except (FileNotFoundError, TamperedCiphertext, StopIteration):
        raise Conflict("document_unavailable", "This document cannot be read.") from None
    record_read(me, [doc])

    def chained() -> Iterator[bytes]:
        yield first
        yield from stream

    return doc, me, chained()


def read_plaintext_for(actor: Participant, doc: Document) -> Iterator[bytes]:
    """For server-side processing (redaction) by a caller that has resolved `actor` through
    the kernel and checked it may see `doc`; the read is audited."""
    if doc.case_id != actor.case_id:
        raise Invalid({"document": ["The document is in another case."]})
    record_read(actor, [doc], action="document.processed")
    return _plaintext(doc)
