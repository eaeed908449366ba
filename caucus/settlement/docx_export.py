"""The memorandum as a DOCX that keeps its structure: section headings as headings, numbered
terms as paragraphs, the schedules (lines written `| a | b |`) as tables, then the
signatures. python-docx loads on the first export, not with every server process."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

HEADING = re.compile(r"^(\d+\.\s+)?[A-Z][A-Z0-9 ,'&()/-]+$")


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "table"
    lines: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def blocks(text: str) -> list[Block]:
    """The text's structure as the starting texts write it."""
    found: list[Block] = []
    table: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        if table:
            found.append(Block("table", tuple(table)))
            table = []
        if not line.strip():
            continue
        kind = "heading" if HEADING.match(line.strip()) else "paragraph"
        found.append(Block(kind, (line.strip(),)))
    if table:
        found.append(Block("table", tuple(table)))
    return found


def memorandum_docx(
    title: str, text: str, sha: str, signatures: list[tuple[str, str, str, str]]
) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = ""
    document.add_heading(title, level=0)
    for block in blocks(text):
        if block.kind == "heading":
            document.add_heading(block.lines[0], level=1)
        elif block.kind == "paragraph":
            document.add_paragraph(block.lines[0])
        else:
            rows = [_cells(line) for line in block.lines]
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    table.cell(r, c).text = value
    if signatures:
        document.add_heading("Signatures", level=1)
        document.add_paragraph(f"Each signature binds to the SHA-256 of the text above: {sha}")
        table = document.add_table(rows=1 + len(signatures), cols=4)
        table.style = "Table Grid"
        for c, head in enumerate(("Typed name", "Role", "Signed (UTC)", "Text SHA-256")):
            table.cell(0, c).text = head
        for r, row in enumerate(signatures, start=1):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
