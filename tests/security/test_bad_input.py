"""Bad input on every endpoint (issue 2, item 8): 400 with field errors, never 500.

The API operations, their path ids, query parameters and body fields with their types are
read from the OpenAPI document, so an operation or a field added later is covered without
touching this file. Its path ids take the values of the matrix's PATH_VALUES, or fresh
UUIDs for ids the matrix does not know yet: schema checks are reached either way, checks a
service makes after looking the object up need real ids (a failure says which are missing).
API calls are made as the mediator, who may do the most; each test has a fresh world, and
after each rejected call the database holds exactly what it held before.

The web forms are listed in `WEB_FORMS`, with their fields read from the form classes; a
page that takes a POST and is missing from that list fails `test_it_knows_every_web_form`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoDbBlocker

from caucus.web import (
    account_views,
    exchange_views,
    meeting_views,
    onboarding_views,
    settlement_views,
    views,
)
from tests.conftest import PASSWORD
from tests.security.test_authorization_matrix import (
    MATRIX,
    Entry,
    Scene,
    amend_prefix,
    available_path_values,
    fill,
    ground_rule,
    intake_form,
    objection_prefix,
    openapi_schema,
    path_params,
    scene_settlement,
    shared_scene,
    web_client,
    web_routes,
)

HUGE = "x" * 100_000
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Columns that change on any authenticated call and say nothing about the call's effect.
VOLATILE_COLUMNS = frozenset({"last_used_at"})
AUDIT_ENTRIES = "audit.AuditEntry"
# The chain's head moves with every entry, reads included; the access log (practice 17) is
# the reads themselves.
AUDIT_CHAIN_STATE = frozenset({"audit.AuditHead", "audit.AccessRecord"})
# issue 15 (f15rest): how far each person has read the messages moves with that read.
AUDIT_CHAIN_STATE |= {"portal.MessagesRead"}
READ_ACTIONS = r"\.(read|viewed)$"


# --- The API, as its OpenAPI document describes it ---------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: dict[str, Any] | None  # the JSON schema of an object body, references resolved
    query: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def ids(self) -> list[str]:
        return path_params(self.path)

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        return dict(self.body.get("properties", {})) if self.body else {}

    @property
    def required(self) -> list[str]:
        return list(self.body.get("required", [])) if self.body else []

    @property
    def entry(self) -> Entry | None:
        """The matrix's row for this operation: the world it runs in, its ids."""
        return MATRIX.get((self.method, self.path))

    @property
    def world(self) -> str:
        return self.entry.world if self.entry else "world"


