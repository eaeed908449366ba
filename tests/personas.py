"""The accounts behind the personas of tests/conftest.py, for tests that call services
directly rather than through a client."""

from __future__ import annotations

from caucus.accounts.models import User
from tests.conftest import Persona


def user(persona: Persona) -> User:
    """The persona's account; every persona but anonymous has one."""
    assert persona.user is not None, persona.name
    return persona.user
