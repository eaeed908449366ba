"""Redaction bombs: files that are small on the wire and huge once read. Each is refused
with a code before it is read whole, nothing of it is stored, and the memory the request
takes stays far below the size of the bomb."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from caucus.redaction.formats import Limits, extract
from caucus.redaction.models import Redaction, RedactionSpan
from tests.conftest import World
from tests.vault.helpers import upload

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BOMB_XML_BYTES = 20 * 1024 * 1024
# Far below the 20 MB the bomb unpacks to; the old reader held all of it, and more.
MEMORY_BOUND = 8 * 1024 * 1024


def _docx_with_body(paragraphs: Callable[[], bytes]) -> bytes:
    """A DOCX made by python-docx whose document.xml is replaced by `paragraphs`."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for item in source.infolist():
            if item.filename == "word/document.xml":
                body = paragraphs()
                xml = (
                    (
                        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        f'<w:document xmlns:w="{W_NS}"><w:body>'
                    ).encode()
                    + body
                    + b"</w:body></w:document>"
                )
                bomb.writestr(item.filename, xml)
            else:
                bomb.writestr(item, source.read(item.filename))
    return out.getvalue()


def docx_bomb() -> bytes:
    paragraph = b"<w:p><w:r><w:t>" + b"a" * 200 + b"</w:t></w:r></w:p>"
    return _docx_with_body(lambda: paragraph * (BOMB_XML_BYTES // len(paragraph)))


def many_pages_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def propose(w: World, name: str, data: bytes, content_type: str) -> tuple[Any, int]:
    """The proposal's answer, and the peak of memory allocated while it was made."""
    up = upload(w.party_a, w.case.id, name=name, data=data, content_type=content_type,
                audience="case")  # fmt: skip
    assert up.status_code == 201, up.content
    tracemalloc.start()
    try:
        r = w.mediator.client.post(f"documents/{up.json()['id']}/redactions")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return r, peak


def assert_nothing_stored() -> None:
    assert not Redaction.objects.exists()
    assert not RedactionSpan.objects.exists()


def test_it_refuses_a_docx_that_unpacks_to_20_mb_in_bounded_memory(active_world: World) -> None:
    bomb = docx_bomb()
    assert len(bomb) < 200_000
    r, peak = propose(active_world, "bomb.docx", bomb, DOCX)
    assert r.status_code == 413, r.content
    assert r.json()["error"] == "document_too_large"
    assert peak < MEMORY_BOUND
    assert_nothing_stored()


def test_it_stops_reading_a_docx_at_the_text_bound(active_world: World) -> None:
    paragraph = b"<w:p><w:r><w:t>" + b"Plain words of a long memo. " * 4 + b"</w:t></w:r></w:p>"
    long_memo = _docx_with_body(lambda: paragraph * 100)
    with override_settings(CAUCUS_REDACTION_MAX_CHARS=2_000):
        r, _ = propose(active_world, "long.docx", long_memo, DOCX)
    assert r.status_code == 413
    assert r.json()["error"] == "document_too_large"
    assert_nothing_stored()
    # Within the bound the same reader reads it whole.
    assert len(extract(long_memo, name="long.docx").text) > 10_000


def test_it_refuses_a_pdf_with_more_pages_than_the_bound(active_world: World) -> None:
    r, peak = propose(active_world, "pages.pdf", many_pages_pdf(600), "application/pdf")
    assert r.status_code == 413, r.content
    assert r.json()["error"] == "document_too_large"
    assert peak < MEMORY_BOUND
    assert_nothing_stored()


def test_it_refuses_a_text_over_the_character_bound(active_world: World) -> None:
    with override_settings(CAUCUS_REDACTION_MAX_CHARS=1_000):
        r, _ = propose(active_world, "long.txt", b"words " * 1_000, "text/plain")
    assert r.status_code == 413
    assert r.json()["error"] == "document_too_large"
    assert_nothing_stored()


def test_it_refuses_a_text_with_more_spans_than_the_bound(active_world: World) -> None:
    text = "".join(f"Call (217) 555-{i:04d} today.\n" for i in range(200)).encode()
    with override_settings(CAUCUS_REDACTION_MAX_SPANS=50):
        r, _ = propose(active_world, "phones.txt", text, "text/plain")
    assert r.status_code == 400, r.content
    assert r.json()["error"] == "too_many_spans"
    assert_nothing_stored()


def test_it_reads_paragraphs_and_tables_of_a_docx_as_before() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("First paragraph with\ta tab.")
    table = d.add_table(rows=2, cols=2)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"r{r}c{c}"
    d.add_paragraph("Last paragraph.")
    raw = io.BytesIO()
    d.save(raw)
    data = raw.getvalue()
    expected = [p.text for p in d.paragraphs]
    expected += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    assert extract(data, name="a.docx").text == "\n".join(expected)
    with pytest.raises(Exception, match="more than 10 characters"):
        extract(data, name="a.docx", limits=Limits(max_chars=10))
