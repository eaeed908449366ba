"""A case's memorandum of understanding through the API: drafted, made ready and signed by
the personas of tests/conftest.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona, World

TERMS = "MEMORANDUM\n1. Ada Party pays Bea Party 1,200 each month.\n2. The car stays with Bea."


def drafted(w: World, text: str = TERMS, **extra: str) -> dict[str, Any]:
    response = w.mediator.client.post(f"cases/{w.case.id}/settlement", {"text": text, **extra})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def ready(w: World, s: dict[str, Any]) -> dict[str, Any]:
    response = w.mediator.client.post(f"settlement/{s['id']}/ready")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def sign(who: Persona, s: dict[str, Any], name: str | None = None) -> Any:
    assert who.user is not None
    return who.client.post(
        f"settlement/{s['id']}/sign",
        {"typed_name": name or who.user.name, "text_sha256": s["text_sha256"]},
    )


def sign_by_everyone(w: World, s: dict[str, Any]) -> None:
    """Both parties and the mediator sign: the memorandum is signed, the case settled."""
    for who in (w.party_a, w.party_b, w.mediator):
        signed = sign(who, s)
        assert signed.status_code == 200, signed.content
