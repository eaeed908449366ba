"""Deletion certificates: built, signed with the practice's Ed25519 key, verified.

The private key is in the key store, wrapped by the master key, like a data key; the public
key is on the Practice row so anyone holding the database can verify, and nobody holding
only the database can sign. A certificate names ids, counts and times: never a title, a
name, an email or any content.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.db import transaction

from caucus.cases.models import Practice
from caucus.crypto import keyring

ALGORITHM = "Ed25519"


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def practice_key(practice_id: uuid.UUID) -> Ed25519PrivateKey:
    """The practice's signing key, made on first use. The public half is (re)written to the
    Practice row whenever it is missing, so a crash between the two writes heals itself."""
    with transaction.atomic():
        practice = Practice.objects.select_for_update().get(pk=practice_id)
        raw = keyring.signing_key(practice_id)
        if raw is None:
            raw = Ed25519PrivateKey.generate().private_bytes(
                Encoding.Raw, PrivateFormat.Raw, NoEncryption()
            )
            keyring.store_signing_key(practice_id, raw)
        key = Ed25519PrivateKey.from_private_bytes(raw)
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if bytes(practice.signing_public_key or b"") != public:
            practice.signing_public_key = public
            practice.save(update_fields=["signing_public_key"])
        return key


def sign(practice_id: uuid.UUID, payload: dict[str, Any]) -> tuple[str, bytes]:
    body = canonical(payload)
    return body, practice_key(practice_id).sign(body.encode())


def document(body: str, signature: bytes) -> dict[str, Any]:
    """The certificate as handed out: the signed payload, the signature, the algorithm."""
    return {
        "certificate": json.loads(body),
        "algorithm": ALGORITHM,
        "signature": base64.b64encode(signature).decode(),
    }


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: str
    case_id: str = ""


def verify_document(doc: dict[str, Any], public_key: bytes | None = None) -> Verification:
    """Checks a certificate against the practice's public key from the database (or the
    one given): a certificate carrying its own key would prove nothing."""
    try:
        payload = doc["certificate"]
        signature = base64.b64decode(doc["signature"], validate=True)
        case_id = str(payload["case_id"])
        practice_id = uuid.UUID(str(payload["practice_id"]))
    except (KeyError, TypeError, ValueError):
        return Verification(False, "not a deletion certificate")
    if doc.get("algorithm") != ALGORITHM:
        return Verification(False, "unknown signature algorithm", case_id)
    if public_key is None:
        practice = Practice.objects.filter(pk=practice_id).first()
        if practice is None or not practice.signing_public_key:
            return Verification(False, "no public key for the practice", case_id)
        public_key = bytes(practice.signing_public_key)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, canonical(payload).encode()
        )
    except (InvalidSignature, ValueError):
        return Verification(False, "signature does not match", case_id)
    return Verification(True, "signature valid", case_id)
