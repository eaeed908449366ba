"""Sign-in, MFA, API tokens and mediator accounts. The API and the web pages both call these."""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.utils import reset as reset_failures
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from caucus.accounts.live import close_token_connections
from caucus.accounts.models import ApiToken, PasswordReset, User, WebSession, hash_secret
from caucus.accounts.sessions import end_session, live_sessions
from caucus.audit.chain import record
from caucus.kernel.errors import Gone, Invalid, NotVisible, Throttled, Unauthenticated, checked_text

TOKEN_PREFIX = "cau_"  # noqa: S105  (a public prefix, not a secret)
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
# One answer for an unknown email, a wrong password and a disabled account, so that
# the login form and the token endpoint never confirm that an address has an account.
BAD_CREDENTIALS = "The email or password is not right."
OTP_NEEDED = "A current code from your authenticator is needed."
OTP_MISMATCH = "That code did not match. Try the current one."
OTP_ENROL_FIRST = (
    "This account needs an authenticator: sign in on the web once to add one, then send its code."
)
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
    practice = user.practice
    return practice is not None and practice.mfa_required_for_mediators


def password_only_refused(user: User) -> bool:
    """A mediator whose practice requires MFA but who has no second factor (made with
    --no-mfa) may use the API with a password alone only where the operator allows such
    service accounts: otherwise the password is the only lock on every case they mediate."""
    if user.mfa_enabled or settings.CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS:
        return False
    return mfa_needed_for_web(user)


def refuse_password_only(user: User) -> None:
    """For each use of a bearer token: a token issued before the policy changed stops too."""
    if password_only_refused(user):
        raise Unauthenticated("otp_required", OTP_ENROL_FIRST)


def issue_token(
    request: HttpRequest, email: str, password: str, otp: str | None
) -> tuple[str, User]:
    user = check_credentials(request, email, password)
    if user.mfa_enabled:
        verify_otp(request, user, otp)
    elif password_only_refused(user):
        _fail(request, user.email)
        raise Unauthenticated("otp_required", OTP_ENROL_FIRST)
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
        ApiToken.objects.select_related("user__practice")
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


ENROLLED_SUBJECT = "An authenticator was added to your Caucus account"
ENROLLED_BODY = (
    "An authenticator app was just added to your Caucus account: from now on it gives the\n"
    "code you type after your password.\n\n"
    "If you did this, there is nothing to do. If you did not, someone knows your password:\n"
    "tell your practice at once.\n"
)


def start_enrollment(user: User) -> Enrollment:
    """A new unconfirmed TOTP device, replacing any earlier unconfirmed one. Its secret is
    shown to whoever holds the password, so the showing is audited."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        record(
            "auth.mfa_enrollment_started",
            actor_user_id=user.id,
            object_type="user",
            object_id=user.id,
        )
    return Enrollment(device, _b32(device), device.config_url)


def pending_enrollment(user: User, device_id: object) -> Enrollment | None:
    """The enrolment this browser started. Another browser (someone else who knows the
    password) never sees the same secret: it starts its own, which replaces this one."""
    if not isinstance(device_id, int):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()
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
        # To the account's own address, so its owner learns of an enrolment they did not
        # make. No secret and no code: only that it happened.
        address = user.email
        transaction.on_commit(
            lambda: send_mail(ENROLLED_SUBJECT, ENROLLED_BODY, None, [address], fail_silently=True)
        )
    return device


# The longest address RFC 5321 lets through, and a bound on what is hashed as a password.
EMAIL_MAX = 254
PASSWORD_MAX = 1024


def enrol_authenticator(user: User) -> Enrollment:
    """A confirmed authenticator for a new account whose secret is handed over at once
    (`create-mediator`): from now on the account signs in with a TOTP code."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    user.mfa_enabled = True
    user.save(update_fields=["mfa_enabled"])
    return Enrollment(device, _b32(device), device.config_url)


