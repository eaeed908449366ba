"""Shared personas: the mediator, party A with attorney A on side A, party B on side B, and an
outsider who mediates another case. Tests act through the API as these people."""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from unittest import mock
from weakref import WeakKeyDictionary

import pytest
from channels.layers import channel_layers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler
from pytest_django import DjangoDbBlocker

from caucus.accounts.models import User
from caucus.accounts.services import new_api_token
from caucus.cases import services
from caucus.cases.models import Case, Participant, Practice
from caucus.crypto.keyring import key_scope
from tests.parallel import ModuleScheduling, worker_environments

PASSWORD = "correct horse battery staple 42"

# Production stores passwords with Argon2 (caucus/settings.py, proven in tests/accounts), at
# about 0.4 s a hash here: a world of five people cost five seconds. Every other test hashes
# with MD5, Django's documented practice for test suites; the tests of password handling take
# `production_password_hashing` and run on the hashers the settings module declares.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config: pytest.Config, specs: list[Any]) -> None:
    """Each pytest-xdist worker starts with its own data directory, PostgreSQL database and
    Redis database (tests/parallel.py), so that it runs exactly as a run of its own would."""
    environments = worker_environments(dict(os.environ), [spec.id for spec in specs])
    for spec in specs:
        spec.env.update(environments[spec.id])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    return ModuleScheduling(config, log) if config.getvalue("dist") == "loadscope" else None


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture
def production_password_hashing() -> Iterator[list[str]]:
    """The hashers exactly as caucus/settings.py declares them (not the test run's)."""
    from caucus import settings as declared

    with override_settings(PASSWORD_HASHERS=declared.PASSWORD_HASHERS):
        yield list(declared.PASSWORD_HASHERS)


@dataclass
class Persona:
    name: str
    user: User | None
    token: str | None
    participant: Participant | None = None

    @property
    def client(self) -> ApiClient:
        return ApiClient(self.token)


# The middleware each settings object in force loaded, for every ApiClient to share.
_LOADED_MIDDLEWARE: WeakKeyDictionary[Any, tuple[Any, ...]] = WeakKeyDictionary()
_MIDDLEWARE_ATTRIBUTES = (
    "_middleware_chain",
    "_view_middleware",
    "_template_response_middleware",
    "_exception_middleware",
)


class SharedMiddlewareHandler(ClientHandler):
    """Django's test handler loads the whole middleware chain (WhiteNoise indexing the static
    files among it) on the first request of each Client, and the suite makes a client per
    persona and call: a quarter of a request's CPU. A served process loads it once; these
    clients load it once per settings object in force, so that a test's override_settings
    still gets a chain loaded under it."""

    def __call__(self, environ: dict[str, Any]) -> Any:
        in_force = cast(Any, settings)._wrapped
        loaded = _LOADED_MIDDLEWARE.get(in_force)
        if loaded is None:
            self.load_middleware()
            _LOADED_MIDDLEWARE[in_force] = tuple(
                getattr(self, name) for name in _MIDDLEWARE_ATTRIBUTES
            )
        else:
            for name, value in zip(_MIDDLEWARE_ATTRIBUTES, loaded, strict=True):
                setattr(self, name, value)
        return super().__call__(environ)


