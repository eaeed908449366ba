"""Server-rendered pages of accounts and cases. Each view parses a form, calls one domain
service or selector and renders; domain errors are answered in caucus.web.pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from caucus.accounts import services as accounts
from caucus.accounts.models import User
from caucus.accounts.services import EMAIL_MAX, PASSWORD_MAX
from caucus.cases import selectors, services
from caucus.cases.invitation_mail import role_phrase
from caucus.cases.models import DeclineReason, Kind, Outcome, Role
from caucus.disclosures.attention import for_participant
from caucus.kernel.errors import DomainError, Gone, NotVisible, Throttled
from caucus.meetings import selectors as meeting_selectors
from caucus.meetings import services as meeting_services
from caucus.meetings.models import MeetingKind, Mode
from caucus.retention.selectors import tombstone_for
from caucus.web.home_views import shown
from caucus.web.pages import (
    answers_domain_errors,
    case_nav,
    checkbox,
    long_text,
    signed_in,
    submit,
    viewer,
)
from caucus.web.retention_views import purged_page

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PENDING_LOGIN_SECONDS = 300


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


class LoginForm(forms.Form):
    email = forms.EmailField(
        max_length=EMAIL_MAX, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
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
    title = forms.CharField(max_length=services.TITLE_MAX)
    kind = forms.ChoiceField(choices=Kind.choices)
    litigated = checkbox("Litigation is pending")


def _cases_page(request: HttpRequest, form: OpenCaseForm, status: int = 200) -> HttpResponse:
    user = viewer(request)
    page = selectors.my_cases(user, cursor=None, limit=200)
    rows = []
    for r in page.rows:
        waiting = for_participant(r.me)
        tasks = [w for w in waiting if w.kind not in ("upcoming_meeting", "unread_messages")]
        meetings = [w for w in waiting if w.kind == "upcoming_meeting"]
        rows.append(
            {
                "case": r.case,
                "me": r.me,
                "waiting": len(tasks),
                "unread": sum(w.count for w in waiting if w.kind == "unread_messages"),
                "next_meeting": min((w.at for w in meetings), default=None),
            }
        )
    context = {"rows": rows, "can_open": selectors.may_open_cases(user), "form": form}
    return render(request, "web/cases.html", context, status=status)


@signed_in
@require_http_methods(["GET"])
def cases_view(request: HttpRequest) -> HttpResponse:
    return _cases_page(request, OpenCaseForm())


@signed_in
@require_POST
def open_case_view(request: HttpRequest) -> HttpResponse:
    form = OpenCaseForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        me = services.open_case(
            viewer(request), title=data["title"], kind=data["kind"], litigated=data["litigated"]
        )
        return reverse("web:case", args=[me.case_id])

    return submit(form, call, lambda error, status: _cases_page(request, form, status))


class InviteForm(forms.Form):
    name = forms.CharField(max_length=services.NAME_MAX)
    email = forms.EmailField(max_length=EMAIL_MAX)
    role = forms.ChoiceField(
        choices=[(Role.PARTY, "Party (opens a new side)"), (Role.ATTORNEY, "Attorney")]
    )
    side_id = forms.UUIDField(required=False, label="Side (for an attorney)")


def _note_field(label: str, help_text: str = "") -> forms.CharField:
    return long_text(label, services.NOTE_MAX, help_text=help_text, required=False)


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason_code = forms.ChoiceField(
        choices=[("", "—"), *DeclineReason.choices],
        required=False,
        label="Reason shown to the parties (when declining)",
    )
    private_note = _note_field("Private note (mediators only)")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (Outcome.SETTLED, "Settled: the parties reached an agreement"),
            (Outcome.PARTIAL, "Partly settled: an agreement on part of the dispute"),
            (Outcome.IMPASSE, "Impasse: no agreement"),
            (Outcome.PARTY_WITHDREW, "A party withdrew"),
            (Outcome.MEDIATOR_WITHDREW, "I withdraw as mediator"),
        ]
    )
    note_to_parties = _note_field(
        "Note to the parties",
        "Every participant reads it, beside a neutral statement of the outcome.",
    )
    private_note = _note_field(
        "Your reasons (mediators only)",
        "Never shown to the parties; kept until the case is purged.",
    )
    confirm = forms.BooleanField(
        label="I understand that closing the case cannot be undone",
        error_messages={"required": "Tick this box to close the case."},
    )


UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal"})


def zone_label() -> str:
    """The zone a typed time is read in: the viewer's (TimeZoneMiddleware)."""
    name = timezone.get_current_timezone_name()
    return "UTC" if name in UTC_NAMES else name.replace("_", " ")


def in_viewers_zone(form: forms.Form) -> forms.Form:
    form.fields["starts_at"].label = f"Starts at ({zone_label()})"
    return form


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
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=meeting_services.DURATION_MIN,
        max_value=meeting_services.DURATION_MAX,
        initial=60,
        required=False,
        help_text="An hour when left empty.",
    )