# --- issue 15: password reset, name and password, sessions -------------------------------

RESET_MINUTES = 60
RESETS_PER_ACCOUNT_PER_HOUR = 3
RESET_GONE = "This link was used or has expired. Ask for a new one."
RESET_SUBJECT = "Reset your Caucus password"
RESET_BODY = (
    "Someone asked to reset the password of your Caucus account.\n\n"
    "To choose a new password, open this link within {minutes} minutes:\n{link}\n\n"
    "The link works once. If you did not ask for it, ignore this email: your password\n"
    "stays as it is."
)
CHANGED_SUBJECT = "Your Caucus password was changed"
CHANGED_BODY = (
    "The password of your Caucus account was just changed, and every other place where the\n"
    "account was signed in was signed out.\n\n"
    "If you did this, there is nothing to do. If you did not, tell your mediator at once."
)


def _reset_link(raw: str) -> str:
    # From CAUCUS_SITE_URL, never the request's Host header (see invitation_link).
    return f"{settings.CAUCUS_SITE_URL}{reverse('web:password_reset_confirm', args=[raw])}"


def _throttle_address(request: HttpRequest) -> None:
    """At most CAUCUS_PASSWORD_RESETS_PER_ADDRESS requests an hour from one address, known
    email or not: the answer is the same either way, so this bounds mail sent to strangers
    and probing, not what an attacker learns."""
    address = get_client_ip_address(request) or "unknown"
    bucket = int(timezone.now().timestamp() // 3600)
    key = "pwreset:" + hash_secret(f"{address}|{bucket}")
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > settings.CAUCUS_PASSWORD_RESETS_PER_ADDRESS:
        raise Throttled("throttled", "Too many reset requests. Try again in an hour.")


def request_password_reset(request: HttpRequest, email: str) -> None:
    """Mails a single-use, expiring link to a known, active account. The caller answers the
    same whatever happened here, so that nobody learns whether an address has an account."""
    _throttle_address(request)
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return
    now = timezone.now()
    recent = PasswordReset.objects.filter(user=user, created_at__gt=now - timedelta(hours=1))
    if recent.count() >= RESETS_PER_ACCOUNT_PER_HOUR:
        return  # the owner's mailbox is not flooded; the answer stays the same
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        reset = PasswordReset.objects.create(
            user=user,
            token_hash=hash_secret(raw),
            expires_at=now + timedelta(minutes=RESET_MINUTES),
        )
        record(
            "auth.password_reset_requested",
            actor_user_id=user.id,
            object_type="password_reset",
            object_id=reset.id,
        )
        body = RESET_BODY.format(minutes=RESET_MINUTES, link=_reset_link(raw))
        address = user.email
        transaction.on_commit(
            lambda: send_mail(RESET_SUBJECT, body, None, [address], fail_silently=True)
        )


def find_password_reset(raw: str) -> PasswordReset:
    """The reset a link stands for, if it can still be used: 404 for a link that never was
    (as for an invitation link), 410 for one used or expired."""
    reset = (
        PasswordReset.objects.select_related("user")
        .filter(token_hash=hash_secret(raw), user__is_active=True)
        .first()
    )
    if reset is None:
        raise NotVisible()
    if reset.used_at is not None or reset.expires_at <= timezone.now():
        raise Gone("reset_link_gone", RESET_GONE)
    return reset


def _signed_out_everywhere(
    user: User, keep_session: str | None, keep_token: uuid.UUID | None = None
) -> None:
    """Every API token revoked and every other browser session ended: after a new password
    nothing opened with the old one stays open."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if keep_token is not None:
        tokens = tokens.exclude(pk=keep_token)
    token_ids = list(tokens.values_list("id", flat=True))
    tokens.update(revoked_at=timezone.now())
    close_token_connections(token_ids)
    for session in live_sessions(user):
        if session.session_key != keep_session:
            end_session(session.session_key)


def confirm_password_reset(raw: str, password: str) -> User:
    with transaction.atomic():
        reset = find_password_reset(raw)
        locked = PasswordReset.objects.select_for_update().get(pk=reset.pk)
        if locked.used_at is not None:
            raise Gone("reset_link_gone", RESET_GONE)
        user = reset.user
        check_password_strength(password, email=user.email, name=user.name)
        user.set_password(password)
        user.save(update_fields=["password"])
        PasswordReset.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        _signed_out_everywhere(user, keep_session=None)
        record("auth.password_reset", actor_user_id=user.id, object_type="user", object_id=user.id)
        _mail_changed(user)
    reset_failures(username=user.email)
    return user


def _mail_changed(user: User) -> None:
    address = user.email
    transaction.on_commit(
        lambda: send_mail(CHANGED_SUBJECT, CHANGED_BODY, None, [address], fail_silently=True)
    )


def change_password(
    request: HttpRequest, user: User, *, current: str, new: str, keep_session: str | None
) -> None:
    """The current password proves it is the owner at this browser; the others are signed
    out (they hold the old password's session)."""
    if not user.check_password(current):
        _fail(request, user.email)
        raise Invalid({"current_password": ["That is not your current password."]})
    check_password_strength(new, email=user.email, name=user.name)
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        _signed_out_everywhere(user, keep_session=keep_session)
        record(
            "auth.password_changed", actor_user_id=user.id, object_type="user", object_id=user.id
        )
        _mail_changed(user)


NAME_MAX = 200


def change_name(user: User, name: str) -> User:
    name = checked_text("name", name, NAME_MAX)
    with transaction.atomic():
        user.name = name
        user.save(update_fields=["name"])
        record("auth.name_changed", actor_user_id=user.id, object_type="user", object_id=user.id)
    return user


@dataclass(frozen=True)
class SignedIn:
    """Where an account is signed in: its browser sessions and its API tokens."""

    sessions: list[WebSession]
    tokens: list[ApiToken]


def signed_in_places(user: User) -> SignedIn:
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    return SignedIn(live_sessions(user), list(tokens))


def sign_out_others(
    user: User, keep_session: str | None, keep_token: uuid.UUID | None = None
) -> None:
    """Every other browser and token ends; the caller's own (its session on the web, its
    token on the API) stays."""
    with transaction.atomic():
        _signed_out_everywhere(user, keep_session=keep_session, keep_token=keep_token)
        record("auth.signed_out_others", actor_user_id=user.id, object_type="user")


def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def set_time_zone(user: User, zone: str) -> User:
    """Any IANA zone the server knows; the pages show times in it from the next request."""
    zone = zone.strip()
    if zone not in known_time_zones():
        raise Invalid({"time_zone": ["Choose a time zone from the list."]})
    with transaction.atomic():
        user.time_zone = zone
        user.save(update_fields=["time_zone"])
        record(
            "auth.time_zone_changed", actor_user_id=user.id, object_type="user", object_id=user.id
        )
    return user


# --- issue 15 (f15rest): ending one place where the account is signed in -------------------


def end_signed_in_place(user: User, place_id: uuid.UUID) -> None:
    """Ends one of the caller's own browser sessions or API tokens, named by its row's id
    (never by the session key or the token). Another account's id, or one already ended,
    is not found: the ids of other people's sessions are not confirmed to exist."""
    with transaction.atomic():
        session = WebSession.objects.filter(user=user, pk=place_id).first()
        if session is not None:
            end_session(session.session_key)
            record(
                "auth.session_ended",
                actor_user_id=user.id,
                object_type="session",
                object_id=place_id,
            )
            return
        ended = ApiToken.objects.filter(user=user, pk=place_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not ended:
            raise NotVisible()
        close_token_connections([place_id])
        record("auth.token_revoked", actor_user_id=user.id, object_type="token", object_id=place_id)
