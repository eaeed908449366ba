"""Uploads that are encrypted as they arrive, from callers who were checked first.

Django's MultiPartParser still parses the multipart body; the vault's upload handler is its
only handler, so every file chunk goes straight into a `SegmentWriter` over a fresh blob and
no plaintext is spooled to memory beyond one segment or to a temporary file. The blob is
sealed under a random per-document key that exists only in this process until the view
creates the Document row; a blob nobody claims is deleted when the request ends, and one left
by a killed process is ciphertext under a key that was never stored.

Nothing is written before the caller is known: when the file part begins, the caller must be
authenticated (a bearer token on the API, else a signed-in session), a session's CSRF token
(header, or a form field sent before the file) must be valid, the kernel must let them upload
to the case, and they must hold one of their few upload slots. Otherwise the parser stops
reading and the later layers answer (401, 403, 404, 409, 429) with nothing on disk."""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user
from django.core.cache import cache
from django.core.exceptions import RequestAborted
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.datastructures import MultiValueDict

from caucus.accounts.models import User
from caucus.accounts.services import password_only_refused, user_for_token
from caucus.crypto.keyring import key_scope
from caucus.kernel.errors import DomainError
from caucus.vault import storage
from caucus.vault.asgi import BodyDeadlineExceeded
from caucus.vault.segments import SegmentWriter, new_document_key

logger = logging.getLogger(__name__)

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


class UploadSlot:
    """One of a user's `CAUCUS_UPLOADS_PER_USER` concurrent uploads, held in the shared
    cache (Redis when configured) so that the bound holds across server processes. Each slot
    expires a minute after the upload deadline, so a killed process cannot hold one for
    longer than an upload may last."""

    def __init__(self, key: str, token: str) -> None:
        self.key = key
        self.token = token

    @classmethod
    def acquire(cls, user_id: object) -> UploadSlot | None:
        token = secrets.token_hex(16)
        ttl = int(float(settings.CAUCUS_UPLOAD_DEADLINE_SECONDS)) + 60
        for i in range(int(settings.CAUCUS_UPLOADS_PER_USER)):
            key = f"vault:upload-slot:{user_id}:{i}"
            if cache.add(key, token, timeout=ttl):
                return cls(key, token)
        return None

    def release(self) -> None:
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


def _upload_view(request: HttpRequest) -> HttpResponse:
    """Stands for the upload views in the CSRF check of the gate (never called)."""
    raise NotImplementedError


