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
import queue
import struct
import threading
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
    """Where ciphertext goes. `write` must have consumed the bytes when it returns (a file,
    a socket or a buffer copies them): the writer reuses its output buffer."""

    def write(self, data: bytes | memoryview, /) -> object: ...


class Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def new_document_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _aad(document_id: uuid.UUID, segment_size: int, index: int, final: bool) -> bytes:
    return b"caucus/blob/v1|" + document_id.bytes + struct.pack(">IQ?", segment_size, index, final)


class SegmentWriter:
    """Encrypts a plaintext stream into `sink` segment by segment.

    The caller's thread only counts and queues its chunks. Two threads of the writer's own
    take them from there, in order: one computes the SHA-256 of the plaintext, the other
    encrypts each segment into a buffer allocated once and writes two segments per call, so
    that parsing the request (or reading the source), hashing and encrypting-and-writing
    run side by side. hashlib and file writes release the GIL (pyca's AES-GCM does not,
    but it is the cheapest of the three). Chunks are handed over in batches of BATCH
    segments (one wake-up per batch, not per chunk, which counts on a busy machine); at most
    QUEUED batches wait for each thread: memory stays constant whatever the file's size. A
    failure of the sink (disk full, store down) is raised by the next `write` or by
    `close`."""

    BATCH = 4
    QUEUED = 2
    # Segments sealed into one buffer before each write to the sink.
    PER_WRITE = 2

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
        # A partial segment, gathered from chunks that do not fall on segment boundaries.
        self._buf = bytearray(segment_size)
        self._buffered = 0
        self._out = bytearray(self.PER_WRITE * (segment_size + TAG_BYTES))
        self._out_used = 0
        self._index = 0
        self._head_limit = head_bytes
        self.size = 0
        self.sha256 = hashlib.sha256()
        # The first bytes stay in memory for the magic-number check of the content type.
        self.head = bytearray()
        self.closed = False
        self._seal_queue: queue.Queue[list[bytes] | None] = queue.Queue(self.QUEUED)
        self._hash_queue: queue.Queue[list[bytes] | None] = queue.Queue(self.QUEUED)
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._batch_limit = self.BATCH * segment_size
        self._threads: list[threading.Thread] = []
        self._failure: BaseException | None = None
        self._aborted = False
        sink.write(HEADER.pack(MAGIC, segment_size))

    def _emit(self, plaintext: bytearray | memoryview, final: bool) -> None:
        if self._index >= MAX_SEGMENTS:
            raise ValueError("document too large for one key")
        aad = _aad(self._doc, self._seg, self._index, final)
        end = self._out_used + len(plaintext) + TAG_BYTES
        slot = memoryview(self._out)[self._out_used : end]
        self._aead.encrypt_into(_nonce(self._index), plaintext, aad, slot)
        self._out_used = end
        self._index += 1
        if final or end + self._seg + TAG_BYTES > len(self._out):
            self._flush()

    def _flush(self) -> None:
        pending = memoryview(self._out)[: self._out_used]
        while pending:
            written = self._sink.write(pending)
            if written == 0:
                raise OSError("the store took none of the bytes")
            # A raw file may take fewer bytes than offered; other sinks take them all.
            pending = pending[written:] if isinstance(written, int) else pending[:0]
        self._out_used = 0

    def _seal(self, data: bytes) -> None:
        view = memoryview(data)
        # A full segment is held back until more data shows it is not the final one. Whole
        # segments are encrypted straight from the caller's buffer, without copies.
        if self._buffered:
            room = self._seg - self._buffered
            if len(view) <= room:
                self._buf[self._buffered : self._buffered + len(view)] = view
                self._buffered += len(view)
                return
            self._buf[self._buffered :] = view[:room]
            view = view[room:]
            self._emit(self._buf, final=False)
            self._buffered = 0
        while len(view) > self._seg:
            self._emit(view[: self._seg], final=False)
            view = view[self._seg :]
        self._buf[: len(view)] = view
        self._buffered = len(view)

    def _run_seal(self) -> None:
        while (batch := self._seal_queue.get()) is not None:
            if self._failure is not None or self._aborted:
                continue  # drained, so that the caller never blocks on a full queue
            try:
                for data in batch:
                    self._seal(data)
            except BaseException as exc:  # handed to the caller's thread
                self._failure = exc

    def _run_hash(self) -> None:
        while (batch := self._hash_queue.get()) is not None:
            if not self._aborted:
                for data in batch:
                    self.sha256.update(data)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            self.closed = True
            raise failure

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.closed:
            raise ValueError("writer closed")
        self._raise_failure()
        # The threads read the chunk later: a buffer the caller may reuse is copied.
        chunk = data if isinstance(data, bytes) else bytes(data)
        if not chunk:
            return
        self.size += len(chunk)
        if len(self.head) < self._head_limit:
            self.head += chunk[: self._head_limit - len(self.head)]
        self._batch.append(chunk)
        self._batch_bytes += len(chunk)
        if self._batch_bytes >= self._batch_limit:
            self._hand_over()

    def _hand_over(self) -> None:
        if not self._batch:
            return
        if not self._threads:
            self._threads = [
                threading.Thread(target=run, name="vault-seal", daemon=True)
                for run in (self._run_hash, self._run_seal)
            ]
            for thread in self._threads:
                thread.start()
        self._hash_queue.put(self._batch)
        self._seal_queue.put(self._batch)
        self._batch, self._batch_bytes = [], 0

    def _stop(self) -> None:
        if self._threads:
            self._hash_queue.put(None)
            self._seal_queue.put(None)
            for thread in self._threads:
                thread.join()
            self._threads = []

    def close(self) -> None:
        if self.closed:
            return
        if not self._threads:
            # A small document, all of it in one batch: sealed here, no thread started.
            for data in self._batch:
                self.sha256.update(data)
                self._seal(data)
            self._batch, self._batch_bytes = [], 0
        self._hand_over()
        self._stop()
        self._raise_failure()
        self._emit(memoryview(self._buf)[: self._buffered], final=True)
        self._buffered = 0
        self.closed = True

    def abort(self) -> None:
        """Stops the writer without sealing a final segment (the blob is being discarded)."""
        self._aborted = True
        self._batch, self._batch_bytes = [], 0
        self._stop()
        self._failure = None
        self._buffered = 0
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
