"""The demo practice seeded on first `caucus serve`: a mediator and a case in onboarding with
two sides and an attorney, all made through the same services the product uses."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from caucus.cases.models import Practice
from caucus.cases.practices import create_mediator
from caucus.cases.services import accept_invitation, invite, open_case, screen_case
from caucus.crypto.keyring import key_scope

DEMO_PRACTICE = "Demo mediation practice"
MEDIATOR_EMAIL = "mediator@demo.caucus.invalid"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def _password() -> str:
    return secrets.token_urlsafe(12)


def logins_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-logins.txt"


def seed() -> tuple[list[DemoLogin], str] | None:
    """Seeds once. Returns the logins and the mediator's TOTP key, or None if seeded before."""
    if Practice.objects.filter(name=DEMO_PRACTICE).exists():
        return None
    with key_scope():
        practice = Practice.objects.create(name=DEMO_PRACTICE)
        med_pw = _password()
        mediator, enrollment = create_mediator(
            email=MEDIATOR_EMAIL,
            name="Morgan Mediator",
            password=med_pw,
            mfa=True,
            practice=practice,
        )
        assert enrollment is not None  # noqa: S101  (mfa=True always enrols)
        me = open_case(
            mediator, title="Demo: a workplace dispute", kind="workplace", litigated=False
        )
        screen_case(mediator, me.case_id, decision="accept", reason_code=None, private_note=None)
        logins = [DemoLogin("mediator", MEDIATOR_EMAIL, med_pw)]
        people = [
            ("party A", "alex@demo.caucus.invalid", "Alex Party", "party", None),
            ("party B", "blair@demo.caucus.invalid", "Blair Party", "party", None),
        ]
        side_of_a = None
        for role_label, email, name, role, _ in people:
            issued = invite(mediator, me.case_id, email=email, name=name, role=role, side_id=None)
            pw = _password()
            accept_invitation(issued.token, name=name, password=pw, user=None)
            if side_of_a is None:
                side_of_a = issued.invitation.side_id
            logins.append(DemoLogin(role_label, email, pw))
        issued = invite(
            mediator,
            me.case_id,
            email="avery@demo.caucus.invalid",
            name="Avery Attorney",
            role="attorney",
            side_id=side_of_a,
        )
        pw = _password()
        accept_invitation(issued.token, name="Avery Attorney", password=pw, user=None)
        logins.append(DemoLogin("attorney A", "avery@demo.caucus.invalid", pw))
    path = logins_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        for login in logins:
            handle.write(f"{login.role}\t{login.email}\t{login.password}\n")
        handle.write(f"mediator TOTP key\t{enrollment.secret_b32}\n")
    return logins, enrollment.secret_b32