class ApiClient:
    """Django's test client speaking JSON with a bearer token (or none, for anonymous)."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.django = Client(raise_request_exception=True)
        self.django.handler = SharedMiddlewareHandler(enforce_csrf_checks=False)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body: Any = None, raw: str | bytes | None = None) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        data: str | bytes | None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body)
        else:
            data = None
        kwargs: dict[str, Any] = {"headers": self._headers()}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        return getattr(self.django, method.lower())(url, **kwargs)

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None, raw: str | bytes | None = None) -> Any:
        return self.call("POST", path, body, raw)

    def put(self, path: str, body: Any = None) -> Any:
        return self.call("PUT", path, body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)


# The encoding of PASSWORD under each setting of PASSWORD_HASHERS, made by the first person a
# world gives it; see `one_hash_per_password`.
_WORLD_PASSWORDS: dict[tuple[str, ...], str] = {}


@contextmanager
def one_hash_per_password() -> Iterator[None]:
    """While a world is built, everyone in it is given PASSWORD: the first person's encoding
    (made by the hasher the settings put first, Argon2 in the tests of password handling) is
    stored for the others, as a copy of the same salt and hash, instead of five Argon2 hashes
    of 0.4 s each per world. What a test itself sets or checks is hashed as production does."""

    def once(password: str | None, salt: str | None = None, hasher: str = "default") -> str:
        if password != PASSWORD or salt is not None or hasher != "default":
            return make_password(password, salt, hasher)
        key = tuple(settings.PASSWORD_HASHERS)
        if key not in _WORLD_PASSWORDS:
            _WORLD_PASSWORDS[key] = make_password(password)
        return _WORLD_PASSWORDS[key]

    # AbstractBaseUser.set_password calls the name its module imported.
    with mock.patch("django.contrib.auth.base_user.make_password", once):
        yield


def make_user(email: str, name: str, *, practice: Practice | None = None) -> User:
    return User.objects.create_user(email=email, name=name, password=PASSWORD, practice=practice)


@dataclass
class World:
    practice: Practice
    case: Case
    mediator: Persona
    party_a: Persona
    attorney_a: Persona
    party_b: Persona
    outsider: Persona
    anonymous: Persona
    other_case: Case
    side_a: uuid.UUID
    side_b: uuid.UUID

    @property
    def personas(self) -> list[Persona]:
        return [
            self.anonymous,
            self.outsider,
            self.mediator,
            self.party_a,
            self.attorney_a,
            self.party_b,
        ]


def _join(
    mediator: User, case_id: uuid.UUID, email: str, name: str, role: str, side_id: uuid.UUID | None
) -> Persona:
    issued = services.invite(mediator, case_id, email=email, name=name, role=role, side_id=side_id)
    accepted = services.accept_invitation(issued.token, name=name, password=PASSWORD, user=None)
    p = accepted.participant
    return Persona(name, p.user, accepted.token, p)


def build_world(*, screened: bool = True, label: str = "") -> World:
    """The case and its people; `label` prefixes every email (and names the practices) so
    that several worlds can live in one database."""
    with key_scope(), one_hash_per_password():
        practice = Practice.objects.create(name=f"Test practice{label}")
        med_user = make_user(f"{label}mediator@example.test", "Mia Mediator", practice=practice)
        me = services.open_case(med_user, title="Case of A and B", kind="family", litigated=True)
        case_id = me.case_id
        if screened:
            services.screen_case(
                med_user, case_id, decision="accept", reason_code=None, private_note=None
            )
        party_a = _join(med_user, case_id, f"{label}a@example.test", "Ada Party", "party", None)
        assert party_a.participant is not None
        side_a = party_a.participant.side_id
        assert side_a is not None
        attorney_a = _join(
            med_user, case_id, f"{label}att@example.test", "Abe Attorney", "attorney", side_a
        )
        party_b = _join(med_user, case_id, f"{label}b@example.test", "Bea Party", "party", None)
        assert party_b.participant is not None and party_b.participant.side_id is not None
        other_practice = Practice.objects.create(name=f"Other practice{label}")
        out_user = make_user(
            f"{label}outsider@example.test", "Otto Outsider", practice=other_practice
        )
        other = services.open_case(out_user, title="Another case", kind="civil", litigated=False)
        return World(
            practice=practice,
            case=Case.objects.get(pk=case_id),
            mediator=Persona("mediator", med_user, new_api_token(med_user), me),
            party_a=party_a,
            attorney_a=attorney_a,
            party_b=party_b,
            outsider=Persona("outsider", out_user, new_api_token(out_user), other),
            anonymous=Persona("anonymous", None, None),
            other_case=other.case,
            side_a=side_a,
            side_b=party_b.participant.side_id,
        )


@pytest.fixture
def world(request: pytest.FixtureRequest, db: None) -> World:
    return kept_or_built(request, "world")


@pytest.fixture
def intake_world(request: pytest.FixtureRequest, db: None) -> World:
    return kept_or_built(request, "intake_world")


@pytest.fixture(autouse=True)
def _key_scope() -> Iterator[None]:
    with key_scope():
        yield


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channel layer. A consumer that a test's event loop left waiting
    in `receive` keeps channels_redis's receive lock bound to that closed loop, and the next
    test's socket on the same layer instance then fails ("bound to a different event loop")."""
    yield
    channel_layers.backends.clear()


