"""Document blobs on S3-compatible storage (issue 18): moto's standalone S3 server over HTTP,
reached by django-storages and boto3 exactly as AWS S3, MinIO or Ceph would be. The bucket
only ever holds ciphertext."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from caucus.vault import storage
from caucus.vault.models import Document
from caucus.vault.segments import MAGIC
from tests.conftest import World
from tests.deploy.s3 import S3, needs_moto, running_s3
from tests.vault.helpers import body, upload

pytestmark = needs_moto

CANARY = b"canary-s3-plaintext "
# Over 5 MiB, django-storages' part size, so the blob goes up as a multipart upload.
LARGE = CANARY * (6 * 1024 * 1024 // len(CANARY))


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3]:
    with running_s3(tmp_path_factory.mktemp("moto") / "moto.log") as s3:
        yield s3


@pytest.fixture
def s3(s3_server: S3, request: pytest.FixtureRequest) -> Iterator[S3]:
    """The vault's storage pointed at the bucket, under a prefix of this test's own."""
    prefix = f"vault-{hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]}"
    stores = {**settings.STORAGES, "vault": s3_server.storage_settings(prefix)}
    with override_settings(STORAGES=stores):
        yield S3(s3_server.endpoint, s3_server.bucket)


def _key(blob_name: str) -> str:
    """The blob's key in the bucket: the storage's prefix, then the blob's name."""
    prefix: str = storage.blob_storage().location  # type: ignore[attr-defined]
    return f"{prefix}/{blob_name}"


def _case_objects(s3: S3, case_id: object) -> dict[str, bytes]:
    return {key: data for key, data in s3.objects().items() if f"/{case_id}/" in key}


def test_it_stores_only_ciphertext_in_the_bucket_and_streams_it_back(
    active_world: World, s3: S3
) -> None:
    w = active_world
    r = upload(w.party_a, w.case.id, name="statement.txt", data=LARGE, content_type="text/plain")
    assert r.status_code == 201, r.content
    doc = r.json()
    objects = _case_objects(s3, w.case.id)
    row = Document.objects.get(pk=doc["id"])
    assert list(objects) == [_key(row.blob_name)]
    stored = objects[_key(row.blob_name)]
    assert stored.startswith(MAGIC)
    assert len(stored) > len(LARGE)
    assert CANARY.strip() not in stored
    assert b"statement" not in stored

    got = w.party_a.client.get(f"documents/{doc['id']}/content")
    assert got.status_code == 200
    assert body(got) == LARGE
    assert w.party_b.client.get(f"documents/{doc['id']}/content").status_code == 404


def test_it_refuses_a_blob_changed_in_the_bucket(active_world: World, s3: S3) -> None:
    w = active_world
    doc = upload(w.party_a, w.case.id).json()
    row = Document.objects.get(pk=doc["id"])
    key = _key(row.blob_name)
    client = s3.client()
    blob = bytearray(client.get_object(Bucket=s3.bucket, Key=key)["Body"].read())
    blob[-20] ^= 1
    client.put_object(Bucket=s3.bucket, Key=key, Body=bytes(blob))
    got = w.party_a.client.get(f"documents/{doc['id']}/content")
    assert b"canary-pdf-body" not in b"".join(_chunks_until_failure(got))


def _chunks_until_failure(response: object) -> list[bytes]:
    """The body's chunks up to the first segment that fails to authenticate."""
    chunks: list[bytes] = []
    try:
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            chunks.append(bytes(chunk))
    except Exception:  # noqa: S110  (the tampered segment ends the stream)
        pass
    return chunks


def test_it_deletes_every_blob_of_a_case_from_the_bucket(
    active_world: World, s3: S3, tmp_path: Path
) -> None:
    w = active_world
    for name in ("one.pdf", "two.pdf"):
        assert upload(w.party_a, w.case.id, name=name).status_code == 201
    assert len(_case_objects(s3, w.case.id)) == 2
    assert storage.delete_case_blobs(w.case.id) == 2
    assert _case_objects(s3, w.case.id) == {}
    assert storage.delete_case_blobs(w.case.id) == 0
