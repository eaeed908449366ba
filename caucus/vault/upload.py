"""Uploads that are encrypted as they arrive.

Django's MultiPartParser still parses the multipart body; the vault's upload handler is its
only handler, so every file chunk goes straight into a `SegmentWriter` over a fresh blob and
no plaintext is spooled to memory beyond one segment or to a temporary file. The blob is
sealed under a random per-document key that exists only in this process until the view
creates the Document row; a blob nobody claims is deleted when the request ends, and one left
by a killed process is ciphertext under a key that was never stored."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from caucus.vault import storage
from caucus.vault.segments import SegmentWriter, new_document_key

UPLOAD_PATH = re.compile(r"^(?:/api/v1)?/cases/([^/]+)/documents/?$")
# Room for the multipart boundaries, part headers and the small form fields beside the file.
MULTIPART_SLACK = 64 * 1024


class StagedUpload:
    """One file being (or having been) encrypted into a blob; not yet a Document."""

    def __init__(self, case_id: uuid.UUID, name: str, declared_type: str) -> None:
        self.case_id = case_id
        self.document_id = uuid.uuid4()
        self.key = new_document_key()
        self.blob_name = storage.new_blob_name(case_id)
        self.name = name
        self.declared_type = declared_type
        self.complete = False
        self.claimed = False
        self._sink: IO[bytes] | None = storage.open_for_write(self.blob_name)
        self.writer = SegmentWriter(self.key, self.document_id, self._sink)

    @property
    def size(self) -> int:
        return self.writer.size

    @property
    def sha256(self) -> str:
        return self.writer.sha256.hexdigest()

    @property
    def head(self) -> bytes:
        return bytes(self.writer.head)

    def write(self, data: bytes) -> None:
        self.writer.write(data)

    def finish(self) -> None:
        self.writer.close()
        if self._sink is not None:
            self._sink.close()
            self._sink = None
        self.complete = True

    def discard(self) -> None:
        if self._sink is not None:
            with contextlib.suppress(OSError):
                self._sink.close()
            self._sink = None
        storage.delete_blob(self.blob_name)
        self.key = b""

    def close(self) -> None:
        """Called by Django when the request ends; the blob's fate is the context's."""


class UploadContext:
    """What the parser saw, for the view to answer precisely (413, 400 with fields)."""

    def __init__(self, request: HttpRequest, case_id: uuid.UUID | None, enabled: bool) -> None:
        self.request = request
        self.case_id = case_id
        self.enabled = enabled and case_id is not None
        self.limit: int = settings.CAUCUS_MAX_UPLOAD_BYTES
        self.staged: StagedUpload | None = None
        self.parsed = False
        self.too_large = False
        self.corrupt = False
        self.unsafe_name = False
        self.extra_files = False

    def parse(
        self, META: dict[str, Any], post_data: Any
    ) -> tuple[QueryDict, MultiValueDict[str, Any]]:
        self.parsed = True
        handler = EncryptingUploadHandler(self)
        parser = StrictMultiPartParser(META, post_data, [handler], self.request.encoding, self)
        try:
            post, files = parser.parse()
        except MultiPartParserError:
            self.corrupt = True
            self.discard_unclaimed()
            return QueryDict(), MultiValueDict()
        if handler.current is not None:
            # The body ended inside the file part: a truncated multipart body.
            self.corrupt = True
            self.discard_unclaimed()
        return post, files

    def discard_unclaimed(self) -> None:
        if self.staged is not None and not self.staged.claimed:
            self.staged.discard()
            self.staged = None


class StrictMultiPartParser(MultiPartParser):
    """Django's parser, except that a file name it would have to change (a path, `..`,
    control characters) is reported to the view as an error instead of silently cleaned."""

    def __init__(
        self,
        META: dict[str, Any],
        input_data: Any,
        upload_handlers: list[FileUploadHandler],
        encoding: str | None,
        context: UploadContext,
    ) -> None:
        super().__init__(META, input_data, upload_handlers, encoding)
        self.context = context

    def sanitize_file_name(self, file_name: str) -> str | None:
        cleaned: str | None = super().sanitize_file_name(file_name)
        if cleaned is None or cleaned != file_name or cleaned.startswith("."):
            self.context.unsafe_name = True
        return cleaned or "rejected"


class EncryptingUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, context: UploadContext) -> None:
        super().__init__(context.request)
        self.context = context
        self.current: StagedUpload | None = None
        self.skipping = False

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        ctx = self.context
        self.skipping = True
        if field_name != "file":
            ctx.extra_files = True
            return
        if ctx.staged is not None:
            ctx.extra_files = True
            return
        if not ctx.enabled or ctx.unsafe_name or ctx.case_id is None:
            return
        self.skipping = False
        self.current = StagedUpload(ctx.case_id, file_name, content_type or "")
        ctx.staged = self.current

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        current = self.current
        if current is None or self.skipping:
            return None
        if current.size + len(raw_data) > self.context.limit:
            self.context.too_large = True
            self.context.discard_unclaimed()
            self.current = None
            raise StopUpload(connection_reset=True)
        current.write(raw_data)
        return None

    # The parser files whatever the handler returns; a staged blob is not an UploadedFile.
    def file_complete(self, file_size: int) -> StagedUpload | None:  # type: ignore[override]
        current, self.current = self.current, None
        if current is None or self.skipping:
            return None
        current.finish()
        return current


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    detail = f"The file is larger than the limit of {limit} bytes."
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "too_large", "detail": detail, "limit": limit}, status=413)
    return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class UploadMiddleware:
    """Installs the vault's parser on upload requests before anything (the CSRF check, Ninja)
    can read the body, answers 413 from Content-Length before reading a byte, and deletes
    any blob the view did not turn into a Document."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = UPLOAD_PATH.match(request.path_info)
        if request.method != "POST" or match is None:
            return self.get_response(request)
        limit: int = settings.CAUCUS_MAX_UPLOAD_BYTES
        length = _content_length(request)
        if length is not None and length > limit + MULTIPART_SLACK:
            return too_large_response(request, limit)
        try:
            case_id: uuid.UUID | None = uuid.UUID(match.group(1))
        except ValueError:
            case_id = None
        # Nothing is stored for a caller who cannot be anybody: such a request is refused
        # (401 or a redirect to sign-in) after its body is read and dropped.
        enabled = bool(request.META.get("HTTP_AUTHORIZATION")) or bool(
            request.session.get(SESSION_KEY)
        )
        context = UploadContext(request, case_id, enabled)
        request.vault_upload = context  # type: ignore[attr-defined]
        if request.content_type == "multipart/form-data":
            request.parse_file_upload = context.parse  # type: ignore[method-assign,assignment]
        try:
            return self.get_response(request)
        finally:
            context.discard_unclaimed()


def upload_context(request: HttpRequest) -> UploadContext | None:
    context = getattr(request, "vault_upload", None)
    return context if isinstance(context, UploadContext) else None
