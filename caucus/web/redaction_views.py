"""The mediator's redaction review: start a proposal from a document, see the text with the
proposed removals marked, accept or reject each, add removals (a form, or by selecting text
with a little JavaScript), then make the copy. Each request calls caucus.redaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caucus.kernel.errors import DomainError
from caucus.kernel.permissions import Action, allowed_actions
from caucus.redaction import selectors, services
from caucus.redaction.models import Redaction
from caucus.redaction.spans import LABELS
from caucus.web.pages import PASSED_THROUGH, case_nav, signed_in, viewer

ADD_ROWS = 3


def _segments(r: Redaction) -> list[dict[str, Any]]:
    """The text cut at the proposed spans, each piece with its offset in the text."""
    text, out, pos = r.text, [], 0
    for n, span in enumerate(selectors.spans(r), start=1):
        if span.start < pos:
            continue
        if span.start > pos:
            out.append({"start": pos, "text": text[pos : span.start], "span": None})
        out.append({"start": span.start, "text": text[span.start : span.end], "span": span, "n": n})
        pos = span.end
    if pos < len(text):
        out.append({"start": pos, "text": text[pos:], "span": None})
    return out


def _page(
    request: HttpRequest, redaction_id: uuid.UUID, error: DomainError | None = None
) -> HttpResponse:
    r, me = selectors.redaction(viewer(request), redaction_id)
    spans = selectors.spans(r)
    context = {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "documents"),
        "r": r,
        "document_name": r.document.name,
        "segments": _segments(r),
        "spans": list(enumerate(spans, start=1)),
        "labels": LABELS,
        "add_rows": range(ADD_ROWS),
        "text_length": len(r.text),
        "error": error,
        # The form only where the service would take it: not once the case is closed.
        "can_finalize": Action.REDACT_DOCUMENT in allowed_actions(me),
    }
    return render(request, "web/redaction.html", context, status=error.status if error else 200)


@signed_in
@require_POST
def start_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    r = services.propose_redaction(
        viewer(request), document_id, generalise=request.POST.get("generalise") == "on"
    )
    return redirect(reverse("web:redaction", args=[r.id]))


def _added(request: HttpRequest) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The rows to add: a selection carries its place in hidden fields; typed text, with no
    place, is removed wherever it appears in the document."""
    out: list[dict[str, Any]] = []
    typed: list[dict[str, str]] = []
    for i in range(ADD_ROWS):
        start = request.POST.get(f"add-{i}-start", "").strip()
        end = request.POST.get(f"add-{i}-end", "").strip()
        wanted = request.POST.get(f"add-{i}-text", "")[:500]
        label = request.POST.get(f"add-{i}-label", "")
        if start or end:
            out.append(
                {
                    "label": label,
                    "start": int(start) if start.isdigit() else None,
                    "end": int(end) if end.isdigit() else None,
                }
            )
        elif wanted.strip():
            typed.append({"text": wanted.strip(), "label": label})
    return out, typed


@signed_in
@require_http_methods(["GET", "POST"])
def redaction_view(request: HttpRequest, redaction_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _page(request, redaction_id)
    accept: list[uuid.UUID] = []
    for raw in request.POST.getlist("accept"):
        try:
            accept.append(uuid.UUID(raw))
        except ValueError:
            continue
    add, typed = _added(request)
    try:
        copy = services.finalize_redaction(
            viewer(request), redaction_id, accept=accept, add=add, add_text=typed
        )
    except DomainError as exc:
        if isinstance(exc, PASSED_THROUGH):
            raise
        return _page(request, redaction_id, exc)
    r, _ = selectors.redaction(viewer(request), redaction_id)
    return redirect(reverse("web:documents", args=[r.case_id]) + f"#document-{copy.id}")
