"""Proof of the purge (issue 8, item 5).

1. A whole case with a known string in every kind of content and in every non-mediator's
   name and email is closed and purged; then every byte under CAUCUS_DATA_DIR (the SQLite
   database and its WAL, the key store, huey's queue, everything), a pg_dump on PostgreSQL,
   and the logs are searched for those strings: zero hits.
2. A backup of the database taken before the purge (and not of the key store), restored
   after it, holds the case's ciphertext and no key: nothing in it can be decrypted.
"""

from __future__ import annotations

import logging
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import override_settings

from caucus.cases.models import Case
from caucus.crypto import keys
from caucus.crypto.fields import Sealed
from caucus.crypto.keyring import cipher_for, key_scope
from caucus.retention.purge import run_purge
from tests.retention.scenario import Scenario, after_purge_after, build_scenario
from tests.security.test_canary import pg_command, raw_database_bytes, variants


def files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def hits(s: Scenario, blob: bytes) -> list[str]:
    return [label for label, text in s.planted.items() if any(v in blob for v in variants(text))]


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_planted_string_anywhere_after_the_purge(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    s = build_scenario()
    # The planters really stored their strings: the raw database has them before the purge
    # as names and emails (clear) and, sealed, the content reads back through the key.
    assert hits(s, raw_database_bytes()), "the scenario planted nothing in the clear"
    with key_scope():
        assert Case.objects.get(pk=s.case_id).title == s.planted["title"]
    assert len(s.planted) >= 20

    report = run_purge(after_purge_after(s.case_id))
    assert report.purged == [s.case_id]
    if connection.vendor == "sqlite":
        assert report.wal_checkpointed is True

    found: dict[str, list[str]] = {}
    for path in files_under(Path(settings.DATA_DIR)):
        labels = hits(s, path.read_bytes())
        if labels:
            found[str(path)] = labels
    if connection.vendor == "postgresql":
        labels = hits(s, raw_database_bytes())
        if labels:
            found["pg_dump"] = labels
    logs = "\n".join(r.getMessage() for r in caplog.records).encode()
    if hits(s, logs):
        found["logs"] = hits(s, logs)
    assert found == {}


@pytest.mark.django_db(transaction=True)
def test_it_deletes_the_mails_of_purged_people_from_the_mailbox(tmp_path: Path) -> None:
    """The embedded mail backend keeps messages as files; a purged person's address must not
    outlive the purge there (nor in the log: the backend never prints)."""
    mail_dir = tmp_path / "mail"
    with override_settings(
        EMAIL_BACKEND="caucus.portal.mailbox.MailboxBackend", EMAIL_FILE_PATH=mail_dir
    ):
        s = build_scenario()
        emails = {label: text for label, text in s.planted.items() if label.endswith("_email")}
        assert emails

        def addressed() -> set[str]:
            found = set()
            for path in files_under(mail_dir):
                blob = path.read_bytes().lower()
                found |= {label for label, email in emails.items() if email.encode() in blob}
            return found

        assert addressed(), "the scenario's notifications are in the mailbox"
        assert stat.S_IMODE(mail_dir.stat().st_mode) == 0o700
        mediator_mail = [
            p for p in files_under(mail_dir) if s.mediator.email.encode() in p.read_bytes()
        ]
        run_purge(after_purge_after(s.case_id))
        assert addressed() == set()
        # The mediator keeps their account, and with it their mail.
        assert all(p.exists() for p in mediator_mail)


@dataclass(frozen=True)
class SealedValue:
    table: str
    row_id: uuid.UUID
    field: str
    sealed: bytes


def sealed_columns() -> Iterator[tuple[type[Any], Sealed]]:
    for model in apps.get_models():
        for attr in vars(model).values():
            if isinstance(attr, Sealed):
                yield model, attr


class Backup:
    """A copy of the database alone (no key store), as an operator's backup would be."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.pg_name = ""

    def take(self) -> None:
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            src = sqlite3.connect(db["NAME"])
            dst = sqlite3.connect(self.where / "backup.sqlite3")
            src.backup(dst)
            src.close()
            dst.close()
        else:
            subprocess.run(
                [
                    *pg_command("pg_dump"),
                    "-Fc",
                    "-f",
                    str(self.where / "backup.dump"),
                    db["NAME"],
                ],
                check=True,
                timeout=120,
            )

    def restore(self) -> None:
        if connection.vendor == "postgresql":
            self.pg_name = f"restored_{uuid.uuid4().hex[:12]}"
            subprocess.run([*pg_command("createdb"), self.pg_name], check=True, timeout=60)
            subprocess.run(
                [
                    *pg_command("pg_restore"),
                    "--no-owner",
                    "-d",
                    self.pg_name,
                    str(self.where / "backup.dump"),
                ],
                check=True,
                timeout=120,
            )

    def drop(self) -> None:
        if self.pg_name:
            subprocess.run([*pg_command("dropdb"), self.pg_name], check=False, timeout=60)

    def query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        if connection.vendor == "sqlite":
            lite = sqlite3.connect(self.where / "backup.sqlite3")
            try:
                return lite.execute(sql, params).fetchall()
            finally:
                lite.close()
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            user=db.get("USER") or "postgres",
            dbname=self.pg_name,
        ) as con:
            return list(con.execute(sql.replace("?", "%s"), params).fetchall())

    def tables(self) -> set[str]:
        if connection.vendor == "sqlite":
            rows = self.query("SELECT name FROM sqlite_master WHERE type='table'", [])
        else:
            rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname='public'", [])
        return {r[0] for r in rows}

    def sealed_values(self, case_id: uuid.UUID) -> list[SealedValue]:
        key = case_id.hex if connection.vendor == "sqlite" else case_id
        found = []
        for model, sealed in sealed_columns():
            table = model._meta.db_table
            if table not in self.tables():
                continue
            owner = model._meta.get_field(sealed.case_attr.removesuffix("_id")).column
            if sealed.case_attr == "id":
                owner = "id"
            rows = self.query(
                f'SELECT id, "{sealed.column}" FROM "{table}" WHERE "{owner}" = ?',  # noqa: S608
                [key],
            )
            for row_id, raw in rows:
                if raw:
                    found.append(
                        SealedValue(table, uuid.UUID(str(row_id)), sealed.name, bytes(raw))
                    )
        return found


@pytest.mark.django_db(transaction=True)
def test_it_leaves_a_pre_purge_backup_undecryptable(tmp_path: Path) -> None:
    s = build_scenario()
    backup = Backup(tmp_path)
    backup.take()
    run_purge(after_purge_after(s.case_id))
    backup.restore()
    try:
        values = backup.sealed_values(s.case_id)
        tables = {v.table for v in values}
        # The backup does hold the case's content, sealed, in every kind of table.
        assert {"cases_case", "cases_invitation", "meetings_item", "meetings_noteversion"} <= tables
        assert len(values) >= 15
        # It holds no key: none of the wrapped keys was ever in the database.
        assert not {t for t in backup.tables() if "key" in t.lower()}
        # And the key store no longer has the case's key: nothing in the backup opens.
        with key_scope(), pytest.raises(keys.KeyUnavailable):
            cipher_for(s.case_id)
        for value in values:
            with pytest.raises(keys.KeyUnavailable):
                cipher_for(s.case_id).open(value.table, value.row_id, value.field, value.sealed)
    finally:
        backup.drop()


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_same_backup_before_the_purge(tmp_path: Path) -> None:
    """The control: without a purge, the backup's ciphertext opens with the key store, so
    the test above fails for the right reason."""
    s = build_scenario()
    backup = Backup(tmp_path)
    backup.take()
    backup.restore()
    try:
        values = backup.sealed_values(s.case_id)
        assert values
        with key_scope():
            opened = {
                cipher_for(s.case_id).open(v.table, v.row_id, v.field, v.sealed) for v in values
            }
        assert s.planted["title"] in opened and s.planted["itemtext"] in opened
    finally:
        backup.drop()