class RescheduleForm(forms.Form):
    starts_at = ScheduleForm.base_fields["starts_at"]
    duration_minutes = ScheduleForm.base_fields["duration_minutes"]


def _case_meetings(
    user: User,
    view: selectors.CaseView,
    people: selectors.People,
    moving: tuple[uuid.UUID, forms.Form] | None = None,
) -> list[dict[str, Any]]:
    """The meetings the viewer may attend, labelled."""
    if not view.has_content:
        return []
    try:
        rows, _ = meeting_selectors.meetings(user, view.id)
    except DomainError:
        return []  # e.g. agreements not yet signed: no content
    return [
        {
            "m": m,
            "label": f"Caucus with {people.party(m.side_id) or 'one side'}"
            if m.kind == MeetingKind.CAUCUS and m.side_id is not None
            else "Joint meeting",
            "move": in_viewers_zone(
                moving[1]
                if moving is not None and moving[0] == m.id
                else RescheduleForm(
                    prefix=f"m{m.id.hex[:8]}",
                    initial={"starts_at": m.starts_at, "duration_minutes": m.duration_minutes},
                )
            )
            if view.may_schedule and m.status == "scheduled"
            else None,
        }
        for m in rows
    ]


def _side_letters(people: selectors.People) -> dict[uuid.UUID, str]:
    sides: dict[uuid.UUID, str] = {}
    for person in people.rows:
        if person.side_id and person.side_id not in sides:
            sides[person.side_id] = f"Side {chr(ord('A') + len(sides))}"
    return sides


def _invite_sides(
    people: selectors.People, invitations: list[selectors.InvitationRow]
) -> list[tuple[uuid.UUID, str]]:
    """The sides an attorney may join: each party's, and each side reserved for a party who
    has not accepted yet, so that their attorney can be invited in the same sitting."""
    choices = list(people.sides.items())
    taken = set(people.sides)
    for row in invitations:
        inv = row.invitation
        pending_party = inv.role == Role.PARTY and row.status == "pending"
        if pending_party and inv.side_id is not None and inv.side_id not in taken:
            choices.append((inv.side_id, f"{inv.name}'s side (invited, not yet joined)"))
            taken.add(inv.side_id)
    return choices


def _case_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    forms_override: dict[str, forms.Form] | None = None,
    invite_url: str | None = None,
    invited_email: str | None = None,
    moving: tuple[uuid.UUID, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = viewer(request)
    view, me = selectors.case_for(user, case_id)
    if status == 200:
        services.record_view(me)
    people = selectors.People(me)
    sides = _side_letters(people)
    page_forms: dict[str, forms.Form] = {
        "invite": InviteForm(),
        "screening": ScreeningForm(),
        "schedule": ScheduleForm(auto_id=SCHEDULE_IDS),
        **(forms_override or {}),
    }
    invitations = selectors.invitations(user, case_id) if view.may_list_invitations else []
    in_viewers_zone(page_forms["schedule"])
    schedule_side = page_forms["schedule"].fields["side_id"]
    schedule_side.widget.choices = [("", "None (joint meeting)")] + [
        (str(side), label) for side, label in people.sides.items()
    ]
    context = {
        "case": me.case,
        "view": view,
        "me": me,
        "people": [
            {"p": p, "side_label": sides.get(p.side_id, "") if p.side_id else ""}
            for p in people.rows
        ],
        "sides": sides,
        "invitations": invitations,
        "invite_sides": _invite_sides(people, invitations),
        "missing": view.onboarding.missing,
        "forms": page_forms,
        "invite_url": invite_url,
        "invited_email": invited_email,
        "meetings": _case_meetings(user, view, people, moving),
        "nav": case_nav(me),
        "next_steps": shown(for_participant(me), {me.case_id: me.case}),
    }
    return render(request, "web/case.html", context, status=status)


@signed_in
@require_http_methods(["GET"])
def case_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    try:
        return _case_page(request, case_id)
    except NotVisible:
        stone = tombstone_for(viewer(request), case_id)
        if stone is None:
            raise
        return purged_page(request, stone)


def _post_form(
    request: HttpRequest,
    case_id: uuid.UUID,
    name: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], services.IssuedInvitation | None],
) -> HttpResponse:
    def done(data: dict[str, Any]) -> str | HttpResponse:
        issued = call(data)
        if isinstance(issued, services.IssuedInvitation):
            return _issued_page(request, issued)
        return reverse("web:case", args=[case_id])

    return submit(
        form,
        done,
        lambda error, status: _case_page(
            request, case_id, forms_override={name: form}, status=status
        ),
    )


@signed_in
@require_POST
def invite_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> services.IssuedInvitation:
        return services.invite(
            viewer(request),
            case_id,
            email=data["email"],
            name=data["name"],
            role=data["role"],
            side_id=data["side_id"],
        )

    return _post_form(request, case_id, "invite", InviteForm(request.POST), call)


