"""What every page of the web shares, below every view module: the signed-in check, the one
place domain errors become page answers, the form round trip, the case's navigation.

Errors, like the API's (caucus/api/app.py): not visible is the 404 page, a refusal
(forbidden, throttled, a state that forbids the action) is the error page with its message
and status, and a form whose service refused it is re-rendered with the field errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from caucus.accounts.models import User
from caucus.cases.models import Participant
from caucus.kernel.errors import DomainError, Forbidden, NotVisible, Throttled
from caucus.settlement.case_tabs import tab_counts

# Answered by `signed_in` whatever form they came from: not a mistake in the form.
PASSED_THROUGH = (NotVisible, Forbidden, Throttled)
CONTENT = ("active", "closed")


def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotVisible):
        raise Http404() from None
    return render(request, "web/error.html", {"message": exc.detail}, status=exc.status)


View = Callable[..., HttpResponseBase]


def answers_domain_errors(view: View) -> View:
    """The one place a domain error a page let through becomes the page's answer."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return refused(request, exc)

    return wrapper


def signed_in(view: View) -> View:
    """Requires a full (password and, where needed, MFA) session; answers domain errors."""
    answering = answers_domain_errors(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not isinstance(request.user, User):
            return redirect(f"{reverse('web:login')}?next={request.path}")
        return answering(request, *args, **kwargs)

    return wrapper


def viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # `signed_in` sends anyone else to the sign-in page
        raise NotVisible()
    return user


def field_errors(form: forms.Form, exc: DomainError) -> None:
    """The service's field errors on the form's fields (a meeting's attestation fields are
    named `attestation.<field>` by the service); the detail when none names a field."""
    fields: dict[str, list[str]] = exc.extra.get("fields", {})
    for name, messages in fields.items():
        short = name.removeprefix("attestation.")
        target = short if short in form.fields else None
        for message in messages:
            form.add_error(target, message)
    if not fields:
        form.add_error(None, exc.detail)


Rerender = Callable[[DomainError | None, int], HttpResponse]


def submit(
    form: forms.Form,
    call: Callable[[dict[str, Any]], str | HttpResponse],
    rerender: Rerender,
) -> HttpResponse:
    """Validates the form and calls the service with its data; after success, redirects to
    the URL the call gives (or answers its page), else re-renders the form's page with the
    form's errors (400, or the refusal's status)."""
    error: DomainError | None = None
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, PASSED_THROUGH):
                raise
            field_errors(form, exc)
            error = exc
        else:
            return redirect(result) if isinstance(result, str) else result
    return rerender(error, error.status if error is not None else 400)


def case_nav(me: Participant, current: str = "case") -> dict[str, Any]:
    """Links to the case's pages, with what waits for the viewer's answer."""
    counts = tab_counts(me)
    return {
        "case_id": me.case_id,
        "current": current,
        "content": me.case.status in CONTENT,
        "pending_disclosures": counts.disclosures,
        "pending_consents": counts.consents,
        "counts": counts,
    }


def long_text(
    label: str | None,
    max_length: int,
    *,
    rows: int = 3,
    help_text: str = "",
    required: bool = True,
) -> forms.CharField:
    """A text area of a form, limited by the constant the service and the API schema read."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        required=required,
    )


def checkbox(label: str) -> forms.BooleanField:
    """A statement the person ticks or leaves; unticked is an answer too (False)."""
    return forms.BooleanField(required=False, label=label)
