"""The authorization matrix (issue 2, item 4).

Every URL pattern of the site and every operation of the REST API is found by walking
Django's resolver and the API's OpenAPI document, and every one of them must have a row in
`MATRIX`: the answer each person gets. A route added later without a row fails
`test_it_declares_an_outcome_for_every_route_and_method`; a row whose route is gone fails
`test_it_declares_no_route_that_does_not_exist`.

Each row is called as anonymous, as the mediator of another practice's case (the
outsider), and as each role of the case: mediator, party A, attorney A (side A), party B
(side B). Every call meets the world exactly as built (see `shared_scene`), so a call that
changes state (screening, close, a revoked token) cannot spoil the next one.

The rules the rows follow: anonymous gets 401 on the API and a redirect to the login page on
the web, except on the public pages; the outsider gets 404 on anything of a case they are not
in (existence is confidential: never 403), and so does side B on anything of side A's
caucus; parties and attorneys get 403 on what their role may not do in their own case and
200 on reads; the mediator succeeds.

To add a route: a row in MATRIX (the world it runs in, a valid body, the answer per person);
a value in PATH_VALUES for a new kind of id (or `ids=` on the row for another object of the
scene); a new object in `Scene`/`make_scene` if the route needs one.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from caucus.accounts.models import User
from caucus.api.app import api
from caucus.cases import onboarding_services, services
from caucus.cases.models import Agreement, GroundRule
from caucus.crypto.keyring import key_scope
from caucus.disclosures import services as disclosure_services
from caucus.meetings import services as meeting_services
from caucus.portal import services as portal_services
from tests.conftest import (
    INTAKE_ANSWERS,
    PASSWORD,
    Persona,
    World,
    build_world,
    complete_onboarding,
)
from tests.meetings.rooms import scheduled_meeting

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PERSONAS = ("anonymous", "outsider", "mediator", "party_a", "attorney_a", "party_b")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Django views do not publish the methods they accept. Every page is declared for the two
# methods a browser form sends (a method it does not take is declared as 405); any other
# method a page takes must be declared too, and every other one must answer 405
# (`test_it_refuses_the_methods_a_page_does_not_declare` probes them).
WEB_METHODS = ("GET", "POST")
OTHER_METHODS = ("PUT", "PATCH", "DELETE")
# Views that do the same whatever the method (they change nothing): they answer other
# methods as they answer GET.
METHOD_BLIND_PAGES = frozenset({"/", "/api/v1/", "/api/v1/openapi.json", "/api/v1/docs"})
# Views that Ninja mounts beside the operations: plain Django views, treated as pages.
NINJA_PLAIN_VIEWS = frozenset({"openapi-json", "openapi-view", "api-root"})
STATIC_VIEWS = frozenset({"django.views.static.serve", "django.contrib.staticfiles.views.serve"})
PARAM = re.compile(r"<(?:[^<>:]+:)?(?P<name>[^<>:]+)>|\{(?P<brace>[^{}]+)\}")


# --- What the site has ------------------------------------------------------------------


@dataclass(frozen=True)
class UrlRoute:
    route: str  # "/cases/<uuid:case_id>", with a leading slash
    name: str | None
    ninja_operation: bool


def _view_path(pattern: URLPattern) -> str:
    callback = pattern.callback
    return f"{getattr(callback, '__module__', '')}.{getattr(callback, '__name__', '')}"


def url_routes() -> list[UrlRoute]:
    """Every URL pattern Django resolves, static-file serving aside."""
    found: list[UrlRoute] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, in_ninja: bool) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    in_ninja or pattern.app_name == "ninja",
                )
            elif _view_path(pattern) not in STATIC_VIEWS:
                found.append(
                    UrlRoute(
                        route="/" + prefix + str(pattern.pattern),
                        name=pattern.name,
                        ninja_operation=in_ninja and pattern.name not in NINJA_PLAIN_VIEWS,
                    )
                )

    walk(get_resolver().url_patterns, "", False)
    return found


def openapi_route(route: str) -> str:
    """`/api/v1/cases/<case_id>` (as Django sees it) in OpenAPI's form `/api/v1/cases/{case_id}`."""
    return PARAM.sub(lambda m: "{" + (m.group("name") or m.group("brace")) + "}", route)


def openapi_schema() -> dict[str, Any]:
    schema: dict[str, Any] = dict(api.get_openapi_schema())
    return schema


def api_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation the API documents."""
    paths: dict[str, dict[str, Any]] = openapi_schema()["paths"]
    return [
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in HTTP_METHODS
    ]


def web_routes() -> list[str]:
    return [r.route for r in url_routes() if not r.ninja_operation]


def web_endpoints() -> list[tuple[str, str]]:
    return [
        (method, route)
        for route in web_routes()
        for method in (*WEB_METHODS, *OTHER_METHODS)
        if method in WEB_METHODS or (method, route) in MATRIX
    ]


def enumerated_endpoints() -> set[tuple[str, str]]:
    return set(api_operations()) | set(web_endpoints())


def path_params(route: str) -> list[str]:
    return [m.group("name") or m.group("brace") for m in PARAM.finditer(route)]


# --- The world each call runs in --------------------------------------------------------


@dataclass(frozen=True)
class MeetingScene:
    """Meetings of an active case, all of them caucuses with side A (so side B may see none
    of them): one running with party A admitted and attorney A in the lobby, holding an item
    with a decision to confirm and a note; one still scheduled; one running and empty."""

    caucus: uuid.UUID
    scheduled: uuid.UUID
    quiet: uuid.UUID
    item: uuid.UUID
    note: uuid.UUID
    attorney_a_participant: uuid.UUID


@dataclass(frozen=True)
class ExchangeScene:
    """What crosses between sides in an active case (issue 5): in side A's running caucus, an
    item party A confirmed as shareable with a disclosure of it pending (so side B may not
    see either), and another such item not yet disclosed; a request to add a neutral expert
    (every party is asked); a concern party A raised; a message for each audience."""

    shareable_item: uuid.UUID
    disclosure: uuid.UUID
    consent: uuid.UUID
    concern: uuid.UUID
    message_to_mediators: uuid.UUID  # by party A
    message_to_side_a: uuid.UUID  # by party A
    message_to_case: uuid.UUID  # by party B


@dataclass(frozen=True)
class SettlementScene:
    """Issue 16: the case's memorandum, marked ready; a comment party A addressed to their
    own side (side B may not see it)."""

    settlement: uuid.UUID
    text_sha256: str
    comment_of_side_a: uuid.UUID
    # Party A's request to remove a passage from the public-record copy (side A's).
    removal_request_of_side_a: uuid.UUID


@dataclass(frozen=True)
class Scene:
    """The shared personas, plus what the routes with ids need: an open invitation to a
    newcomer, one of the case's agreements, a ground rule (proposed by party A while the case
    is onboarding) and, in an active case, meetings."""

    world: World
    invite_token: str
    agreement_id: uuid.UUID
    agreement_sha256: str
    rule_id: uuid.UUID
    meetings: MeetingScene | None = None
    exchange: ExchangeScene | None = None
    document: uuid.UUID | None = None  # side A's, in an active case (issue 6)
    # side A's text document and a redaction of it, in an active case (issue 7)
    redaction: tuple[uuid.UUID, uuid.UUID] | None = None
    # issue 16: the memorandum, ready to sign, and a comment of side A's (own_side)
    settlement: SettlementScene | None = None
    # issue 15 (h15): the open invitation's id (the one `invite_token` opens)
    invitation_id: uuid.UUID | None = None
    # issue 15 (h15): a live password-reset link of party A's
    reset_token: str = ""

    def persona(self, name: str) -> Persona:
        persona = getattr(self.world, name)
        assert isinstance(persona, Persona), name
        return persona

    @property
    def m(self) -> MeetingScene:
        if self.meetings is None:
            raise LookupError("meetings exist only in an active case: world='active_world'")
        return self.meetings

    @property
    def x(self) -> ExchangeScene:
        if self.exchange is None:
            raise LookupError("disclosures exist only in an active case: world='active_world'")
        return self.exchange


def _user(persona: Persona) -> User:
    assert persona.user is not None
    return persona.user


def make_meetings(world: World) -> MeetingScene:
    mediator, party_a, attorney_a = (_user(p) for p in world.personas[2:5])
    starts = timezone.now() + timedelta(hours=1)

    def caucus(mode: str = "virtual") -> uuid.UUID:
        return scheduled_meeting(world, starts, "caucus", world.side_a, mode).id

    running, scheduled, quiet = caucus(), caucus(), caucus()
    for meeting_id in (running, quiet):
        meeting_services.start_meeting(mediator, meeting_id)
    for who in (party_a, attorney_a):
        meeting_services.join_meeting(
            who, running, private_location=True, not_recording=True, others_present=[]
        )
    assert world.party_a.participant is not None and world.attorney_a.participant is not None
    meeting_services.admit(mediator, running, world.party_a.participant.id)
    item = meeting_services.raise_item(mediator, running, text="Ada would accept the house.")
    meeting_services.decide_item(mediator, item.id, decision="keep_confidential", wording=None)
    note = meeting_services.write_note(mediator, running, body="Side A discussed the house.")
    return MeetingScene(
        caucus=running,
        scheduled=scheduled,
        quiet=quiet,
        item=item.id,
        note=note.id,
        attorney_a_participant=world.attorney_a.participant.id,
    )


def make_exchange(world: World, meetings: MeetingScene) -> ExchangeScene:
    mediator, party_a, party_b = (_user(p) for p in (world.mediator, world.party_a, world.party_b))
    case_id = world.case.id

    def confirmed_item(text: str) -> uuid.UUID:
        item = meeting_services.raise_item(mediator, meetings.caucus, text=text)
        meeting_services.decide_item(
            mediator, item.id, decision="may_share_as_worded", wording="A house is at stake."
        )
        meeting_services.confirm_item(party_a, item.id)
        return item.id

    disclosed = confirmed_item("Ada would sell the house for the right price.")
    disclosure = disclosure_services.draft_disclosure(
        mediator, disclosed, to="case", text="Side A would discuss the house."
    )
    consent = disclosure_services.request_consent(
        mediator,
        case_id,
        kind="add_expert",
        name="Vera Valuer",
        email="valuer@example.test",
        purpose="To value the house.",
        meeting_id=None,
        side_id=None,
    )
    concern = disclosure_services.raise_concern(
        party_a, case_id, topic="impartiality", body="The mediator knows Bea's brother."
    )

    def message(user: User, audience: str) -> uuid.UUID:
        body = f"A message to {audience}."
        return portal_services.post_message(user, case_id, body=body, audience=audience).id

    return ExchangeScene(
        shareable_item=confirmed_item("Ada could wait a year for the money."),
        disclosure=disclosure.id,
        consent=consent.id,
        concern=concern.id,
        message_to_mediators=message(party_a, "mediators"),
        message_to_side_a=message(party_a, "own_side"),
        message_to_case=message(party_b, "case"),
    )


def make_scene(world: World) -> Scene:
    mediator, party_a = _user(world.mediator), _user(world.party_a)
    issued = services.invite(
        mediator,
        world.case.id,
        email="newcomer@example.test",
        name="Nell Newcomer",
        role="party",
        side_id=None,
    )
    agreement = Agreement.objects.filter(case=world.case).order_by("kind").first()
    assert agreement is not None, "a case starts with its agreements"
    world.case.refresh_from_db()
    if world.case.status in ("intake", "onboarding"):
        rule_id = onboarding_services.propose_rule(
            party_a,
            world.case.id,
            text="We speak one at a time.",
            why="So that each is heard.",
            call_out="Anyone may say 'one at a time'.",
        ).id
    else:  # rules are settled: the mediator's confidentiality rule stands in
        rule = GroundRule.objects.filter(case=world.case).order_by("id").first()
        assert rule is not None
        rule_id = rule.id
    meetings = make_meetings(world) if world.case.status == "active" else None
    return Scene(
        world=world,
        invite_token=issued.token,
        agreement_id=agreement.id,
        agreement_sha256=agreement.text_sha256,
        rule_id=rule_id,
        meetings=meetings,
        exchange=make_exchange(world, meetings) if meetings is not None else None,
        document=make_document(world) if meetings is not None else None,
        redaction=make_redaction(world) if meetings is not None else None,
        settlement=make_settlement(world) if meetings is not None else None,
        invitation_id=issued.invitation.id,
        reset_token=make_reset_token(world),
    )


def scene_document(scene: Scene) -> uuid.UUID:
    if scene.document is None:
        raise LookupError("documents exist only in an active case: world='active_world'")
    return scene.document


def make_document(world: World) -> uuid.UUID:
    """A document of side A: party A's, addressed to their own side."""
    from caucus.vault.services import store_document

    party_a = world.party_a.participant
    assert party_a is not None
    doc = store_document(
        party_a,
        name="side-a-valuation.pdf",
        content_type="application/pdf",
        chunks=[b"%PDF-1.4\n side A's valuation \n%%EOF\n"],
        audience_kind="side",
        audience_side_id=world.side_a,
    )
    return doc.id