def resolve(schema: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """The schema with every `$ref` replaced by what it names, at any depth."""
    assert depth < 20, "a schema that refers to itself"
    if isinstance(schema, list):
        return [resolve(item, components, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return resolve(components[name], components, depth + 1)
    return {key: resolve(value, components, depth + 1) for key, value in schema.items()}


def operations() -> list[Operation]:
    schema = openapi_schema()
    components: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    found: list[Operation] = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            body = None
            if "requestBody" in op:
                content = op["requestBody"]["content"]
                if "multipart/form-data" in content and "application/json" not in content:
                    # File uploads (documents): their bad bodies are tests/vault's, by bytes.
                    found.append(Operation(method.upper(), path, None, {}))
                    continue
                assert "application/json" in content, f"{method} {path}: only JSON bodies known"
                body = dict(resolve(content["application/json"]["schema"], components))
                assert body.get("type") == "object", f"{method} {path}: body is not an object"
            query = {
                p["name"]: dict(resolve(p["schema"], components))
                for p in op.get("parameters", [])
                if p["in"] == "query"
            }
            found.append(Operation(method.upper(), path, body, query))
    return found


OPERATIONS = {op.label: op for op in operations()}


def options(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a value may match (`anyOf`/`oneOf`), or the schema itself."""
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    return list(alternatives) if alternatives else [schema]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def matches(option: dict[str, Any], value: Any) -> bool:
    """Whether the server could accept `value` for `option`. Booleans and integers are
    strict (JSON's true and false; numbers without a fraction, never text); strings that
    name a uuid or a time are read as one."""
    kind = option.get("type")
    if "const" in option:
        return bool(value == option["const"])
    if "enum" in option:
        return value in option["enum"]
    if kind == "null":
        return value is None
    if kind == "string":
        fmt = option.get("format")
        if fmt == "date-time" and isinstance(value, int | float) and not isinstance(value, bool):
            return True  # a Unix time
        if fmt == "date-time" and isinstance(value, str) and value.isdigit():
            return True  # a Unix time, as text
        if not isinstance(value, str):
            return False
        if "pattern" in option and not re.search(option["pattern"], value.strip()):
            return False
        if fmt == "uuid":
            return _is_uuid(value)
        if fmt == "date-time":
            return _is_datetime(value)
        return True
    if kind == "integer":
        if isinstance(value, float):
            return value.is_integer()  # JSON Schema's integer: 1.0 is one
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


# "yes", "true", 1 and 0 are what Pydantic's lax mode would have read as booleans (issue 13).
WRONG_TYPED: tuple[Any, ...] = (
    12345,
    1.5,
    True,
    [],
    ["x"],
    {"x": 1},
    "not-a-valid-value",
    "yes",
    "true",
    "1",
    1,
    0,
)


def wrong_values(schema: dict[str, Any]) -> list[Any]:
    return [v for v in WRONG_TYPED if not any(matches(o, v) for o in options(schema))]


def takes_strings(schema: dict[str, Any]) -> bool:
    return any(o.get("type") == "string" for o in options(schema))


def oversized(schema: dict[str, Any]) -> str:
    """100,000 characters, or one more than a field declared to hold that many (notes)."""
    limits = [int(o["maxLength"]) for o in options(schema) if "maxLength" in o]
    return "x" * max(len(HUGE), max(limits, default=0) + 1)


def example_hints(scene: Scene) -> dict[str, Any]:
    """Realistic values for fields whose meaning a schema cannot tell."""
    return {
        "email": "someone-new@example.test",
        "password": PASSWORD,
        "name": "Sam Someone",
        "title": "A valid title",
        "role": "attorney",
        "side_id": str(scene.world.side_a),
        "token": scene.invite_token,
        "to": "case",
    }


def example(schema: dict[str, Any], name: str, scene: Scene) -> Any:
    """A value the schema accepts."""
    hints = example_hints(scene)
    option = next((o for o in options(schema) if o.get("type") != "null"), schema)
    if name in hints and matches(option, hints[name]):
        return hints[name]
    if "const" in option:
        return option["const"]
    if "enum" in option:
        return option["enum"][0]
    kind = option.get("type")
    if kind == "string":
        fmt = option.get("format")
        if fmt == "uuid":
            return str(uuid.uuid4())
        if fmt == "date-time":
            return (timezone.now() + timedelta(days=1)).isoformat()
        if fmt == "email":
            return hints["email"]
        low = int(option.get("minLength", 1))
        high = int(option.get("maxLength", max(low, 12)))
        return ("valid text " * 10)[: max(low, min(high, 12))]
    if kind == "integer":
        return max(int(option.get("minimum", 1)), 1)
    if kind == "number":
        return float(option.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {k: example(v, k, scene) for k, v in option.get("properties", {}).items()}
    return "valid"


def valid_body(op: Operation, scene: Scene) -> dict[str, Any] | None:
    if op.body is None:
        return None
    return {k: example(v, k, scene) for k, v in op.fields.items()}


# --- Calling the API and checking the answer ----------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Caucus table, but reads in the audit trail: a page re-rendered
    with a form's errors shows content, and every read of content is audited (practice 10).
    Any other entry (an action) would show here."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("caucus.") or not model._meta.managed:
            continue
        label = model._meta.label
        if label in AUDIT_CHAIN_STATE:
            continue
        columns = [
            f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_COLUMNS
        ]
        rows = model._default_manager.order_by("pk")
        if label == AUDIT_ENTRIES:
            rows = rows.exclude(action__regex=READ_ACTIONS)
        state[label] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in rows.values_list(*columns)
        ]
    return state


def api_call(
    scene: Scene,
    op: Operation,
    *,
    body: Any = None,
    raw: str | None = None,
    ids: dict[str, str] | None = None,
    query: str = "",
) -> Any:
    # Ids the matrix knows are real (so that a call that slipped past validation would show
    # in the snapshot); any other is a fresh UUID, which validation must reject before any
    # lookup, so new operations are covered before the matrix learns their ids.
    known = available_path_values(scene, op.path, op.entry)
    fresh = {name: str(uuid.uuid4()) for name in op.ids if name not in known}
    url = fill(op.path, scene, {**known, **fresh, **(ids or {})}) + query
    client = scene.world.mediator.client
    if raw is None and body is not None:
        raw = json.dumps(body)
    return client.call(op.method, url, raw=raw)


def unknown_ids_hint(op: Operation | None) -> str:
    if op is None or op.entry is not None:
        return ""
    return (
        f" ({op.label} has no row in the authorization matrix, so its ids and world are"
        " unknown: the call went to fresh ids in an onboarding case, where a check made after"
        " the lookup cannot be reached; add its row)"
    )


def rejected(response: Any, status: int = 400, *, op: Operation | None = None) -> dict[str, Any]:
    """The error payload of a rejected call, after checking its shape."""
    hint = unknown_ids_hint(op)
    assert response.status_code == status, (response.status_code, response.content[:500], hint)
    payload = response.json()
    assert isinstance(payload, dict), payload
    assert isinstance(payload.get("detail"), str) and payload["detail"], payload
    if status == 400:
        assert payload.get("error") == "invalid", payload
        assert isinstance(payload.get("fields", {}), dict), payload
    return payload


def names(payload: dict[str, Any], name: str) -> bool:
    """Whether the field errors name `name`: as `name`, with its location (`query.name`,
    `path.name`), or through the fields inside it (`name.inner`)."""
    fields: dict[str, Any] = payload.get("fields") or {}
    return any(
        key == name or key.endswith(f".{name}") or key.startswith(f"{name}.") for key in fields
    )


# Every test takes the matrix's module-scoped `scene` (a world built once per kind, each
# test in a savepoint rolled back after it), parametrized indirectly by the world its
# operation runs in; the rest of each case is one parameter, so pytest groups by world.


def _ops(predicate: Callable[[Operation], bool]) -> list[Any]:
    return [
        pytest.param(op.world, label, id=label) for label, op in OPERATIONS.items() if predicate(op)
    ]


def _op_fields(select: Callable[[dict[str, Any]], bool]) -> list[Any]:
    return [
        pytest.param(op.world, (label, name), id=f"{label} {name}")
        for label, op in OPERATIONS.items()
        for name, schema in op.fields.items()
        if select(schema)
    ]


def _op_query(select: Callable[[dict[str, Any]], bool]) -> list[Any]:
    return [
        pytest.param(op.world, (label, name), id=f"{label} ?{name}")
        for label, op in OPERATIONS.items()
        for name, schema in op.query.items()
        if select(schema)
    ]


def _op_ids() -> list[Any]:
    return [
        pytest.param(op.world, (label, name), id=f"{label} {name}")
        for label, op in OPERATIONS.items()
        for name in op.ids
    ]


@pytest.fixture(scope="module")
def scene(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Scene]:
    """The matrix's worlds: built once per kind, each test in a savepoint rolled back after
    it. Tests name the kind they need as an indirect, module-scoped parameter."""
    with shared_scene(request.param, django_db_blocker) as built:
        yield built


NOT_OBJECTS = ["[]", '[{"title": "x"}]', '"text"', '"title"', "42", "true", "null"]


def _not_objects() -> list[Any]:
    return [
        pytest.param(op.world, (label, raw), id=f"{label} {raw}")
        for label, op in OPERATIONS.items()
        if op.body is not None
        for raw in NOT_OBJECTS
    ]


WITH_BODY = _ops(lambda op: op.body is not None)
# A body whose every field is optional (a party's plain confirmation, issue 15) is valid empty.
WITH_REQUIRED = _ops(lambda op: op.body is not None and bool(op.required))


# --- The API ----------------------------------------------------------------------------


def test_it_finds_operations_to_attack() -> None:
    """The checks below are generated from the OpenAPI document; an empty one would pass
    them all without testing anything."""
    assert WITH_BODY and _op_ids() and _op_fields(lambda s: True)


@pytest.mark.parametrize(("scene", "label"), WITH_BODY, indirect=["scene"], scope="module")
def test_it_answers_malformed_json_with_400(scene: Scene, db: None, label: str) -> None:
    op = OPERATIONS[label]
    before = snapshot()
    for raw in ("{bad", '{"title": "unterminated', "\xff\xfe", "{" * 5000):
        rejected(api_call(scene, op, raw=raw), op=op)
    assert snapshot() == before


@pytest.mark.parametrize(("scene", "body_case"), _not_objects(), indirect=["scene"], scope="module")
def test_it_rejects_a_body_that_is_not_a_json_object(
    scene: Scene, db: None, body_case: tuple[str, str]
) -> None:
    label, raw = body_case
    op = OPERATIONS[label]
    before = snapshot()
    payload = rejected(api_call(scene, op, raw=raw), op=op)
    # Nothing may be read out of an array or a string: either the body is refused as a
    # whole, or every required field is reported missing.
    fields = payload.get("fields")
    if fields:
        assert "body" in fields or all(names(payload, n) for n in op.required), payload
    assert snapshot() == before


@pytest.mark.parametrize(("scene", "label"), WITH_REQUIRED, indirect=["scene"], scope="module")
def test_it_names_each_missing_required_field(scene: Scene, db: None, label: str) -> None:
    op = OPERATIONS[label]
    before = snapshot()
    payload = rejected(api_call(scene, op, body={}), op=op)
    for name in op.required:
        assert names(payload, name), (name, payload)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("scene", "typed_field"),
    _op_fields(lambda s: bool(wrong_values(s))),
    indirect=["scene"],
    scope="module",
)
def test_it_names_a_field_of_the_wrong_type(
    scene: Scene, db: None, typed_field: tuple[str, str]
) -> None:
    label, name = typed_field
    op = OPERATIONS[label]
    before = snapshot()
    for wrong in wrong_values(op.fields[name]):
        body = valid_body(op, scene) or {}
        body[name] = wrong
        payload = rejected(api_call(scene, op, body=body), op=op)
        assert names(payload, name), (wrong, payload)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("scene", "string_field"), _op_fields(takes_strings), indirect=["scene"], scope="module"
)
def test_it_names_a_string_field_of_100_000_characters(
    scene: Scene, db: None, string_field: tuple[str, str]
) -> None:
    label, name = string_field
    op = OPERATIONS[label]
    before = snapshot()
    body = valid_body(op, scene) or {}
    body[name] = oversized(op.fields[name])
    payload = rejected(api_call(scene, op, body=body), op=op)
    assert names(payload, name), payload
    assert snapshot() == before


@pytest.mark.parametrize(
    ("scene", "query_param"), _op_query(lambda s: True), indirect=["scene"], scope="module"
)
def test_it_names_a_bad_query_parameter(
    scene: Scene, db: None, query_param: tuple[str, str]
) -> None:
    label, name = query_param
    op = OPERATIONS[label]
    before = snapshot()
    values = [oversized(op.query[name]) if takes_strings(op.query[name]) else "9" * 100_000]
    values += [
        v
        for v in ("not-a-valid-value", "1.5")
        if not any(matches(o, v) for o in options(op.query[name]))
        and not takes_strings(op.query[name])
    ]
    for value in values:
        response = api_call(scene, op, body=valid_body(op, scene), query=f"?{name}={value}")
        payload = rejected(response, op=op)
        assert names(payload, name), (value[:20], payload)
    assert snapshot() == before


@pytest.mark.parametrize(("scene", "unknown_id"), _op_ids(), indirect=["scene"], scope="module")
def test_it_answers_404_for_an_unknown_id(
    scene: Scene, db: None, unknown_id: tuple[str, str]
) -> None:
    label, name = unknown_id
    op = OPERATIONS[label]
    before = snapshot()
    response = api_call(scene, op, body=valid_body(op, scene), ids={name: str(uuid.uuid4())})
    payload = rejected(response, 404, op=op)
    assert payload["error"] == "not_found", payload
    assert snapshot() == before


@pytest.mark.parametrize(("scene", "malformed_id"), _op_ids(), indirect=["scene"], scope="module")
def test_it_refuses_an_id_that_is_not_an_id(
    scene: Scene, db: None, malformed_id: tuple[str, str]
) -> None:
    label, name = malformed_id
    op = OPERATIONS[label]
    before = snapshot()
    # Ids are opaque (API.md): one that cannot be an id is unknown, 404 like any other, even
    # when the body is wrong too (issue 13: these were 400).
    bodies = [valid_body(op, scene)] + ([{}] if op.body is not None else [])
    for bad in ("not-a-uuid", "0", "'; drop table cases_case; --", "x" * 10_000):
        for body in bodies:
            response = api_call(scene, op, body=body, ids={name: bad})
            payload = rejected(response, 404, op=op)
            assert payload["error"] == "not_found", (bad[:20], payload)
    assert snapshot() == before


@pytest.mark.parametrize(("scene", "label"), WITH_BODY, indirect=["scene"], scope="module")
def test_it_answers_a_body_over_the_size_limit_with_the_apis_413(
    scene: Scene, db: None, label: str
) -> None:
    """Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE with an HTML 400 page; the
    API answers its own JSON error (issue 13)."""
    op = OPERATIONS[label]
    before = snapshot()
    body = valid_body(op, scene) or {}
    body["padding"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api_call(scene, op, body=body)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    payload = rejected(response, 413, op=op)
    assert payload["error"] == "too_large", payload
    assert snapshot() == before


@pytest.mark.parametrize(
    ("scene", "id_field"),
    _op_fields(lambda s: any(o.get("format") == "uuid" for o in options(s))),
    indirect=["scene"],
    scope="module",
)
def test_it_refuses_an_unknown_id_in_a_body(
    scene: Scene, db: None, id_field: tuple[str, str]
) -> None:
    label, name = id_field
    op = OPERATIONS[label]
    before = snapshot()
    body = valid_body(op, scene) or {}
    body[name] = str(uuid.uuid4())
    response = api_call(scene, op, body=body)
    # 409 where the id names what is not there in the state asked for (nobody in the lobby
    # has that id): honest, and no more telling than 404.
    assert response.status_code in (400, 404, 409), (response.content[:300], unknown_ids_hint(op))
    payload = rejected(response, response.status_code, op=op)
    if response.status_code == 400:
        assert names(payload, name), payload
    assert snapshot() == before


# --- The web forms ----------------------------------------------------------------------


@dataclass(frozen=True)
class WebForm:
    form: type[forms.Form]
    persona: str
    valid: Callable[[Scene], dict[str, str]]
    world: str = "world"
    # The code page needs a password step in progress.
    pending_sign_in: bool = False
    # Forms shown once per object on a page name their fields with a prefix.
    prefix: Callable[[Scene], str] | None = None
    # Path values other than the matrix's (another object of the scene).
    ids: Mapping[str, Callable[[Scene], str]] = field(default_factory=dict)

    def url(self, route: str, scene: Scene) -> str:
        return fill(route, scene, {name: value(scene) for name, value in self.ids.items()})

    def bind(self, scene: Scene, data: dict[str, str]) -> forms.Form:
        return self.form(data=self.post_data(scene, data), prefix=self.field_prefix(scene))

    def field_prefix(self, scene: Scene) -> str | None:
        return self.prefix(scene) if self.prefix else None

    def post_data(self, scene: Scene, data: dict[str, str]) -> dict[str, str]:
        prefix = self.field_prefix(scene)
        return {f"{prefix}-{k}" if prefix else k: v for k, v in data.items()}


WEB_FORMS: dict[str, WebForm] = {
    "/login": WebForm(
        views.LoginForm,
        "anonymous",
        lambda s: {"email": "a@example.test", "password": PASSWORD},
    ),
    "/login/code": WebForm(
        views.CodeForm, "anonymous", lambda s: {"otp": "123456"}, pending_sign_in=True
    ),
    "/cases/new": WebForm(
        views.OpenCaseForm, "mediator", lambda s: {"title": "A new case", "kind": "civil"}
    ),
    "/cases/<uuid:case_id>/invite": WebForm(
        views.InviteForm,
        "mediator",
        lambda s: {
            "name": "Cal Counsel",
            "email": "counsel@example.test",
            "role": "attorney",
            "side_id": str(s.world.side_b),
        },
    ),
    "/cases/<uuid:case_id>/screening": WebForm(
        views.ScreeningForm,
        "mediator",
        lambda s: {"decision": "decline", "reason_code": "other", "private_note": "Why."},
        world="intake_world",
    ),
    "/cases/<uuid:case_id>/close": WebForm(
        views.CloseForm,
        "mediator",
        lambda s: {"outcome": "impasse", "note_to_parties": "Bye.", "confirm": "on"},
    ),
    "/invite/<str:token>": WebForm(
        views.AcceptForm, "anonymous", lambda s: {"name": "Nell Newcomer", "password": PASSWORD}
    ),
    "/cases/<uuid:case_id>/onboarding/structure": WebForm(
        onboarding_views.StructureForm, "mediator", lambda s: {"policy": "shared_unless_marked"}
    ),
    "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/sign": WebForm(
        onboarding_views.SignForm,
        "party_a",
        lambda s: {
            "typed_name": "Ada Party",
            "text_sha256": s.agreement_sha256,
            "consent_electronic": "on",
        },
    ),
    "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/edit": WebForm(
        onboarding_views.AgreementTextForm, "mediator", lambda s: {"text": "We agree."}
    ),
    "/cases/<uuid:case_id>/rules": WebForm(onboarding_views.RuleForm, "party_a", ground_rule),
    "/cases/<uuid:case_id>/rules/<uuid:rule_id>/object": WebForm(
        onboarding_views.ObjectionForm,
        "party_b",
        lambda s: {"comment": "Too strict."},
        prefix=objection_prefix,
    ),
    "/cases/<uuid:case_id>/rules/<uuid:rule_id>/amend": WebForm(
        onboarding_views.RuleForm, "party_a", ground_rule, prefix=amend_prefix
    ),
    "/cases/<uuid:case_id>/onboarding/intake": WebForm(
        onboarding_views.IntakeForm, "party_a", intake_form
    ),
    "/cases/<uuid:case_id>/meetings": WebForm(
        views.ScheduleForm,
        "mediator",
        lambda s: {"kind": "joint", "mode": "virtual", "starts_at": "2031-01-01T10:00"},
        world="active_world",
    ),
    # The form shows to whoever has not joined yet: nobody has, in the scene's quiet caucus.
    "/meetings/<uuid:meeting_id>/join": WebForm(
        meeting_views.JoinForm,
        "attorney_a",
        lambda s: {"private_location": "on", "not_recording": "on", "others_present": ""},
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.quiet)},
    ),
    "/meetings/<uuid:meeting_id>/admit": WebForm(
        meeting_views.AdmitForm,
        "mediator",
        lambda s: {"participant_id": str(s.m.attorney_a_participant)},
        world="active_world",
    ),
    "/meetings/<uuid:meeting_id>/remove": WebForm(
        meeting_views.AdmitForm,
        "mediator",
        lambda s: {"participant_id": str(s.m.attorney_a_participant)},
        world="active_world",
    ),
    "/meetings/<uuid:meeting_id>/caucus": WebForm(
        meeting_views.CaucusForm,
        "mediator",
        lambda s: {"side_id": str(s.world.side_a)},
        world="active_world",
    ),
    "/meetings/<uuid:meeting_id>/items": WebForm(
        meeting_views.ItemForm, "mediator", lambda s: {"text": "A new item."}, world="active_world"
    ),
    "/meetings/<uuid:meeting_id>/notes": WebForm(
        meeting_views.NoteForm, "mediator", lambda s: {"body": "Notes."}, world="active_world"
    ),
    "/items/<uuid:item_id>/decision": WebForm(
        meeting_views.DecisionForm,
        "mediator",
        lambda s: {"decision": "may_share_as_worded", "wording": "Shareable words."},
        world="active_world",
    ),
    "/items/<uuid:item_id>/confirm": WebForm(
        meeting_views.ConfirmForm, "party_a", lambda s: {"next": "meeting"}, world="active_world"
    ),
    "/notes/<uuid:note_id>/feedback": WebForm(
        meeting_views.FeedbackForm, "party_a", lambda s: {"body": "A fix."}, world="active_world"
    ),
    "/notes/<uuid:note_id>/revise": WebForm(
        meeting_views.ReviseForm, "mediator", lambda s: {"body": "Notes, v2."}, world="active_world"
    ),
    "/items/<uuid:item_id>/disclose": WebForm(
        meeting_views.DiscloseForm,
        "mediator",
        lambda s: {"to": "case", "text": "Side A could wait."},
        world="active_world",
        ids={"item_id": lambda s: str(s.x.shareable_item)},
    ),
    "/cases/<uuid:case_id>/consents": WebForm(
        exchange_views.ConsentForm,
        "mediator",
        lambda s: {
            "kind": "add_expert",
            "name": "Pat Pensions",
            "email": "pensions@example.test",
            "purpose": "To value the pension.",
            "side_id": str(s.world.side_a),
            "meeting_id": "",
        },
        world="active_world",
    ),
    "/cases/<uuid:case_id>/concerns": WebForm(
        exchange_views.ConcernForm,
        "party_b",
        lambda s: {"topic": "safety", "body": "I worry."},
        world="active_world",
    ),
    "/concerns/<uuid:concern_id>/respond": WebForm(
        exchange_views.ResponseForm,
        "mediator",
        lambda s: {"body": "We hear you."},
        world="active_world",
    ),
    "/cases/<uuid:case_id>/messages": WebForm(
        exchange_views.MessageForm,
        "party_a",
        lambda s: {"body": "Hello.", "audience": "own_side"},
        world="active_world",
    ),
    # issue 16
    "/cases/<uuid:case_id>/settlement": WebForm(
        settlement_views.DraftForm,
        "mediator",
        lambda s: {"template": "civil", "text": ""},
        world="active_world",
    ),
    "/settlement/<uuid:settlement_id>/revise": WebForm(
        settlement_views.ReviseForm,
        "mediator",
        lambda s: {"text": "Ada pays 90."},
        world="active_world",
    ),
    "/settlement/<uuid:settlement_id>/comments": WebForm(
        settlement_views.CommentForm,
        "party_a",
        lambda s: {"body": "A comment.", "audience": "own_side"},
        world="active_world",
    ),
    "/settlement/<uuid:settlement_id>/sign": WebForm(
        settlement_views.SignForm,
        "party_a",
        lambda s: {
            "consent": "on",
            "typed_name": "Ada Party",
            "text_sha256": scene_settlement(s).text_sha256,
        },
        world="active_world",
    ),
    # issue 15 (h15): accounts and meetings in time
    "/password-reset": WebForm(
        account_views.ResetForm, "anonymous", lambda s: {"email": "a@example.test"}
    ),
    "/account/name": WebForm(account_views.NameForm, "party_a", lambda s: {"name": "Ada P."}),
    "/account/password": WebForm(
        account_views.PasswordForm,
        "party_a",
        lambda s: {"current_password": PASSWORD, "new_password": "a fresh and long passphrase 42"},
    ),
    "/account/time-zone": WebForm(
        account_views.TimeZoneForm, "party_a", lambda s: {"time_zone": "Europe/Madrid"}
    ),
    "/meetings/<uuid:meeting_id>/reschedule": WebForm(
        views.RescheduleForm,
        "mediator",
        lambda s: {"starts_at": "2031-01-15T10:00", "duration_minutes": "45"},
        world="active_world",
        prefix=lambda s: f"m{s.m.scheduled.hex[:8]}",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
    ),
    # issue 16
    "/settlement/<uuid:settlement_id>/public-record/requests": WebForm(
        settlement_views.RemovalForm,
        "party_a",
        lambda s: {"passage": "Ada pays"},
        world="active_world",
    ),
}
# Pages that take a POST with no field to fill: a button.
NO_FORM = frozenset(
    {
        "/",
        "/logout",
        "/cases/<uuid:case_id>/onboarding/acknowledge",
        "/cases/<uuid:case_id>/rules/<uuid:rule_id>/agree",
        "/cases/<uuid:case_id>/rules/<uuid:rule_id>/withdraw",
        "/cases/<uuid:case_id>/records-request",
        "/meetings/<uuid:meeting_id>/start",
        "/meetings/<uuid:meeting_id>/end",
        "/meetings/<uuid:meeting_id>/leave",
        "/disclosures/<uuid:disclosure_id>/approve",
        "/disclosures/<uuid:disclosure_id>/reject",
        "/consents/<uuid:consent_id>/approve",
        "/consents/<uuid:consent_id>/deny",
        # A multipart file upload: its bad inputs are tests/vault/test_documents_web.py's.
        "/cases/<uuid:case_id>/documents",
        # A button (with one checkbox) that proposes a redaction.
        "/documents/<uuid:document_id>/redact",
        # The review page is drawn by hand (a checkbox per span, rows of offsets), not a
        # Django form; its bad values are tests/redaction/test_review_page.py's.
        "/redactions/<uuid:redaction_id>",
        # issue 16: buttons, without fields.
        "/settlement/<uuid:settlement_id>/ready",
        "/settlement/<uuid:settlement_id>/public-record",
        # issue 15 (h15): buttons
        "/invitations/<uuid:invitation_id>/resend",
        "/invitations/<uuid:invitation_id>/revoke",
        "/account/sign-out-others",
        "/meetings/<uuid:meeting_id>/cancel",
        # Its link is a row made for each call, which the before-and-after snapshot here
        # would count as a change; its bad values are tests/accounts/test_account_recovery.py's.
        "/password-reset/<str:token>",
        # issue 15
        "/items/<uuid:item_id>/accept-wording",
        "/cases/<uuid:case_id>/withdraw",
        # issue 15: a button, without fields.
        "/participants/<uuid:participant_id>/remove",
        # issue 16: buttons, without fields (ready's one checkbox has no bad value).
        "/settlement/<uuid:settlement_id>/public-record/show",
        "/settlement/<uuid:settlement_id>/public-record/final",
    }
)


def bad_form_values(form_field: forms.Field) -> list[str]:
    values: list[str] = []
    if isinstance(form_field, forms.CharField) and form_field.max_length is not None:
        # 100,000 characters, or one more than a field made to hold that many (notes).
        values.append("x" * max(len(HUGE), form_field.max_length + 1))
    elif isinstance(
        form_field, forms.CharField | forms.ChoiceField | forms.UUIDField | forms.DateTimeField
    ):
        values.append(HUGE)
    if isinstance(form_field, forms.EmailField):
        values.append("not-an-email")
    if isinstance(form_field, forms.ChoiceField):
        values.append("not-a-choice")
    if isinstance(form_field, forms.UUIDField):
        values.append("not-a-uuid")
    if isinstance(form_field, forms.IntegerField):
        values.append("not-a-number")
    if isinstance(form_field, forms.DateTimeField):
        values.append("not-a-time")
    return values


HIDDEN_FIELD_ERRORS_UNSHOWN = pytest.mark.xfail(
    strict=True,
    reason=(
        "web/_errors.html and web/_field.html show no error of a hidden field, so the page "
        "answers 400 with no message; the template should list hidden fields' errors"
    ),
)


# Fields a page renders by hand, without their errors.
ERRORS_UNSHOWN = {
    ("/notes/<uuid:note_id>/revise", "resolves"): pytest.mark.xfail(
        strict=True,
        reason="web/meeting.html draws the `resolves` checkboxes itself and shows no error of "
        "theirs: a bad value answers 400 with no message",
    ),
    ("/meetings/<uuid:meeting_id>/caucus", "side_id"): pytest.mark.xfail(
        strict=True,
        reason="the 'Open a caucus' form shows only on a running joint meeting and the scene's "
        "meetings are caucuses: the bad value answers 400, but no form is there to carry it",
    ),
}


def _form_fields() -> Iterator[Any]:
    for route, spec in WEB_FORMS.items():
        for name, form_field in spec.form.base_fields.items():
            if bad_form_values(form_field):
                marks = [HIDDEN_FIELD_ERRORS_UNSHOWN] if form_field.widget.is_hidden else []
                if (route, name) in ERRORS_UNSHOWN:
                    marks.append(ERRORS_UNSHOWN[(route, name)])
                yield pytest.param(
                    spec.world, (route, name), id=f"POST {route} {name}", marks=marks
                )


def form_client(scene: Scene, spec: WebForm) -> Client:
    client = web_client(scene.persona(spec.persona))
    if spec.pending_sign_in:
        mediator = scene.persona("mediator").user
        assert mediator is not None
        session = client.session
        session["pending_user"] = str(mediator.id)
        session["pending_until"] = (timezone.now() + timedelta(minutes=5)).isoformat()
        session["pending_next"] = "/cases"
        session.save()
        # As a browser does: the code page is shown before a code is sent. Showing it to a
        # mediator without a device starts (and audits) the enrolment, which is not the
        # bad value's doing.
        assert client.get("/login/code").status_code == 200
    return client


def test_it_knows_every_web_form() -> None:
    """A page that takes a POST must be listed in WEB_FORMS (or NO_FORM, with a reason)."""
    posting = {
        route
        for route in web_routes()
        if (entry := MATRIX.get(("POST", route))) is not None
        and entry.outcomes["mediator"] != 405
        and not route.startswith("/api/")
    }
    assert posting - set(WEB_FORMS) - NO_FORM == set()
    assert set(WEB_FORMS) <= posting


@pytest.mark.parametrize(
    ("scene", "form_field"), list(_form_fields()), indirect=["scene"], scope="module"
)
def test_it_answers_a_bad_form_value_with_400_and_a_message(
    scene: Scene, db: None, form_field: tuple[str, str]
) -> None:
    route, name = form_field
    spec = WEB_FORMS[route]
    bad_values = bad_form_values(spec.form.base_fields[name])
    clients = [form_client(scene, spec) for _ in bad_values]  # signing in is not the test
    before = snapshot()
    for bad, client in zip(bad_values, clients, strict=True):
        data = {**spec.valid(scene), name: bad}
        response = client.post(spec.url(route, scene), data=spec.post_data(scene, data))
        assert response.status_code == 400, (bad[:20], response.status_code)
        content = response.content.decode()
        if not spec.form.base_fields[name].widget.is_hidden:
            # The message sits at its field (ids vary with prefixes and per-object forms).
            at_field = re.compile(rf'id="[^"]*{re.escape(name)}_error"')
            assert at_field.search(content), (bad[:20], "no message at the field")
        for message in spec.bind(scene, data).errors.get(name, []):
            assert escape(message) in content, (bad[:20], message)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("scene", "form_route"),
    [pytest.param(spec.world, route, id=route) for route, spec in sorted(WEB_FORMS.items())],
    indirect=["scene"],
    scope="module",
)
def test_it_accepts_the_valid_form_it_starts_from(scene: Scene, db: None, form_route: str) -> None:
    """The valid values each bad one replaces must themselves pass, or a 400 would prove
    nothing about the field under test."""
    spec = WEB_FORMS[form_route]
    form = spec.bind(scene, spec.valid(scene))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("scene", "label"),
    _ops(lambda op: op.body is not None or bool(op.ids)),
    indirect=["scene"],
    scope="module",
)
def test_it_starts_from_a_body_the_schema_accepts(scene: Scene, db: None, label: str) -> None:
    """The same for the API: the generated body passes validation, so the answer to a
    random id is the 404 of the lookup, not a 400 about the body."""
    op = OPERATIONS[label]
    ids = dict.fromkeys(op.ids, str(uuid.uuid4()))
    response = api_call(scene, op, body=valid_body(op, scene), ids=ids)
    assert response.status_code != 400, response.content[:500]


@pytest.mark.parametrize("scene", ["world"], indirect=["scene"], scope="module")
def test_it_refuses_an_invitation_to_something_that_is_not_an_email_address(
    scene: Scene, db: None
) -> None:
    """The web form checks the address; the API, calling the same service, must too."""
    op = OPERATIONS["POST /api/v1/cases/{case_id}/invitations"]
    before = snapshot()
    for wrong in ("not-an-email", "two@@example.test", "a b@example.test"):
        body = {**(valid_body(op, scene) or {}), "email": wrong}
        payload = rejected(api_call(scene, op, body=body), op=op)
        assert names(payload, "email"), (wrong, payload)
    assert snapshot() == before


def _page_ids() -> Iterator[Any]:
    for (method, route), entry in sorted(MATRIX.items()):
        if route.startswith("/api/") or not path_params(route):
            continue
        if entry.outcomes["mediator"] == 405:
            continue
        yield pytest.param(entry.world, (method, route), id=f"{method} {route}")


@pytest.mark.parametrize(("scene", "page"), list(_page_ids()), indirect=["scene"], scope="module")
def test_it_answers_404_for_an_unknown_id_in_a_page(
    scene: Scene, db: None, page: tuple[str, str]
) -> None:
    method, route = page
    entry = MATRIX[(method, route)]
    body = entry.body(scene) if entry.body else None
    for name in path_params(route):
        for unknown in (str(uuid.uuid4()), "not-an-id", "x" * 10_000):
            client = web_client(scene.persona("mediator"))
            before = snapshot()
            url = fill(route, scene, {**entry.path_overrides(scene), name: unknown})
            response = client.post(url, data=body or {}) if method == "POST" else client.get(url)
            assert response.status_code == 404, (name, unknown[:20], response.status_code)
            assert snapshot() == before


# --- The OpenAPI document states the server's rules ----------------------------------------


def _field(schema_name: str, name: str) -> dict[str, Any]:
    schema = openapi_schema()
    components: dict[str, Any] = schema["components"]["schemas"]
    found: dict[str, Any] = resolve(components[schema_name], components)["properties"][name]
    return found


def test_it_states_the_services_limits_and_closed_sets_in_the_openapi_document() -> None:
    """A generated client must not be refused for a request the document allows (issue 13):
    the limits are the services' own constants, blank text is excluded, addresses are
    emails, and audiences, roles and reasons are enums."""
    from caucus.cases import onboarding_services
    from caucus.cases import services as case_services
    from caucus.cases.models import DeclineReason
    from caucus.meetings import services as meeting_services
    from caucus.portal import services as portal_services

    title = _field("CaseIn", "title")
    assert (title["minLength"], title["maxLength"]) == (1, case_services.TITLE_MAX)
    assert re.search(title["pattern"], " \t\n\x1c\x85") is None
    assert re.search(title["pattern"], " x ") is not None
    assert _field("CaseIn", "litigated")["type"] == "boolean"
    assert _field("InvitationIn", "email")["format"] == "email"
    assert _field("InvitationIn", "role")["enum"] == ["party", "attorney"]
    assert _field("MessageIn", "body")["maxLength"] == portal_services.BODY_MAX
    assert set(_field("MessageIn", "audience")["enum"]) == {"mediators", "own_side", "case"}
    assert _field("NoteIn", "body")["maxLength"] == meeting_services.NOTE_MAX
    assert _field("RuleIn", "why")["maxLength"] == onboarding_services.RULE_FIELD_MAX
    reasons = [o for o in options(_field("ScreeningIn", "reason_code")) if "enum" in o]
    assert reasons and set(reasons[0]["enum"]) == set(DeclineReason.values)
    limit = next(
        p["schema"]
        for p in openapi_schema()["paths"]["/api/v1/cases"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert (limit["minimum"], limit["maximum"]) == (1, 200)


def test_it_documents_the_errors_each_operation_may_answer() -> None:
    """Every operation lists the errors that come before its handler: 400 for input, 401
    for a secured one, 404 for one with ids, 413 for one with a body; a purged case's 410."""
    schema = openapi_schema()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            statuses = {str(s) for s in op["responses"]}
            if op.get("parameters") or "requestBody" in op:
                assert "400" in statuses, (method, path)
            if op.get("security"):
                assert "401" in statuses, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            if "requestBody" in op:
                assert "413" in statuses, (method, path)
    assert "410" in {str(s) for s in schema["paths"]["/api/v1/cases/{case_id}"]["get"]["responses"]}
