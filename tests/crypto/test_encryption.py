from __future__ import annotations

import base64
import os
import stat
import uuid
from pathlib import Path

import pytest
from django.test import override_settings

from caucus.cases.models import Case
from caucus.crypto import keys, keystore
from caucus.crypto.cipher import TamperedCiphertext
from caucus.crypto.keyring import SYSTEM_OWNER, cipher_for, create_case_key, destroy, rewrap_all
from tests.conftest import World


def test_it_stores_only_ciphertext_for_a_case_title(world: World) -> None:
    stored = Case.objects.filter(pk=world.case.pk).values_list("title_sealed", flat=True).get()
    assert b"Case of A and B" not in bytes(stored)
    assert Case.objects.get(pk=world.case.pk).title == "Case of A and B"


def test_it_refuses_a_ciphertext_moved_to_another_row(world: World) -> None:
    other = Case.objects.get(pk=world.other_case.pk)
    mine = Case.objects.get(pk=world.case.pk)
    # Same field, other row (and other case key): the bound associated data must not match.
    other.title_sealed = mine.title_sealed
    with pytest.raises(TamperedCiphertext):
        _ = other.title


def test_it_refuses_a_ciphertext_moved_to_another_field(world: World) -> None:
    case = Case.objects.get(pk=world.case.pk)
    case.screening_note_sealed = case.title_sealed
    with pytest.raises(TamperedCiphertext):
        _ = case.screening_note


def test_it_detects_a_flipped_bit(world: World) -> None:
    case = Case.objects.get(pk=world.case.pk)
    sealed = bytearray(bytes(case.title_sealed))
    sealed[-1] ^= 0x01
    case.title_sealed = bytes(sealed)
    with pytest.raises(TamperedCiphertext):
        _ = case.title


def test_it_uses_a_different_key_per_case(db: None) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert create_case_key(a).key != create_case_key(b).key
    stored = {owner: keystore.get(f"{owner}.dek") for owner in (a, b)}
    assert len({s.wrapped for s in stored.values() if s is not None}) == 2
    for owner, key in stored.items():
        assert key is not None
        assert cipher_for(owner).key not in key.wrapped


def test_it_keeps_wrapped_keys_out_of_the_database_in_private_files(world: World) -> None:
    from django.db import connection

    assert "crypto_datakey" not in connection.introspection.table_names()
    path = keystore.directory() / f"{world.case.id}.dek"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keystore.directory().stat().st_mode) == 0o700


def test_it_removes_the_key_file_when_the_key_is_destroyed(world: World) -> None:
    path = keystore.directory() / f"{world.case.id}.dek"
    assert path.exists()
    destroy(world.case.id)
    destroy(world.case.id)
    assert not path.exists()


def test_it_cannot_read_after_the_key_is_destroyed(world: World) -> None:
    case = Case.objects.get(pk=world.case.pk)
    destroy(case.id)
    with pytest.raises(keys.KeyUnavailable):
        _ = Case.objects.get(pk=world.case.pk).title


def test_it_rotates_the_master_key_without_touching_content(world: World, tmp_path: Path) -> None:
    # The rotation runs on a copy of this test's keys: the shared key store of the data
    # directory must stay wrapped under the master key the other tests use.
    import shutil

    store = tmp_path / "keys"
    store.mkdir(mode=0o700)
    cipher_for(SYSTEM_OWNER)
    for owner in (world.case.id, world.other_case.id, SYSTEM_OWNER):
        shutil.copy(keystore.directory() / f"{owner}.dek", store / f"{owner}.dek")
    isolated = override_settings(CAUCUS_KEYSTORE_DIR=store)
    isolated.enable()
    try:
        _rotate(world)
    finally:
        isolated.disable()


def _rotate(world: World) -> None:
    old = keys.current_master_key()
    new_b64 = base64.b64encode(os.urandom(32)).decode()
    before = bytes(Case.objects.get(pk=world.case.pk).title_sealed)
    keys.master_keys.cache_clear()
    try:
        with override_settings(
            CAUCUS_MASTER_KEY=new_b64,
            CAUCUS_PREVIOUS_MASTER_KEYS=[base64.b64encode(old.key).decode()],
        ):
            keys.master_keys.cache_clear()
            assert rewrap_all() >= 2
            assert {
                key.master_key_id
                for name in keystore.names("dek")
                if (key := keystore.get(name)) is not None
            } == {keys.current_master_key().key_id}
            from caucus.crypto.keyring import key_scope

            with key_scope():
                assert Case.objects.get(pk=world.case.pk).title == "Case of A and B"
            assert bytes(Case.objects.get(pk=world.case.pk).title_sealed) == before
        keys.master_keys.cache_clear()
        with override_settings(CAUCUS_MASTER_KEY=new_b64, CAUCUS_PREVIOUS_MASTER_KEYS=[]):
            keys.master_keys.cache_clear()
            from caucus.crypto.keyring import key_scope

            with key_scope():
                assert Case.objects.get(pk=world.case.pk).title == "Case of A and B"
    finally:
        keys.master_keys.cache_clear()


def test_it_creates_the_development_key_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    keys.master_keys.cache_clear()
    try:
        with override_settings(CAUCUS_MASTER_KEY="", CAUCUS_MASTER_KEY_FILE=path):
            key = keys.current_master_key()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert base64.b64decode(path.read_text()) == key.key
    finally:
        keys.master_keys.cache_clear()


def test_it_rejects_a_malformed_master_key() -> None:
    from django.core.exceptions import ImproperlyConfigured

    keys.master_keys.cache_clear()
    try:
        with (
            override_settings(CAUCUS_MASTER_KEY="not base64!"),
            pytest.raises(ImproperlyConfigured),
        ):
            keys.master_keys()
        with (
            override_settings(CAUCUS_MASTER_KEY=base64.b64encode(b"short").decode()),
            pytest.raises(ImproperlyConfigured),
        ):
            keys.master_keys()
    finally:
        keys.master_keys.cache_clear()
