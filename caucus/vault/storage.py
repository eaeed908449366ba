"""Where document blobs live: the `vault` storage of settings.STORAGES (the filesystem under
CAUCUS_DATA_DIR by default, any S3-compatible store through django-storages when
configured). Only ciphertext is ever written here. Blobs are named `<case_id>/<random>`, so
a case's blobs, partial uploads included, are found and deleted by prefix."""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from typing import IO, cast

from django.core.files.storage import FileSystemStorage, Storage, storages


def blob_storage() -> Storage:
    return storages["vault"]


def new_blob_name(case_id: uuid.UUID) -> str:
    return f"{case_id}/{secrets.token_hex(16)}"


def _local_path(storage: Storage, name: str) -> str | None:
    if isinstance(storage, FileSystemStorage):
        return storage.path(name)
    return None


def open_for_write(name: str) -> IO[bytes]:
    storage = blob_storage()
    path = _local_path(storage, name)
    if path is not None:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return os.fdopen(fd, "wb", buffering=0)
    return cast(IO[bytes], storage.open(name, "wb"))


def open_for_read(name: str) -> IO[bytes]:
    storage = blob_storage()
    path = _local_path(storage, name)
    if path is not None:
        return open(path, "rb", buffering=0)
    # Imported here: boto3 costs a filesystem-backed server tens of megabytes.
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    if isinstance(storage, S3Storage):
        # django-storages' S3File would first download the whole object into memory; the
        # object's own body streams, so a download holds one segment at a time.
        key = storage._normalize_name(clean_name(name))
        return cast(IO[bytes], storage.bucket.Object(key).get()["Body"])
    return cast(IO[bytes], storage.open(name, "rb"))


def delete_blob(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        blob_storage().delete(name)


def delete_case_blobs(case_id: uuid.UUID) -> int:
    """Deletes every blob of the case, partial uploads included. Idempotent: a case with
    nothing stored answers 0."""
    storage = blob_storage()
    prefix = str(uuid.UUID(str(case_id)))
    try:
        _, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    count = 0
    for name in files:
        delete_blob(f"{prefix}/{name}")
        count += 1
    path = _local_path(storage, prefix)
    if path is not None:
        with contextlib.suppress(OSError):
            os.rmdir(path)
    return count
