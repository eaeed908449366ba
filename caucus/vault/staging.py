"""A file being encrypted into a blob while its request body is parsed, before it is a
Document; and what the parser saw, as the services read it."""

from __future__ import annotations

import contextlib
import uuid
from typing import IO, Protocol

from caucus.vault import storage
from caucus.vault.segments import SegmentWriter, new_document_key


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
        self.writer.abort()
        if self._sink is not None:
            with contextlib.suppress(OSError):
                self._sink.close()
            self._sink = None
        storage.delete_blob(self.blob_name)
        self.key = b""

    def close(self) -> None:
        """Called by Django when the request ends; the blob's fate is the context's."""


class ParsedUpload(Protocol):
    """What the multipart parser saw (`caucus.vault.upload.UploadContext`), for the service
    to answer precisely (413, 400 with fields)."""

    @property
    def staged(self) -> StagedUpload | None: ...
    @property
    def limit(self) -> int: ...
    @property
    def parsed(self) -> bool: ...
    @property
    def too_large(self) -> bool: ...
    @property
    def corrupt(self) -> bool: ...
    @property
    def refused(self) -> bool: ...
    @property
    def unsafe_name(self) -> bool: ...
    @property
    def extra_files(self) -> bool: ...