def make_redaction(world: World) -> tuple[uuid.UUID, uuid.UUID]:
    """A text document of side A, which redaction can read, and a redaction proposal of it
    (mediators only) (issue 7)."""
    from caucus.redaction.models import Redaction, RedactionSpan
    from caucus.vault.services import store_document

    party_a, mediator = world.party_a.participant, world.mediator.participant
    assert party_a is not None and mediator is not None
    text = "Ada Party lives at 12 Elm Street. SSN 123-45-6789."
    doc = store_document(
        party_a,
        name="side-a-memo.txt",
        content_type="text/plain",
        chunks=[text.encode()],
        audience_kind="side",
        audience_side_id=world.side_a,
    )
    r = Redaction(id=uuid.uuid4(), case_id=doc.case_id, document=doc, created_by=mediator,
                  kind="txt", audience_kind="mediators")  # fmt: skip
    r.text = text
    r.save()
    span = RedactionSpan(id=uuid.uuid4(), case_id=doc.case_id, redaction=r, start=0, end=9,
                         label="PERSON")  # fmt: skip
    span.text = "Ada Party"
    span.save()
    return doc.id, r.id


def make_settlement(world: World) -> SettlementScene:
    from caucus.settlement import services as settlement_services

    mediator, party_a = _user(world.mediator), _user(world.party_a)
    drafted = settlement_services.draft(
        mediator, world.case.id, text="Ada pays Bea 100 each month.", template=None
    )
    comment = settlement_services.comment(
        party_a, drafted.id, body="Side A would go to 90.", audience="own_side"
    )
    settlement_services.mark_ready(mediator, drafted.id)
    version = settlement_services.current_version(drafted)
    return SettlementScene(
        drafted.id, version.text_sha256, comment.id, make_removal_request(world, drafted.id)
    )


def make_removal_request(world: World, settlement_id: uuid.UUID) -> uuid.UUID:
    """A row as request_removal makes it, without the signatures and review it waits for."""
    from caucus.settlement.models import RemovalRequest

    author = world.party_a.participant
    assert author is not None
    row = RemovalRequest(
        id=uuid.uuid4(),
        case_id=world.case.id,
        settlement_id=settlement_id,
        author=author,
        audience_kind="side",
        audience_side_id=world.side_a,
    )
    row.passage = "Ada pays Bea"
    row.save()
    return row.id


def scene_settlement(scene: Scene) -> SettlementScene:
    if scene.settlement is None:
        raise LookupError("a memorandum exists only in an active case: world='active_world'")
    return scene.settlement


def scene_text_document(scene: Scene) -> uuid.UUID:
    if scene.redaction is None:
        raise LookupError("redactions exist only in an active case: world='active_world'")
    return scene.redaction[0]


def scene_redaction(scene: Scene) -> uuid.UUID:
    if scene.redaction is None:
        raise LookupError("redactions exist only in an active case: world='active_world'")
    return scene.redaction[1]


# The value each path parameter takes. A route with a parameter not named here fails with a
# message asking for one: add it here (both test files read this table).
PATH_VALUES: dict[str, Callable[[Scene], str]] = {
    "case_id": lambda s: str(s.world.case.id),
    "token": lambda s: s.invite_token,
    "agreement_id": lambda s: str(s.agreement_id),
    "rule_id": lambda s: str(s.rule_id),
    "meeting_id": lambda s: str(s.m.caucus),
    "item_id": lambda s: str(s.m.item),
    "note_id": lambda s: str(s.m.note),
    "disclosure_id": lambda s: str(s.x.disclosure),
    "consent_id": lambda s: str(s.x.consent),
    "concern_id": lambda s: str(s.x.concern),
    "message_id": lambda s: str(s.x.message_to_mediators),
    "document_id": lambda s: str(scene_document(s)),
    "redaction_id": lambda s: str(scene_redaction(s)),
    # issue 16
    "settlement_id": lambda s: str(scene_settlement(s).settlement),
    "comment_id": lambda s: str(scene_settlement(s).comment_of_side_a),
    "number": lambda s: "1",
    # issue 15 (h15)
    "invitation_id": lambda s: str(s.invitation_id),
    # issue 15: attorney A's participation (the one an attorney's removal names)
    "participant_id": lambda s: str(s.world.attorney_a.participant.id),  # type: ignore[union-attr]
    # issue 16
    "request_id": lambda s: str(scene_settlement(s).removal_request_of_side_a),
    # issue 15 (f15rest): party A's bearer token, as one of the places they are signed in
    "session_id": lambda s: party_a_token_id(s),
}


