"""Pages of a purged case: its tombstone (410) and its deletion certificate as a file. Only
the mediators of the case's practice learn that it existed; anyone else gets 404, as for a
case that never did."""

from __future__ import annotations

import json
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from caucus.retention.selectors import Tombstone, tombstone_for
from caucus.web.pages import signed_in, viewer


def purged_page(request: HttpRequest, stone: Tombstone) -> HttpResponse:
    payload = stone.certificate["certificate"]
    return render(
        request,
        "web/purged.html",
        {
            "stone": stone,
            "rows_by_category": sorted(payload.get("rows_deleted_by_category", {}).items()),
            "payload": payload,
        },
        status=410,
    )


@signed_in
@require_http_methods(["GET"])
def certificate_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    stone = tombstone_for(viewer(request), case_id)
    if stone is None:
        raise Http404()
    response = HttpResponse(
        json.dumps(stone.certificate, indent=2, sort_keys=True),
        content_type="application/json",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="deletion-certificate-{stone.case_id}.json"'
    )
    return response
