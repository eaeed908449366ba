"""Sign-in, MFA, API tokens and mediator accounts. The API and the web pages both call these."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.utils import reset as reset_failures
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from caucus.accounts.live import close_token_connections
from caucus.accounts.models import ApiToken, User, hash_secret
from caucus.audit.chain import record
from caucus.cases.models import Practice
from caucus.kernel.errors import Invalid, Throttled, Unauthenticated

TOKEN_PREFIX = "cau_"  # noqa: S105  (a public prefix, not a secret)
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
# One answer for an unknown email, a wrong password and a disabled account, so that
# the login form and the token endpoint never confirm that an address has an account.
BAD_CREDENTIALS = "The email or password is not right."
OTP_NEEDED = "A current code from your authenticator is needed."
OTP_MISMATCH = "That code did not match. Try the current one."
OTP_THROTTLED = (
    "Too many wrong codes in a row. Wait a few seconds, then type the current code again."
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, *, email: str = "", name: str = "") -> None:
    try:
        validate_password(password, User(email=email, name=name))
    except ValidationError as exc:
        raise Invalid({"password": list(exc.messages)}) from None


def _fail(request: HttpRequest, email: str) -> None:
    user_login_failed.send(sender=__name__, credentials={"email": email}, request=request)


def check_credentials(request: HttpRequest, email: str, password: str) -> User:
    """The password step of any login. Raises Throttled once this account is locked for
    this address, Unauthenticated for anything else that is wrong."""
    email = normalize_email(email)
    if not AxesProxyHandler.is_allowed(request, {"email": email}):
        raise Throttled("locked_out", "Too many failed attempts. Try again later.")
    try:
        user = authenticate(request, email=email, password=password)
    except AxesBackendPermissionDenied:
        raise Throttled("locked_out", "Too many failed attempts. Try again later.") from None
    if not isinstance(user, User):
        if not AxesProxyHandler.is_allowed(request, {"email": email}):
            raise Throttled("locked_out", "Too many failed attempts. Try again later.")
        raise Unauthenticated("invalid_credentials", BAD_CREDENTIALS)
    return user


def succeeded(request: HttpRequest, user: User) -> None:
    """Lockout counts failures in a row: a full sign-in clears them for this account here."""
    reset_failures(ip=get_client_ip_address(request), username=user.email)


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def _code_refused(device: TOTPDevice | None, otp: str | None, detail: str) -> str | None:
    """None when the code is right; otherwise what to tell the person. After a wrong code
    django-otp refuses every code, right or not, for 1, 2, 4... seconds: saying only that
    the code is needed would make a correct code look wrong, so that case says to wait."""
    if device is None or not otp:
        return detail
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return OTP_THROTTLED
    if device.verify_token(otp.strip()):
        return None
    return detail


def verify_otp(request: HttpRequest, user: User, otp: str | None) -> TOTPDevice:
    device = confirmed_device(user)
    refused = _code_refused(device, otp, OTP_NEEDED)
    if refused is not None or device is None:
        _fail(request, user.email)
        if not AxesProxyHandler.is_allowed(request, {"email": user.email}):
            raise Throttled("locked_out", "Too many failed attempts. Try again later.")
        raise Unauthenticated("otp_required", refused or OTP_NEEDED)
    return device


def mfa_needed_for_web(user: User) -> bool:
    if user.mfa_enabled:
        return True
    practice: Practice | None = user.practice
    return practice is not None and practice.mfa_required_for_mediators


def issue_token(
    request: HttpRequest, email: str, password: str, otp: str | None
) -> tuple[str, User]:
    user = check_credentials(request, email, password)
    if user.mfa_enabled:
        verify_otp(request, user, otp)
    succeeded(request, user)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=hash_secret(raw))
        record("auth.token_issued", actor_user_id=user.id, object_type="token", object_id=token.id)
    return raw, user


def user_for_token(raw: str) -> User | None:
    found = token_identity(raw)
    return found[0] if found else None


def token_identity(raw: str) -> tuple[User, uuid.UUID] | None:
    """The user of a live token and the token's id (a socket joins the token's group)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token.id


def token_is_live(token_id: uuid.UUID) -> bool:
    return ApiToken.objects.filter(
        pk=token_id, revoked_at__isnull=True, user__is_active=True
    ).exists()


def revoke_token(user: User, raw: str) -> None:
    with transaction.atomic():
        live = ApiToken.objects.filter(
            user=user, key_hash=hash_secret(raw), revoked_at__isnull=True
        )
        ids = list(live.values_list("id", flat=True))
        updated = live.update(revoked_at=timezone.now())
        if updated:
            record("auth.token_revoked", actor_user_id=user.id, object_type="token")
            close_token_connections(ids)


def new_api_token(user: User) -> str:
    """A token for a session that was just created by another authenticated step."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=hash_secret(raw))
    return raw


@dataclass(frozen=True)
class Enrollment:
    device: TOTPDevice
    secret_b32: str
    uri: str


def _b32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def start_enrollment(user: User) -> Enrollment:
    """A new unconfirmed TOTP device, replacing any earlier unconfirmed one."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return Enrollment(device, _b32(device), device.config_url)


def pending_enrollment(user: User) -> Enrollment | None:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        return None
    return Enrollment(device, _b32(device), device.config_url)


def confirm_enrollment(request: HttpRequest, user: User, otp: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    refused = _code_refused(device, otp, OTP_MISMATCH)
    if refused is not None or device is None:
        _fail(request, user.email)
        raise Unauthenticated("otp_required", refused or OTP_MISMATCH)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        User.objects.filter(pk=user.pk).update(mfa_enabled=True)
        record("auth.mfa_enrolled", actor_user_id=user.id, object_type="user", object_id=user.id)
    return device


def default_practice() -> Practice:
    practice = Practice.objects.order_by("created_at").first()
    if practice is None:
        practice = Practice.objects.create(name="Caucus practice")
    return practice


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
    check_password_strength(password, email=email, name=name)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Invalid({"email": ["An account with this email exists."]})
        user = User.objects.create_user(
            email=email,
            name=name.strip(),
            password=password,
            practice=practice or default_practice(),
        )
        enrollment = None
        if mfa:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            user.mfa_enabled = True
            user.save(update_fields=["mfa_enabled"])
            enrollment = Enrollment(device, _b32(device), device.config_url)
        record(
            "accounts.mediator_created", actor_user_id=None, object_type="user", object_id=user.id
        )
    return user, enrollment