def fill(route: str, scene: Scene, overrides: Mapping[str, str] | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("brace")
        if overrides and name in overrides:
            return overrides[name]
        if name not in PATH_VALUES:
            pytest.fail(f"no value for path parameter {name!r} of {route}: add it to PATH_VALUES")
        return PATH_VALUES[name](scene)

    return PARAM.sub(value, route)


def available_path_values(scene: Scene, route: str, entry: Entry | None) -> dict[str, str]:
    """The values of `route`'s path parameters that this scene has (for the bad-input tests,
    which fall back to fresh ids for the others)."""
    values: dict[str, str] = {}
    for name in path_params(route):
        if entry is not None and name in entry.ids:
            values[name] = entry.ids[name](scene)
        elif name in PATH_VALUES:
            try:
                values[name] = PATH_VALUES[name](scene)
            except LookupError:
                continue
    return values


# --- What each person must get ----------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 to `to` (path parameters filled in); with `prefix`, to anything under it."""

    to: str
    prefix: bool = False


Outcome = int | Redirect
Body = Callable[[Scene], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    outcomes: dict[str, Outcome]
    body: Body | None = None
    # The world fixture the call runs in: "world" (onboarding), "intake_world" (screening
    # still to do) or "active_world" (onboarding complete: meetings and content).
    world: str = "world"
    # Path values for this route other than PATH_VALUES' (another object of the scene).
    ids: Mapping[str, Callable[[Scene], str]] = field(default_factory=dict)

    def path_overrides(self, scene: Scene) -> dict[str, str]:
        return {name: value(scene) for name, value in self.ids.items()}


def each(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(PERSONAS, outcome)


def expect(
    *, anonymous: Outcome, outsider: Outcome, mediator: Outcome, members: Outcome
) -> dict[str, Outcome]:
    """`members`: party A, attorney A and party B alike."""
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "mediator": mediator,
        "party_a": members,
        "attorney_a": members,
        "party_b": members,
    }


def api_read() -> dict[str, Outcome]:
    return expect(anonymous=401, outsider=404, mediator=200, members=200)


def api_mediator_action(ok: int) -> dict[str, Outcome]:
    return expect(anonymous=401, outsider=404, mediator=ok, members=403)


def api_roles(
    *, mediator: Outcome, party_a: Outcome, attorney_a: Outcome, party_b: Outcome
) -> dict[str, Outcome]:
    """An action some roles of the case may take and others may not."""
    return {
        "anonymous": 401,
        "outsider": 404,
        "mediator": mediator,
        "party_a": party_a,
        "attorney_a": attorney_a,
        "party_b": party_b,
    }


def in_caucus_a(*, mediator: Outcome, party_a: Outcome, attorney_a: Outcome) -> dict[str, Outcome]:
    """Something of side A's caucus: side B cannot see it exists (404), like an outsider."""
    return api_roles(mediator=mediator, party_a=party_a, attorney_a=attorney_a, party_b=404)


def api_parties_only(ok: int) -> dict[str, Outcome]:
    return api_roles(mediator=403, party_a=ok, attorney_a=403, party_b=ok)


def api_proposer_only(ok: int) -> dict[str, Outcome]:
    """Party A proposed the scene's ground rule; only a rule's proposer changes it."""
    return api_roles(mediator=403, party_a=ok, attorney_a=403, party_b=403)


LOGIN = Redirect("/login")
CASES = Redirect("/cases")
CASE_PAGE = Redirect("/cases/{case_id}")
NEW_CASE_PAGE = Redirect("/cases/", prefix=True)


def web_signed_in(*, outsider: Outcome, mediator: Outcome, members: Outcome) -> dict[str, Outcome]:
    return expect(anonymous=LOGIN, outsider=outsider, mediator=mediator, members=members)


WEB_NOT_ALLOWED = web_signed_in(outsider=405, mediator=405, members=405)
ONBOARDING_PAGE = Redirect("/cases/{case_id}/onboarding")
MEETING_PAGE = Redirect("/meetings/{meeting_id}")
NEW_MEETING_PAGE = Redirect("/meetings/", prefix=True)
DISCLOSURES_PAGE = Redirect("/cases/{case_id}/disclosures")
CONSENTS_PAGE = Redirect("/cases/{case_id}/consents")
CONCERNS_PAGE = Redirect("/cases/{case_id}/concerns")
MESSAGES_PAGE = Redirect("/cases/{case_id}/messages")
DOCUMENTS_PAGE = Redirect("/cases/{case_id}/documents")
SETTLEMENT_PAGE = Redirect("/cases/{case_id}/settlement")  # issue 16


def web_in_caucus_a(
    *, mediator: Outcome, party_a: Outcome, attorney_a: Outcome
) -> dict[str, Outcome]:
    """A page of side A's caucus: side B, like the outsider, gets 404."""
    return web_roles(mediator=mediator, party_a=party_a, attorney_a=attorney_a, party_b=404)


def web_roles(
    *, mediator: Outcome, party_a: Outcome, attorney_a: Outcome, party_b: Outcome
) -> dict[str, Outcome]:
    return {
        "anonymous": LOGIN,
        "outsider": 404,
        "mediator": mediator,
        "party_a": party_a,
        "attorney_a": attorney_a,
        "party_b": party_b,
    }


def web_parties_only(ok: Outcome) -> dict[str, Outcome]:
    return web_roles(mediator=403, party_a=ok, attorney_a=403, party_b=ok)


def web_proposer_only(ok: Outcome) -> dict[str, Outcome]:
    return web_roles(mediator=403, party_a=ok, attorney_a=403, party_b=403)


def party_a_credentials(scene: Scene) -> dict[str, Any]:
    return {"email": "a@example.test", "password": PASSWORD}


def newcomer(scene: Scene) -> dict[str, Any]:
    return {"name": "Nell Newcomer", "password": PASSWORD}


def newcomer_api(scene: Scene) -> dict[str, Any]:
    return {"token": scene.invite_token, **newcomer(scene)}


def new_case(scene: Scene) -> dict[str, Any]:
    return {"title": "A new case", "kind": "workplace", "litigated": False}


def attorney_for_b(scene: Scene) -> dict[str, Any]:
    return {
        "email": "counsel-b@example.test",
        "name": "Cal Counsel",
        "role": "attorney",
        "side_id": str(scene.world.side_b),
    }


def accept_case(scene: Scene) -> dict[str, Any]:
    return {"decision": "accept"}


def settle(scene: Scene) -> dict[str, Any]:
    return {"outcome": "settled", "note_to_parties": "Thank you both."}


def other_structure(scene: Scene) -> dict[str, Any]:
    return {"policy": "shared_unless_marked"}


def agreement_text(scene: Scene) -> dict[str, Any]:
    return {"text": "The parties agree to mediate in good faith."}


# `call` puts the caller's own name here: a signature is the signer's full name (issue 15).
OWN_NAME = "<the caller's own name>"


def signature(scene: Scene) -> dict[str, Any]:
    return {"typed_name": OWN_NAME, "text_sha256": scene.agreement_sha256}


def web_signature(scene: Scene) -> dict[str, Any]:
    return {**signature(scene), "consent_electronic": "on"}


def ground_rule(scene: Scene) -> dict[str, Any]:
    return {
        "text": "No interrupting.",
        "why": "Everyone finishes a sentence.",
        "call_out": "A raised hand.",
    }


def objection(scene: Scene) -> dict[str, Any]:
    return {"comment": "Too strict for us."}


def intake_answers(scene: Scene) -> dict[str, Any]:
    return {**copy.deepcopy(INTAKE_ANSWERS), "goals": "Agree on a schedule."}


def intake_form(scene: Scene) -> dict[str, Any]:
    answers = intake_answers(scene)
    safety: dict[str, bool] = answers.pop("safety")
    return {**answers, **{k: "on" for k, v in safety.items() if v}}


def joint_meeting(scene: Scene) -> dict[str, Any]:
    starts = timezone.now() + timedelta(days=1)
    return {"kind": "joint", "mode": "virtual", "starts_at": starts.isoformat()}


def attestation(scene: Scene) -> dict[str, Any]:
    return {"attestation": {"private_location": True, "not_recording": True}}


def attorney_a_in_lobby(scene: Scene) -> dict[str, Any]:
    return {"participant_id": str(scene.m.attorney_a_participant)}


def caucus_side(scene: Scene) -> dict[str, Any]:
    return {"side_id": str(scene.world.side_a)}


def item_text(scene: Scene) -> dict[str, Any]:
    return {"text": "Bea's pension matters most to her."}


def decision(scene: Scene) -> dict[str, Any]:
    return {"decision": "may_share_as_worded", "wording": "A pension is at stake."}


def note_body(scene: Scene) -> dict[str, Any]:
    return {"body": "We met and talked."}


def revision(scene: Scene) -> dict[str, Any]:
    return {"body": "We met and talked at length.", "resolves": []}


def meeting_form(scene: Scene) -> dict[str, Any]:
    return {"kind": "joint", "mode": "virtual", "starts_at": "2031-01-01T10:00"}


def attestation_form(scene: Scene) -> dict[str, Any]:
    return {"private_location": "on", "not_recording": "on"}


def keep_confidential(scene: Scene) -> dict[str, Any]:
    return {"decision": "keep_confidential"}


def disclosure_to_case(scene: Scene) -> dict[str, Any]:
    return {"to": "case", "text": "Side A could wait for the money."}


def expert_consent(scene: Scene) -> dict[str, Any]:
    return {
        "kind": "add_expert",
        "name": "Pat Pensions",
        "email": "pensions@example.test",
        "purpose": "To value the pension.",
    }


def concern(scene: Scene) -> dict[str, Any]:
    return {"topic": "confidentiality", "body": "I worry my words travel."}


def concern_answer(scene: Scene) -> dict[str, Any]:
    return {"body": "Nothing leaves your side without your approval."}


def message_to_case(scene: Scene) -> dict[str, Any]:
    return {"body": "Could we meet on Tuesday?", "audience": "case"}


def document_upload(scene: Scene) -> dict[str, Any]:
    """A multipart body: `call` sends it as a form with a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n agenda \n%%EOF\n", "application/pdf")
    return {"file": pdf, "audience": "case"}


def prefixed(prefix: Callable[[Scene], str], body: Body) -> Body:
    """Forms that appear once per object on a page name their fields with a prefix."""

    def form(scene: Scene) -> dict[str, Any]:
        return {f"{prefix(scene)}-{k}": v for k, v in body(scene).items()}

    return form


def objection_prefix(scene: Scene) -> str:
    return f"o{scene.rule_id.hex[:8]}"


def amend_prefix(scene: Scene) -> str:
    return f"r{scene.rule_id.hex[:8]}"


def web_form(body: Body) -> Body:
    """The same fields as a browser form sends them: no JSON false, strings only."""

    def form(scene: Scene) -> dict[str, Any]:
        return {k: v for k, v in body(scene).items() if v is not False}

    return form


# issue 15 (h15): accounts
ACCOUNT = Redirect("/account")
NEW_PASSWORD = "a fresh and long passphrase 42"


def make_reset_token(world: World) -> str:
    """A live password-reset link of party A's (made with the scene, so that a call that
    names it changes nothing before it runs)."""
    import secrets

    from caucus.accounts.models import PasswordReset, hash_secret

    raw = secrets.token_urlsafe(32)
    PasswordReset.objects.create(
        user=_user(world.party_a),
        token_hash=hash_secret(raw),
        expires_at=timezone.now() + timedelta(days=1),
    )
    return raw


def live_reset_token(scene: Scene) -> str:
    return scene.reset_token


def reset_confirmation(scene: Scene) -> dict[str, Any]:
    return {"token": live_reset_token(scene), "password": NEW_PASSWORD}


# Keyed by (METHOD, route): API operations as the OpenAPI document writes their paths,
# pages as Django's resolver writes their patterns.
MATRIX: dict[tuple[str, str], Entry] = {
    # --- API: accounts and invitations
    ("POST", "/api/v1/auth/token"): Entry(each(200), body=party_a_credentials),
    ("DELETE", "/api/v1/auth/token"): Entry(
        expect(anonymous=401, outsider=204, mediator=204, members=204)
    ),
    ("GET", "/api/v1/auth/me"): Entry(
        expect(anonymous=401, outsider=200, mediator=200, members=200)
    ),
    # Anyone holding the link may use it to make the invitee's account; with a bearer it
    # joins the caller's account only when that is the invitee's email (409 otherwise).
    ("POST", "/api/v1/invitations/accept"): Entry(
        expect(anonymous=201, outsider=409, mediator=409, members=409), body=newcomer_api
    ),
    # --- API: cases (the outsider mediates at another practice, so may open cases)
    ("POST", "/api/v1/cases"): Entry(
        expect(anonymous=401, outsider=201, mediator=201, members=403), body=new_case
    ),
    ("GET", "/api/v1/cases"): Entry(expect(anonymous=401, outsider=200, mediator=200, members=200)),
    ("GET", "/api/v1/cases/{case_id}"): Entry(api_read()),
    ("POST", "/api/v1/cases/{case_id}/invitations"): Entry(
        api_mediator_action(201), body=attorney_for_b
    ),
    ("GET", "/api/v1/cases/{case_id}/participants"): Entry(api_read()),
    ("POST", "/api/v1/cases/{case_id}/screening"): Entry(
        api_mediator_action(200), body=accept_case, world="intake_world"
    ),
    # The active scene's running caucus has an item its party has not confirmed: the close
    # answers 409 `closeout_incomplete` to the mediator, and the parties are refused before
    # anything of the caucus is read (the web row below, in a case with no meeting, closes).
    ("POST", "/api/v1/cases/{case_id}/close"): Entry(
        api_mediator_action(409), body=settle, world="active_world"
    ),
    # --- API: onboarding (structure, agreements, ground rules, intake)
    ("GET", "/api/v1/cases/{case_id}/confidentiality-structure"): Entry(api_read()),
    ("PUT", "/api/v1/cases/{case_id}/confidentiality-structure"): Entry(
        api_mediator_action(200), body=other_structure
    ),
    ("POST", "/api/v1/cases/{case_id}/confidentiality-structure/acknowledge"): Entry(
        api_parties_only(200)
    ),
    ("GET", "/api/v1/cases/{case_id}/agreements"): Entry(api_read()),
    ("PUT", "/api/v1/agreements/{agreement_id}"): Entry(
        api_mediator_action(200), body=agreement_text
    ),
    # Everyone signs, attorneys included (practice 7).
    ("POST", "/api/v1/agreements/{agreement_id}/sign"): Entry(
        expect(anonymous=401, outsider=404, mediator=201, members=201), body=signature
    ),
    ("GET", "/api/v1/agreements/{agreement_id}/pdf"): Entry(api_read()),
    ("GET", "/api/v1/cases/{case_id}/ground-rules"): Entry(api_read()),
    ("POST", "/api/v1/cases/{case_id}/ground-rules"): Entry(
        api_roles(mediator=201, party_a=201, attorney_a=403, party_b=201), body=ground_rule
    ),
    ("POST", "/api/v1/ground-rules/{rule_id}/agree"): Entry(api_parties_only(200)),
    ("POST", "/api/v1/ground-rules/{rule_id}/object"): Entry(api_parties_only(200), body=objection),
    ("PUT", "/api/v1/ground-rules/{rule_id}"): Entry(api_proposer_only(200), body=ground_rule),
    ("DELETE", "/api/v1/ground-rules/{rule_id}"): Entry(api_proposer_only(200)),
    # Mediators read every party's intake, a party their own; attorneys read nothing of it
    # but may call (an empty list).
    ("GET", "/api/v1/cases/{case_id}/intake"): Entry(api_read()),
    ("PUT", "/api/v1/cases/{case_id}/intake"): Entry(api_parties_only(200), body=intake_answers),
    # --- API: meetings, items, notes (an active case; the scene's meetings are side A's
    # caucuses, so every one of them is 404 to side B)
    ("POST", "/api/v1/cases/{case_id}/meetings"): Entry(
        api_mediator_action(201), body=joint_meeting, world="active_world"
    ),
    ("GET", "/api/v1/cases/{case_id}/meetings"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/meetings/{meeting_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/start"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/end"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.quiet)},
    ),
    # Attendees join; the mediator runs the meeting and has nothing to join.
    ("POST", "/api/v1/meetings/{meeting_id}/join"): Entry(
        in_caucus_a(mediator=403, party_a=202, attorney_a=202),
        body=attestation,
        world="active_world",
    ),
    ("GET", "/api/v1/meetings/{meeting_id}/attendance"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403), world="active_world"
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/admit"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        body=attorney_a_in_lobby,
        world="active_world",
    ),
    # The scene's meetings are caucuses: a caucus is opened from a running joint meeting only.
    ("POST", "/api/v1/meetings/{meeting_id}/caucus"): Entry(
        in_caucus_a(mediator=409, party_a=403, attorney_a=403),
        body=caucus_side,
        world="active_world",
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/remove"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        body=attorney_a_in_lobby,
        world="active_world",
    ),
    # Attendees leave; the mediator ends the meeting instead.
    ("POST", "/api/v1/meetings/{meeting_id}/leave"): Entry(
        in_caucus_a(mediator=403, party_a=200, attorney_a=200), world="active_world"
    ),
    # Party A was admitted; attorney A still waits in the lobby.
    ("GET", "/api/v1/meetings/{meeting_id}/room"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=403), world="active_world"
    ),
    # The matrix runs in mesh mode, where there is no video-server token to renew: 409.
    ("GET", "/api/v1/meetings/{meeting_id}/room/token"): Entry(
        in_caucus_a(mediator=409, party_a=409, attorney_a=403), world="active_world"
    ),
    ("GET", "/api/v1/meetings/{meeting_id}/ics"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/items"): Entry(
        in_caucus_a(mediator=201, party_a=201, attorney_a=403),
        body=item_text,
        world="active_world",
    ),
    ("PUT", "/api/v1/items/{item_id}/decision"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        body=decision,
        world="active_world",
    ),
    # Only the party of the item's side confirms.
    ("POST", "/api/v1/items/{item_id}/confirm"): Entry(
        in_caucus_a(mediator=403, party_a=200, attorney_a=403), world="active_world"
    ),
    ("GET", "/api/v1/cases/{case_id}/items"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/items/{item_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/notes"): Entry(
        in_caucus_a(mediator=201, party_a=403, attorney_a=403),
        body=note_body,
        world="active_world",
    ),
    ("GET", "/api/v1/notes/{note_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("GET", "/api/v1/notes/{note_id}/pdf"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/notes/{note_id}/feedback"): Entry(
        in_caucus_a(mediator=201, party_a=201, attorney_a=201),
        body=note_body,
        world="active_world",
    ),
    ("POST", "/api/v1/notes/{note_id}/revise"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        body=revision,
        world="active_world",
    ),
    ("POST", "/api/v1/cases/{case_id}/records-request"): Entry(api_read(), world="active_world"),
    # --- API: disclosures, consents, concerns, messages (issue 5; an active case). The
    # scene's disclosure is of an item of side A's caucus: side B cannot know it exists.
    ("POST", "/api/v1/items/{item_id}/disclosures"): Entry(
        in_caucus_a(mediator=201, party_a=403, attorney_a=403),
        body=disclosure_to_case,
        world="active_world",
        ids={"item_id": lambda s: str(s.x.shareable_item)},
    ),
    # Party B calls and gets an empty list: side A's disclosures are not theirs to count.
    ("GET", "/api/v1/cases/{case_id}/disclosures"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/disclosures/{disclosure_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    # The approvers are the item's party and their attorney; the mediator drafted it and
    # may see it, but is not asked.
    ("POST", "/api/v1/disclosures/{disclosure_id}/approve"): Entry(
        in_caucus_a(mediator=403, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/disclosures/{disclosure_id}/reject"): Entry(
        in_caucus_a(mediator=403, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/cases/{case_id}/consents"): Entry(
        api_mediator_action(201), body=expert_consent, world="active_world"
    ),
    # A consent is asked of every party: the whole case sees it.
    ("GET", "/api/v1/cases/{case_id}/consents"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/consents/{consent_id}"): Entry(api_read(), world="active_world"),
    ("POST", "/api/v1/consents/{consent_id}/approve"): Entry(
        api_parties_only(200), world="active_world"
    ),
    ("POST", "/api/v1/consents/{consent_id}/deny"): Entry(
        api_parties_only(200), world="active_world"
    ),
    ("POST", "/api/v1/cases/{case_id}/concerns"): Entry(
        expect(anonymous=401, outsider=404, mediator=201, members=201),
        body=concern,
        world="active_world",
    ),
    ("GET", "/api/v1/cases/{case_id}/concerns"): Entry(api_read(), world="active_world"),
    # Party A raised it: the mediators and side A see it, side B cannot know it exists.
    ("GET", "/api/v1/concerns/{concern_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/concerns/{concern_id}/respond"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        body=concern_answer,
        world="active_world",
    ),
    ("POST", "/api/v1/cases/{case_id}/messages"): Entry(
        expect(anonymous=401, outsider=404, mediator=201, members=201),
        body=message_to_case,
        world="active_world",
    ),
    ("GET", "/api/v1/cases/{case_id}/messages"): Entry(api_read(), world="active_world"),
    # Party A's message to the mediators: its author and the mediators read it, nobody else
    # (the other audiences: `test_it_shows_each_message_to_its_audience_only`).
    ("GET", "/api/v1/messages/{message_id}"): Entry(
        api_roles(mediator=200, party_a=200, attorney_a=404, party_b=404), world="active_world"
    ),
    # --- API: documents and the access log (issue 6; an active case). The scene's document
    # is party A's, addressed to side A: side B cannot know it exists.
    ("POST", "/api/v1/cases/{case_id}/documents"): Entry(
        expect(anonymous=401, outsider=404, mediator=201, members=201),
        body=document_upload,
        world="active_world",
    ),
    ("GET", "/api/v1/cases/{case_id}/documents"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/documents/{document_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("GET", "/api/v1/documents/{document_id}/content"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("GET", "/api/v1/cases/{case_id}/access-log"): Entry(api_read(), world="active_world"),
    # --- API: redaction (issue 7; an active case). Mediators only: a party who can see the
    # document is refused (403); a redaction's audience is the mediators, so to everyone
    # else it does not exist (404).
    ("POST", "/api/v1/documents/{document_id}/redactions"): Entry(
        in_caucus_a(mediator=201, party_a=403, attorney_a=403),
        world="active_world",
        ids={"document_id": lambda s: str(scene_text_document(s))},
    ),
    ("GET", "/api/v1/redactions/{redaction_id}"): Entry(
        api_roles(mediator=200, party_a=404, attorney_a=404, party_b=404), world="active_world"
    ),
    ("POST", "/api/v1/redactions/{redaction_id}/finalize"): Entry(
        api_roles(mediator=201, party_a=404, attorney_a=404, party_b=404),
        body=lambda s: {"accept": [], "add": [{"start": 0, "end": 3, "label": "PERSON"}]},
        world="active_world",
    ),
    # --- The API's own documents: public, they describe the interface and hold no data.
    ("GET", "/api/v1/"): Entry(each(404)),
    ("POST", "/api/v1/"): Entry(each(404)),
    ("GET", "/api/v1/openapi.json"): Entry(each(200)),
    ("POST", "/api/v1/openapi.json"): Entry(each(200)),
    ("GET", "/api/v1/docs"): Entry(each(200)),
    ("POST", "/api/v1/docs"): Entry(each(200)),
    # --- Web pages. Public: home, login, login/code and the invitation link.
    # issue 15 (h15): the home page ("what needs me") is each signed-in person's own.
    ("GET", "/"): Entry(expect(anonymous=LOGIN, outsider=200, mediator=200, members=200)),
    ("POST", "/"): Entry(expect(anonymous=LOGIN, outsider=200, mediator=200, members=200)),
    ("GET", "/login"): Entry(each(200)),
    ("POST", "/login"): Entry(each(CASES), body=party_a_credentials),
    # Without a password step pending, the code page sends everyone back to sign in.
    ("GET", "/login/code"): Entry(each(LOGIN)),
    ("POST", "/login/code"): Entry(each(LOGIN), body=lambda s: {"otp": "123456"}),
    ("GET", "/logout"): Entry(each(405)),
    ("POST", "/logout"): Entry(each(LOGIN)),
    ("GET", "/cases"): Entry(web_signed_in(outsider=200, mediator=200, members=200)),
    ("POST", "/cases"): Entry(WEB_NOT_ALLOWED),
    ("GET", "/cases/new"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/new"): Entry(
        web_signed_in(outsider=NEW_CASE_PAGE, mediator=NEW_CASE_PAGE, members=403),
        body=web_form(new_case),
    ),
    ("GET", "/cases/<uuid:case_id>"): Entry(web_signed_in(outsider=404, mediator=200, members=200)),
    # The method is refused before the case is looked up, for any id: no existence leaks.
    ("POST", "/cases/<uuid:case_id>"): Entry(WEB_NOT_ALLOWED),
    ("GET", "/cases/<uuid:case_id>/invite"): Entry(WEB_NOT_ALLOWED),
    # The mediator gets the case page back with the new link on it.
    ("POST", "/cases/<uuid:case_id>/invite"): Entry(
        web_signed_in(outsider=404, mediator=200, members=403), body=attorney_for_b
    ),
    ("GET", "/cases/<uuid:case_id>/screening"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/screening"): Entry(
        web_signed_in(outsider=404, mediator=CASE_PAGE, members=403),
        body=accept_case,
        world="intake_world",
    ),
    # issue 15 (h15): closing has its own page, which asks the mediator to confirm.
    ("GET", "/cases/<uuid:case_id>/close"): Entry(
        web_signed_in(outsider=404, mediator=200, members=403)
    ),
    ("POST", "/cases/<uuid:case_id>/close"): Entry(
        web_signed_in(outsider=404, mediator=CASE_PAGE, members=403),
        body=lambda s: {**settle(s), "confirm": "on"},
    ),
    # Retention (issue 8): a live case has no deletion certificate, so everyone gets 404; a
    # purged case's certificate (mediators of its practice only) is in tests/retention.
    ("GET", "/cases/<uuid:case_id>/certificate"): Entry(
        web_signed_in(outsider=404, mediator=404, members=404)
    ),
    ("POST", "/cases/<uuid:case_id>/certificate"): Entry(WEB_NOT_ALLOWED),
    # --- Web: onboarding. Each POST sends the caller back to the onboarding page.
    ("GET", "/cases/<uuid:case_id>/onboarding"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200)
    ),
    ("POST", "/cases/<uuid:case_id>/onboarding"): Entry(WEB_NOT_ALLOWED),
    ("GET", "/cases/<uuid:case_id>/onboarding/structure"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/onboarding/structure"): Entry(
        web_signed_in(outsider=404, mediator=ONBOARDING_PAGE, members=403),
        body=other_structure,
    ),
    ("GET", "/cases/<uuid:case_id>/onboarding/acknowledge"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/onboarding/acknowledge"): Entry(
        web_parties_only(ONBOARDING_PAGE)
    ),
    ("GET", "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/sign"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/sign"): Entry(
        web_signed_in(outsider=404, mediator=ONBOARDING_PAGE, members=ONBOARDING_PAGE),
        body=web_signature,
    ),
    ("GET", "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/edit"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/edit"): Entry(
        web_signed_in(outsider=404, mediator=ONBOARDING_PAGE, members=403),
        body=agreement_text,
    ),
    ("GET", "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/pdf"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200)
    ),
    ("POST", "/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/pdf"): Entry(WEB_NOT_ALLOWED),
    ("GET", "/cases/<uuid:case_id>/rules"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/rules"): Entry(
        web_roles(
            mediator=ONBOARDING_PAGE,
            party_a=ONBOARDING_PAGE,
            attorney_a=403,
            party_b=ONBOARDING_PAGE,
        ),
        body=ground_rule,
    ),
    ("GET", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/agree"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/agree"): Entry(
        web_parties_only(ONBOARDING_PAGE)
    ),
    ("GET", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/object"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/object"): Entry(
        web_parties_only(ONBOARDING_PAGE), body=prefixed(objection_prefix, objection)
    ),
    ("GET", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/amend"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/amend"): Entry(
        web_proposer_only(ONBOARDING_PAGE), body=prefixed(amend_prefix, ground_rule)
    ),
    ("GET", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/withdraw"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/rules/<uuid:rule_id>/withdraw"): Entry(
        web_proposer_only(ONBOARDING_PAGE)
    ),
    ("GET", "/cases/<uuid:case_id>/onboarding/intake"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/cases/<uuid:case_id>/onboarding/intake"): Entry(
        web_parties_only(ONBOARDING_PAGE), body=intake_form
    ),
    # --- Web: meetings (an active case; the scene's meetings are side A's caucuses)
    ("GET", "/cases/<uuid:case_id>/meetings"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/cases/<uuid:case_id>/meetings"): Entry(
        web_signed_in(outsider=404, mediator=NEW_MEETING_PAGE, members=403),
        body=meeting_form,
        world="active_world",
    ),
    ("GET", "/cases/<uuid:case_id>/records-request"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/cases/<uuid:case_id>/records-request"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("GET", "/meetings/<uuid:meeting_id>"): Entry(
        web_in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/meetings/<uuid:meeting_id>"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("GET", "/meetings/<uuid:meeting_id>/closeout"): Entry(
        web_in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/meetings/<uuid:meeting_id>/closeout"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("GET", "/meetings/<uuid:meeting_id>/start"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/start"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
    ),
    ("GET", "/meetings/<uuid:meeting_id>/end"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/end"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.quiet)},
    ),
    ("GET", "/meetings/<uuid:meeting_id>/join"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/join"): Entry(
        web_in_caucus_a(mediator=403, party_a=MEETING_PAGE, attorney_a=MEETING_PAGE),
        body=attestation_form,
        world="active_world",
    ),
    ("GET", "/meetings/<uuid:meeting_id>/admit"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/admit"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        body=attorney_a_in_lobby,
        world="active_world",
    ),
    ("GET", "/meetings/<uuid:meeting_id>/caucus"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/caucus"): Entry(
        web_in_caucus_a(mediator=409, party_a=403, attorney_a=403),
        body=caucus_side,
        world="active_world",
    ),
    ("GET", "/meetings/<uuid:meeting_id>/remove"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/remove"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        body=attorney_a_in_lobby,
        world="active_world",
    ),
    ("GET", "/meetings/<uuid:meeting_id>/leave"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/leave"): Entry(
        web_in_caucus_a(mediator=403, party_a=MEETING_PAGE, attorney_a=MEETING_PAGE),
        world="active_world",
    ),
    ("GET", "/meetings/<uuid:meeting_id>/items"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/items"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=MEETING_PAGE, attorney_a=403),
        body=item_text,
        world="active_world",
    ),
    ("GET", "/meetings/<uuid:meeting_id>/notes"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/notes"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        body=note_body,
        world="active_world",
    ),
    ("GET", "/items/<uuid:item_id>/decision"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/items/<uuid:item_id>/decision"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        body=keep_confidential,
        world="active_world",
    ),
    ("GET", "/items/<uuid:item_id>/confirm"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/items/<uuid:item_id>/confirm"): Entry(
        web_in_caucus_a(mediator=403, party_a=MEETING_PAGE, attorney_a=403),
        world="active_world",
    ),
    ("GET", "/notes/<uuid:note_id>/feedback"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/notes/<uuid:note_id>/feedback"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=MEETING_PAGE, attorney_a=MEETING_PAGE),
        body=note_body,
        world="active_world",
    ),
    ("GET", "/notes/<uuid:note_id>/revise"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/notes/<uuid:note_id>/revise"): Entry(
        web_in_caucus_a(mediator=MEETING_PAGE, party_a=403, attorney_a=403),
        body=lambda s: {"body": "We met and talked at length."},
        world="active_world",
    ),
    # --- Web: disclosures, consents, concerns, messages (issue 5; an active case). Each
    # POST sends the caller back to the page that lists what changed.
    ("GET", "/cases/<uuid:case_id>/disclosures"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/disclosures"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("GET", "/items/<uuid:item_id>/disclose"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/items/<uuid:item_id>/disclose"): Entry(
        web_in_caucus_a(mediator=DISCLOSURES_PAGE, party_a=403, attorney_a=403),
        body=disclosure_to_case,
        world="active_world",
        ids={"item_id": lambda s: str(s.x.shareable_item)},
    ),
    ("GET", "/disclosures/<uuid:disclosure_id>/approve"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/disclosures/<uuid:disclosure_id>/approve"): Entry(
        web_in_caucus_a(mediator=403, party_a=DISCLOSURES_PAGE, attorney_a=DISCLOSURES_PAGE),
        world="active_world",
    ),
    ("GET", "/disclosures/<uuid:disclosure_id>/reject"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/disclosures/<uuid:disclosure_id>/reject"): Entry(
        web_in_caucus_a(mediator=403, party_a=DISCLOSURES_PAGE, attorney_a=DISCLOSURES_PAGE),
        world="active_world",
    ),
    ("GET", "/cases/<uuid:case_id>/consents"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/consents"): Entry(
        web_signed_in(outsider=404, mediator=CONSENTS_PAGE, members=403),
        body=expert_consent,
        world="active_world",
    ),
    ("GET", "/consents/<uuid:consent_id>/approve"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/consents/<uuid:consent_id>/approve"): Entry(
        web_parties_only(CONSENTS_PAGE), world="active_world"
    ),
    ("GET", "/consents/<uuid:consent_id>/deny"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/consents/<uuid:consent_id>/deny"): Entry(
        web_parties_only(CONSENTS_PAGE), world="active_world"
    ),
    ("GET", "/cases/<uuid:case_id>/concerns"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/concerns"): Entry(
        web_signed_in(outsider=404, mediator=CONCERNS_PAGE, members=CONCERNS_PAGE),
        body=concern,
        world="active_world",
    ),
    ("GET", "/concerns/<uuid:concern_id>/respond"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/concerns/<uuid:concern_id>/respond"): Entry(
        web_in_caucus_a(mediator=CONCERNS_PAGE, party_a=403, attorney_a=403),
        body=concern_answer,
        world="active_world",
    ),
    ("GET", "/cases/<uuid:case_id>/messages"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/messages"): Entry(
        web_signed_in(outsider=404, mediator=MESSAGES_PAGE, members=MESSAGES_PAGE),
        body=message_to_case,
        world="active_world",
    ),
    # --- Web: documents (issue 6; an active case)
    ("GET", "/cases/<uuid:case_id>/documents"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/documents"): Entry(
        web_signed_in(outsider=404, mediator=DOCUMENTS_PAGE, members=DOCUMENTS_PAGE),
        body=document_upload,
        world="active_world",
    ),
    ("GET", "/documents/<uuid:document_id>/download"): Entry(
        web_in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/documents/<uuid:document_id>/download"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    # --- Web: redaction review (issue 7; an active case; mediators only)
    # POST only; refused by method before anything is looked up, so it reveals nothing.
    ("GET", "/documents/<uuid:document_id>/redact"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/documents/<uuid:document_id>/redact"): Entry(
        web_in_caucus_a(
            mediator=Redirect("/redactions/", prefix=True), party_a=403, attorney_a=403
        ),
        world="active_world",
        ids={"document_id": lambda s: str(scene_text_document(s))},
    ),
    ("GET", "/redactions/<uuid:redaction_id>"): Entry(
        web_roles(mediator=200, party_a=404, attorney_a=404, party_b=404), world="active_world"
    ),
    ("POST", "/redactions/<uuid:redaction_id>"): Entry(
        web_roles(
            mediator=DOCUMENTS_PAGE,
            party_a=404,
            attorney_a=404,
            party_b=404,
        ),
        body=lambda s: {"accept": []},
        world="active_world",
    ),
    # --- Web: the invitation link (public)
    ("GET", "/invite/<str:token>"): Entry(each(200)),
    # A newcomer's account is made and signed in; a signed-in caller joins with their own
    # account only when it is the invitee's (409, with the reason, otherwise).
    ("POST", "/invite/<str:token>"): Entry(
        expect(anonymous=NEW_CASE_PAGE, outsider=409, mediator=409, members=409),
        body=newcomer,
    ),
    # issue 16
    # --- API: the memorandum of understanding (issue 16; an active case). The scene's
    # memorandum is ready: drafting another is refused (409), as is marking it ready again,
    # and a public-record copy waits for every signature (409). Only party A's typed name is
    # right for the one body every person sends: the mediator and party B sign with the
    # wrong name (400); attorney A does not sign under the default policy (403).
    ("POST", "/api/v1/cases/{case_id}/settlement"): Entry(
        api_mediator_action(409), body=lambda s: {"text": "Another."}, world="active_world"
    ),
    ("GET", "/api/v1/cases/{case_id}/settlement"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/settlement/{settlement_id}"): Entry(api_read(), world="active_world"),
    ("PUT", "/api/v1/settlement/{settlement_id}"): Entry(
        api_mediator_action(200), body=lambda s: {"text": "Ada pays 90."}, world="active_world"
    ),
    ("GET", "/api/v1/settlement/{settlement_id}/versions"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/settlement/{settlement_id}/versions/{number}"): Entry(
        api_read(), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/comments"): Entry(
        api_roles(mediator=201, party_a=201, attorney_a=201, party_b=201),
        body=lambda s: {"body": "A comment.", "audience": "own_side"},
        world="active_world",
    ),
    ("GET", "/api/v1/settlement/{settlement_id}/comments"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/settlement/{settlement_id}/comments/{comment_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/ready"): Entry(
        api_mediator_action(409), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/sign"): Entry(
        api_roles(mediator=400, party_a=200, attorney_a=403, party_b=400),
        body=lambda s: {"typed_name": "Ada Party", "text_sha256": scene_settlement(s).text_sha256},
        world="active_world",
    ),
    ("GET", "/api/v1/settlement/{settlement_id}/pdf"): Entry(api_read(), world="active_world"),
    ("GET", "/api/v1/settlement/{settlement_id}/docx"): Entry(api_read(), world="active_world"),
    # The scene's memorandum has no finalized public-record copy: nothing to find.
    ("GET", "/api/v1/settlement/{settlement_id}/public-record/docx"): Entry(
        api_roles(mediator=404, party_a=404, attorney_a=404, party_b=404), world="active_world"
    ),
    ("GET", "/api/v1/settlement/{settlement_id}/public-record/pdf"): Entry(
        api_roles(mediator=404, party_a=404, attorney_a=404, party_b=404), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/public-record"): Entry(
        api_mediator_action(409), world="active_world"
    ),
    # Web: the memorandum's page and its forms; every form comes back to the page.
    ("GET", "/cases/<uuid:case_id>/settlement"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/settlement"): Entry(
        web_signed_in(outsider=404, mediator=409, members=403),
        body=lambda s: {"template": "civil", "text": ""},
        world="active_world",
    ),
    ("GET", "/settlement/<uuid:settlement_id>/revise"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/revise"): Entry(
        web_signed_in(outsider=404, mediator=SETTLEMENT_PAGE, members=403),
        body=lambda s: {"text": "Ada pays 90."},
        world="active_world",
    ),
    ("GET", "/settlement/<uuid:settlement_id>/comments"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/comments"): Entry(
        web_signed_in(outsider=404, mediator=SETTLEMENT_PAGE, members=SETTLEMENT_PAGE),
        body=lambda s: {"body": "A comment.", "audience": "own_side"},
        world="active_world",
    ),
    ("GET", "/settlement/<uuid:settlement_id>/ready"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/settlement/<uuid:settlement_id>/ready"): Entry(
        web_signed_in(outsider=404, mediator=409, members=403), world="active_world"
    ),
    ("GET", "/settlement/<uuid:settlement_id>/sign"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/settlement/<uuid:settlement_id>/sign"): Entry(
        web_roles(mediator=400, party_a=SETTLEMENT_PAGE, attorney_a=403, party_b=400),
        body=lambda s: {
            "consent": "on",
            "typed_name": "Ada Party",
            "text_sha256": scene_settlement(s).text_sha256,
        },
        world="active_world",
    ),
    ("GET", "/settlement/<uuid:settlement_id>/pdf"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/pdf"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("GET", "/settlement/<uuid:settlement_id>/docx"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/docx"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("GET", "/settlement/<uuid:settlement_id>/public-record"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/public-record"): Entry(
        web_signed_in(outsider=404, mediator=409, members=403), world="active_world"
    ),
    ("GET", "/settlement/<uuid:settlement_id>/public-record/docx"): Entry(
        web_signed_in(outsider=404, mediator=404, members=404), world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/public-record/docx"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("GET", "/settlement/<uuid:settlement_id>/public-record/pdf"): Entry(
        web_signed_in(outsider=404, mediator=404, members=404), world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/public-record/pdf"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    # issue 15 (h15): invitations the mediator follows, resends and revokes
    ("GET", "/api/v1/cases/{case_id}/invitations"): Entry(api_mediator_action(200)),
    ("POST", "/api/v1/invitations/{invitation_id}/resend"): Entry(api_mediator_action(200)),
    ("DELETE", "/api/v1/invitations/{invitation_id}"): Entry(api_mediator_action(200)),
    ("GET", "/invitations/<uuid:invitation_id>/resend"): Entry(WEB_NOT_ALLOWED),
    # The mediator gets the case page back with the new link on it.
    ("POST", "/invitations/<uuid:invitation_id>/resend"): Entry(
        web_signed_in(outsider=404, mediator=200, members=403)
    ),
    ("GET", "/invitations/<uuid:invitation_id>/revoke"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/invitations/<uuid:invitation_id>/revoke"): Entry(
        web_signed_in(outsider=404, mediator=CASE_PAGE, members=403)
    ),
    # issue 15 (h15): accounts. A reset answers alike for every address; a live link works
    # for whoever holds it; the account pages are each person's own.
    ("POST", "/api/v1/auth/password-reset"): Entry(each(202), body=party_a_credentials),
    ("POST", "/api/v1/auth/password-reset/confirm"): Entry(each(200), body=reset_confirmation),
    ("GET", "/password-reset"): Entry(each(200)),
    ("POST", "/password-reset"): Entry(each(200), body=party_a_credentials),
    ("GET", "/password-reset/<str:token>"): Entry(each(200), ids={"token": live_reset_token}),
    ("POST", "/password-reset/<str:token>"): Entry(
        each(LOGIN), body=lambda s: {"password": NEW_PASSWORD}, ids={"token": live_reset_token}
    ),
    ("GET", "/account"): Entry(web_signed_in(outsider=200, mediator=200, members=200)),
    ("POST", "/account"): Entry(WEB_NOT_ALLOWED),
    ("GET", "/account/name"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/account/name"): Entry(
        web_signed_in(outsider=ACCOUNT, mediator=ACCOUNT, members=ACCOUNT),
        body=lambda s: {"name": "A New Name"},
    ),
    ("GET", "/account/password"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/account/password"): Entry(
        web_signed_in(outsider=ACCOUNT, mediator=ACCOUNT, members=ACCOUNT),
        body=lambda s: {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    ("GET", "/api/v1/me/attention"): Entry(
        expect(anonymous=401, outsider=200, mediator=200, members=200)
    ),
    ("GET", "/cases/<uuid:case_id>/access-log"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200), world="active_world"
    ),
    ("POST", "/cases/<uuid:case_id>/access-log"): Entry(WEB_NOT_ALLOWED),
    # issue 15 (h15): moving and cancelling a meeting that has not started (mediator)
    ("POST", "/api/v1/meetings/{meeting_id}/reschedule"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
        body=lambda s: {"starts_at": "2031-01-15T10:00:00Z", "duration_minutes": 45},
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/cancel"): Entry(
        in_caucus_a(mediator=200, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
    ),
    ("GET", "/meetings/<uuid:meeting_id>/reschedule"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/reschedule"): Entry(
        web_in_caucus_a(mediator=CASE_PAGE, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
        body=lambda s: {
            f"m{s.m.scheduled.hex[:8]}-starts_at": "2031-01-15T10:00",
            f"m{s.m.scheduled.hex[:8]}-duration_minutes": "45",
        },
    ),
    ("GET", "/meetings/<uuid:meeting_id>/cancel"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/meetings/<uuid:meeting_id>/cancel"): Entry(
        web_in_caucus_a(mediator=CASE_PAGE, party_a=403, attorney_a=403),
        world="active_world",
        ids={"meeting_id": lambda s: str(s.m.scheduled)},
    ),
    ("GET", "/account/time-zone"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/account/time-zone"): Entry(
        web_signed_in(outsider=ACCOUNT, mediator=ACCOUNT, members=ACCOUNT),
        body=lambda s: {"time_zone": "Europe/Madrid"},
    ),
    ("GET", "/account/sign-out-others"): Entry(WEB_NOT_ALLOWED),
    ("POST", "/account/sign-out-others"): Entry(
        web_signed_in(outsider=200, mediator=200, members=200)
    ),
    # issue 15
    # Only the mediator accepts the party's own wording; the scene's item has none (409).
    ("POST", "/api/v1/items/{item_id}/accept-wording"): Entry(
        in_caucus_a(mediator=409, party_a=403, attorney_a=403), world="active_world"
    ),
    ("GET", "/items/<uuid:item_id>/accept-wording"): Entry(WEB_NOT_ALLOWED, world="active_world"),
    ("POST", "/items/<uuid:item_id>/accept-wording"): Entry(
        web_in_caucus_a(mediator=409, party_a=403, attorney_a=403), world="active_world"
    ),
    # Any party ends the mediation; the page says what will happen to everyone first.
    ("POST", "/api/v1/cases/{case_id}/withdraw"): Entry(
        api_roles(mediator=403, party_a=200, attorney_a=403, party_b=200)
    ),
    ("GET", "/cases/<uuid:case_id>/withdraw"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200)
    ),
    ("POST", "/cases/<uuid:case_id>/withdraw"): Entry(
        web_roles(
            mediator=403,
            party_a=Redirect("/cases/{case_id}"),
            attorney_a=403,
            party_b=Redirect("/cases/{case_id}"),
        )
    ),
    # issue 15: the mediator removes an attorney (the page says what will happen first).
    ("DELETE", "/api/v1/participants/{participant_id}"): Entry(api_mediator_action(204)),
    ("GET", "/participants/<uuid:participant_id>/remove"): Entry(
        web_signed_in(outsider=404, mediator=200, members=200)
    ),
    ("POST", "/participants/<uuid:participant_id>/remove"): Entry(
        web_signed_in(outsider=404, mediator=CASE_PAGE, members=403)
    ),
    # issue 16
    # The public-record copy before it is final. The scene's memorandum is not signed, so
    # no copy is shown: nothing to read (404); nothing reviewed to show (409), nothing to
    # ask (409) or to make final (409). A mediator has no
    # side to ask for (403). Party A's request is side A's: side B does not find it.
    ("GET", "/api/v1/settlement/{settlement_id}/public-record"): Entry(
        api_roles(mediator=404, party_a=404, attorney_a=404, party_b=404), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/public-record/show"): Entry(
        api_mediator_action(409), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/public-record/requests"): Entry(
        api_roles(mediator=403, party_a=409, attorney_a=409, party_b=409),
        body=lambda s: {"passage": "Ada pays"},
        world="active_world",
    ),
    ("GET", "/api/v1/settlement/{settlement_id}/public-record/requests/{request_id}"): Entry(
        in_caucus_a(mediator=200, party_a=200, attorney_a=200), world="active_world"
    ),
    ("POST", "/api/v1/settlement/{settlement_id}/public-record/final"): Entry(
        api_mediator_action(409), world="active_world"
    ),
    ("GET", "/settlement/<uuid:settlement_id>/public-record/show"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/public-record/show"): Entry(
        web_signed_in(outsider=404, mediator=409, members=403), world="active_world"
    ),
    ("GET", "/settlement/<uuid:settlement_id>/public-record/requests"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/public-record/requests"): Entry(
        web_signed_in(outsider=404, mediator=403, members=409),
        body=lambda s: {"passage": "Ada pays"},
        world="active_world",
    ),
    ("GET", "/settlement/<uuid:settlement_id>/public-record/final"): Entry(
        WEB_NOT_ALLOWED, world="active_world"
    ),
    ("POST", "/settlement/<uuid:settlement_id>/public-record/final"): Entry(
        web_signed_in(outsider=404, mediator=409, members=403), world="active_world"
    ),
    # issue 15 (f15rest): where each account is signed in; each person's own. The place the
    # scene names is party A's token: anyone else, whoever they are, does not find it.
    ("GET", "/api/v1/me/sessions"): Entry(
        expect(anonymous=401, outsider=200, mediator=200, members=200)
    ),
    ("POST", "/api/v1/me/sessions/sign-out-others"): Entry(
        expect(anonymous=401, outsider=200, mediator=200, members=200)
    ),
    ("DELETE", "/api/v1/me/sessions/{session_id}"): Entry(
        api_roles(mediator=404, party_a=204, attorney_a=404, party_b=404)
    ),
}


def party_a_token_id(scene: Scene) -> str:
    from caucus.accounts.models import ApiToken, hash_secret

    raw = scene.world.party_a.token
    assert raw is not None
    return str(ApiToken.objects.get(key_hash=hash_secret(raw)).id)


@functools.cache
def api_paths() -> frozenset[str]:
    return frozenset(path for _, path in api_operations())


def is_api(route: str) -> bool:
    return route in api_paths()


# --- Calling ----------------------------------------------------------------------------


def web_client(persona: Persona) -> Client:
    client = Client(raise_request_exception=True)
    if persona.user is not None:
        client.force_login(persona.user, backend=MODEL_BACKEND)
    return client


def call(
    scene: Scene,
    persona_name: str,
    method: str,
    route: str,
    *,
    body: dict[str, Any] | None,
    path_overrides: Mapping[str, str] | None = None,
) -> Any:
    """The response of one call. API operations speak JSON with the persona's bearer token;
    pages are fetched by a browser-like client holding the persona's session."""
    persona = scene.persona(persona_name)
    url = fill(route, scene, path_overrides)
    if body is not None and body.get("typed_name") == OWN_NAME:
        body = {**body, "typed_name": persona.user.name if persona.user else "Nobody"}
    if is_api(route):
        if body is not None and any(hasattr(v, "read") for v in body.values()):
            return persona.client.django.post(url, data=body, headers=persona.client._headers())
        return persona.client.call(method, url, body)
    client = web_client(persona)
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data=body or {})
    return client.generic(method, url)


