"""CSV injection: a cell that begins like a formula (=, +, -, @, a tab or a carriage return)
is run by a spreadsheet that opens the file, and can fetch URLs or start programs on the
reader's machine. A CSV document carrying one is refused (400 `csv_formula`), not silently
changed: the vault stores what a party sent, byte for byte (its sha256 is shown to them),
and a mediator who opens a refused file's replacement gets exactly what its author checked.
Numbers with a sign (-1250.00, +5) are ordinary data in financial statements and stay
allowed; anything else that starts with a sign must be quoted with a leading apostrophe or
sent as a PDF.

The file is read back from its blob one segment at a time and parsed with the csv module
under the delimiters a spreadsheet would guess (comma, semicolon, tab)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
DELIMITERS = (",", ";", "\t")


class _Segments(io.RawIOBase):
    """Plaintext segments as a readable stream, for the text layer over it."""

    def __init__(self, segments: Iterator[bytes]) -> None:
        super().__init__()
        self._segments = segments
        self._current = memoryview(b"")

    def close(self) -> None:
        # Ends the decrypting generator, which closes the blob it reads.
        close = getattr(self._segments, "close", None)
        if close is not None:
            close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._current:
            segment = next(self._segments, None)
            if segment is None:
                return 0
            self._current = memoryview(segment)
        n = min(len(buffer), len(self._current))
        buffer[:n] = self._current[:n]
        self._current = self._current[n:]
        return n


def is_formula(cell: str) -> bool:
    stripped = cell.lstrip(" ")
    if not stripped or stripped[0] not in TRIGGERS:
        return False
    return NUMBER.fullmatch(stripped) is None


def first_formula(read: Callable[[], Iterator[bytes]]) -> tuple[int, int] | None:
    """The row and column (from 1) of the first formula-like cell, or None. `read` opens
    the plaintext afresh for each delimiter. Raises csv.Error for a file csv cannot read."""
    for delimiter in DELIMITERS:
        raw = _Segments(read())
        text = io.TextIOWrapper(
            io.BufferedReader(raw), encoding="utf-8", errors="replace", newline=""
        )
        with text:
            for number, row in enumerate(csv.reader(text, delimiter=delimiter), start=1):
                for column, cell in enumerate(row, start=1):
                    if is_formula(cell):
                        return number, column
    return None
