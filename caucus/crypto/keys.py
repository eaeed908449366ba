"""The master key (KEK) and the wrapping of data keys. The only module that touches raw keys."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
WRAP_VERSION = b"\x01"


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes


def _decode(raw: str, source: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{source} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{source} must decode to {KEY_BYTES} bytes")
    return key


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"caucus-kek-id" + key).hexdigest()[:16]


def _load_or_create_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # 0600 from creation: there is no moment at which the key is readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode())
    return path.read_text()


@cache
def master_keys() -> tuple[MasterKey, ...]:
    """The current master key first, then retired ones that may still unwrap."""
    if settings.CAUCUS_MASTER_KEY:
        current = _decode(settings.CAUCUS_MASTER_KEY, "CAUCUS_MASTER_KEY")
    else:
        current = _decode(
            _load_or_create_file(settings.CAUCUS_MASTER_KEY_FILE), "the master key file"
        )
    previous = [
        _decode(raw, "CAUCUS_PREVIOUS_MASTER_KEYS") for raw in settings.CAUCUS_PREVIOUS_MASTER_KEYS
    ]
    return tuple(MasterKey(_key_id(k), k) for k in [current, *previous])


def current_master_key() -> MasterKey:
    return master_keys()[0]


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap(dek: bytes, owner_id: str) -> tuple[bytes, str]:
    kek = current_master_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(kek.key).encrypt(nonce, dek, b"caucus/dek/" + owner_id.encode())
    return WRAP_VERSION + nonce + sealed, kek.key_id


class KeyUnavailable(Exception):
    """The data key is destroyed, or no configured master key can unwrap it."""


def unwrap(wrapped: bytes, master_key_id: str, owner_id: str) -> bytes:
    for kek in master_keys():
        if kek.key_id != master_key_id:
            continue
        if wrapped[:1] != WRAP_VERSION:
            raise KeyUnavailable("unknown wrapping version")
        nonce, sealed = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
        return AESGCM(kek.key).decrypt(nonce, sealed, b"caucus/dek/" + owner_id.encode())
    raise KeyUnavailable("no configured master key matches")
