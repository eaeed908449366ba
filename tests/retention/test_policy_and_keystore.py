from __future__ import annotations

import importlib
import stat
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from caucus.cases import services
from caucus.crypto import keystore
from tests.conftest import World


def test_it_shows_the_retention_period_at_onboarding_and_on_the_case_page(world: World) -> None:
    assert world.party_a.user is not None and world.mediator.user is not None
    web = Client()
    web.force_login(world.party_a.user)
    onboarding = web.get(f"/cases/{world.case.id}/onboarding").content.decode()
    assert 'id="retention-policy"' in onboarding
    assert f"{world.practice.retention_days} days after the case closes" in onboarding
    page = web.get(f"/cases/{world.case.id}").content.decode()
    assert f"deleted {world.practice.retention_days} days after the case closes" in page

    case = services.close_case(
        world.mediator.user, world.case.id, outcome="impasse", note_to_parties=None
    )
    assert case.purge_after is not None
    closed = web.get(f"/cases/{world.case.id}").content.decode()
    assert f"will be deleted on {case.purge_after:%-d %B %Y}" in closed


def test_it_writes_key_files_atomically_and_privately(settings: Settings, tmp_path: Path) -> None:
    settings.CAUCUS_KEYSTORE_DIR = tmp_path / "keys"
    name = f"{uuid.uuid4()}.dek"
    keystore.put(name, keystore.StoredKey(b"wrapped", "kek", keystore.now_iso()))
    keystore.put(name, keystore.StoredKey(b"rewrapped", "kek2", keystore.now_iso()))
    stored = keystore.get(name)
    assert stored is not None and stored.wrapped == b"rewrapped"
    assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    # No temp file is left beside it.
    assert [p.name for p in (tmp_path / "keys").iterdir() if p.name != ".lock"] == [name]
    assert keystore.destroy(name) is True
    assert keystore.destroy(name) is False
    assert keystore.get(name) is None


def test_the_migration_moves_wrapped_keys_out_of_the_database(
    settings: Settings, tmp_path: Path
) -> None:
    settings.CAUCUS_KEYSTORE_DIR = tmp_path / "keys"
    migration = importlib.import_module("caucus.crypto.migrations.0002_keys_to_keystore")
    live, shredded = uuid.uuid4(), uuid.uuid4()
    now = timezone.now()
    rows = [
        SimpleNamespace(
            owner_id=live, wrapped=b"wrapped", master_key_id="k", created_at=now, destroyed_at=None
        ),
        SimpleNamespace(
            owner_id=shredded, wrapped=None, master_key_id="k", created_at=now, destroyed_at=now
        ),
    ]

    class Rows:
        def using(self, alias: str) -> Rows:
            return self

        def all(self) -> list[Any]:
            return rows

    historical = SimpleNamespace(get_model=lambda app, name: SimpleNamespace(objects=Rows()))
    editor = SimpleNamespace(connection=SimpleNamespace(alias="default"))
    migration.forward(historical, editor)
    moved = keystore.get(f"{live}.dek")
    assert moved is not None and moved.wrapped == b"wrapped" and moved.master_key_id == "k"
    assert keystore.get(f"{shredded}.dek") is None