def describe(response: HttpResponseBase) -> str:
    location = response.get("Location", "")
    content = getattr(response, "content", b"")[:300]
    return f"{response.status_code} {location} {content!r}"


def check(
    response: HttpResponseBase,
    outcome: Outcome,
    scene: Scene,
    overrides: Mapping[str, str] | None = None,
) -> None:
    if isinstance(outcome, int):
        assert response.status_code == outcome, describe(response)
        return
    assert response.status_code == 302, describe(response)
    target = urlsplit(response["Location"]).path
    expected = fill(outcome.to, scene, overrides)
    if outcome.prefix:
        assert target.startswith(expected) and target != expected, describe(response)
    else:
        assert target == expected, describe(response)


def matrix_cases() -> Iterator[Any]:
    for method, route in sorted(MATRIX):
        entry = MATRIX[(method, route)]
        for persona in PERSONAS:
            yield pytest.param(
                entry.world, (method, route, persona), id=f"{method} {route} as {persona}"
            )


# --- The worlds -------------------------------------------------------------------------


def _active_world() -> World:
    world = build_world()
    complete_onboarding(world)
    return world


WORLDS: dict[str, Callable[[], World]] = {
    "world": build_world,
    "intake_world": lambda: build_world(screened=False),
    "active_world": _active_world,
    # The active world's scene, then the case is closed (issue 13 item 6).
    "closed_world": _active_world,
}


