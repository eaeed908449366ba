"""The router of the API's resource modules: each operation documents, besides its own
answers, the domain errors any service may raise (API.md "Errors"), declared here once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Router
from ninja.constants import NOT_SET

from caucus.api.schemas import ErrorOut

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ResourceRouter(Router):
    def add_api_operation(
        self,
        path: str,
        methods: list[str],
        view_func: Callable[..., Any],
        *,
        response: Any = NOT_SET,
        **options: Any,
    ) -> None:
        answers = dict(response) if isinstance(response, dict) else {200: response}
        errors = {status: out for status, out in ERRORS.items() if status not in answers}
        super().add_api_operation(path, methods, view_func, response=answers | errors, **options)
