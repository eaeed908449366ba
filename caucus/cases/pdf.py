"""Signed agreements as PDF: the text, then each signature (typed name, role, time, the
SHA-256 it binds to). Signed with the practice's key through pyHanko when one is configured."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CONFIDENTIAL_FOOTER = "Confidential mediation communication. Not for use in any proceeding."


def a4_document(buffer: BytesIO, title: str, subject: str, **margins: float) -> Any:
    """The page Caucus's PDFs are laid out on: A4, 20 mm at the sides, Caucus as author."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Caucus",
        subject=subject,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        **margins,
    )


def _render(title: str, text: str, rows: list[list[str]], sha: str, footer: str) -> bytes:
    buffer = BytesIO()
    doc = a4_document(buffer, title, "Confidential mediation communication")
    styles = getSampleStyleSheet()
    story: list[object] = [Paragraph(escape(title), styles["Title"])]
    for block in text.split("\n"):
        if block.strip():
            story.append(Paragraph(escape(block), styles["BodyText"]))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph("Signatures", styles["Heading2"]))
    story.append(
        Paragraph(
            escape(f"Each signature binds to the SHA-256 of the text above: {sha}"),
            styles["BodyText"],
        )
    )
    table = Table(
        [["Typed name", "Role", "Signed (UTC)", "Text SHA-256"], *rows],
        colWidths=[45 * mm, 22 * mm, 38 * mm, 65 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(escape(footer), styles["Italic"]))
    doc.build(story)
    return buffer.getvalue()


def sign_with_practice_key(pdf: bytes) -> bytes:
    path = settings.CAUCUS_PDF_SIGNING_P12
    if not path:
        return pdf
    passphrase = settings.CAUCUS_PDF_SIGNING_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load_pkcs12(Path(path), passphrase=passphrase)  # type: ignore[no-untyped-call]
    if signer is None:
        raise RuntimeError("CAUCUS_PDF_SIGNING_P12 could not be loaded")
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="PracticeSignature", reason="Signed agreement"),
        signer=signer,
    )
    signed: bytes = out.getvalue()
    return signed


def agreement_pdf(
    title: str,
    text: str,
    sha: str,
    signatures: list[tuple[str, str, str, str]],
    *,
    footer: str = CONFIDENTIAL_FOOTER,
) -> bytes:
    """`footer`: the agreements to mediate are confidential; a memorandum of understanding
    (issue 16) is made to be filed, and says so instead."""
    rows = [list(row) for row in signatures]
    return sign_with_practice_key(_render(title, text, rows, sha, footer))
