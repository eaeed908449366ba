"""Server-rendered pages. Each view parses a form, calls one domain service and renders;
domain errors become the same statuses as on the API (not visible is 404)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec

from django import forms
from django.contrib.auth import login, logout
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from caucus.accounts import services as accounts
from caucus.accounts.models import User
from caucus.cases import onboarding, selectors, services
from caucus.cases.access import access_case, case_participants
from caucus.cases.models import CLOSING_STATEMENTS, DeclineReason, Kind, Outcome, Participant, Role
from caucus.kernel.errors import DomainError, Forbidden, Invalid, NotVisible, Throttled
from caucus.kernel.permissions import Action, allowed_actions, can, can_open_case
from caucus.meetings import selectors as meeting_selectors
from caucus.meetings import services as meeting_services
from caucus.meetings.models import MeetingKind, Mode

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PENDING_LOGIN_SECONDS = 300
P = ParamSpec("P")


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    # Axes answers a lockout for every path; API clients get the API's JSON error.
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "locked_out", "detail": "Too many failed attempts. Try again later."},
            status=429,
        )
    return render(request, "web/locked_out.html", status=429)


def signed_in(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Requires a full (password and, where needed, MFA) session; maps domain errors."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not isinstance(request.user, User):
            return redirect(f"{reverse('web:login')}?next={request.path}")
        try:
            return view(request, *args, **kwargs)
        except NotVisible:
            raise Http404() from None
        except Forbidden as exc:
            return render(request, "web/error.html", {"message": exc.detail}, status=403)
        except Throttled as exc:
            return render(request, "web/error.html", {"message": exc.detail}, status=429)

    return wrapper


def _field_errors(form: forms.Form, exc: DomainError) -> None:
    fields: dict[str, list[str]] = exc.extra.get("fields", {})
    if not fields:
        form.add_error(None, exc.detail)
    for name, messages in fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:cases" if isinstance(request.user, User) else "web:login")


class LoginForm(forms.Form):
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        max_length=1024, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(forms.Form):
    otp = forms.CharField(
        label="Code from your authenticator app",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    # Django's own check: browsers read `/\evil.com` as `//evil.com`, which a prefix test
    # misses. Only paths on this site, never another host or scheme.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts=None, require_https=request.is_secure()
    ):
        return target
    return reverse("web:cases")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.check_credentials(
                request, form.cleaned_data["email"], form.cleaned_data["password"]
            )
        except Throttled:
            return locked_out(request)
        except DomainError as exc:
            form.add_error(None, exc.detail)
            status = 400
        else:
            if accounts.mfa_needed_for_web(user):
                request.session.cycle_key()
                request.session["pending_user"] = str(user.id)
                request.session["pending_until"] = (
                    timezone.now() + timedelta(seconds=PENDING_LOGIN_SECONDS)
                ).isoformat()
                request.session["pending_next"] = _safe_next(request)
                return redirect("web:otp")
            login(request, user, backend=MODEL_BACKEND)
            return HttpResponseRedirect(_safe_next(request))
    elif request.method == "POST":
        status = 400
    return render(
        request, "web/login.html", {"form": form, "next": _safe_next(request)}, status=status
    )


def _pending_user(request: HttpRequest) -> User | None:
    raw_id = request.session.get("pending_user")
    until = request.session.get("pending_until")
    if not raw_id or not until:
        return None
    if datetime.fromisoformat(until) < timezone.now():
        return None
    return User.objects.filter(pk=raw_id, is_active=True).first()


@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("web:login")
    device = accounts.confirmed_device(user)
    enrollment = None
    if device is None:
        enrollment = accounts.pending_enrollment(user, request.session.get("enrolling_device"))
        if enrollment is None:
            enrollment = accounts.start_enrollment(user)
            request.session["enrolling_device"] = enrollment.device.pk
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp"]
        try:
            if device is None:
                device = accounts.confirm_enrollment(request, user, code)
            else:
                accounts.verify_otp(request, user, code)
        except Throttled:
            return locked_out(request)
        except DomainError as exc:
            form.add_error("otp", exc.detail)
            status = 400
        else:
            target = request.session.get("pending_next") or reverse("web:cases")
            login(request, user, backend=MODEL_BACKEND)
            otp_login(request, device)
            return HttpResponseRedirect(target)
    elif request.method == "POST":
        status = 400
    return render(request, "web/otp.html", {"form": form, "enrollment": enrollment}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


class OpenCaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Kind.choices)
    litigated = forms.BooleanField(required=False, label="Litigation is pending")


@signed_in
@require_http_methods(["GET"])
def cases_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (guaranteed by @signed_in)
    page = selectors.my_cases(user, after=None, limit=200)
    rows = [{"case": r.case, "me": r.me} for r in page.rows]
    return render(
        request,
        "web/cases.html",
        {"rows": rows, "can_open": can_open_case(user), "form": OpenCaseForm()},
    )


@signed_in
@require_POST
def open_case_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    form = OpenCaseForm(request.POST)
    if form.is_valid():
        try:
            me = services.open_case(
                user,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                litigated=form.cleaned_data["litigated"],
            )
        except Invalid as exc:
            _field_errors(form, exc)
        else:
            return redirect("web:case", case_id=me.case_id)
    page = selectors.my_cases(user, after=None, limit=200)
    return render(
        request,
        "web/cases.html",
        {
            "rows": [{"case": r.case, "me": r.me} for r in page.rows],
            "can_open": can_open_case(user),
            "form": form,
        },
        status=400,
    )


class InviteForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(
        choices=[(Role.PARTY, "Party (opens a new side)"), (Role.ATTORNEY, "Attorney")]
    )
    side_id = forms.UUIDField(required=False, label="Side (for an attorney)")


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason_code = forms.ChoiceField(
        choices=[("", "—"), *DeclineReason.choices],
        required=False,
        label="Reason shown to the parties (when declining)",
    )
    private_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
        label="Private note (mediators only)",
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (Outcome.SETTLED, "Settled: the parties reached an agreement"),
            (Outcome.IMPASSE, "Impasse: no agreement"),
            (Outcome.PARTY_WITHDREW, "A party withdrew"),
            (Outcome.MEDIATOR_WITHDREW, "I withdraw as mediator"),
        ]
    )
    note_to_parties = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
        label="Note to the parties",
        help_text="Every participant reads it, beside a neutral statement of the outcome.",
    )
    private_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
        label="Your reasons (mediators only)",
        help_text="Never shown to the parties; kept until the case is purged.",
    )


SCHEDULE_IDS = "schedule_%s"  # the invite form on the same page has a side_id too


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(MeetingKind.JOINT, "Joint meeting"), (MeetingKind.CAUCUS, "Caucus (one side)")],
        label="Kind of meeting",
    )
    side_id = forms.UUIDField(
        required=False,
        widget=forms.Select,
        label="Side (for a caucus)",
        help_text="A caucus is private to one side and the mediator.",
    )
    mode = forms.ChoiceField(
        choices=[(Mode.VIRTUAL, "Virtual"), (Mode.IN_PERSON, "In person")], label="Where"
    )
    starts_at = forms.DateTimeField(
        label="Starts at (UTC)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _case_meetings(
    user: User, me: Participant, people: list[Participant]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The meetings the viewer may attend, labelled, and the sides a caucus can be with."""
    party_of: dict[uuid.UUID, str] = {}
    for person in people:
        if person.role == Role.PARTY and person.side_id and person.side_id not in party_of:
            party_of[person.side_id] = person.user.name
    sides = [("", "None (joint meeting)")] + [
        (str(side), f"{name}'s side") for side, name in party_of.items()
    ]
    if Action.READ_RECORD not in allowed_actions(me):
        return [], sides
    try:
        rows, _ = meeting_selectors.meetings(user, me.case_id)
    except DomainError:
        return [], sides  # e.g. agreements not yet signed: no content
    meetings = [
        {
            "m": m,
            "label": f"Caucus with {party_of.get(m.side_id, 'one side')}"
            if m.kind == MeetingKind.CAUCUS and m.side_id is not None
            else "Joint meeting",
        }
        for m in rows
    ]
    return meetings, sides


