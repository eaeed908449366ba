"""Streaming AES-256-GCM for document blobs.

Why this is safe:
- Each document has its own random 256-bit key (`new_document_key`), sealed in the
  Document row under the case key. A key encrypts exactly one blob, once; a redacted copy
  or a re-upload gets a fresh key. So nonces need only be unique within one blob.
- The nonce of segment i is i as a 96-bit big-endian counter: unique within the blob, and
  the writer refuses to go past 2**32 segments.
- Each segment's associated data binds the format version, the document id, the segment
  size, the index and a final flag. Reordered segments fail (index), a segment moved from
  another document fails (document id, and the key differs), and a blob cut at a segment
  boundary fails because its last remaining segment was sealed with final = 0.
- Plaintext is released one authenticated segment at a time; a reader that meets a
  tampered segment raises before yielding it.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Callable, Iterator
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caucus.crypto.cipher import TamperedCiphertext

MAGIC = b"CAUCUSB1"
SEGMENT_SIZE = 256 * 1024
TAG_BYTES = 16
HEADER = struct.Struct(">8sI4x")
MAX_SEGMENTS = 2**32


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def new_document_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _aad(document_id: uuid.UUID, segment_size: int, index: int, final: bool) -> bytes:
    return b"caucus/blob/v1|" + document_id.bytes + struct.pack(">IQ?", segment_size, index, final)


class SegmentWriter:
    """Encrypts a plaintext stream into `sink` segment by segment. Holds at most one
    segment plus one incoming chunk in memory."""

    def __init__(
        self,
        key: bytes,
        document_id: uuid.UUID,
        sink: Sink,
        *,
        segment_size: int = SEGMENT_SIZE,
        head_bytes: int = 2048,
    ) -> None:
        self._aead = AESGCM(key)
        self._doc = document_id
        self._sink = sink
        self._seg = segment_size
        self._buf = bytearray()
        self._index = 0
        self._head_limit = head_bytes
        self.size = 0
        self.sha256 = hashlib.sha256()
        # The first bytes stay in memory for the magic-number check of the content type.
        self.head = bytearray()
        self.closed = False
        sink.write(HEADER.pack(MAGIC, segment_size))

    def _emit(self, plaintext: bytes | bytearray | memoryview, final: bool) -> None:
        if self._index >= MAX_SEGMENTS:
            raise ValueError("document too large for one key")
        aad = _aad(self._doc, self._seg, self._index, final)
        self._sink.write(self._aead.encrypt(_nonce(self._index), plaintext, aad))
        self._index += 1

    def write(self, data: bytes) -> None:
        if self.closed:
            raise ValueError("writer closed")
        self.size += len(data)
        self.sha256.update(data)
        if len(self.head) < self._head_limit:
            self.head += data[: self._head_limit - len(self.head)]
        view = memoryview(data)
        # A full segment is held back until more data shows it is not the final one. Whole
        # segments are encrypted straight from the caller's buffer, without copies.
        if self._buf:
            room = self._seg - len(self._buf)
            if len(view) <= room:
                self._buf += view
                return
            self._buf += view[:room]
            view = view[room:]
            self._emit(self._buf, final=False)
            self._buf = bytearray()
        while len(view) > self._seg:
            self._emit(view[: self._seg], final=False)
            view = view[self._seg :]
        self._buf += view

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buf), final=True)
            self._buf = bytearray()
            self.closed = True


def decrypt_stream(
    key: bytes,
    document_id: uuid.UUID,
    source: Source,
    *,
    on_done: Callable[[], None] | None = None,
) -> Iterator[bytes]:
    """Yields authenticated plaintext segments. Raises TamperedCiphertext on any change,
    truncation, reordering or a blob of another document."""
    header = source.read(HEADER.size)
    if len(header) != HEADER.size:
        raise TamperedCiphertext("blob header missing")
    magic, segment_size = HEADER.unpack(header)
    if magic != MAGIC or not 0 < segment_size <= 64 * 1024 * 1024:
        raise TamperedCiphertext("not a document blob")
    aead = AESGCM(key)
    step = segment_size + TAG_BYTES
    current = _read_exact(source, step)
    if not current:
        raise TamperedCiphertext("blob has no segments")
    index = 0
    try:
        while True:
            following = _read_exact(source, step)
            final = not following
            if len(current) < TAG_BYTES or (not final and len(current) != step):
                raise TamperedCiphertext("segment truncated")
            try:
                plain = aead.decrypt(
                    _nonce(index), current, _aad(document_id, segment_size, index, final)
                )
            except InvalidTag:
                raise TamperedCiphertext(f"segment {index} of a document") from None
            yield plain
            if final:
                return
            current, index = following, index + 1
    finally:
        if on_done is not None:
            on_done()


def _read_exact(source: Source, size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        chunk = source.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
