"""The account's own pages (issue 15): forgotten password, name and password, and where the
account is signed in. Each view parses a form and calls one accounts service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caucus.accounts import services as accounts
from caucus.accounts.services import EMAIL_MAX, PASSWORD_MAX
from caucus.kernel.errors import DomainError, Gone, Throttled
from caucus.web.pages import answers_domain_errors, signed_in, submit, viewer
from caucus.web.views import locked_out


class ResetForm(forms.Form):
    email = forms.EmailField(
        max_length=EMAIL_MAX, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


def _new_password(label: str = "New password") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters.",
    )


class NewPasswordForm(forms.Form):
    password = _new_password()


class NameForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=accounts.NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="The name the other participants of your cases see.",
    )


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Pages show dates and times in it. Your browser suggests one.",
        choices=[(z, z.replace("_", " ")) for z in sorted(accounts.known_time_zones())],
    )


class PasswordForm(forms.Form):
    current_password = forms.CharField(
        label="Current password",
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = _new_password()


@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.request_password_reset(request, form.cleaned_data["email"])
        except Throttled:
            return locked_out(request)
        # The same page whether or not the address has an account.
        return render(request, "web/password_reset.html", {"form": None, "sent": True})
    status = 400 if request.method == "POST" else 200
    return render(request, "web/password_reset.html", {"form": form}, status=status)


@answers_domain_errors
@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    accounts.find_password_reset(token)
    form = NewPasswordForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        accounts.confirm_password_reset(token, data["password"])
        return reverse("web:login") + "?reset=done"

    def page(error: DomainError | None, status: int) -> HttpResponse:
        if isinstance(error, Gone):
            raise error
        return render(request, "web/password_reset_confirm.html", {"form": form}, status=status)

    if request.method == "GET":
        return page(None, 200)
    return submit(form, call, page)


def _account_page(
    request: HttpRequest,
    *,
    name_form: NameForm | None = None,
    password_form: PasswordForm | None = None,
    zone_form: TimeZoneForm | None = None,
    status: int = 200,
    done: str = "",
) -> HttpResponse:
    user = viewer(request)
    places = accounts.signed_in_places(user)
    context = {
        "name_form": name_form or NameForm(initial={"name": user.name}),
        "password_form": password_form or PasswordForm(),
        "zone_form": zone_form or TimeZoneForm(initial={"time_zone": user.time_zone or "UTC"}),
        "sessions": places.sessions,
        "tokens": places.tokens,
        "this_session": request.session.session_key,
        "done": done or request.GET.get("done", ""),
    }
    return render(request, "web/account.html", context, status=status)


@signed_in
@require_http_methods(["GET"])
def account_view(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@signed_in
@require_POST
def account_name_view(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        accounts.change_name(viewer(request), data["name"])
        return reverse("web:account") + "?done=name"

    return submit(
        form, call, lambda error, status: _account_page(request, name_form=form, status=status)
    )


@signed_in
@require_POST
def account_password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        user = viewer(request)
        accounts.change_password(
            request,
            user,
            current=data["current_password"],
            new=data["new_password"],
            keep_session=request.session.session_key,
        )
        # This browser stays signed in; the others held the old password's session.
        update_session_auth_hash(request, user)
        return reverse("web:account") + "?done=password"

    return submit(
        form,
        call,
        lambda error, status: _account_page(request, password_form=form, status=status),
    )


@signed_in
@require_POST
def sign_out_others_view(request: HttpRequest) -> HttpResponse:
    accounts.sign_out_others(viewer(request), keep_session=request.session.session_key)
    return _account_page(request, done="sessions")


@signed_in
@require_POST
def time_zone_view(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        accounts.set_time_zone(viewer(request), data["time_zone"])
        return reverse("web:account") + "?done=zone"

    return submit(
        form, call, lambda error, status: _account_page(request, zone_form=form, status=status)
    )