def _case_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    forms_override: dict[str, forms.Form] | None = None,
    invite_url: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    me = access_case(user, case_id)
    case = me.case
    if status == 200:
        services.record_view(me)
    people = list(case_participants(me))
    sides: dict[uuid.UUID, str] = {}
    for person in people:
        if person.side_id and person.side_id not in sides:
            sides[person.side_id] = f"Side {chr(ord('A') + len(sides))}"
    page_forms: dict[str, forms.Form] = {
        "invite": InviteForm(),
        "screening": ScreeningForm(),
        "close": CloseForm(),
        "schedule": ScheduleForm(auto_id=SCHEDULE_IDS),
    }
    page_forms.update(forms_override or {})
    missing = onboarding.missing(case)
    allowed = allowed_actions(me)
    meetings, side_choices = _case_meetings(user, me, people)
    from caucus.web.exchange_views import case_nav  # it imports this module

    schedule_side = page_forms["schedule"].fields["side_id"]
    schedule_side.widget.choices = side_choices
    return render(
        request,
        "web/case.html",
        {
            "case": case,
            "me": me,
            "people": [
                {"p": p, "side_label": sides.get(p.side_id, "") if p.side_id else ""}
                for p in people
            ],
            "sides": sides,
            "missing": missing,
            "is_mediator": can(me, Action.INVITE),
            "can_screen": Action.SCREEN in allowed,
            "can_close": Action.CLOSE in allowed,
            "can_invite": Action.INVITE in allowed,
            "can_read_record": Action.READ_RECORD in allowed,
            "screening_note": case.screening_note if can(me, Action.READ_SCREENING_NOTE) else "",
            "forms": page_forms,
            "invite_url": invite_url,
            "meetings": meetings,
            "can_schedule": Action.SCHEDULE_MEETING in allowed,
            "nav": case_nav(me),
            "closing_statement": CLOSING_STATEMENTS.get(Outcome(case.outcome))
            if case.outcome
            else "",
            "closing_note": case.closing_note if can(me, Action.CLOSE) and case.outcome else "",
        },
        status=status,
    )


