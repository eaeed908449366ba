"""The documents page of a case (list with audience badges, upload with drag-and-drop and a
progress bar, which works as a plain form without JavaScript) and the download link. Each
request calls caucus.vault; the upload's body is parsed by the vault's own parser."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caucus.cases.models import Participant
from caucus.cases.selectors import People
from caucus.kernel.errors import DomainError
from caucus.vault import selectors, services
from caucus.vault.models import Document
from caucus.vault.responses import download_response
from caucus.vault.upload import upload_context
from caucus.web.pages import PASSED_THROUGH, case_nav, field_errors, signed_in, viewer

ACCEPT = ".pdf,.docx,.txt,.md,.csv,.png,.jpg,.jpeg,.gif,.webp"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="PDF, Word (.docx), text or an image, up to the size limit. It is encrypted "
        "as it arrives.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        required=False,
    )
    audience = forms.ChoiceField(label="Who may see it", choices=[])


def _choices(me: Participant, people: People) -> list[tuple[str, str]]:
    choices = [("mediators", "The mediators only")]
    if me.side_id is not None:
        choices.append(("own_side", "My side and the mediators"))
    elif selectors.may_share_with_any_side(me):
        choices += [
            (f"side:{s}", f"{label} and the mediators") for s, label in people.sides.items()
        ]
    choices.append(("case", "Everyone in the case"))
    return choices


def _badge(doc: Document, people: People) -> tuple[str, str]:
    if doc.audience_kind == "mediators":
        return "Mediators only", "private"
    if doc.audience_kind == "side":
        return f"{people.side(doc.audience_side_id)} only", "private"
    return "Everyone in the case", "shared"


def _page(
    request: HttpRequest,
    case_id: uuid.UUID,
    form: UploadForm | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    rows, me = selectors.documents(viewer(request), case_id)
    people = People(me)
    form = form or UploadForm(initial={"audience": "own_side" if me.side_id else "mediators"})
    audience = form.fields["audience"]
    assert isinstance(audience, forms.ChoiceField)  # noqa: S101
    audience.choices = _choices(me, people)
    context: dict[str, Any] = {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "documents"),
        "documents": [
            {"d": d, "by": people.name(d.uploaded_by_id), "badge": _badge(d, people)} for d in rows
        ],
        "can_upload": selectors.may_upload(me),
        "form": form,
        "error": error,
    }
    return render(request, "web/documents.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def documents_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _page(request, case_id)
    form = UploadForm(data={"audience": request.POST.get("audience", "")})
    # The vault validated the upload, not this form: it only carries the vault's errors.
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    form.cleaned_data = {}
    try:
        actor = services.begin_upload(viewer(request), case_id)
        doc = services.finish_upload(
            actor,
            upload_context(request),
            files_present="file" in request.FILES,
            audience=str(request.POST.get("audience", "")),
        )
    except DomainError as exc:
        if isinstance(exc, PASSED_THROUGH):
            raise
        field_errors(form, exc)
        return _page(request, case_id, form, exc, exc.status)
    return redirect(reverse("web:documents", args=[case_id]) + f"#document-{doc.id}")


@signed_in
@require_GET
def download_view(request: HttpRequest, document_id: uuid.UUID) -> StreamingHttpResponse:
    doc, _, chunks = services.open_document(viewer(request), document_id)
    return download_response(request, doc, chunks)
