"""Password-only mediators (`create-mediator --no-mfa`) and the first-use enrolment on the
web: where MFA is required, a password alone opens nothing the operator did not allow."""

from __future__ import annotations

import secrets
from base64 import b32encode
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from caucus.accounts.models import User
from caucus.accounts.services import new_api_token
from caucus.audit.models import AuditEntry
from caucus.cases.models import Practice
from caucus.cases.practices import create_mediator
from caucus.kernel.errors import Invalid
from tests.accounts.test_otp_throttle import code_for
from tests.conftest import PASSWORD
from tests.security.test_hardening import caucus_env, run_caucus

STRICT = override_settings(CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS=False)
LENIENT = override_settings(CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS=True)


def password_only(email: str, *, mfa_required: bool = True) -> User:
    practice = Practice.objects.create(name=email, mfa_required_for_mediators=mfa_required)
    with LENIENT:
        user, _ = create_mediator(
            email=email, name="Sam Script", password=PASSWORD, mfa=False, practice=practice
        )
    return user


def sign_in_to_code_step(client: Client, email: str) -> None:
    response = client.post("/login", {"email": email, "password": PASSWORD})
    assert response["Location"] == "/login/code"


def token_call(email: str) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        {"email": email, "password": PASSWORD},
        content_type="application/json",
    )


@pytest.mark.django_db
def test_it_refuses_a_token_to_a_password_only_mediator_where_mfa_is_required() -> None:
    user = password_only("script@example.test")
    with STRICT:
        response = token_call(user.email)
    assert response.status_code == 401
    assert response.json()["error"] == "otp_required"


@pytest.mark.django_db
def test_it_refuses_a_bearer_token_of_a_password_only_mediator_where_mfa_is_required() -> None:
    user = password_only("script@example.test")
    raw = new_api_token(user)  # e.g. issued before the operator turned the allowance off
    headers = {"Authorization": f"Bearer {raw}"}
    with STRICT:
        me = Client().get("/api/v1/auth/me", headers=headers)
        cases = Client().get("/api/v1/cases", headers=headers)
    assert me.status_code == cases.status_code == 401
    assert me.json()["error"] == "otp_required"
    with LENIENT:
        assert Client().get("/api/v1/auth/me", headers=headers).status_code == 200


@pytest.mark.django_db
def test_it_lets_a_password_only_mediator_in_where_allowed_or_not_required() -> None:
    allowed = password_only("allowed@example.test")
    relaxed = password_only("relaxed@example.test", mfa_required=False)
    with LENIENT:
        assert token_call(allowed.email).status_code == 200
    with STRICT:
        assert token_call(relaxed.email).status_code == 200


@pytest.mark.django_db
def test_it_makes_no_password_only_mediator_unless_allowed() -> None:
    with STRICT, pytest.raises(Invalid) as refused:
        create_mediator(email="s@example.test", name="S", password=PASSWORD, mfa=False)
    assert "CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS" in str(refused.value.extra["fields"])
    assert not User.objects.filter(email="s@example.test").exists()


def test_it_refuses_create_mediator_no_mfa_in_production(tmp_path: Path) -> None:
    base = {
        "CAUCUS_ENV": "production",
        "CAUCUS_ALLOWED_HOSTS": "caucus.example.org",
        "CAUCUS_SECRET_KEY": secrets.token_urlsafe(64),
    }
    env = caucus_env(tmp_path / "data", **base)
    assert run_caucus(env, "migrate", "--no-input").returncode == 0
    args = ["create-mediator", "--email", "ops@example.test", "--name", "Ops", "--no-mfa"]
    refused = run_caucus(env, *args, stdin=PASSWORD + "\n")
    assert refused.returncode != 0
    assert "CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS" in refused.stderr
    allowed_env = caucus_env(
        tmp_path / "data", CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS="true", **base
    )
    allowed = run_caucus(allowed_env, *args, stdin=PASSWORD + "\n")
    assert allowed.returncode == 0, allowed.stderr
    sloppy_env = caucus_env(
        tmp_path / "data", CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS="maybe", **base
    )
    sloppy = run_caucus(sloppy_env, "check")
    assert sloppy.returncode != 0
    assert "must be a boolean" in sloppy.stderr


@pytest.mark.django_db
def test_it_audits_and_announces_the_first_enrolment_on_the_web() -> None:
    user = password_only("firstuse@example.test")
    owner = Client()
    sign_in_to_code_step(owner, user.email)
    owner.get("/login/code")
    assert AuditEntry.objects.filter(action="auth.mfa_enrollment_started").count() == 1
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    mail.outbox.clear()
    with_code = Client()  # someone else who knows the password never sees this secret
    sign_in_to_code_step(with_code, user.email)
    other_page = with_code.get("/login/code").content.decode()
    assert AuditEntry.objects.filter(action="auth.mfa_enrollment_started").count() == 2
    other = TOTPDevice.objects.get(user=user, confirmed=False)
    assert other.key != device.key
    assert device.key not in other_page

    with TestCase.captureOnCommitCallbacks(execute=True):
        done = with_code.post("/login/code", {"otp": code_for(other)})
    assert done.status_code == 302
    assert AuditEntry.objects.filter(action="auth.mfa_enrolled").count() == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "authenticator" in message.subject
    secret = TOTPDevice.objects.get(user=user, confirmed=True)
    b32 = b32encode(secret.bin_key).decode().rstrip("=")
    assert b32 not in message.body and secret.key not in message.body


@pytest.mark.django_db(transaction=True)
def test_it_gives_no_socket_user_to_a_password_only_mediator_where_mfa_is_required() -> None:
    from asgiref.sync import async_to_sync

    from caucus.meetings.ws_auth import WebSocketAuth

    user = password_only("script@example.test")
    raw = new_api_token(user)
    seen: list[Any] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["user"])

    scope = {"type": "websocket", "headers": [(b"authorization", f"Bearer {raw}".encode())]}
    with STRICT:
        async_to_sync(WebSocketAuth(inner))(scope, None, None)
    with LENIENT:
        async_to_sync(WebSocketAuth(inner))(scope, None, None)
    assert not seen[0].is_authenticated
    assert seen[1].pk == user.pk