class UploadContext:
    """What the parser saw, for the view to answer precisely (413, 400 with fields)."""

    def __init__(self, request: HttpRequest, case_id: uuid.UUID | None) -> None:
        self.request = request
        self.case_id = case_id
        self.limit: int = settings.CAUCUS_MAX_UPLOAD_BYTES
        self.staged: StagedUpload | None = None
        self.slot: UploadSlot | None = None
        self.parser: StrictMultiPartParser | None = None
        self.parsed = False
        self.too_large = False
        self.corrupt = False
        self.unsafe_name = False
        self.extra_files = False
        self.refused = False
        self.too_many = False
        self.timed_out = False
        self.aborted = False

    def parse(
        self, META: dict[str, Any], post_data: Any
    ) -> tuple[QueryDict, MultiValueDict[str, Any]]:
        self.parsed = True
        handler = EncryptingUploadHandler(self)
        try:
            # The constructor itself refuses a missing or invalid boundary.
            parser = StrictMultiPartParser(META, post_data, [handler], self.request.encoding, self)
            self.parser = parser
            post, files = parser.parse()
        except MultiPartParserError:
            self.corrupt = True
            self.discard_unclaimed()
            return QueryDict(), MultiValueDict()
        except BodyDeadlineExceeded:
            self.timed_out = True
            self.discard_unclaimed()
            return QueryDict(), MultiValueDict()
        except RequestAborted:
            self.aborted = True
            self.discard_unclaimed()
            return QueryDict(), MultiValueDict()
        finally:
            self.parser = None
            self.release_slot()
        if handler.current is not None:
            # The body ended inside the file part: a truncated multipart body.
            self.corrupt = True
            self.discard_unclaimed()
        return post, files

    def admit(self) -> bool:
        """Whether the file part may be written: checked when it begins, so that a session's
        CSRF token sent as a form field before the file counts."""
        if self.case_id is None:
            return False
        user, needs_csrf = self._caller()
        if user is None or (needs_csrf and not self._csrf_valid()):
            return False
        # Imported here: the services import this module for the staged upload's type.
        from caucus.vault.services import begin_upload

        try:
            begin_upload(user, self.case_id)
        except DomainError:
            return False
        self.slot = UploadSlot.acquire(user.pk)
        if self.slot is None:
            self.too_many = True
            return False
        return True

    def _caller(self) -> tuple[User | None, bool]:
        """The user the later layers will see, and whether it came from a session (which
        must pass CSRF). The API takes a bearer token first, as its authenticators do."""
        request = self.request
        if request.path_info.startswith("/api/"):
            scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
            if scheme.lower() == "bearer" and token:
                user = user_for_token(token)
                # The API refuses this caller (401 otp_required): nothing may be written.
                if user is not None and not password_only_refused(user):
                    return user, False
                return None, False
        session_user = get_user(request)
        return (session_user, True) if isinstance(session_user, User) else (None, False)

    def _csrf_valid(self) -> bool:
        """Django's own CSRF check, over the form fields parsed before the file."""
        request = self.request
        fields = getattr(self.parser, "_post", None)
        request._post = fields if isinstance(fields, QueryDict) else QueryDict()  # type: ignore[attr-defined]
        check = CsrfViewMiddleware(_upload_view)
        try:
            check.process_request(request)
            return check.process_view(request, _upload_view, (), {}) is None
        finally:
            del request._post  # type: ignore[attr-defined]
            # The later layers run their own complete check.
            request.__dict__.pop("csrf_processing_done", None)

    def release_slot(self) -> None:
        if self.slot is not None:
            self.slot.release()
            self.slot = None

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
        if ctx.unsafe_name or ctx.case_id is None:
            return
        if not ctx.admit():
            # Not a byte more is read for a caller who may not upload here.
            ctx.refused = True
            raise StopUpload(connection_reset=True)
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


def _answer(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": code, "detail": detail, **extra}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    detail = f"The file is larger than the limit of {limit} bytes."
    return _answer(request, 413, "too_large", detail, limit=limit)


def _interrupted_response(request: HttpRequest, context: UploadContext) -> HttpResponse | None:
    if context.timed_out:
        seconds = settings.CAUCUS_UPLOAD_DEADLINE_SECONDS
        detail = f"The upload did not arrive within {seconds} seconds."
        return _answer(request, 408, "upload_timeout", detail, limit_seconds=seconds)
    if context.aborted:
        # The client went away: nobody reads this answer, and nothing failed on our side.
        logger.warning("Upload aborted by the client: %s", request.path)
        response = _answer(request, 400, "upload_aborted", "The upload was cut off.")
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    if context.too_many:
        limit = settings.CAUCUS_UPLOADS_PER_USER
        detail = f"At most {limit} uploads at a time; wait for one to finish."
        response = _answer(request, 429, "too_many_uploads", detail, limit=limit)
        response["Retry-After"] = "10"
        return response
    return None


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class UploadMiddleware:
    """Installs the vault's parser on upload requests before anything (the CSRF check, Ninja)
    can read the body, answers 413 from Content-Length before reading a byte, parses the body
    here so that a body cut off, too slow or over the caller's concurrent uploads is answered
    in one place, and deletes any blob the view did not turn into a Document."""

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
        context = UploadContext(request, case_id)
        request.vault_upload = context  # type: ignore[attr-defined]
        try:
            if request.content_type == "multipart/form-data":
                request.parse_file_upload = context.parse  # type: ignore[method-assign,assignment]
                with key_scope():
                    request.POST  # noqa: B018  (parses the body now, through the gate)
                interrupted = _interrupted_response(request, context)
                if interrupted is not None:
                    return interrupted
            return self.get_response(request)
        finally:
            context.release_slot()
            context.discard_unclaimed()


def upload_context(request: HttpRequest) -> UploadContext | None:
    context = getattr(request, "vault_upload", None)
    return context if isinstance(context, UploadContext) else None