def _issued_page(request: HttpRequest, issued: services.IssuedInvitation) -> HttpResponse:
    """The case page with the link just emailed, shown once, for the mediator to pass on by
    hand if the email does not arrive."""
    inv = issued.invitation
    return _case_page(
        request,
        inv.case_id,
        invite_url=services.invitation_link(issued.token),
        invited_email=inv.email,
    )


@signed_in
@require_POST
def resend_invitation_view(request: HttpRequest, invitation_id: uuid.UUID) -> HttpResponse:
    return _issued_page(request, services.resend_invitation(viewer(request), invitation_id))


@signed_in
@require_POST
def revoke_invitation_view(request: HttpRequest, invitation_id: uuid.UUID) -> HttpResponse:
    invitation = services.revoke_invitation(viewer(request), invitation_id)
    return redirect(reverse("web:case", args=[invitation.case_id]) + "#invitations")


@signed_in
@require_POST
def screening_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> None:
        services.screen_case(
            viewer(request),
            case_id,
            decision=data["decision"],
            reason_code=data["reason_code"] or None,
            private_note=data["private_note"] or None,
        )

    return _post_form(request, case_id, "screening", ScreeningForm(request.POST), call)


def _close_page(
    request: HttpRequest, case_id: uuid.UUID, form: CloseForm, status: int = 200
) -> HttpResponse:
    """Its own page, away from the overview: closing is irreversible, so the page says what
    will happen before the mediator confirms."""
    me = selectors.closing(viewer(request), case_id)
    if not form.is_bound and me.case.outcome:
        # A signed memorandum has recorded the outcome already; the close keeps it.
        form.initial["outcome"] = me.case.outcome
    context = {
        "case": me.case,
        "form": form,
        "purge_on": timezone.now() + timedelta(days=me.case.practice.retention_days),
        "nav": case_nav(me),
    }
    return render(request, "web/close.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def close_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _close_page(request, case_id, CloseForm())
    form = CloseForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        services.close_case(
            viewer(request),
            case_id,
            outcome=data["outcome"],
            note_to_parties=data["note_to_parties"] or None,
            private_note=data["private_note"] or None,
        )
        return reverse("web:case", args=[case_id])

    return submit(form, call, lambda error, status: _close_page(request, case_id, form, status))


class AcceptForm(forms.Form):
    name = forms.CharField(
        max_length=services.NAME_MAX,
        required=False,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters.",
    )


@answers_domain_errors
@require_http_methods(["GET", "POST"])
def accept_view(request: HttpRequest, token: str) -> HttpResponse:
    current = request.user if isinstance(request.user, User) else None
    offer = services.invitation_offer(token)
    form = AcceptForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        result = services.accept_invitation(
            token, name=data["name"], password=data["password"], user=current
        )
        if current is None:
            login(request, result.participant.user, backend=MODEL_BACKEND)
        return reverse("web:case", args=[result.participant.case_id])

    def page(error: DomainError | None, status: int) -> HttpResponse:
        if isinstance(error, Gone):
            raise error
        # 409 when the form was right but the signed-in account may not take this seat.
        context = {
            "form": form,
            "current": current,
            "offer": offer,
            "role": role_phrase(offer.role),
        }
        return render(request, "web/accept.html", context, status=status)

    if request.method == "GET":
        return page(None, 200)
    return submit(form, call, page)


@signed_in
@require_POST
def schedule_meeting_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    form = ScheduleForm(request.POST, auto_id=SCHEDULE_IDS)

    def call(data: dict[str, Any]) -> str:
        meeting = meeting_services.schedule_meeting(
            viewer(request),
            case_id,
            kind=data["kind"],
            side_id=data["side_id"],
            mode=data["mode"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"] or 60,
        )
        return reverse("web:meeting", args=[meeting.id])

    return submit(
        form,
        call,
        lambda error, status: _case_page(
            request, case_id, forms_override={"schedule": form}, status=status
        ),
    )


def _meeting_case(meeting_id: uuid.UUID, request: HttpRequest) -> uuid.UUID:
    meeting, _ = meeting_selectors.meeting(viewer(request), meeting_id)
    return meeting.case_id


@signed_in
@require_POST
def reschedule_meeting_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    case_id = _meeting_case(meeting_id, request)
    form = RescheduleForm(request.POST, prefix=f"m{meeting_id.hex[:8]}")

    def call(data: dict[str, Any]) -> str:
        meeting_services.reschedule_meeting(
            viewer(request),
            meeting_id,
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
        )
        return reverse("web:case", args=[case_id]) + "#meetings"

    return submit(
        form,
        call,
        lambda error, status: _case_page(
            request, case_id, moving=(meeting_id, form), status=status
        ),
    )


@signed_in
@require_POST
def cancel_meeting_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = meeting_services.cancel_meeting(viewer(request), meeting_id)
    return redirect(reverse("web:case", args=[meeting.case_id]) + "#meetings")