def close_case(scene: Scene) -> None:
    # The running caucus's close-out first: a case does not close past it (issue 14).
    meeting_services.confirm_item(_user(scene.world.party_a), scene.m.item)
    services.close_case(
        _user(scene.world.mediator), scene.world.case.id, outcome="settled", note_to_parties=None
    )


@contextlib.contextmanager
def shared_scene(kind: str, blocker: DjangoDbBlocker) -> Iterator[Scene]:
    """A fresh world for every call, built once: the scene is made (with conftest's
    `build_world`) inside a transaction that spans the tests that need this kind of world,
    and each test runs inside a savepoint of it (pytest-django's `db`, which such tests must
    take) that is rolled back after the test, so that no call (a close, a screening, a
    revoked token) is seen by the next. The tests that use it are parametrized with
    scope="module" on one opaque parameter besides the kind, so pytest runs the tests of
    one kind together, one kind alive at a time (their people have the same emails)."""
    with blocker.unblock(), transaction.atomic():
        with key_scope():
            built = make_scene(WORLDS[kind]())
            if kind == "closed_world":
                close_case(built)
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def scene(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Scene]:
    with shared_scene(request.param, django_db_blocker) as built:
        yield built


def test_it_declares_an_outcome_for_every_route_and_method() -> None:
    missing = sorted(enumerated_endpoints() - set(MATRIX))
    assert not missing, (
        "routes with no expected outcome declared; add them to MATRIX: "
        + ", ".join(f"{m} {r}" for m, r in missing)
    )


