"""The blob format: authenticated segments bound to the document, index and final flag."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import uuid

import pytest

from caucus.crypto.cipher import TamperedCiphertext
from caucus.vault.segments import HEADER, TAG_BYTES, SegmentWriter, decrypt_stream, new_document_key

SEG = 1024


def _encrypt(key: bytes, doc: uuid.UUID, data: bytes, seg: int = SEG) -> bytes:
    sink = io.BytesIO()
    writer = SegmentWriter(key, doc, sink, segment_size=seg)
    for i in range(0, len(data), 333):
        writer.write(data[i : i + 333])
    writer.close()
    return sink.getvalue()


def _decrypt(key: bytes, doc: uuid.UUID, blob: bytes) -> bytes:
    return b"".join(decrypt_stream(key, doc, io.BytesIO(blob)))


@pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 5 * SEG, 5 * SEG + 7])
def test_it_round_trips_every_size_around_the_segment_boundary(size: int) -> None:
    key, doc = new_document_key(), uuid.uuid4()
    data = os.urandom(size)
    assert _decrypt(key, doc, _encrypt(key, doc, data)) == data


def _segments(blob: bytes, seg: int = SEG) -> tuple[bytes, list[bytes]]:
    head, body = blob[: HEADER.size], blob[HEADER.size :]
    step = seg + TAG_BYTES
    return head, [body[i : i + step] for i in range(0, len(body), step)]


def test_it_refuses_a_blob_cut_at_a_segment_boundary() -> None:
    key, doc = new_document_key(), uuid.uuid4()
    head, segs = _segments(_encrypt(key, doc, os.urandom(4 * SEG + 10)))
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc, head + b"".join(segs[:-1]))


def test_it_refuses_reordered_segments() -> None:
    key, doc = new_document_key(), uuid.uuid4()
    head, segs = _segments(_encrypt(key, doc, os.urandom(4 * SEG + 10)))
    segs[0], segs[1] = segs[1], segs[0]
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc, head + b"".join(segs))


def test_it_refuses_a_segment_of_another_document_even_under_the_same_key() -> None:
    key, doc_a, doc_b = new_document_key(), uuid.uuid4(), uuid.uuid4()
    head, segs_a = _segments(_encrypt(key, doc_a, os.urandom(3 * SEG)))
    _, segs_b = _segments(_encrypt(key, doc_b, os.urandom(3 * SEG)))
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc_a, head + segs_a[0] + segs_b[1] + segs_a[2])
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc_b, head + b"".join(segs_a))


def test_it_refuses_a_flipped_bit_and_a_changed_header() -> None:
    key, doc = new_document_key(), uuid.uuid4()
    blob = bytearray(_encrypt(key, doc, os.urandom(2 * SEG)))
    blob[HEADER.size + 5] ^= 1
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc, bytes(blob))
    good = _encrypt(key, doc, os.urandom(2 * SEG))
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc, HEADER.pack(b"CAUCUSB1", SEG * 2) + good[HEADER.size :])


def test_it_keeps_memory_constant_for_a_file_far_larger_than_a_segment() -> None:
    """32 MiB through the default 256 KiB segments: peak Python allocation stays a few
    segments (at most six), far below the file's size."""
    from caucus.vault.segments import SEGMENT_SIZE

    key, doc = new_document_key(), uuid.uuid4()
    total = 32 * 1024 * 1024
    chunk = os.urandom(64 * 1024)

    class Discard:
        def write(self, data: bytes | memoryview) -> int:
            return len(data)

    tracemalloc.start()
    try:
        writer = SegmentWriter(key, doc, Discard())
        for _ in range(total // len(chunk)):
            writer.write(chunk)
        writer.close()
        _, peak_write = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert writer.size == total
    assert peak_write < 4 * SEGMENT_SIZE, peak_write

    sink_path = _tmp_blob(key, doc, chunk, total)
    tracemalloc.start()
    try:
        size = 0
        with open(sink_path, "rb", buffering=0) as source:
            for part in decrypt_stream(key, doc, source):
                size += len(part)
        _, peak_read = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        os.unlink(sink_path)
    assert size == total
    assert peak_read < 6 * SEGMENT_SIZE, peak_read


def _tmp_blob(key: bytes, doc: uuid.UUID, chunk: bytes, total: int) -> str:
    import tempfile

    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, "wb") as out:
        writer = SegmentWriter(key, doc, out)
        for _ in range(total // len(chunk)):
            writer.write(chunk)
        writer.close()
    return path


class _FailingSink:
    """A store that fills up after the header and the first segment."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data: bytes | memoryview) -> int:
        self.writes += 1
        if self.writes > 2:
            raise OSError(28, "No space left on device")
        return len(data)


def _sealing_threads() -> int:
    import threading

    return sum(1 for t in threading.enumerate() if t.name == "vault-seal")


def test_a_failing_store_is_raised_in_the_callers_thread_and_the_thread_ends() -> None:
    before = _sealing_threads()
    writer = SegmentWriter(new_document_key(), uuid.uuid4(), _FailingSink(), segment_size=SEG)
    with pytest.raises(OSError, match="No space left"):
        for _ in range(100):
            writer.write(os.urandom(SEG))
        writer.close()
    writer.abort()
    assert _sealing_threads() == before


def test_an_aborted_writer_seals_no_final_segment() -> None:
    key, doc = new_document_key(), uuid.uuid4()
    sink = io.BytesIO()
    before = _sealing_threads()
    writer = SegmentWriter(key, doc, sink, segment_size=SEG)
    for _ in range(10):
        writer.write(os.urandom(SEG))
    writer.abort()
    assert _sealing_threads() == before
    with pytest.raises(ValueError, match="closed"):
        writer.write(b"more")
    # What reached the store is a blob cut short: it never decrypts.
    with pytest.raises(TamperedCiphertext):
        _decrypt(key, doc, sink.getvalue())


def test_a_reused_buffer_is_copied_before_the_writers_thread_reads_it() -> None:
    key, doc = new_document_key(), uuid.uuid4()
    sink = io.BytesIO()
    writer = SegmentWriter(key, doc, sink, segment_size=SEG)
    buffer = bytearray(SEG // 2)
    expected = b""
    for i in range(20):
        buffer[:] = bytes([i]) * len(buffer)
        writer.write(buffer)
        expected += bytes(buffer)
    writer.close()
    assert _decrypt(key, doc, sink.getvalue()) == expected
    assert writer.sha256.hexdigest() == hashlib.sha256(expected).hexdigest()
