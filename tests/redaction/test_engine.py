from __future__ import annotations

import io
import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from caucus.redaction.engine import detect
from caucus.redaction.formats import FormatError, extract, write
from caucus.redaction.identifiers import checksum_label
from caucus.redaction.knowledge import CaseKnowledge
from caucus.redaction.spans import apply

TEXT = (
    "MEMORANDUM. Case No. 2023-DR-004512. Jonathan A. Whitfield and MARIA WHITFIELD live at "
    "1428 Elm St., Apt 3B, Springfield, IL 62704. Their son Ethan (born March 3, 2015) and "
    "Whitfield's employer, Acme Logistics, Inc., agreed. J.W. will pay $1,250.00 on June 1, "
    "2024 under 26 U.S.C. § 71. SSN 123-45-6789, account no. 0041-7789-2210, card "
    "4111 1111 1111 1111, phone 217.555.0143, mail jwhit@gmail.com."
)
KNOWN = CaseKnowledge(
    people=["Jonathan A. Whitfield", "Maria Whitfield"],
    children=["Ethan Whitfield"],
    addresses=["1428 Elm Street, Apt 3B, Springfield, IL 62704"],
    employers=["Acme Logistics, Inc."],
    accounts=["004177892210"],
    phones=["2175550143"],
)
SECRETS = [
    "Jonathan", "Whitfield", "WHITFIELD", "MARIA", "Ethan", "1428 Elm", "March 3, 2015",
    "Acme", "J.W.", "123-45-6789", "0041-7789-2210", "4111 1111", "555.0143", "jwhit",
    "2023-DR-004512",
]  # fmt: skip
KEPT = ["$1,250.00", "June 1, 2024", "26 U.S.C. § 71", "Springfield"]


def test_it_removes_every_known_detail_and_keeps_the_look_alikes() -> None:
    redacted = apply(TEXT, detect(TEXT, KNOWN))
    for secret in SECRETS:
        assert secret not in redacted
    for kept in KEPT[:3]:
        assert kept in redacted
    assert "[CHILD]" in redacted and "[SSN]" in redacted and "[ADDRESS]" in redacted


def test_it_finds_names_the_case_does_not_know_and_their_later_mentions() -> None:
    text = "Present: Oluwaseun Adeyemi and Dr. Lindqvist. Later ADEYEMI said Oluwaseun's view."
    redacted = apply(text, detect(text))
    assert "Oluwaseun" not in redacted and "ADEYEMI" not in redacted
    assert "Lindqvist" not in redacted


def test_it_generalises_a_birth_date_to_its_year_and_an_address_to_its_city() -> None:
    redacted = apply(TEXT, detect(TEXT, KNOWN), generalise=True)
    assert "(born 2015)" in redacted
    assert "[ADDRESS, Springfield]" in redacted


def test_a_checksum_names_a_number_but_its_absence_never_keeps_one() -> None:
    assert checksum_label("4111 1111 1111 1111") == "CARD"
    assert checksum_label("GB82 WEST 1234 5698 7654 32") == "ACCOUNT"
    assert checksum_label("046 454 286") == "SSN"
    assert checksum_label("4111 1111 1111 1112") is None
    assert checksum_label("GB83 WEST 1234 5698 7654 32") is None
    text = "reference 4111 1111 1111 1112 total"
    spans = detect(text)
    assert [(text[s.start : s.end], s.label) for s in spans] == [
        ("4111 1111 1111 1112", "OTHER_ID")
    ]


def test_it_runs_with_the_network_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the redaction engine tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from caucus.redaction import vocabulary
    from caucus.redaction.engine import analyzer, presidio_default

    # built again here, so that loading the engine and its lists is also done offline
    analyzer.cache_clear()
    vocabulary.given_names.cache_clear()
    vocabulary.surnames.cache_clear()
    vocabulary.places.cache_clear()

    assert detect("write to jwhit@gmail.com", KNOWN)
    assert presidio_default().analyze("write to jwhit@example.org", "en")


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_it_writes_a_copy_in_which_the_removed_text_is_gone(kind: str) -> None:
    redacted = apply(TEXT, detect(TEXT, KNOWN))
    data, _, ext = write(kind, redacted)
    back = extract(data, name=f"copy.{ext}").text
    for secret in SECRETS:
        assert secret not in back
    assert "[CHILD]" in back


def _pdf(text: str) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    if text:
        c.drawString(72, 720, text)
    else:
        c.rect(72, 72, 100, 100, fill=1)
    c.save()
    return out.getvalue()


def test_it_reads_the_text_layer_of_a_pdf_and_a_docx() -> None:
    assert "Whitfield" in extract(_pdf("Jonathan Whitfield"), name="a.pdf").text
    data, _, _ = write("docx", "Jonathan Whitfield")
    assert "Whitfield" in extract(data, name="a.docx").text


def test_it_refuses_encrypted_image_only_corrupt_and_unreadable_files() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf("Jonathan Whitfield"))))
    writer.encrypt("secret")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    broken_zip = io.BytesIO()
    with zipfile.ZipFile(broken_zip, "w") as z:
        z.writestr("word/document.xml", "<not-xml")
    cases = {
        "encrypted_pdf": (encrypted.getvalue(), "a.pdf"),
        "image_only_pdf": (_pdf(""), "a.pdf"),
        "unreadable_pdf": (b"%PDF-1.7 garbage", "a.pdf"),
        "corrupt_docx": (broken_zip.getvalue(), "a.docx"),
        "unsupported_format": (b"\x89PNG", "a.png"),
    }
    for code, (data, name) in cases.items():
        with pytest.raises(FormatError) as err:
            extract(data, name=name)
        assert err.value.code == code


def test_the_cli_writes_the_redacted_copy(tmp_path: Path) -> None:
    import json

    from django.core.management import call_command

    source = tmp_path / "memo.txt"
    source.write_text(TEXT)
    knowledge = tmp_path / "case.json"
    knowledge.write_text(json.dumps({"people": KNOWN.people, "children": KNOWN.children}))
    out = io.StringIO()
    call_command("redact", str(source), "--knowledge", str(knowledge), stdout=out)
    copy = (tmp_path / "memo.redacted.txt").read_text()
    assert "Whitfield" not in copy and "removals" in out.getvalue()
