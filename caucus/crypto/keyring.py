"""Data keys per case: create, fetch (unwrapped, cached only within one request or command),
destroy, re-wrap. Content code asks this module for a `CaseCipher`, never for a raw key.

The wrapped keys live in the key store (`caucus.crypto.keystore`), outside the database, so
that destroying one at purge time also makes every database backup of that case unreadable.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from caucus.crypto import keys, keystore
from caucus.crypto.cipher import CaseCipher

SYSTEM_OWNER = uuid.UUID(int=0)

# Unwrapped keys live only for the scope of one request or command, so a key destroyed by
# a purge in another process is not kept alive in this one's memory.
_scope: ContextVar[dict[uuid.UUID, bytes] | None] = ContextVar("caucus_key_scope", default=None)


@contextlib.contextmanager
def key_scope() -> Iterator[None]:
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def _name(owner_id: uuid.UUID) -> str:
    return f"{owner_id}.dek"


def _store(owner_id: uuid.UUID, dek: bytes) -> None:
    wrapped, kek_id = keys.wrap(dek, str(owner_id))
    keystore.put(_name(owner_id), keystore.StoredKey(wrapped, kek_id, keystore.now_iso()))


def create_case_key(case_id: uuid.UUID) -> CaseCipher:
    dek = keys.new_data_key()
    # Written before the case's transaction commits: if that transaction rolls back, an
    # unused key is left behind, which protects nothing and is harmless.
    _store(case_id, dek)
    cache = _scope.get()
    if cache is not None:
        cache[case_id] = dek
    return CaseCipher(case_id, dek)


def _load(owner_id: uuid.UUID) -> bytes:
    stored = keystore.get(_name(owner_id))
    if stored is None:
        if owner_id == SYSTEM_OWNER:
            return _create_system_key()
        raise keys.KeyUnavailable("no data key")
    return keys.unwrap(stored.wrapped, stored.master_key_id, str(owner_id))


def _create_system_key() -> bytes:
    with keystore.locked():
        stored = keystore.get(_name(SYSTEM_OWNER))
        if stored is not None:
            return keys.unwrap(stored.wrapped, stored.master_key_id, str(SYSTEM_OWNER))
        dek = keys.new_data_key()
        _store(SYSTEM_OWNER, dek)
        return dek


def preload(owner_ids: Iterable[uuid.UUID]) -> None:
    """Unwraps several keys at once, for lists that span cases."""
    cache = _scope.get()
    if cache is None:
        return
    for owner_id in set(owner_ids):
        if owner_id in cache:
            continue
        with contextlib.suppress(keys.KeyUnavailable):
            cache[owner_id] = _load(owner_id)


def cipher_for(owner_id: uuid.UUID) -> CaseCipher:
    cache = _scope.get()
    if cache is not None and owner_id in cache:
        return CaseCipher(owner_id, cache[owner_id])
    dek = _load(owner_id)
    if cache is not None:
        cache[owner_id] = dek
    return CaseCipher(owner_id, dek)


def destroy(owner_id: uuid.UUID) -> None:
    """Crypto-shredding: overwrite and remove the wrapped key. Idempotent."""
    with keystore.locked():
        keystore.destroy(_name(owner_id))
    cache = _scope.get()
    if cache is not None:
        cache.pop(owner_id, None)


def is_destroyed(owner_id: uuid.UUID) -> bool:
    return not keystore.exists(_name(owner_id))


def _signing_name(practice_id: uuid.UUID) -> str:
    return f"{practice_id}.ed25519"


def _signing_aad(practice_id: uuid.UUID) -> str:
    return f"signing/{practice_id}"


def store_signing_key(practice_id: uuid.UUID, private_bytes: bytes) -> None:
    """A practice's raw Ed25519 private key, wrapped by the master key like a data key."""
    wrapped, kek_id = keys.wrap(private_bytes, _signing_aad(practice_id))
    keystore.put(
        _signing_name(practice_id), keystore.StoredKey(wrapped, kek_id, keystore.now_iso())
    )


def signing_key(practice_id: uuid.UUID) -> bytes | None:
    stored = keystore.get(_signing_name(practice_id))
    if stored is None:
        return None
    return keys.unwrap(stored.wrapped, stored.master_key_id, _signing_aad(practice_id))


def rewrap_all() -> int:
    """Re-wraps every live key (data keys and practice signing keys) under the current
    master key; content is untouched."""
    current = keys.current_master_key().key_id
    count = 0
    for suffix, aad in (("dek", str), ("ed25519", lambda i: _signing_aad(uuid.UUID(i)))):
        for name in keystore.names(suffix):
            owner = name.removesuffix(f".{suffix}")
            # Under the lock, so a purge cannot destroy the key between our read and our
            # write (the write would bring it back).
            with keystore.locked():
                stored = keystore.get(name)
                if stored is None or stored.master_key_id == current:
                    continue
                raw = keys.unwrap(stored.wrapped, stored.master_key_id, aad(owner))
                wrapped, kek_id = keys.wrap(raw, aad(owner))
                keystore.put(name, keystore.StoredKey(wrapped, kek_id, stored.created_at))
            count += 1
    return count
