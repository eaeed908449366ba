"""What a new disclosure or consent answers: pending, waiting on exactly its approvers."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona


def expect_pending_on(response: Any, *approvers: Persona) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    assert body["status"] == "pending"
    ids = [str(who.participant.id) for who in approvers if who.participant is not None]
    assert len(ids) == len(approvers)
    assert set(body["approvers"]) == set(ids)
    return body