INTAKE_ANSWERS: dict[str, Any] = {
    "goals": "",
    "concerns": "",
    "anything_else": "",
    "safety": {
        "feels_safe_meeting_together": True,
        "history_of_violence_or_threats": False,
        "afraid_of_retaliation": False,
        "protective_order_in_place": False,
        "wants_separate_sessions": False,
    },
}


def complete_onboarding(world: World) -> None:
    """Every party acknowledges, everyone signs both agreements, every party agrees to every
    rule: through the same services the API calls."""
    from caucus.cases import onboarding_services as write
    from caucus.cases.models import Agreement, GroundRule

    people = [world.mediator, world.party_a, world.attorney_a, world.party_b]
    with key_scope():
        for party in (world.party_a, world.party_b):
            assert party.user is not None
            write.acknowledge_structure(party.user, world.case.id)
        for who in people:
            assert who.user is not None
            for agreement in Agreement.objects.filter(case_id=world.case.id):
                write.sign_agreement(
                    who.user,
                    agreement.id,
                    typed_name=who.user.name,
                    text_sha256=agreement.text_sha256,
                )
        for party in (world.party_a, world.party_b):
            # The practice's policy asks family cases for every party's intake (issue 15).
            assert party.user is not None
            write.submit_intake(party.user, world.case.id, answers=INTAKE_ANSWERS)
        for rule in GroundRule.objects.filter(case_id=world.case.id, withdrawn_at__isnull=True):
            for party in (world.party_a, world.party_b):
                assert party.user is not None
                write.respond_to_rule(party.user, rule.id, agrees=True, comment=None)
    world.case.refresh_from_db()
    assert world.case.status == "active"


def build_active_world(*, label: str = "") -> World:
    world = build_world(label=label)
    complete_onboarding(world)
    return world


@pytest.fixture
def active_world(request: pytest.FixtureRequest, db: None) -> World:
    return kept_or_built(request, "active_world")


# --- Worlds built once per module -------------------------------------------------------
#
# A module whose tests only need a world as it was built (whatever they then write) opts in
# with `pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")`. Its worlds are
# built once, inside a transaction that spans the module and is rolled back after it; each
# test runs inside a savepoint of that transaction (pytest-django's `db`, which the world
# fixtures take), rolled back after the test, and gets its own copy of the Python objects,
# so nothing a test writes or refreshes is seen by the next. Such a module must hold no
# transactional test (`transaction=True` would flush the database under the transaction),
# no test without a database (pytest-django runs those last, after the browser tests, where
# an event loop is running and the fixture's database calls are refused) and build no other
# world of its own.

WORLD_KINDS: dict[str, Callable[..., World]] = {
    "world": build_world,
    "active_world": build_active_world,
    "intake_world": lambda label="": build_world(screened=False, label=label),
}


@pytest.fixture(scope="module")
def worlds_kept_for_the_module(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, World]]:
    """The kinds of world this module's tests take, each built once; the first with the
    usual emails, any other with its kind as their prefix (one database holds them all)."""
    module = request.node
    wanted = {
        name
        for item in request.session.items
        if item.getparent(pytest.Module) is module
        for name in getattr(item, "fixturenames", ())
        if name in WORLD_KINDS
    }
    kinds = [kind for kind in WORLD_KINDS if kind in wanted]
    with django_db_blocker.unblock(), transaction.atomic():
        with key_scope():
            kept = {
                kind: WORLD_KINDS[kind](label="" if n == 0 else f"{kind}-")
                for n, kind in enumerate(kinds)
            }
        yield kept
        transaction.set_rollback(True)


def kept_or_built(request: pytest.FixtureRequest, kind: str) -> World:
    """This module's kept world of that kind (a copy of its objects), else a new one."""
    if "worlds_kept_for_the_module" in request.fixturenames:
        kept: dict[str, World] = request.getfixturevalue("worlds_kept_for_the_module")
        return copy.deepcopy(kept[kind])
    return WORLD_KINDS[kind]()
