"""Reading text out of plain text, DOCX and PDF (text layer), and writing the redacted copy
as a new document in which the removed text does not exist: the copy is built from the
redacted string, never by painting over the original."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

TEXT_TYPES = {"text/plain": "txt"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class FormatError(Exception):
    """A document that cannot be redacted whole; `code` is the API's error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Extracted:
    kind: str  # "txt", "docx" or "pdf"
    text: str


def kind_of(name: str, content_type: str, head: bytes) -> str:
    if head.startswith(b"%PDF") or content_type == PDF or name.lower().endswith(".pdf"):
        return "pdf"
    if content_type == DOCX or name.lower().endswith(".docx"):
        return "docx"
    if content_type.startswith("text/") or name.lower().endswith((".txt", ".md")):
        return "txt"
    raise FormatError("unsupported_format", "Redaction reads plain text, DOCX and PDF files.")


def extract(data: bytes, *, name: str = "", content_type: str = "") -> Extracted:
    kind = kind_of(name, content_type, data[:8])
    if kind == "txt":
        try:
            return Extracted("txt", data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise FormatError("unreadable_text", "The text file is not UTF-8.") from exc
    if kind == "docx":
        return Extracted("docx", _docx_text(data))
    return Extracted("pdf", _pdf_text(data))


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FormatError("corrupt_docx", "The DOCX file cannot be read.") from exc
    except Exception as exc:  # python-docx raises lxml errors for broken XML parts
        raise FormatError("corrupt_docx", "The DOCX file cannot be read.") from exc
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(paragraphs)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise FormatError("encrypted_pdf", "The PDF is encrypted; remove the password first.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FormatError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FormatError("unreadable_pdf", "The PDF cannot be read.") from exc
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise FormatError(
            "image_only_pdf", "The PDF has no text layer (a scan?); it cannot be redacted here."
        )
    return text


def write(kind: str, text: str) -> tuple[bytes, str, str]:
    """The redacted copy: bytes, content type, file extension."""
    if kind == "docx":
        import docx

        document = docx.Document()
        for line in text.split("\n"):
            document.add_paragraph(line)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue(), DOCX, "docx"
    if kind == "pdf":
        return _pdf(text), PDF, "pdf"
    return text.encode("utf-8"), "text/plain; charset=utf-8", "txt"


def _pdf(text: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title="Redacted copy", author="", subject="")
    style = getSampleStyleSheet()["BodyText"]
    story = []
    for block in text.split("\n"):
        story.append(Paragraph(escape(block), style) if block.strip() else Spacer(1, 6))
    doc.build(story)
    return out.getvalue()
