from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings


@pytest.fixture(autouse=True)
def _vault_dir(tmp_path: Path) -> Iterator[Path]:
    """Each test stores its blobs in a directory of its own, so blob counts are exact."""
    stores = {**settings.STORAGES}
    stores["vault"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "vault")},
    }
    with override_settings(STORAGES=stores):
        yield tmp_path / "vault"
