from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from caucus.accounts.models import ApiToken, User, hash_secret
from caucus.cases.models import Invitation, Participant
from caucus.cases.practices import create_mediator
from tests.conftest import PASSWORD, ApiClient, World
from tests.invitations import invite_party
from tests.security.test_hardening import caucus_env

PRINT_HASHERS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.PASSWORD_HASHERS))"
)


def token_call(email: str, password: str, *, ip: str = "10.0.0.1", otp: str | None = None) -> Any:
    body: dict[str, str] = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return Client().post(
        "/api/v1/auth/token", body, content_type="application/json", REMOTE_ADDR=ip
    )


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_it_issues_a_token_for_the_right_password(world: World) -> None:
    response = token_call("a@example.test", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "a@example.test"
    assert ApiClient(body["token"]).get("auth/me").json()["name"] == "Ada Party"


def test_it_answers_the_same_for_an_unknown_email_and_a_wrong_password(world: World) -> None:
    unknown = token_call("nobody@example.test", "whatever it is")
    wrong = token_call("a@example.test", "whatever it is")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_it_locks_an_account_after_ten_failures_from_one_address(world: World) -> None:
    statuses = [token_call("a@example.test", "wrong", ip="10.9.9.9").status_code for _ in range(11)]
    assert statuses[:9] == [401] * 9
    assert 429 in statuses[9:]
    # Locked even with the right password, from that address.
    assert token_call("a@example.test", PASSWORD, ip="10.9.9.9").status_code == 429


def test_it_keys_the_lockout_on_account_and_address_together(world: World) -> None:
    for _ in range(11):
        token_call("a@example.test", "wrong", ip="10.1.1.1")
    assert token_call("a@example.test", PASSWORD, ip="10.2.2.2").status_code == 200
    assert token_call("b@example.test", PASSWORD, ip="10.1.1.1").status_code == 200


def test_it_counts_failures_in_a_row_only(world: World) -> None:
    for _ in range(6):
        token_call("a@example.test", "wrong", ip="10.3.3.3")
    assert token_call("a@example.test", PASSWORD, ip="10.3.3.3").status_code == 200
    for _ in range(6):
        token_call("a@example.test", "wrong", ip="10.3.3.3")
    assert token_call("a@example.test", PASSWORD, ip="10.3.3.3").status_code == 200


def test_it_stores_tokens_hashed_and_revokes_them(world: World) -> None:
    raw = token_call("a@example.test", PASSWORD).json()["token"]
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert ApiToken.objects.filter(key_hash=hash_secret(raw)).exists()
    client = ApiClient(raw)
    assert client.delete("auth/token").status_code == 204
    assert client.get("cases").status_code == 401


def test_it_stores_passwords_with_argon2(world: World) -> None:
    assert world.party_a.user is not None
    assert User.objects.get(pk=world.party_a.user.pk).password.startswith("argon2$")


def test_it_declares_argon2_first_in_the_production_settings(tmp_path: Path) -> None:
    """The suite hashes with MD5 outside tests/accounts (tests/conftest.py); production's
    own settings, loaded by a process of their own, put Argon2 first and nothing weak."""
    env = caucus_env(
        tmp_path / "data",
        CAUCUS_ENV="production",
        CAUCUS_ALLOWED_HOSTS="caucus.example.org",
        CAUCUS_SECRET_KEY=secrets.token_urlsafe(64),
    )
    shown = subprocess.run(
        [sys.executable, "-c", PRINT_HASHERS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    hashers = json.loads(shown.stdout)
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher", hashers
    assert not [h for h in hashers if "MD5" in h or "SHA1" in h or "Unsalted" in h], hashers


@pytest.fixture
def mfa_mediator(db: None) -> User:
    user, _ = create_mediator(
        email="mfa@example.test", name="Mo Mediator", password=PASSWORD, mfa=True
    )
    return user


def test_it_asks_an_mfa_account_for_its_code(mfa_mediator: User) -> None:
    missing = token_call("mfa@example.test", PASSWORD)
    assert missing.status_code == 401
    assert missing.json()["error"] == "otp_required"
    right = token_call("mfa@example.test", PASSWORD, otp=current_code(mfa_mediator))
    assert right.status_code == 200
    wrong = token_call("mfa@example.test", PASSWORD, otp="000000")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "otp_required"


def test_it_does_not_reveal_mfa_before_the_password_is_right(mfa_mediator: User) -> None:
    response = token_call("mfa@example.test", "not the password")
    assert response.json()["error"] == "invalid_credentials"


def test_it_counts_wrong_codes_towards_the_lockout(mfa_mediator: User) -> None:
    statuses = [
        token_call("mfa@example.test", PASSWORD, otp="000000", ip="10.7.7.7").status_code
        for _ in range(11)
    ]
    assert 429 in statuses


def test_it_makes_the_totp_key_once_for_a_mediator_with_mfa(mfa_mediator: User) -> None:
    device = TOTPDevice.objects.get(user=mfa_mediator)
    assert device.confirmed
    assert len(base64.b32encode(device.bin_key)) >= 32


def test_it_accepts_an_invitation_once(world: World) -> None:
    issued = invite_party(world.mediator.user, world.case.id, "c@example.test", "Cy")
    anon = ApiClient(None)
    body = {"token": issued.token, "name": "Cy Party", "password": PASSWORD}
    first = anon.post("invitations/accept", body)
    assert first.status_code == 201
    assert set(first.json()) == {"token", "participant_id", "case_id"}
    again = anon.post("invitations/accept", {**body, "name": "Someone Else"})
    assert again.status_code == 410
    assert Participant.objects.filter(case=world.case, user__email="c@example.test").count() == 1


def test_it_refuses_an_expired_invitation(world: World) -> None:
    issued = invite_party(world.mediator.user, world.case.id, "d@example.test", "Di")
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = ApiClient(None).post(
        "invitations/accept", {"token": issued.token, "name": "Di", "password": PASSWORD}
    )
    assert response.status_code == 410


def test_it_stores_invitation_tokens_hashed_and_contact_details_sealed(world: World) -> None:
    issued = invite_party(world.mediator.user, world.case.id, "e@example.test", "Eve Secretname")
    row = Invitation.objects.filter(pk=issued.invitation.pk).values().get()
    assert row["token_hash"] == hash_secret(issued.token)
    assert b"Secretname" not in bytes(row["name_sealed"])
    assert b"e@example.test" not in bytes(row["email_sealed"])


def test_it_attaches_an_existing_account_with_a_bearer_token(world: World) -> None:
    issued = invite_party(world.mediator.user, world.case.id, "Already@example.test", "Ex")
    existing = User.objects.create_user(email="already@example.test", name="Al", password=PASSWORD)
    raw = token_call("already@example.test", PASSWORD).json()["token"]
    response = ApiClient(raw).post("invitations/accept", {"token": issued.token})
    assert response.status_code == 201
    assert Participant.objects.get(pk=response.json()["participant_id"]).user_id == existing.id


def test_it_refuses_a_weak_password_on_acceptance(world: World) -> None:
    issued = invite_party(world.mediator.user, world.case.id, "w@example.test", "Wy")
    response = ApiClient(None).post(
        "invitations/accept", {"token": issued.token, "name": "Wy", "password": "12345"}
    )
    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert Invitation.objects.get(pk=issued.invitation.pk).used_at is None