def test_it_declares_no_route_that_does_not_exist() -> None:
    stale = sorted(set(MATRIX) - enumerated_endpoints())
    assert not stale, "MATRIX names routes the site does not have: " + ", ".join(
        f"{m} {r}" for m, r in stale
    )


def test_it_finds_every_api_url_in_the_openapi_document() -> None:
    """An operation left out of the OpenAPI document would also be left out of the matrix."""
    documented = {path for _, path in api_operations()}
    hidden = sorted(
        openapi_route(r.route)
        for r in url_routes()
        if r.ninja_operation and openapi_route(r.route) not in documented
    )
    assert not hidden, "API URLs missing from the OpenAPI document: " + ", ".join(hidden)


def test_it_has_a_value_for_every_path_parameter() -> None:
    params = {p for _, route in enumerated_endpoints() for p in path_params(route)}
    assert params <= set(PATH_VALUES), sorted(params - set(PATH_VALUES))


# The scene is module-scoped and parametrized by world kind, so that pytest runs the calls
# of one kind together; each case is one opaque parameter, so that it groups by nothing else.
@pytest.mark.parametrize(
    ("scene", "declared"), list(matrix_cases()), indirect=["scene"], scope="module"
)
def test_it_answers_each_person_as_declared(
    scene: Scene, db: None, declared: tuple[str, str, str]
) -> None:
    method, route, persona = declared
    entry = MATRIX[(method, route)]
    body = entry.body(scene) if entry.body else None
    overrides = entry.path_overrides(scene)
    response = call(scene, persona, method, route, body=body, path_overrides=overrides)
    check(response, entry.outcomes[persona], scene, overrides)
    if persona == "outsider":
        # Whatever the outsider may call, nothing in the answer points at the case.
        seen = getattr(response, "content", b"") + response.get("Location", "").encode()
        assert str(scene.world.case.id).encode() not in seen
        assert scene.world.case.title.encode() not in seen
    if is_api(route) and response.status_code >= 400:
        payload = response.json()
        assert isinstance(payload.get("error"), str), payload
        assert isinstance(payload.get("detail"), str), payload


