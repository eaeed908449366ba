from __future__ import annotations

import base64
import os
import stat
import uuid
from pathlib import Path

import pytest
from django.test import override_settings

from caucus.cases.models import Case
from caucus.crypto import keys
from caucus.crypto.cipher import TamperedCiphertext
from caucus.crypto.keyring import cipher_for, create_case_key, destroy, rewrap_all
from caucus.crypto.models import DataKey
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
    wrapped = {bytes(k.wrapped or b"") for k in DataKey.objects.filter(owner_id__in=[a, b])}
    assert len(wrapped) == 2
    for row in DataKey.objects.filter(owner_id__in=[a, b]):
        assert cipher_for(row.owner_id).key not in bytes(row.wrapped or b"")


def test_it_cannot_read_after_the_key_is_destroyed(world: World) -> None:
    case = Case.objects.get(pk=world.case.pk)
    destroy(case.id)
    with pytest.raises(keys.KeyUnavailable):
        _ = Case.objects.get(pk=world.case.pk).title


def test_it_rotates_the_master_key_without_touching_content(world: World) -> None:
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
            assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {
                keys.current_master_key().key_id
            }
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
