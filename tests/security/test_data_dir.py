from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings


def test_it_keeps_the_data_directory_readable_by_its_owner_only() -> None:
    mode = stat.S_IMODE(Path(settings.DATA_DIR).stat().st_mode)
    assert mode == 0o700
