"""The memorandum of understanding's page (issue 16): drafting and revising without script,
the versions and the difference between any two, comments by side, ready, and the review
and signature. Each request parses one form and calls one function of caucus.settlement, the
same ones the API calls; errors are answered in caucus.web.pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caucus.accounts.models import User
from caucus.cases.access import access_case, case_participants
from caucus.cases.onboarding_services import TYPED_NAME_MAX
from caucus.kernel.errors import DomainError
from caucus.settlement import selectors, services
from caucus.settlement.models import SettlementStatus
from caucus.settlement.starting_texts import STARTING_TEXTS
from caucus.vault.responses import attachment
from caucus.web.pages import View, case_nav, long_text, signed_in, submit, viewer

COMMENT_AUDIENCES = {
    "own_side": "My side and the mediators",
    "case": "Everyone in the case",
}


class DraftForm(forms.Form):
    template = forms.ChoiceField(
        choices=[("", "No starting text"), *((k, t.label) for k, t in STARTING_TEXTS.items())],
        required=False,
        label="Start from",
    )
    text = long_text(
        "Text",
        services.TEXT_MAX,
        rows=18,
        required=False,
        help_text="Leave it empty to start from the text chosen above.",
    )


class ReviseForm(forms.Form):
    text = long_text(
        "Text",
        services.TEXT_MAX,
        rows=18,
        help_text="Saving makes a new version: signatures of earlier versions are void.",
    )


class CommentForm(forms.Form):
    body = long_text("Your comment", services.COMMENT_MAX, rows=3)
    audience = forms.ChoiceField(choices=list(COMMENT_AUDIENCES.items()), label="Who reads it")


class SignForm(forms.Form):
    consent = forms.BooleanField(
        label="I agree to sign this memorandum electronically, and I have read the version "
        "shown above."
    )
    typed_name = forms.CharField(max_length=TYPED_NAME_MAX, label="Type your full name to sign")
    text_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ReadyForm(forms.Form):
    partial = forms.BooleanField(
        required=False,
        label="It settles part of the dispute (the case's outcome will be partial)",
    )


class RemovalForm(forms.Form):
    passage = long_text(
        "Text to remove",
        services.PASSAGE_MAX,
        rows=2,
        help_text="Copy it from the copy above: it is removed wherever it appears. Your side "
        "and the mediators read your request, never the other side.",
    )


def _compare(request: HttpRequest, numbers: list[int]) -> tuple[int, int | None] | None:
    """The two versions asked for in the query (`version`, `against`), when both exist."""
    try:
        number = int(request.GET.get("version", ""))
        against = int(request.GET.get("against", ""))
    except ValueError:
        return None
    if number not in numbers or against not in numbers or number == against:
        return None
    return number, against


def _page(
    request: HttpRequest,
    case_id: uuid.UUID,
    bound: dict[str, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = viewer(request)
    bound = bound or {}
    me = access_case(user, case_id)
    view = selectors.settlement_of_case(user, case_id)
    context: dict[str, Any] = {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "settlement"),
        "view": view,
        "error": error,
        "outcome": me.case.outcome,
    }
    context["draft_form"] = bound.get("draft") or DraftForm(initial={"template": ""})
    if view is None:
        context["may_draft"] = me.role == "mediator" and me.case.status == "active"
        return render(request, "web/settlement.html", context, status=status)
    s = view.settlement
    names = {p.id: p.user.name for p in case_participants(me)}
    versions = selectors.versions(user, s.id)
    compared = _compare(request, [v.version.number for v in versions])
    comments, _me = selectors.comments(user, s.id)
    comment_form = bound.get("comment") or CommentForm(initial={"audience": "own_side"})
    if me.side_id is None:
        # Someone without a side writes to the mediators or to the case.
        field = comment_form.fields["audience"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [("own_side", "The mediators only"), ("case", COMMENT_AUDIENCES["case"])]
    record = s.public_record
    shown = selectors.public_record(user, s.id) if s.record_shown_at else None
    context.update(
        {
            "may_propose_record": s.status == SettlementStatus.SIGNED
            and me.role == "mediator"
            and me.case.status == "active",
            "record_review": record.id if record and not record.result_document_id else None,
            "record_ready": bool(shown and shown.final and me.role == "mediator"),
            "may_show_record": bool(
                record and record.result_document_id and me.role == "mediator" and not shown
            ),
            "shown_record": shown,
            "may_request_removal": bool(shown and not shown.final and me.side_id is not None),
            "may_finalize_record": bool(shown and not shown.final and me.role == "mediator"),
            "removal_form": bound.get("removal") or RemovalForm(),
            "ready_form": ReadyForm(),
            "may_draft": view.may_draft and s.status != SettlementStatus.SIGNED,
            "may_ready": view.may_draft and s.status == SettlementStatus.DRAFT,
            "may_sign": view.may_sign,
            "signers": [
                {"name": p.user.name, "signed": p.id in view.signed_by} for p in view.signers
            ],
            "revise_form": bound.get("revise") or ReviseForm(initial={"text": view.current.text}),
            "versions": versions,
            "compared": (
                selectors.version(user, s.id, compared[0], against=compared[1])
                if compared
                else None
            ),
            "comments": [
                {
                    "c": c,
                    "author": names.get(c.author_id, ""),
                    "to": "Everyone in the case"
                    if c.audience == "case"
                    else "Your side and the mediators"
                    if c.audience_kind == "side"
                    else "The mediators",
                }
                for c in comments
            ],
            "comment_form": comment_form,
            "sign_form": bound.get("sign")
            or SignForm(initial={"text_sha256": view.current.text_sha256}),
        }
    )
    return render(request, "web/settlement.html", context, status=status)


def _back(case_id: uuid.UUID, anchor: str = "") -> str:
    return reverse("web:settlement", args=[case_id]) + (f"#{anchor}" if anchor else "")


@signed_in
@require_http_methods(["GET", "POST"])
def settlement_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The page; its POST drafts the memorandum (mediators)."""
    if request.method == "GET":
        return _page(request, case_id)

    def call(data: dict[str, Any]) -> str:
        services.draft(viewer(request), case_id, text=data["text"], template=data["template"])
        return _back(case_id, "memorandum")

    return _submit(request, case_id, DraftForm(request.POST), call, "draft")


