"""Leaving a mediation: a party's withdrawal, and the mediator's removal of an attorney.
Each is a page that says what will happen, then the one button (a confirmation step that
works without script). The POST calls one service."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caucus.cases import selectors, services
from caucus.cases.access import access_case
from caucus.kernel.errors import DomainError
from caucus.kernel.permissions import Action, allowed_actions
from caucus.web.pages import PASSED_THROUGH, case_nav, signed_in, viewer


def _page(
    request: HttpRequest, case_id: uuid.UUID, error: DomainError | None = None
) -> HttpResponse:
    me = access_case(viewer(request), case_id)
    context = {
        "case": me.case,
        "nav": case_nav(me),
        "can_withdraw": Action.WITHDRAW in allowed_actions(me),
        "error": error,
    }
    return render(request, "web/withdraw.html", context, status=error.status if error else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def withdraw_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _page(request, case_id)
    try:
        services.withdraw(viewer(request), case_id)
    except DomainError as exc:
        if isinstance(exc, PASSED_THROUGH):
            raise
        return _page(request, case_id, exc)
    return redirect(reverse("web:case", args=[case_id]))


def _removal_page(
    request: HttpRequest, participant_id: uuid.UUID, error: DomainError | None = None
) -> HttpResponse:
    attorney, me = selectors.attorney_of_case(viewer(request), participant_id)
    context = {
        "case": me.case,
        "nav": case_nav(me),
        "attorney": attorney,
        "can_remove": Action.REMOVE_ATTORNEY in allowed_actions(me),
        "error": error,
    }
    status = error.status if error else 200
    return render(request, "web/remove_attorney.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def remove_attorney_view(request: HttpRequest, participant_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _removal_page(request, participant_id)
    try:
        removed = services.remove_attorney(viewer(request), participant_id)
    except DomainError as exc:
        if isinstance(exc, PASSED_THROUGH):
            raise
        return _removal_page(request, participant_id, exc)
    return redirect(reverse("web:case", args=[removed.case_id]))
