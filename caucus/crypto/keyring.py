"""Data keys per case: create, fetch (unwrapped, cached only within one request or command),
destroy, re-wrap. Content code asks this module for a `CaseCipher`, never for a raw key."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from caucus.crypto import keys
from caucus.crypto.cipher import CaseCipher
from caucus.crypto.models import DataKey

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


def create_case_key(case_id: uuid.UUID) -> CaseCipher:
    dek = keys.new_data_key()
    wrapped, kek_id = keys.wrap(dek, str(case_id))
    DataKey.objects.create(owner_id=case_id, wrapped=wrapped, master_key_id=kek_id)
    cache = _scope.get()
    if cache is not None:
        cache[case_id] = dek
    return CaseCipher(case_id, dek)


def _unwrap_row(row: DataKey) -> bytes:
    if row.wrapped is None or row.destroyed_at is not None:
        raise keys.KeyUnavailable("data key destroyed")
    return keys.unwrap(bytes(row.wrapped), row.master_key_id, str(row.owner_id))


def preload(owner_ids: Iterable[uuid.UUID]) -> None:
    """Unwraps several keys in one query, for lists that span cases."""
    cache = _scope.get()
    if cache is None:
        return
    wanted = [i for i in set(owner_ids) if i not in cache]
    if not wanted:
        return
    for row in DataKey.objects.filter(owner_id__in=wanted, destroyed_at__isnull=True):
        cache[row.owner_id] = _unwrap_row(row)


def cipher_for(owner_id: uuid.UUID) -> CaseCipher:
    cache = _scope.get()
    if cache is not None and owner_id in cache:
        return CaseCipher(owner_id, cache[owner_id])
    if owner_id == SYSTEM_OWNER:
        row, _ = _system_key_row()
    else:
        try:
            row = DataKey.objects.get(owner_id=owner_id)
        except DataKey.DoesNotExist:
            raise keys.KeyUnavailable("no data key") from None
    dek = _unwrap_row(row)
    if cache is not None:
        cache[owner_id] = dek
    return CaseCipher(owner_id, dek)


def _system_key_row() -> tuple[DataKey, bool]:
    existing = DataKey.objects.filter(owner_id=SYSTEM_OWNER).first()
    if existing is not None:
        return existing, False
    dek = keys.new_data_key()
    wrapped, kek_id = keys.wrap(dek, str(SYSTEM_OWNER))
    return DataKey.objects.get_or_create(
        owner_id=SYSTEM_OWNER, defaults={"wrapped": wrapped, "master_key_id": kek_id}
    )


def destroy(owner_id: uuid.UUID) -> None:
    """Crypto-shredding: overwrite the wrapped key. Idempotent."""
    DataKey.objects.filter(owner_id=owner_id).update(wrapped=None, destroyed_at=timezone.now())
    cache = _scope.get()
    if cache is not None:
        cache.pop(owner_id, None)


def rewrap_all() -> int:
    """Re-wraps every live data key under the current master key; content is untouched."""
    current = keys.current_master_key().key_id
    count = 0
    stale = DataKey.objects.filter(destroyed_at__isnull=True).exclude(master_key_id=current)
    for pk in stale.values_list("owner_id", flat=True):
        with transaction.atomic():
            row = DataKey.objects.select_for_update().get(owner_id=pk)
            dek = _unwrap_row(row)
            row.wrapped, row.master_key_id = keys.wrap(dek, str(pk))
            row.save(update_fields=["wrapped", "master_key_id"])
            count += 1
    return count
