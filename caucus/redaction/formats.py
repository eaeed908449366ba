"""Reading text out of plain text, DOCX and PDF (text layer), and writing the redacted copy
as a new document in which the removed text does not exist: the copy is built from the
redacted string, never by painting over the original.

Reading is bounded (`Limits`), because a small upload can unpack into a huge one: a DOCX's
zip members are checked (size, compression ratio) before a byte is inflated, its
document.xml is streamed through a capped reader and an incremental parser that drops each
paragraph once read, a PDF's pages are counted before any is read, and every format stops
reading as soon as the text passes its bound."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

TEXT_TYPES = {"text/plain": "txt"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class FormatError(Exception):
    """A document that cannot be redacted whole; `code` is the API's error code."""

    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Limits:
    """What one redaction may read. The defaults are the settings' defaults."""

    max_chars: int = 200_000
    max_pdf_pages: int = 500
    # The inflated size of a DOCX's document.xml, and of all its members together.
    max_part_bytes: int = 16 * 1024 * 1024
    max_unpacked_bytes: int = 64 * 1024 * 1024
    # Office XML compresses about 5-20 to 1; a member much denser than that is a bomb.
    max_ratio: int = 100


def too_large(detail: str) -> FormatError:
    return FormatError("document_too_large", detail, status=413)


def _text_bound(limits: Limits) -> FormatError:
    return too_large(f"The document has more than {limits.max_chars} characters of text.")


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


def extract(
    data: bytes, *, name: str = "", content_type: str = "", limits: Limits | None = None
) -> Extracted:
    limits = limits or Limits()
    kind = kind_of(name, content_type, data[:8])
    if kind == "txt":
        # UTF-8 takes at most 4 bytes a character: more bytes than that is over the bound
        # before anything is decoded.
        if len(data) > 4 * limits.max_chars:
            raise _text_bound(limits)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError("unreadable_text", "The text file is not UTF-8.") from exc
        if len(text) > limits.max_chars:
            raise _text_bound(limits)
        return Extracted("txt", text)
    if kind == "docx":
        return Extracted("docx", _docx_text(data, limits))
    return Extracted("pdf", _pdf_text(data, limits))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENT_PART = "word/document.xml"
SMALL_PART = 1024 * 1024


class _CappedReader(io.RawIOBase):
    """A zip member's inflated bytes, refused past `cap` whatever the header declared."""

    def __init__(self, source: IO[bytes], cap: int) -> None:
        super().__init__()
        self._source = source
        self._left = cap

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._source.read(want)
        self._left -= len(data)
        if self._left < 0:
            raise too_large("The DOCX unpacks to more than the limit.")
        return data


def _check_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for member in archive.infolist():
        total += member.file_size
        dense = member.file_size > SMALL_PART and (
            member.file_size > limits.max_ratio * max(member.compress_size, 1)
        )
        if dense or total > limits.max_unpacked_bytes:
            raise too_large("The DOCX unpacks to more than the limit.")
    if archive.getinfo(DOCUMENT_PART).file_size > limits.max_part_bytes:
        raise too_large("The DOCX's text part is larger than the limit.")


def _run_text(paragraph: Any) -> str:
    """A paragraph's text as python-docx reads it: text, tabs and breaks of its runs."""
    parts: list[str] = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _docx_blocks(stream: Any) -> Iterator[tuple[str, str]]:
    """("p", text) for each paragraph of the body and ("row", text) for each row of a table
    of the body, in document order; each is dropped from the tree once read. A cell's text
    is its paragraphs' (nested tables excluded), as in python-docx."""
    from lxml import etree

    events = etree.iterparse(
        stream,
        events=("end",),
        tag=(f"{W}p", f"{W}tc", f"{W}tr", f"{W}tbl"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _, elem in events:
        parent = elem.getparent()
        at_body = parent is not None and parent.tag == f"{W}body"
        if elem.tag == f"{W}p":
            text = _run_text(elem)
            elem.clear()
            if at_body:
                yield "p", text
            else:
                elem.text = text
        elif elem.tag == f"{W}tc":
            text = "\n".join(p.text or "" for p in elem if p.tag == f"{W}p")
            elem.clear()
            elem.text = text
        elif elem.tag == f"{W}tr":
            text = "\t".join(c.text or "" for c in elem if c.tag == f"{W}tc")
            elem.clear()
            elem.text = text
        else:
            rows = [r.text or "" for r in elem if r.tag == f"{W}tr"]
            elem.clear()
            if at_body:
                for row in rows:
                    yield "row", row
        if at_body:
            # What the body has finished is no longer needed: memory stays one block deep.
            while elem.getprevious() is not None:
                del parent[0]


def _docx_text(data: bytes, limits: Limits) -> str:
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive, limits)
            paragraphs: list[str] = []
            rows: list[str] = []
            size = 0
            with archive.open(DOCUMENT_PART) as member:
                source = _CappedReader(member, limits.max_part_bytes)
                for kind, text in _docx_blocks(source):
                    size += len(text) + 1
                    if size > limits.max_chars:
                        raise _text_bound(limits)
                    (paragraphs if kind == "p" else rows).append(text)
    except FormatError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, etree.LxmlError) as exc:
        raise FormatError("corrupt_docx", "The DOCX file cannot be read.") from exc
    # python-docx's order, which earlier redactions used: the paragraphs, then the tables.
    return "\n".join(paragraphs + rows)


def _pdf_text(data: bytes, limits: Limits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise FormatError("encrypted_pdf", "The PDF is encrypted; remove the password first.")
        if len(reader.pages) > limits.max_pdf_pages:
            raise too_large(f"The PDF has more than {limits.max_pdf_pages} pages.")
        pages: list[str] = []
        size = 0
        for page in reader.pages:
            text = (page.extract_text() or "").strip("\n")
            size += len(text) + 2
            if size > limits.max_chars:
                raise _text_bound(limits)
            pages.append(text)
    except FormatError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FormatError("unreadable_pdf", "The PDF cannot be read.") from exc
    text = "\n\n".join(pages)
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
