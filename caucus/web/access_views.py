"""The access log's own page (issue 15): every read the viewer may see, one by one; the case
page shows the summary."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from caucus.vault.selectors import access_log_of
from caucus.vault.templatetags.vault import access_log_rows
from caucus.web.pages import case_nav, signed_in, viewer


@signed_in
@require_http_methods(["GET"])
def access_log_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    records, me = access_log_of(viewer(request), case_id)
    context = {
        "case": me.case,
        "rows": access_log_rows(me, records),
        "all_sides": me.role == "mediator",
        "nav": case_nav(me),
    }
    return render(request, "web/access_log.html", context)
