from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import StringConstraints

from caucus.accounts import services as accounts
from caucus.accounts.models import User
from caucus.api.schemas import AcceptIn, AcceptOut, ErrorOut, TokenIn, TokenOut, UserOut
from caucus.api.security import BearerAuth, caller
from caucus.cases import services as cases
from caucus.kernel.errors import Unauthenticated

router = Router(tags=["accounts"])


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Exchange email, password and (when MFA is on) a TOTP code for a bearer token",
)
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    raw, user = accounts.issue_token(request, payload.email, payload.password, payload.otp)
    return TokenOut(token=raw, user=UserOut(id=user.id, email=user.email, name=user.name))


@router.delete(
    "/auth/token", response={204: None}, auth=[BearerAuth()], summary="Revoke this token"
)
def revoke(request: HttpRequest) -> Status[None]:
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    accounts.revoke_token(caller(request), raw)
    return Status(204, None)


@router.get("/auth/me", response=UserOut, summary="The signed-in account")
def me(request: HttpRequest) -> UserOut:
    user = caller(request)
    return UserOut(id=user.id, email=user.email, name=user.name)


def _optional_bearer(request: HttpRequest) -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    user = accounts.user_for_token(raw.strip())
    if user is None:
        raise Unauthenticated("not_authenticated", "That bearer token is not valid.")
    accounts.refuse_password_only(user)
    return user


class ResetIn(Schema):
    email: Annotated[str, StringConstraints(max_length=accounts.EMAIL_MAX)]


class ResetConfirmIn(Schema):
    token: Annotated[str, StringConstraints(max_length=200)]
    password: Annotated[str, StringConstraints(max_length=accounts.PASSWORD_MAX)]


class DoneOut(Schema):
    detail: str


RESET_SENT = "If the address has an account, a link to reset its password is on its way."


@router.post(
    "/auth/password-reset",
    auth=None,
    response={202: DoneOut, 400: ErrorOut, 429: ErrorOut},
    summary="Email a single-use, expiring reset link to a known address (202 whatever the email)",
)
def password_reset(request: HttpRequest, payload: ResetIn) -> Status[DoneOut]:
    accounts.request_password_reset(request, payload.email)
    return Status(202, DoneOut(detail=RESET_SENT))


@router.post(
    "/auth/password-reset/confirm",
    auth=None,
    response={200: DoneOut, 400: ErrorOut, 404: ErrorOut, 410: ErrorOut},
    summary="Set a new password with a reset link's token; every session and token ends",
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> DoneOut:
    accounts.confirm_password_reset(payload.token, payload.password)
    return DoneOut(detail="Your password was changed. Sign in with the new one.")


@router.post(
    "/invitations/accept",
    auth=None,
    response={201: AcceptOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut},
    summary="Accept an invitation: creates the account (or uses the bearer's) and the participant",
)
def accept(request: HttpRequest, payload: AcceptIn) -> Status[AcceptOut]:
    result = cases.accept_invitation(
        payload.token,
        name=payload.name,
        password=payload.password,
        user=_optional_bearer(request),
    )
    p = result.participant
    return Status(201, AcceptOut(token=result.token, participant_id=p.id, case_id=p.case_id))