def _submit(
    request: HttpRequest,
    case_id: uuid.UUID,
    form: forms.Form,
    call: Callable[[dict[str, Any]], str],
    name: str = "",
) -> HttpResponse:
    """Submits a form of the page; a refused one comes back on the page, as it was sent."""
    bound = {name: form} if name else None
    return submit(form, call, lambda error, status: _page(request, case_id, bound, error, status))


def _case_of(request: HttpRequest, settlement_id: uuid.UUID) -> uuid.UUID:
    return selectors.case_of(viewer(request), settlement_id)


@signed_in
@require_POST
def revise_view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    case_id = _case_of(request, settlement_id)

    def call(data: dict[str, Any]) -> str:
        services.revise(viewer(request), settlement_id, text=data["text"])
        return _back(case_id, "memorandum")

    return _submit(request, case_id, ReviseForm(request.POST), call, "revise")


@signed_in
@require_POST
def comment_view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    case_id = _case_of(request, settlement_id)

    def call(data: dict[str, Any]) -> str:
        made = services.comment(
            viewer(request), settlement_id, body=data["body"], audience=data["audience"]
        )
        return _back(case_id, f"comment-{made.id}")

    return _submit(request, case_id, CommentForm(request.POST), call, "comment")


@signed_in
@require_POST
def ready_view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    case_id = _case_of(request, settlement_id)

    def call(data: dict[str, Any]) -> str:
        services.mark_ready(viewer(request), settlement_id, partial=data["partial"])
        return _back(case_id, "sign")

    return _submit(request, case_id, ReadyForm(request.POST), call)


@signed_in
@require_POST
def sign_view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    case_id = _case_of(request, settlement_id)

    def call(data: dict[str, Any]) -> str:
        services.sign(
            viewer(request),
            settlement_id,
            typed_name=data["typed_name"],
            text_sha256=data["text_sha256"],
        )
        return _back(case_id, "sign")

    return _submit(request, case_id, SignForm(request.POST), call, "sign")


def _download(what: str) -> View:
    @signed_in
    @require_GET
    def view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
        found = services.export(viewer(request), settlement_id, what)
        return attachment(found.body, found.content_type, found.filename)

    return view


pdf_view = _download("pdf")
docx_view = _download("docx")
public_record_pdf_view = _download("public-record.pdf")
public_record_docx_view = _download("public-record.docx")


@signed_in
@require_POST
def public_record_view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    """Proposes the public-record redaction and opens its review page (mediators)."""
    case_id = _case_of(request, settlement_id)

    def call(data: dict[str, Any]) -> str:
        made = services.propose_public_record(viewer(request), settlement_id)
        return reverse("web:redaction", args=[made.id])

    return _submit(request, case_id, forms.Form(request.POST), call)


def _record_action(do: Callable[[User, uuid.UUID], object]) -> View:
    """A mediator's button on the public-record copy: it comes back to the copy."""

    @signed_in
    @require_POST
    def view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
        case_id = _case_of(request, settlement_id)

        def call(data: dict[str, Any]) -> str:
            do(viewer(request), settlement_id)
            return _back(case_id, "public-record")

        return _submit(request, case_id, forms.Form(request.POST), call)

    return view


show_public_record_view = _record_action(services.show_public_record)
finalize_public_record_view = _record_action(services.finalize_public_record)


@signed_in
@require_POST
def removal_request_view(request: HttpRequest, settlement_id: uuid.UUID) -> HttpResponse:
    """A party's (or attorney's) request to remove one more passage from the copy."""
    case_id = _case_of(request, settlement_id)

    def call(data: dict[str, Any]) -> str:
        made = services.request_removal(viewer(request), settlement_id, passage=data["passage"])
        return _back(case_id, f"removal-{made.id}")

    return _submit(request, case_id, RemovalForm(request.POST), call, "removal")
