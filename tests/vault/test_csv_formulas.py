"""CSV injection: a CSV document with a cell a spreadsheet would run is refused with
400 `csv_formula` (and nothing is stored); signed numbers and quoted text stay accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from caucus.vault.formulas import is_formula
from caucus.vault.models import Document
from tests.conftest import World
from tests.vault.helpers import upload
from tests.vault.test_upload_gate import session

pytestmark = pytest.mark.django_db

FORMULAS = {
    "equals": b'name,link\nAda,=HYPERLINK("http://evil.test","x")\n',
    "plus": b"name,cmd\nAda,+cmd|' /C calc'!A0\n",
    "minus": b"name,cmd\nAda,-2+3+cmd|' /C calc'!A0\n",
    "at": b"name,sum\nAda,@SUM(1+1)*cmd|' /C calc'!A0\n",
    "tab": b"name,x\nAda,\t=1+1\n",
    "carriage return": b'name,x\nAda,"\r=1+1"\n',
    "quoted": b'name,x\nAda,"=1+1"\n',
    "leading space": b"name,x\nAda, =1+1\n",
    "first cell": b"=1+1,x\n",
    "semicolons": b"name;x\nAda;=1+1\n",
    "tabs": b"name\tx\nAda\t=1+1\n",
    "fullwidth": "name,x\nAda,\uff1d1+1\n".encode(),
}


def blobs() -> list[Path]:
    root = Path(settings.STORAGES["vault"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("label", sorted(FORMULAS))
def test_it_refuses_a_csv_with_a_formula(active_world: World, label: str) -> None:
    w = active_world
    r = upload(w.party_a, w.case.id, name="budget.csv", data=FORMULAS[label],
               content_type="text/plain")  # fmt: skip
    assert r.status_code == 400, r.content
    assert r.json()["error"] == "csv_formula"
    assert "Row 2" in r.json()["fields"]["file"][0] or label == "first cell"
    assert not Document.objects.exists()
    assert blobs() == []


def test_it_accepts_signed_numbers_and_neutralised_text(active_world: World) -> None:
    w = active_world
    data = (
        b"item,amount,note\nHouse,-1250.00,'=not run\n"
        b'Car,+5,"plain, quoted"\nSavings,-1,250.5e3,ok\n'
    )
    r = upload(w.party_a, w.case.id, name="budget.csv", data=data, content_type="text/plain")
    assert r.status_code == 201, r.content
    # A text file that is not a CSV may say what it likes.
    r = upload(w.party_a, w.case.id, name="notes.txt", data=b"=1+1\n- a list\n",
               content_type="text/plain")  # fmt: skip
    assert r.status_code == 201, r.content


def test_it_shows_the_reason_on_the_documents_page(active_world: World) -> None:
    w = active_world
    client = session(w.party_a)
    page = client.post(
        f"/cases/{w.case.id}/documents",
        {
            "csrfmiddlewaretoken": "A" * 32,
            "audience": "case",
            "file": SimpleUploadedFile("budget.csv", FORMULAS["equals"], "text/plain"),
        },
    )
    assert page.status_code == 400
    assert b"as a formula" in page.content
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("cell", "formula"),
    [("-1250.00", False), ("+5", False), ("-", True), ("-x", True), ("12%", False),
     ("-12%", False), ("@home", True), ("a=b", False), ("", False)],
)  # fmt: skip
def test_it_tells_a_formula_from_a_signed_number(cell: str, formula: bool) -> None:
    assert is_formula(cell) is formula
