"""After a wrong code django-otp refuses every code, even the right one, for 1, 2, 4...
seconds. The answer keeps its code (401 `otp_required` on the API, the code field's error
on the web) but says to wait, so that a right code refused for timing does not look wrong."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from caucus.accounts.models import User
from caucus.cases.models import Practice
from caucus.cases.practices import create_mediator

PASSWORD = "quiet meadow lantern 8812"
WAIT = "Wait a few seconds"


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """The device's current code, or with offset a code it does not accept now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    near: set[int] = set()
    for drift in (-1, 0, 1):
        totp.drift = drift
        near.add(totp.token())
    if offset == 0:
        totp.drift = device.drift
        return f"{totp.token():06d}"
    return next(f"{n:06d}" for n in range(1_000_000) if n not in near)


def wait_out_the_throttle(device: TOTPDevice) -> None:
    """As if the required delay had passed (without sleeping in the test)."""
    device.refresh_from_db()
    assert device.throttling_failure_timestamp is not None
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - timedelta(minutes=5)
    )
    device.refresh_from_db()


def token_call(email: str, otp: str) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        {"email": email, "password": PASSWORD, "otp": otp},
        content_type="application/json",
        REMOTE_ADDR="10.7.7.7",
    )


@pytest.fixture
def mediator(db: None) -> User:
    user, _ = create_mediator(
        email="throttle@example.test", name="Tess Throttle", password=PASSWORD, mfa=True
    )
    return user


def test_it_says_to_wait_when_the_api_refuses_a_right_code_after_a_wrong_one(
    mediator: User,
) -> None:
    device = TOTPDevice.objects.get(user=mediator, confirmed=True)

    wrong = token_call(mediator.email, code_for(device, offset=1))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "otp_required"
    assert WAIT not in wrong.json()["detail"]

    throttled = token_call(mediator.email, code_for(device))
    assert throttled.status_code == 401
    assert throttled.json()["error"] == "otp_required"
    assert WAIT in throttled.json()["detail"]

    wait_out_the_throttle(device)
    assert token_call(mediator.email, code_for(device)).status_code == 200


def sign_in_to_code_step(client: Client, email: str) -> None:
    response = client.post("/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/code"


def test_it_says_to_wait_on_the_web_code_page_when_throttled(mediator: User) -> None:
    device = TOTPDevice.objects.get(user=mediator, confirmed=True)
    client = Client()
    sign_in_to_code_step(client, mediator.email)

    wrong = client.post("/login/code", {"otp": code_for(device, offset=1)})
    assert wrong.status_code == 400
    assert WAIT not in wrong.content.decode()

    throttled = client.post("/login/code", {"otp": code_for(device)})
    assert throttled.status_code == 400
    page = throttled.content.decode()
    assert WAIT in page
    assert 'aria-invalid="true"' in page  # the message is the code field's error
    assert client.get("/cases").status_code == 302  # still not signed in

    wait_out_the_throttle(device)
    done = client.post("/login/code", {"otp": code_for(device)})
    assert done.status_code == 302
    assert client.get("/cases").status_code == 200


def test_it_says_to_wait_when_enrolment_is_throttled(db: None) -> None:
    practice = Practice.objects.create(name="Strict practice", mfa_required_for_mediators=True)
    user, _ = create_mediator(
        email="enrol@example.test",
        name="Enzo Enrol",
        password=PASSWORD,
        mfa=False,
        practice=practice,
    )
    client = Client()
    sign_in_to_code_step(client, user.email)
    assert "Set up your authenticator" in client.get("/login/code").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post("/login/code", {"otp": code_for(device, offset=1)})
    assert wrong.status_code == 400
    assert "That code did not match" in wrong.content.decode()

    throttled = client.post("/login/code", {"otp": code_for(device)})
    assert throttled.status_code == 400
    assert WAIT in throttled.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    wait_out_the_throttle(device)
    assert client.post("/login/code", {"otp": code_for(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert device.throttling_failure_count == 0