@signed_in
@require_http_methods(["GET"])
def case_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    try:
        return _case_page(request, case_id)
    except NotVisible:
        from caucus.retention.selectors import tombstone_for
        from caucus.web.retention_views import purged_page

        assert isinstance(request.user, User)  # noqa: S101
        stone = tombstone_for(request.user, case_id)
        if stone is None:
            raise
        return purged_page(request, stone)


def _post_form(
    request: HttpRequest,
    case_id: uuid.UUID,
    name: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], str | None],
) -> HttpResponse:
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except (Invalid, DomainError) as exc:
            if isinstance(exc, (NotVisible, Forbidden, Throttled)):
                raise
            _field_errors(form, exc)
        else:
            if result:
                return _case_page(request, case_id, invite_url=result)
            return redirect("web:case", case_id=case_id)
    return _case_page(request, case_id, forms_override={name: form}, status=400)


@signed_in
@require_POST
def invite_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101

    def call(data: dict[str, Any]) -> str:
        issued = services.invite(
            user,
            case_id,
            email=data["email"],
            name=data["name"],
            role=data["role"],
            side_id=data["side_id"],
        )
        return services.invitation_link(issued.token)

    return _post_form(request, case_id, "invite", InviteForm(request.POST), call)


@signed_in
@require_POST
def screening_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101

    def call(data: dict[str, Any]) -> None:
        services.screen_case(
            user,
            case_id,
            decision=data["decision"],
            reason_code=data["reason_code"] or None,
            private_note=data["private_note"] or None,
        )

    return _post_form(request, case_id, "screening", ScreeningForm(request.POST), call)


@signed_in
@require_POST
def close_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101

    def call(data: dict[str, Any]) -> None:
        services.close_case(
            user,
            case_id,
            outcome=data["outcome"],
            note_to_parties=data["note_to_parties"] or None,
            private_note=data["private_note"] or None,
        )

    return _post_form(request, case_id, "close", CloseForm(request.POST), call)


class AcceptForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        required=False,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        max_length=1024,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters.",
    )


@require_http_methods(["GET", "POST"])
def accept_view(request: HttpRequest, token: str) -> HttpResponse:
    current = request.user if isinstance(request.user, User) else None
    try:
        services.find_invitation(token)
    except NotVisible:
        raise Http404() from None
    except DomainError as exc:
        return render(request, "web/error.html", {"message": exc.detail}, status=410)
    form = AcceptForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.accept_invitation(
                token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                user=current,
            )
        except NotVisible:
            raise Http404() from None
        except DomainError as exc:
            if exc.status == 410:
                return render(request, "web/error.html", {"message": exc.detail}, status=410)
            _field_errors(form, exc)
            # 409 when the form was right but the signed-in account may not take this seat.
            status = exc.status
        else:
            if current is None:
                login(request, result.participant.user, backend=MODEL_BACKEND)
            return redirect("web:case", case_id=result.participant.case_id)
    elif request.method == "POST":
        status = 400
    return render(request, "web/accept.html", {"form": form, "current": current}, status=status)


@signed_in
@require_POST
def schedule_meeting_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    form = ScheduleForm(request.POST, auto_id=SCHEDULE_IDS)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_services.schedule_meeting(
                user,
                case_id,
                kind=data["kind"],
                side_id=data["side_id"],
                mode=data["mode"],
                starts_at=data["starts_at"],
            )
        except DomainError as exc:
            if isinstance(exc, (NotVisible, Forbidden, Throttled)):
                raise
            _field_errors(form, exc)
            return _case_page(
                request, case_id, forms_override={"schedule": form}, status=exc.status
            )
        return redirect("web:meeting", meeting_id=meeting.id)
    return _case_page(request, case_id, forms_override={"schedule": form}, status=400)
