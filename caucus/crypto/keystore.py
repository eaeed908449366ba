"""The key store: wrapped keys kept outside the database.

Why not in the database: a purge destroys a case's wrapped data key so that every copy of
its content becomes unreadable, backups included (issue 8). While the wrapped keys were rows
of the main database, every database backup taken before a purge still held the wrapped key,
and whoever held that backup and the master key could still read the case. Keys kept here
are backed up separately from the database, and that backup must not outlive the retention
period (README, "Backups"), so a restored database backup has ciphertext and no key.

Layout: one small file per key in `CAUCUS_KEYSTORE_DIR` (default `CAUCUS_DATA_DIR/keys`),
directory mode 0700, files 0600. A file holds the wrapped key, the id of the master key that
wrapped it and its creation time, as JSON. Writes are atomic (temp file, fsync, rename, fsync
of the directory), so a crash leaves either the old or the new file, never half of one.
Destroying a key overwrites the file in place, fsyncs, unlinks it and fsyncs the directory.
On copy-on-write or flash storage the overwrite may not reach the old blocks; the key is
wrapped by the master key in any case, so what could remain is as useless as a backup copy
without the master key.

On several machines the directory must be a volume they all share (README). An advisory
lock (`fcntl.flock` on `.lock`) keeps a re-wrap from writing back a key a purge is destroying.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

_NAME = re.compile(r"^[0-9a-f-]{36}\.(dek|ed25519)$")


@dataclass(frozen=True)
class StoredKey:
    wrapped: bytes
    master_key_id: str
    created_at: str


def directory() -> Path:
    path = Path(settings.CAUCUS_KEYSTORE_DIR)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _path(name: str) -> Path:
    if not _NAME.match(name):
        raise ValueError("not a key store name")
    return directory() / name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked() -> Iterator[None]:
    lock = directory() / ".lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def put(name: str, key: StoredKey) -> None:
    target = _path(name)
    body = json.dumps(
        {
            "v": 1,
            "wrapped": base64.b64encode(key.wrapped).decode(),
            "master_key_id": key.master_key_id,
            "created_at": key.created_at,
        }
    ).encode()
    # mkstemp creates the file 0600, so the key is never readable by others.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def get(name: str) -> StoredKey | None:
    try:
        raw = _path(name).read_bytes()
    except FileNotFoundError:
        return None
    data = json.loads(raw)
    return StoredKey(
        wrapped=base64.b64decode(data["wrapped"]),
        master_key_id=str(data["master_key_id"]),
        created_at=str(data["created_at"]),
    )


def exists(name: str) -> bool:
    return _path(name).exists()


def destroy(name: str) -> bool:
    """Overwrites and removes one key. Returns whether there was a key to destroy."""
    target = _path(name)
    try:
        fd = os.open(target, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        os.write(fd, os.urandom(size))
        os.fsync(fd)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(target)
    _fsync_dir(target.parent)
    return True


def names(suffix: str) -> list[str]:
    return sorted(p.name for p in directory().glob(f"*.{suffix}") if _NAME.match(p.name))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
