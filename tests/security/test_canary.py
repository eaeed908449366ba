"""Hunts for content where it must not be: the raw database (the SQLite file and its WAL, or
a pg_dump on PostgreSQL) and the logs, after known strings went in through the services."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from caucus.accounts.models import User
from caucus.cases import services
from caucus.cases.models import Case, Practice
from caucus.crypto.keyring import key_scope
from tests.conftest import PASSWORD

CANARIES = {
    "title": "CANARY-TITLE-Zanzibar-7f3a",
    "private_note": "CANARY-NOTE-hidden-assets-91b2",
    "invitee_name": "CANARY-NAME-Quillon-55c1",
    "invitee_email": "canary-email-3e8d@example.test",
    "note_to_parties": "CANARY-PARTIES-statement-a0d4",
}


def raw_database_bytes() -> bytes:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"])
        chunks = [path.read_bytes()]
        for suffix in ("-wal", "-shm", "-journal"):
            extra = Path(f"{path}{suffix}")
            if extra.exists():
                chunks.append(extra.read_bytes())
        return b"".join(chunks)
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.fail("pg_dump is needed to scan the PostgreSQL database")
        return subprocess.run(
            [
                pg_dump,
                "--host",
                str(settings.get("HOST") or "127.0.0.1"),
                "--port",
                str(settings.get("PORT") or 5432),
                "--username",
                str(settings.get("USER") or "postgres"),
                "--data-only",
                "--inserts",
                str(settings["NAME"]),
            ],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
    pytest.fail(f"no raw scan for {connection.vendor}")


def variants(text: str) -> list[bytes]:
    return [text.encode(), text.encode("utf-16-le"), text.lower().encode(), text.upper().encode()]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_content_string_out_of_the_raw_database_and_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with key_scope():
        practice = Practice.objects.create(name="Canary practice")
        mediator = User.objects.create_user(
            email="canary-mediator@example.test", name="M", password=PASSWORD, practice=practice
        )
        me = services.open_case(mediator, title=CANARIES["title"], kind="family", litigated=False)
        services.screen_case(
            mediator,
            me.case_id,
            decision="accept",
            reason_code=None,
            private_note=CANARIES["private_note"],
        )
        services.invite(
            mediator,
            me.case_id,
            email=CANARIES["invitee_email"],
            name=CANARIES["invitee_name"],
            role="party",
            side_id=None,
        )
        services.close_case(
            mediator, me.case_id, outcome="impasse", note_to_parties=CANARIES["note_to_parties"]
        )
        # The service path really stored them: they read back through the key.
        case = Case.objects.get(pk=me.case_id)
        assert case.title == CANARIES["title"]
        assert case.screening_note == CANARIES["private_note"]

    raw = raw_database_bytes()
    assert len(raw) > 10_000
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for label, canary in CANARIES.items():
        for form in variants(canary):
            assert form not in raw, f"{label} found in the raw database"
        assert canary.lower() not in logs.lower(), f"{label} found in the logs"
