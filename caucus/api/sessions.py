"""Where the caller's account is signed in (issue 15): its browser sessions and API tokens,
listed and ended through the same accounts services as the `/account` page. A place is
named by its row's opaque id; session keys and tokens never leave the server."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from caucus.accounts import services as accounts
from caucus.api.schemas import ErrorOut
from caucus.api.security import caller, calling_token

router = Router(tags=["accounts"])


class SignedInPlace(Schema):
    id: uuid.UUID
    kind: Literal["browser", "api_token"]
    created_at: datetime
    last_used_at: datetime | None
    current: bool


class SignedInPlaces(Schema):
    items: list[SignedInPlace]
    next: str | None


def _session_key(request: HttpRequest) -> str | None:
    """The browser session this call came with, if it came with one (not a bearer token)."""
    if calling_token(request) is not None:
        return None
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return key if isinstance(key, str) else None


def _places(request: HttpRequest) -> SignedInPlaces:
    places = accounts.signed_in_places(caller(request))
    session_key, token_id = _session_key(request), calling_token(request)
    browsers = [
        SignedInPlace(
            id=s.id,
            kind="browser",
            created_at=s.created_at,
            last_used_at=None,
            current=s.session_key == session_key,
        )
        for s in places.sessions
    ]
    tokens = [
        SignedInPlace(
            id=t.id,
            kind="api_token",
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            current=t.id == token_id,
        )
        for t in places.tokens
    ]
    return SignedInPlaces(items=browsers + tokens, next=None)


@router.get(
    "/me/sessions",
    response={200: SignedInPlaces, 401: ErrorOut},
    summary="The caller's browser sessions and API tokens (ids only, never keys or tokens)",
)
def my_sessions(request: HttpRequest) -> SignedInPlaces:
    return _places(request)


@router.post(
    "/me/sessions/sign-out-others",
    response={200: SignedInPlaces, 401: ErrorOut},
    summary="End every other browser session and API token; the calling one stays",
)
def sign_out_others(request: HttpRequest) -> SignedInPlaces:
    accounts.sign_out_others(
        caller(request), keep_session=_session_key(request), keep_token=calling_token(request)
    )
    return _places(request)


# Declared after `sign-out-others`, which its path pattern would otherwise take.
@router.delete(
    "/me/sessions/{session_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="End one of the caller's browser sessions or API tokens",
)
def end_session(request: HttpRequest, session_id: uuid.UUID) -> Status[None]:
    accounts.end_signed_in_place(caller(request), session_id)
    return Status(204, None)