def unknown_value(route: str, name: str) -> str:
    """A value for path parameter `name` that names nothing."""
    converter = re.search(rf"<(\w+):{name}>", route)
    if converter is None or converter.group(1) == "uuid" or name.endswith("_id"):
        return str(uuid.uuid4())
    return "unknown-" + uuid.uuid4().hex


def hidden_cases() -> Iterator[Any]:
    for method, route in sorted(MATRIX):
        entry = MATRIX[(method, route)]
        for persona in ("outsider", "party_b"):
            if path_params(route) and entry.outcomes[persona] == 404:
                yield pytest.param(
                    entry.world, (method, route, persona), id=f"{method} {route} as {persona}"
                )


@pytest.mark.parametrize(
    ("scene", "hidden_call"), list(hidden_cases()), indirect=["scene"], scope="module"
)
def test_it_answers_404_as_if_nothing_were_there(
    scene: Scene, db: None, hidden_call: tuple[str, str, str]
) -> None:
    """The case, for the outsider, and side A's caucus, for side B: not visible and not
    there are one answer, byte for byte."""
    method, route, persona = hidden_call
    entry = MATRIX[(method, route)]
    body = entry.body(scene) if entry.body else None
    real = call(
        scene, persona, method, route, body=body, path_overrides=entry.path_overrides(scene)
    )
    unknown_ids = {name: unknown_value(route, name) for name in path_params(route)}
    unknown = call(scene, persona, method, route, body=body, path_overrides=unknown_ids)
    assert real.status_code == unknown.status_code == 404
    assert real.content == unknown.content


