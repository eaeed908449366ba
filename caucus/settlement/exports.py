"""The memorandum as DOCX and PDF files that keep its structure: section headings as
headings, numbered terms as paragraphs, the schedules (lines written `| a | b |`) as tables,
then the signatures. python-docx and ReportLab load on the first export, not with every
server process."""

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
    title: str,
    text: str,
    sha: str,
    signatures: list[tuple[str, str, str, str]],
    closing: str = "",
) -> bytes:
    """`closing`: a line after the text (the public-record copy names no signer)."""
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
    if closing:
        document.add_paragraph(closing)
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


def structured_pdf(title: str, text: str, closing: str) -> bytes:
    """The public-record copy as a PDF: the same blocks, the tables as tables. Not signed
    with the practice's key: it is a redacted copy, not the signed memorandum."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=title, author="", subject="", leftMargin=20 * mm
    )
    styles = getSampleStyleSheet()
    story: list[object] = [Paragraph(escape(title), styles["Title"])]
    for block in blocks(text):
        if block.kind == "heading":
            story.append(Paragraph(escape(block.lines[0]), styles["Heading2"]))
        elif block.kind == "paragraph":
            story.append(Paragraph(escape(block.lines[0]), styles["BodyText"]))
        else:
            rows = [[escape(c) for c in _cells(line)] for line in block.lines]
            width = max(len(r) for r in rows)
            table = Table([r + [""] * (width - len(r)) for r in rows], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ]
                )
            )
            story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(escape(closing), styles["Italic"]))
    doc.build(story)
    return out.getvalue()
