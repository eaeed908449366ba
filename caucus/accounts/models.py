from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, name: str, password: str | None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), name=name, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who signs in. Mediators belong to a practice; everyone else reaches cases
    only through a Participant row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True, max_length=254)
    name = models.CharField(max_length=200)
    practice = models.ForeignKey(
        "cases.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="mediators"
    )
    is_active = models.BooleanField(default=True)
    # Whether the API asks this account for a TOTP code. Mediators made with --no-mfa for
    # scripted use have it off; the practice policy still demands MFA on web logins.
    mfa_enabled = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)
    # An IANA zone name ("Europe/Madrid"): pages show times in it. Empty until the browser
    # tells it (or the person chooses one); then UTC.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_mediator(self) -> bool:
        return self.practice_id is not None


def hash_secret(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so one SHA-256 is enough: there is nothing to
    # brute-force that a slow hash would protect, and lookups stay one indexed query.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.id)


class PasswordReset(models.Model):
    """A password-reset link: only its hash is stored, so a database copy opens no account.
    Single-use and short-lived; a new password spends every open link of the account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.id)


class WebSession(models.Model):
    """A browser signed in to the account, so its owner can list and end it. The session's
    key is already the session table's primary key; only when it began is added here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)
