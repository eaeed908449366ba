"""Accounts are where passwords are handled: these tests hash and check them with the hashers
caucus/settings.py declares (Argon2), not the suite's fast stand-in."""

from __future__ import annotations

import pytest

from tests.delivery import sent  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _declared_password_hashing(production_password_hashing: list[str]) -> list[str]:
    return production_password_hashing
