"""AES-256-GCM over one case's data key, with the row and field bound as associated data,
so a ciphertext copied to another row, field or case fails to decrypt."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FIELD_VERSION = b"\x01"
NONCE_BYTES = 12


class TamperedCiphertext(Exception):
    """A ciphertext failed authentication: altered, truncated or moved from elsewhere."""


def field_aad(case_id: uuid.UUID, table: str, row_id: object, field: str) -> bytes:
    return f"caucus/field/v1|{case_id}|{table}|{row_id}|{field}".encode()


@dataclass(frozen=True)
class CaseCipher:
    case_id: uuid.UUID
    key: bytes

    def seal(self, table: str, row_id: object, field: str, plaintext: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = field_aad(self.case_id, table, row_id, field)
        return FIELD_VERSION + nonce + AESGCM(self.key).encrypt(nonce, plaintext.encode(), aad)

    def open(self, table: str, row_id: object, field: str, sealed: bytes) -> str:
        if sealed[:1] != FIELD_VERSION:
            raise TamperedCiphertext("unknown field version")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        aad = field_aad(self.case_id, table, row_id, field)
        try:
            return AESGCM(self.key).decrypt(nonce, body, aad).decode()
        except InvalidTag:
            raise TamperedCiphertext(f"{table}.{field} of {row_id}") from None
