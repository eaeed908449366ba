"""Issue 15, deliver 8, through the API: the caller lists the browsers and tokens their
account is signed in with, and ends one, or every other one."""

from __future__ import annotations

import json
import uuid

from django.test import Client

from caucus.accounts.models import ApiToken, User, WebSession, hash_secret
from caucus.accounts.services import new_api_token
from caucus.web.views import MODEL_BACKEND
from tests.conftest import ApiClient, World


def browser_of(user: User | None) -> Client:
    assert user is not None
    browser = Client()
    browser.force_login(user, backend=MODEL_BACKEND)
    return browser


def token_id(raw: str | None) -> str:
    assert raw is not None
    return str(ApiToken.objects.get(key_hash=hash_secret(raw)).id)


def test_it_lists_browsers_and_tokens_by_opaque_ids_and_marks_the_calling_one(
    world: World,
) -> None:
    browser = browser_of(world.party_a.user)
    second = new_api_token(world.party_a.user)  # type: ignore[arg-type]
    listed = world.party_a.client.get("me/sessions")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert sorted(i["kind"] for i in items) == ["api_token", "api_token", "browser"]
    current = [i["id"] for i in items if i["current"]]
    assert current == [token_id(world.party_a.token)]
    [row] = WebSession.objects.filter(user=world.party_a.user)
    assert {i["id"] for i in items if i["kind"] == "browser"} == {str(row.id)}
    # Neither the session key nor any token (nor its hash) is in the answer.
    text = listed.content.decode()
    assert browser.session.session_key not in text
    for secret in (world.party_a.token, second):
        assert secret is not None
        assert secret not in text and hash_secret(secret) not in text
    # Other accounts' places are not listed.
    assert not {i["id"] for i in items} & {token_id(world.party_b.token)}


def test_a_browser_sees_its_own_session_as_the_current_one(world: World) -> None:
    browser = browser_of(world.party_a.user)
    items = browser.get("/api/v1/me/sessions").json()["items"]
    [mine] = [i for i in items if i["current"]]
    assert mine["kind"] == "browser"
    assert mine["id"] == str(WebSession.objects.get(user=world.party_a.user).id)


def test_it_ends_one_of_the_callers_own_places(world: World) -> None:
    browser = browser_of(world.party_a.user)
    other_raw = new_api_token(world.party_a.user)  # type: ignore[arg-type]
    session_id = str(WebSession.objects.get(user=world.party_a.user).id)
    client = world.party_a.client
    assert client.delete(f"me/sessions/{session_id}").status_code == 204
    assert browser.get("/cases").status_code == 302  # signed out
    assert client.delete(f"me/sessions/{token_id(other_raw)}").status_code == 204
    assert ApiClient(other_raw).get("auth/me").status_code == 401
    # Ended once is gone: a second call finds nothing.
    assert client.delete(f"me/sessions/{session_id}").status_code == 404
    assert client.get("auth/me").status_code == 200  # the calling token stays


def test_another_persons_place_is_not_found_as_an_unknown_id_is(world: World) -> None:
    browser = browser_of(world.party_b.user)
    theirs = str(WebSession.objects.get(user=world.party_b.user).id)
    their_token = token_id(world.party_b.token)
    client = world.party_a.client
    unknown = client.delete(f"me/sessions/{uuid.uuid4()}")
    for place in (theirs, their_token):
        refused = client.delete(f"me/sessions/{place}")
        assert refused.status_code == 404
        assert refused.content == unknown.content
    assert browser.get("/cases").status_code == 200
    assert world.party_b.client.get("auth/me").status_code == 200
    assert client.delete("me/sessions/not-an-id").status_code == 404


def test_signing_out_the_others_keeps_only_the_calling_token(world: World) -> None:
    browser = browser_of(world.party_a.user)
    other_raw = new_api_token(world.party_a.user)  # type: ignore[arg-type]
    bystander = browser_of(world.party_b.user)
    done = world.party_a.client.post("me/sessions/sign-out-others")
    assert done.status_code == 200
    assert [(i["kind"], i["current"]) for i in done.json()["items"]] == [("api_token", True)]
    assert browser.get("/cases").status_code == 302
    assert ApiClient(other_raw).get("auth/me").status_code == 401
    assert world.party_a.client.get("auth/me").status_code == 200
    assert bystander.get("/cases").status_code == 200
    assert world.party_b.client.get("auth/me").status_code == 200


def test_a_browser_signing_out_the_others_stays_signed_in(world: World) -> None:
    here = Client(enforce_csrf_checks=True)
    assert world.party_a.user is not None
    here.force_login(world.party_a.user, backend=MODEL_BACKEND)
    there = browser_of(world.party_a.user)
    here.get("/account")  # sets the CSRF cookie
    csrf = here.cookies["csrftoken"].value
    done = here.post(
        "/api/v1/me/sessions/sign-out-others",
        data=json.dumps({}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert done.status_code == 200, done.content
    assert [(i["kind"], i["current"]) for i in done.json()["items"]] == [("browser", True)]
    assert there.get("/cases").status_code == 302
    assert here.get("/cases").status_code == 200
    assert world.party_a.client.get("auth/me").status_code == 401
