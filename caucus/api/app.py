"""The REST API under /api/v1: parse, call one service, render. Errors follow API.md."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.types import DictStrAny

from caucus.api import (
    attention,
    auth,
    cases,
    disclosures,
    documents,
    meetings,
    messages,
    onboarding,
    redaction,
    sessions,
    settlement,
)
from caucus.api.security import BearerAuth, CaucusSessionAuth
from caucus.kernel.errors import DomainError

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class ObjectBodyParser(Parser):
    """Every request body of this API is a JSON object. Anything else (an array, a string)
    is refused whole as unparseable (400): Ninja would otherwise read the fields off it as
    attributes, so that the body `"text"` gave a case the title `"Text"` (`str.title()`)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if request.content_type in FORM_TYPES and not request.POST and not request.FILES:
            # An empty form is an empty object, as no body is: a call whose fields are all
            # optional (a party's plain confirmation) is made without any; a required field
            # still answers 400.
            return {}
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


ERROR_SCHEMA = "#/components/schemas/ErrorOut"
# The answers any operation may give before its handler runs, by what the operation takes:
# its input is checked (400), its caller (401), its path ids looked up (404, also for an id
# that cannot exist: ids are opaque) and its body read (413 past the request size limit).
GENERIC_ERRORS = {
    400: "The input is not valid: `fields` names each field and what is wrong with it.",
    401: "Not signed in, or the bearer token is not valid.",
    404: "Not found, or not visible to the caller (the same answer for both).",
    413: "The request body is larger than the server accepts.",
}


class CaucusAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                _document_generic_errors(operation)
        return schema


def _document_generic_errors(operation: dict[str, Any]) -> None:
    """Adds the answers every handler may give to an operation's documented responses, so
    that a generated client knows them all (issue 13)."""
    params = operation.get("parameters", [])
    applies = {
        400: bool(params) or "requestBody" in operation,
        401: bool(operation.get("security")),
        404: any(p.get("in") == "path" for p in params),
        413: "requestBody" in operation,
    }
    responses = operation.setdefault("responses", {})
    for status, description in GENERIC_ERRORS.items():
        if applies[status] and status not in responses and str(status) not in responses:
            responses[status] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA}}},
            }


api = CaucusAPI(
    title="Caucus API",
    version="1",
    description="The public REST contract of Caucus. See API.md in the brief.",
    urls_namespace="api",
    auth=[BearerAuth(), CaucusSessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=ObjectBodyParser(),
)

STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    429: "throttled",
}


def error(request: HttpRequest, status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail, **extra}, status=status)


def _field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "payload")]
        # A query parameter is named by itself in the URL, whatever model Ninja grouped it in.
        name = loc[-1] if tuple(err.get("loc", ()))[:1] == ("query",) else ".".join(loc) or "body"
        fields.setdefault(name, []).append(str(err.get("msg", "Invalid value.")))
    return fields


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.detail, **exc.extra)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Ids are opaque (API.md): one that cannot be an id names nothing, so it is not found,
    # like an unknown one, whatever else is wrong with the request.
    if any(tuple(err.get("loc", ()))[:1] == ("path",) for err in exc.errors):
        return error(request, 404, "not_found", "Not found.")
    return error(
        request, 400, "invalid", "The input is not valid.", fields=_field_errors(exc.errors)
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "not_authenticated", "Sign in or send a bearer token.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    return error(request, status, STATUS_CODES.get(status, "error"), str(exc.message))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django's own answer is an HTML 400 page; this API answers JSON with its own code.
    return error(request, 413, "too_large", "The request body is too large.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "Not found.")


for router in (
    auth.router,
    cases.router,
    onboarding.router,
    meetings.router,
    disclosures.disclosures_router,
    disclosures.consents_router,
    disclosures.concerns_router,
    messages.router,
    documents.router,
    redaction.router,
    settlement.router,
    attention.router,
    sessions.router,
):
    api.add_router("/", router)
