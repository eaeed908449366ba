"""Practices (the tenants: cases and purge certificates belong to one) and the mediators who
work in them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction

from caucus.accounts.models import User
from caucus.accounts.services import (
    Enrollment,
    check_password_strength,
    enrol_authenticator,
    normalize_email,
)
from caucus.audit.chain import record
from caucus.cases.models import Practice
from caucus.kernel.errors import Invalid

PRACTICE_NAME_MAX = 200
FIRST_PRACTICE_NAME = "Caucus practice"


def practice_named(name_or_id: str) -> Practice:
    """An existing practice, by id or by its exact name (refused when two share it)."""
    wanted = name_or_id.strip()
    try:
        found = list(Practice.objects.filter(pk=uuid.UUID(wanted)))
    except ValueError:
        found = list(Practice.objects.filter(name=wanted)[:2])
    if len(found) != 1:
        problem = "No practice has this name or id." if not found else "Several have this name."
        raise Invalid({"practice": [problem + " Give a practice's id."]})
    return found[0]


def new_practice(name: str) -> Practice:
    name = name.strip()
    if not name or len(name) > PRACTICE_NAME_MAX:
        raise Invalid({"practice": [f"Give the new practice a name of 1 to {PRACTICE_NAME_MAX}."]})
    if Practice.objects.filter(name=name).exists():
        raise Invalid({"practice": ["A practice has this name already."]})
    return Practice.objects.create(name=name)


def _sole_practice() -> Practice:
    """Without a practice named: the installation's only one, made on first use. Practices
    are tenants (cases, purge certificates), so with several none is picked for you."""
    practices = list(Practice.objects.order_by("created_at")[:2])
    if not practices:
        return Practice.objects.create(name=FIRST_PRACTICE_NAME)
    if len(practices) > 1:
        raise Invalid(
            {"practice": ["There are several practices: name one, or ask for a new one."]}
        )
    return practices[0]


def create_mediator(
    *, email: str, name: str, password: str, mfa: bool, practice: Practice | None = None
) -> tuple[User, Enrollment | None]:
    email = normalize_email(email)
    fields: dict[str, list[str]] = {}
    if not email or "@" not in email:
        fields["email"] = ["Enter a valid email address."]
    if not name.strip():
        fields["name"] = ["Enter a name."]
    if fields:
        raise Invalid(fields)
    if not mfa and not settings.CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS:
        raise Invalid(
            {
                "mfa": [
                    "Password-only mediators are off here: set "
                    "CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS=true to allow them."
                ]
            }
        )
    check_password_strength(password, email=email, name=name)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Invalid({"email": ["An account with this email exists."]})
        user = User.objects.create_user(
            email=email,
            name=name.strip(),
            password=password,
            practice=practice or _sole_practice(),
        )
        enrollment = enrol_authenticator(user) if mfa else None
        record(
            "accounts.mediator_created", actor_user_id=None, object_type="user", object_id=user.id
        )
    return user, enrollment
