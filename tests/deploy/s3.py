"""moto's standalone S3 server on a free loopback port, spoken to over HTTP with real boto3
calls: the stand-in for AWS S3, MinIO or Ceph's radosgw, none of which installs here."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.processes import free_port, stop

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
REGION = "us-east-1"
# moto takes any credentials; real ones, so that boto3 signs every request as it would.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

needs_moto = pytest.mark.skipif(
    not MOTO_SERVER.exists() and shutil.which("moto_server") is None,
    reason="moto[server] is not installed (requirements/dev.in)",
)


@dataclass
class S3:
    endpoint: str
    bucket: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, key to bytes."""
        client = self.client()
        listed = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {
            item["Key"]: client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
            for item in listed
        }

    def env(self, prefix: str = "vault") -> dict[str, str]:
        """The environment that puts Caucus's blobs in this bucket."""
        return {
            "CAUCUS_S3_BUCKET": self.bucket,
            "CAUCUS_S3_ENDPOINT_URL": self.endpoint,
            "CAUCUS_S3_REGION": REGION,
            "CAUCUS_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "CAUCUS_S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "CAUCUS_S3_PREFIX": prefix,
        }

    def storage_settings(self, prefix: str = "vault") -> dict[str, Any]:
        """settings.STORAGES["vault"] as caucus/settings.py builds it from env()."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "location": prefix,
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        }


@contextmanager
def running_s3(log: Path) -> Iterator[S3]:
    """A moto S3 server with one empty bucket."""
    port = free_port()
    binary = str(MOTO_SERVER) if MOTO_SERVER.exists() else "moto_server"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        s3 = S3(f"http://127.0.0.1:{port}", f"caucus-{secrets.token_hex(4)}")
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited: {log.read_text()[-2000:]}")
            try:
                s3.client().create_bucket(Bucket=s3.bucket)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield s3
    finally:
        stop(process)