@pytest.mark.parametrize(
    ("scene", "page"),
    [pytest.param("active_world", route, id=route) for route in sorted(web_routes())],
    indirect=["scene"],
    scope="module",
)
def test_it_refuses_the_methods_a_page_does_not_declare(scene: Scene, db: None, page: str) -> None:
    """In an active case, where every kind of object a page may name exists."""
    route = page
    for method in OTHER_METHODS:
        if (method, route) in MATRIX:
            continue
        response = call(scene, "mediator", method, route, body=None)
        if route in METHOD_BLIND_PAGES:
            as_get = call(scene, "mediator", "GET", route, body=None)
            assert response.status_code == as_get.status_code, (method, describe(response))
        else:
            assert response.status_code == 405, (method, describe(response))


MESSAGE_READERS: dict[str, tuple[Callable[[ExchangeScene], uuid.UUID], frozenset[str]]] = {
    "mediators": (lambda x: x.message_to_mediators, frozenset({"mediator", "party_a"})),
    "own_side": (
        lambda x: x.message_to_side_a,
        frozenset({"mediator", "party_a", "attorney_a"}),
    ),
    "case": (
        lambda x: x.message_to_case,
        frozenset({"mediator", "party_a", "attorney_a", "party_b"}),
    ),
}


@pytest.mark.parametrize(
    ("scene", "audience"),
    [pytest.param("active_world", a, id=a) for a in MESSAGE_READERS],
    indirect=["scene"],
    scope="module",
)
def test_it_shows_each_message_to_its_audience_only(scene: Scene, db: None, audience: str) -> None:
    """The matrix has one row for GET /messages/{id}; here each audience's message, read by
    everyone, one by one and in the list."""
    pick, readers = MESSAGE_READERS[audience]
    message_id = str(pick(scene.x))
    for persona in PERSONAS:
        one = call(
            scene,
            persona,
            "GET",
            "/api/v1/messages/{message_id}",
            body=None,
            path_overrides={"message_id": message_id},
        )
        expected = 200 if persona in readers else 401 if persona == "anonymous" else 404
        assert one.status_code == expected, (persona, describe(one))
        if persona in ("anonymous", "outsider"):
            continue
        listed = call(scene, persona, "GET", "/api/v1/cases/{case_id}/messages", body=None)
        ids = {m["id"] for m in listed.json()["items"]}
        assert (message_id in ids) == (persona in readers), persona


# The meeting's WebSocket (issue 12): where each person's handshake lands in side A's running
# caucus, where party A is admitted and attorney A waits. "room" opens
# /ws/meetings/<id>/ (chat, presence, signaling); "lobby" opens only /ws/meetings/<id>/lobby/,
# which carries their own admission and nothing else; None is refused on both.
SOCKET_SEATS: dict[str, str | None] = {
    "anonymous": None,
    "outsider": None,
    "mediator": "room",
    "party_a": "room",
    "attorney_a": "lobby",
    "party_b": None,
}


@pytest.mark.parametrize(
    ("scene", "persona"),
    [("active_world", p) for p in PERSONAS],
    indirect=["scene"],
    scope="module",
)
def test_it_seats_each_person_at_the_meeting_socket_as_declared(
    scene: Scene, db: None, persona: str
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from caucus.meetings.selectors import seat

    user = scene.persona(persona).user or AnonymousUser()
    # A meeting not running has no socket for anyone.
    for meeting_id, expected in (
        (scene.m.caucus, SOCKET_SEATS[persona]),
        (scene.m.scheduled, None),
    ):
        found = seat(user, meeting_id)
        where = None if found is None else ("room" if found.in_room else "lobby")
        assert where == expected, (persona, meeting_id)


# Operations that take a POST but change nothing (a records request is an audited read).
CHANGE_NOTHING = frozenset(
    {
        ("POST", "/api/v1/cases/{case_id}/records-request"),
        ("POST", "/cases/<uuid:case_id>/records-request"),
    }
)
MEMBERS = ("mediator", "party_a", "attorney_a", "party_b")


def closed_case_writes() -> Iterator[Any]:
    """Every API operation and page that changes something in a case: all but GET, of the
    routes that name a case or an object in one (the invitation link names a token)."""
    for method, route in sorted(MATRIX):
        if method == "GET" or "{token}" in route or "<str:token>" in route:
            continue
        if route.startswith("/api/v1/me/"):  # the caller's own account, not a case
            continue
        if not path_params(route) or (method, route) in CHANGE_NOTHING:
            continue
        if MATRIX[(method, route)].outcomes["mediator"] == 405:
            continue
        for persona in MEMBERS:
            yield pytest.param(
                "closed_world", (method, route, persona), id=f"{method} {route} as {persona}"
            )


@pytest.mark.parametrize(
    ("scene", "write"), list(closed_case_writes()), indirect=["scene"], scope="module"
)
def test_it_refuses_every_write_to_a_closed_case(
    scene: Scene, db: None, write: tuple[str, str, str]
) -> None:
    """Issue 13 item 6: a closed case's record stays readable, but every write to it answers
    409 `case_closed` on the API (a page is refused and shown again), whoever calls; what the
    caller may not see stays 404."""
    method, route, persona = write
    entry = MATRIX[(method, route)]
    body = entry.body(scene) if entry.body else None
    response = call(
        scene, persona, method, route, body=body, path_overrides=entry.path_overrides(scene)
    )
    if entry.outcomes[persona] == 404:
        assert response.status_code == 404, describe(response)
        return
    if is_api(route):
        assert response.status_code == 409, describe(response)
        assert response.json()["error"] == "case_closed", describe(response)
    else:  # the page is shown again; the case and onboarding forms answer 400
        assert response.status_code in (400, 409), describe(response)
