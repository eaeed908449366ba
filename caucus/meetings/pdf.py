"""Meeting notes as a PDF, every page marked as a confidential mediation communication."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from caucus.cases.pdf import a4_document

MARK = "CONFIDENTIAL MEDIATION COMMUNICATION — not for use in any proceeding"


def _mark(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(20 * mm, 287 * mm, MARK)
    canvas.drawRightString(190 * mm, 10 * mm, f"Page {doc.page}")
    canvas.restoreState()


def notes_pdf(
    title: str, versions: list[tuple[int, str, str]], feedback: list[tuple[str, str]]
) -> bytes:
    """`versions`: (number, when, body), oldest first. `feedback`: (when, body) that the
    reader may see."""
    buffer = BytesIO()
    doc = a4_document(buffer, title, MARK, topMargin=20 * mm)
    styles = getSampleStyleSheet()
    story: list[Any] = [Paragraph(escape(title), styles["Title"])]
    for number, when, body in reversed(versions):
        story.append(Paragraph(escape(f"Version {number} · {when}"), styles["Heading2"]))
        for block in body.split("\n"):
            if block.strip():
                story.append(Paragraph(escape(block), styles["BodyText"]))
        story.append(Spacer(1, 4 * mm))
    if feedback:
        story.append(Paragraph("Feedback and corrections", styles["Heading2"]))
        for when, body in feedback:
            story.append(Paragraph(escape(f"{when}: {body}"), styles["BodyText"]))
    doc.build(story, onFirstPage=_mark, onLaterPages=_mark)
    return buffer.getvalue()
