"""API.md's sections "Running", "Conventions", "Accounts and invitations" and "Cases and
participants", checked from outside: an HTTP client against a real `caucus serve` process.

The server is shared by the whole test session, so every test makes its own accounts with
unique emails, and the lockout test locks only an account made for it."""

from __future__ import annotations

import base64
import os
import socket
import stat
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django_otp.oath import TOTP

from tests.e2e.conftest import MEDIATOR_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e

PARTY_PASSWORD = "party password for the contract 5821"
CASE_FIELDS = {
    "id",
    "title",
    "kind",
    "litigated",
    "status",
    "confidentiality_structure",
    "onboarding",
    "my_participant_id",
    "my_role",
    "my_side_id",
    "outcome",
    "closed_at",
    "purge_after",
}
KINDS = ("family", "workplace", "civil", "commercial", "other")


def unique_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@contract.test"


def totp_code(secret_b32: str, *, offset: int = 0) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    return f"{(int(totp.token()) + offset) % 1_000_000:06d}"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Every error is JSON `{"error": <code>, "detail": <sentence>, ...}` with its status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("detail"), str) and body["detail"], body
    if code is not None:
        assert body["error"] == code, body
    return body


def assert_utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() == timedelta(0), value
    return parsed


class Api:
    """One caller of the API: a bearer token, or none for anonymous."""

    def __init__(self, server: LiveServer, token: str | None = None) -> None:
        self.server = server
        self.token = token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return httpx.request(
            method, f"{self.server.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def open_case(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Contract case", "kind": "family", "litigated": False, **fields}
        response = self.post("/cases", body)
        assert response.status_code == 201, response.text
        case: dict[str, Any] = response.json()
        return case

    def invite(self, case_id: str, role: str = "party", side_id: str | None = None) -> str:
        """Invites someone; returns the raw invitation token from the link."""
        body: dict[str, Any] = {"email": unique_email(role), "name": f"A {role}", "role": role}
        if side_id is not None:
            body["side_id"] = side_id
        response = self.post(f"/cases/{case_id}/invitations", body)
        assert response.status_code == 201, response.text
        return invite_token(response.json()["invite_url"])

    def screen(self, case_id: str, decision: str = "accept", **extra: Any) -> dict[str, Any]:
        response = self.post(f"/cases/{case_id}/screening", {"decision": decision, **extra})
        assert response.status_code == 200, response.text
        case: dict[str, Any] = response.json()
        return case


def invite_token(invite_url: str) -> str:
    path = urlsplit(invite_url).path
    assert path.startswith("/invite/"), invite_url
    return path.removeprefix("/invite/")


@dataclass
class Member:
    api: Api
    participant_id: str
    case_id: str


def join(server: LiveServer, token: str, name: str = "Pat Party") -> Member:
    response = Api(server).post(
        "/invitations/accept", {"token": token, "name": name, "password": PARTY_PASSWORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Member(Api(server, body["token"]), body["participant_id"], body["case_id"])


def make_mediator(server: LiveServer, email: str, name: str, *, mfa: bool) -> str:
    """`caucus create-mediator`, as API.md describes it; returns the TOTP key when MFA is on.
    Unlike the fixture's helper, a failure shows what the command said."""
    args = ["create-mediator", "--email", email, "--name", name]
    if not mfa:
        args.append("--no-mfa")
    result = server.caucus(*args, stdin=MEDIATOR_PASSWORD + "\n", check=False)
    assert result.returncode == 0, f"create-mediator failed: {result.stdout}{result.stderr}"
    if not mfa:
        return ""
    return result.stdout.split("TOTP, 30 s, 6 digits):")[1].split()[0]


def new_mediator(server: LiveServer, label: str = "mediator") -> Api:
    email = unique_email(label)
    make_mediator(server, email, f"Mediator {label}", mfa=False)
    response = Api(server).post("/auth/token", {"email": email, "password": MEDIATOR_PASSWORD})
    assert response.status_code == 200, response.text
    return Api(server, response.json()["token"])


@pytest.fixture(scope="module")
def mediator(caucus_server: LiveServer) -> Api:
    return new_mediator(caucus_server)


@pytest.fixture(scope="module")
def other_mediator(caucus_server: LiveServer) -> Api:
    return new_mediator(caucus_server, "other")


# Running


def test_it_keeps_its_database_and_key_file_in_the_data_dir(
    caucus_server: LiveServer, mediator: Api
) -> None:
    # The development key file is made on first use (the mediator's account made it).
    key = caucus_server.data_dir / "master.key"
    assert key.is_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    if not os.environ.get("DATABASE_URL"):
        assert (caucus_server.data_dir / "caucus.sqlite3").is_file()


def _websocket_handshake(server: LiveServer, path: str) -> str:
    """The status line `caucus serve` answers a WebSocket upgrade with."""
    parts = urlsplit(server.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: {server.url}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request.encode())
        head = sock.recv(4096).decode("latin-1")
    return head.split("\r\n", 1)[0]


def test_it_serves_pages_api_and_websockets_from_one_process(caucus_server: LiveServer) -> None:
    page = httpx.get(f"{caucus_server.url}/login", timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert_error(Api(caucus_server).get("/cases"), 401, "not_authenticated")
    # The WebSocket endpoint is served by the same process; with no meeting to join, the
    # handshake is refused (not a server error).
    status_line = _websocket_handshake(caucus_server, f"/ws/meetings/{uuid.uuid4()}/")
    assert status_line.startswith("HTTP/1.1 403"), status_line


def test_it_serves_an_openapi_document_naming_every_path_of_the_contract(
    caucus_server: LiveServer,
) -> None:
    response = httpx.get(f"{caucus_server.url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200
    paths: dict[str, dict[str, Any]] = response.json()["paths"]

    def normalized(path: str) -> str:
        # Parameter names are the server's own; `{case_id}` and `{id}` are the same path.
        return "/".join("{id}" if p.startswith("{") else p for p in path.split("/"))

    served = {normalized(path): {m.upper() for m in ops} for path, ops in paths.items()}
    contract = {
        "/api/v1/auth/token": {"POST"},
        "/api/v1/invitations/accept": {"POST"},
        "/api/v1/cases": {"GET", "POST"},
        "/api/v1/cases/{id}": {"GET"},
        "/api/v1/cases/{id}/invitations": {"POST"},
        "/api/v1/cases/{id}/participants": {"GET"},
        "/api/v1/cases/{id}/screening": {"POST"},
        "/api/v1/cases/{id}/close": {"POST"},
    }
    for path, methods in contract.items():
        assert path in served, f"{path} missing from openapi.json"
        assert methods <= served[path], f"{path}: {methods - served[path]} missing"


# Accounts


def test_it_issues_a_token_with_the_user(caucus_server: LiveServer) -> None:
    email = unique_email("token")
    make_mediator(caucus_server, email, "Tia Token", mfa=False)
    response = Api(caucus_server).post(
        "/auth/token", {"email": email.upper(), "password": MEDIATOR_PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"token", "user"}
    assert isinstance(body["token"], str) and body["token"]
    assert set(body["user"]) >= {"id", "email", "name"}
    uuid.UUID(body["user"]["id"])
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Tia Token"
    me = Api(caucus_server, body["token"]).get("/auth/me")
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


def test_it_answers_an_unknown_email_and_a_wrong_password_alike(caucus_server: LiveServer) -> None:
    email = unique_email("known")
    make_mediator(caucus_server, email, "Kim Known", mfa=False)
    anon = Api(caucus_server)
    wrong = anon.post("/auth/token", {"email": email, "password": "not the password 123"})
    unknown = anon.post(
        "/auth/token", {"email": unique_email("nobody"), "password": "not the password 123"}
    )
    assert_error(wrong, 401)
    assert_error(unknown, 401)
    assert wrong.json() == unknown.json()


def test_it_asks_an_mfa_mediator_for_a_current_code(caucus_server: LiveServer) -> None:
    email = unique_email("mfa")
    secret = make_mediator(caucus_server, email, "Mo Mfa", mfa=True)
    assert secret
    anon = Api(caucus_server)
    without = anon.post("/auth/token", {"email": email, "password": MEDIATOR_PASSWORD})
    assert_error(without, 401, "otp_required")
    wrong = anon.post(
        "/auth/token",
        {"email": email, "password": MEDIATOR_PASSWORD, "otp": totp_code(secret, offset=500_000)},
    )
    assert_error(wrong, 401, "otp_required")
    # django-otp slows down guessing: after one wrong code the next check waits a second.
    time.sleep(1.5)
    right = anon.post(
        "/auth/token", {"email": email, "password": MEDIATOR_PASSWORD, "otp": totp_code(secret)}
    )
    assert right.status_code == 200, right.text
    assert right.json()["user"]["email"] == email
    # A wrong password is a bad credential whatever the code: no hint that MFA is on.
    bad_password = anon.post(
        "/auth/token", {"email": email, "password": "not the password 123", "otp": "000000"}
    )
    assert_error(bad_password, 401, "invalid_credentials")


def _failure_limit(server: LiveServer) -> int:
    return int(server.env.get("CAUCUS_LOGIN_FAILURE_LIMIT") or 10)


def test_it_locks_one_account_for_one_address_after_ten_failures(caucus_server: LiveServer) -> None:
    email = unique_email("locked")
    make_mediator(caucus_server, email, "Lou Locked", mfa=False)
    anon = Api(caucus_server)
    statuses = []
    for _ in range(11):
        response = anon.post("/auth/token", {"email": email, "password": "guess guess guess 1"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert_error(response, 429)
            break
        assert_error(response, 401, "invalid_credentials")
    assert statuses[-1] == 429, f"no 429 after {len(statuses)} failures: {statuses}"
    assert len(statuses) <= 11
    # Locked means locked: the right password is refused too.
    right = anon.post("/auth/token", {"email": email, "password": MEDIATOR_PASSWORD})
    assert_error(right, 429)
    # Another account from the same address is not affected.
    other = unique_email("unlocked")
    make_mediator(caucus_server, other, "Una Unlocked", mfa=False)
    fine = anon.post("/auth/token", {"email": other, "password": MEDIATOR_PASSWORD})
    assert fine.status_code == 200, fine.text


def test_it_counts_only_failures_in_a_row(caucus_server: LiveServer) -> None:
    email = unique_email("streak")
    make_mediator(caucus_server, email, "Sam Streak", mfa=False)
    anon = Api(caucus_server)
    below = _failure_limit(caucus_server) - 1
    for _round in range(2):
        for _ in range(below):
            response = anon.post("/auth/token", {"email": email, "password": "guess guess 22"})
            assert_error(response, 401, "invalid_credentials")
        ok = anon.post("/auth/token", {"email": email, "password": MEDIATOR_PASSWORD})
        assert ok.status_code == 200, ok.text


# Invitations


def test_it_accepts_an_invitation_once(caucus_server: LiveServer, mediator: Api) -> None:
    case = mediator.open_case()
    email = unique_email("invitee")
    response = mediator.post(
        f"/cases/{case['id']}/invitations",
        {"email": email, "name": "Ivy Invitee", "role": "party"},
    )
    assert response.status_code == 201, response.text
    issued = response.json()
    assert set(issued) >= {"id", "invite_url"}
    uuid.UUID(issued["id"])
    assert issued["invite_url"].startswith(caucus_server.url + "/")
    token = invite_token(issued["invite_url"])
    # The link opens the acceptance page.
    assert httpx.get(issued["invite_url"], timeout=30).status_code == 200

    anon = Api(caucus_server)
    accepted = anon.post(
        "/invitations/accept", {"token": token, "name": "Ivy Invitee", "password": PARTY_PASSWORD}
    )
    assert accepted.status_code == 201, accepted.text
    body = accepted.json()
    assert set(body) >= {"token", "participant_id", "case_id"}
    assert body["case_id"] == case["id"]
    seen = Api(caucus_server, body["token"]).get(f"/cases/{case['id']}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["my_participant_id"] == body["participant_id"]
    assert seen.json()["my_role"] == "party"

    again = anon.post(
        "/invitations/accept", {"token": token, "name": "Someone Else", "password": PARTY_PASSWORD}
    )
    assert_error(again, 410)
    # The new account signs in with the password it chose.
    login = anon.post("/auth/token", {"email": email, "password": PARTY_PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["user"]["name"] == "Ivy Invitee"
    unknown = anon.post(
        "/invitations/accept",
        {"token": "no-such-invitation", "name": "X", "password": PARTY_PASSWORD},
    )
    assert unknown.status_code in (404, 410)
    assert_error(unknown, unknown.status_code)


def test_it_attaches_the_bearers_own_account(caucus_server: LiveServer, mediator: Api) -> None:
    first = mediator.open_case(title="First case")
    member = join(caucus_server, mediator.invite(first["id"]), "Bo Bearer")
    me = member.api.get("/auth/me").json()

    second = mediator.open_case(title="Second case")
    someone_else = mediator.invite(second["id"])
    refused = member.api.post("/invitations/accept", {"token": someone_else})
    assert_error(refused, 409)
    assert refused.json()["error"] == "email_mismatch"
    made = mediator.post(
        f"/cases/{second['id']}/invitations",
        {"email": me["email"], "name": "Bo Bearer", "role": "party"},
    )
    assert made.status_code == 201, made.text
    token = invite_token(made.json()["invite_url"])
    accepted = member.api.post("/invitations/accept", {"token": token})
    assert accepted.status_code == 201, accepted.text
    body = accepted.json()
    assert body["case_id"] == second["id"]
    assert body["participant_id"] != member.participant_id
    # The same account, now in both cases, whichever of its tokens it uses.
    assert Api(caucus_server, body["token"]).get("/auth/me").json()["id"] == me["id"]
    mine = {c["id"] for c in member.api.get("/cases").json()["items"]}
    assert {first["id"], second["id"]} <= mine
    people = mediator.get(f"/cases/{second['id']}/participants").json()["items"]
    assert body["participant_id"] in {p["id"] for p in people}
    # A bad bearer token is not silently ignored.
    third = mediator.open_case(title="Third case")
    bad = Api(caucus_server, "cau_not-a-real-token").post(
        "/invitations/accept", {"token": mediator.invite(third["id"])}
    )
    assert_error(bad, 401)


# Cases and participants


def test_it_opens_a_case_in_intake_with_every_field(mediator: Api) -> None:
    response = mediator.post(
        "/cases", {"title": "Rivera and Chen", "kind": "workplace", "litigated": True}
    )
    assert response.status_code == 201, response.text
    case = response.json()
    assert set(case) >= CASE_FIELDS, CASE_FIELDS - set(case)
    uuid.UUID(case["id"])
    uuid.UUID(case["my_participant_id"])
    assert case["title"] == "Rivera and Chen"
    assert case["kind"] == "workplace"
    assert case["litigated"] is True
    assert case["status"] == "intake"
    assert case["confidentiality_structure"] == "permission_required"
    assert case["onboarding"]["complete"] is False
    assert isinstance(case["onboarding"]["missing"], list) and case["onboarding"]["missing"]
    assert case["my_role"] == "mediator"
    assert case["my_side_id"] is None
    assert case["outcome"] is None
    assert case["closed_at"] is None
    assert case["purge_after"] is None
    # The same case, read back.
    again = mediator.get(f"/cases/{case['id']}")
    assert again.status_code == 200
    assert {k: again.json()[k] for k in CASE_FIELDS} == {k: case[k] for k in CASE_FIELDS}


def test_it_takes_every_kind_the_contract_names_and_no_other(mediator: Api) -> None:
    for kind in KINDS:
        assert mediator.open_case(kind=kind)["kind"] == kind
    body = assert_error(
        mediator.post("/cases", {"title": "T", "kind": "criminal", "litigated": False}), 400
    )
    assert "kind" in body["fields"]
    body = assert_error(mediator.post("/cases", {"kind": "family", "litigated": False}), 400)
    assert "title" in body["fields"]


def test_it_pages_the_case_list_with_a_cursor(caucus_server: LiveServer) -> None:
    med = new_mediator(caucus_server, "pager")
    assert med.get("/cases").json() == {"items": [], "next": None}
    made = [med.open_case(title=f"Case {i}")["id"] for i in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        response = med.get("/cases", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next"}
        assert len(page["items"]) <= 2
        for item in page["items"]:
            assert set(item) >= CASE_FIELDS
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
        assert pages < 10, "the cursor never ends"
    assert pages == 3
    assert seen == list(reversed(made)), "newest first, each case once"
    assert "limit" in assert_error(med.get("/cases", params={"limit": 0}), 400)["fields"]
    assert "cursor" in assert_error(med.get("/cases", params={"cursor": "garbage"}), 400)["fields"]


def test_it_hides_a_case_from_everyone_outside_it(
    caucus_server: LiveServer, mediator: Api, other_mediator: Api
) -> None:
    case = mediator.open_case()
    member = join(caucus_server, mediator.invite(case["id"]))
    elsewhere = join(caucus_server, other_mediator.invite(other_mediator.open_case()["id"]))
    missing = assert_error(mediator.get(f"/cases/{uuid.uuid4()}"), 404, "not_found")
    for outsider in (other_mediator, elsewhere.api):
        for response in (
            outsider.get(f"/cases/{case['id']}"),
            outsider.get(f"/cases/{case['id']}/participants"),
            outsider.post(f"/cases/{case['id']}/screening", {"decision": "accept"}),
            outsider.post(f"/cases/{case['id']}/close", {"outcome": "settled"}),
            outsider.post(
                f"/cases/{case['id']}/invitations",
                {"email": unique_email("x"), "name": "X", "role": "party"},
            ),
        ):
            # Not visible and not there are one answer.
            assert assert_error(response, 404) == missing
        assert case["id"] not in {c["id"] for c in outsider.get("/cases").json()["items"]}
    assert member.api.get(f"/cases/{case['id']}").status_code == 200


def test_it_invites_parties_and_attorneys_but_not_experts_or_guests(mediator: Api) -> None:
    case = mediator.open_case()
    path = f"/cases/{case['id']}/invitations"
    party = mediator.post(path, {"email": unique_email("p"), "name": "Pia Party", "role": "party"})
    assert party.status_code == 201, party.text
    assert set(party.json()) >= {"id", "invite_url"}
    side_id = party.json()["side_id"]
    attorney = mediator.post(
        path,
        {"email": unique_email("a"), "name": "Al Attorney", "role": "attorney", "side_id": side_id},
    )
    assert attorney.status_code == 201, attorney.text
    assert set(attorney.json()) >= {"id", "invite_url"}
    assert attorney.json()["side_id"] == side_id
    for role in ("expert", "guest"):
        body = assert_error(
            mediator.post(path, {"email": unique_email(role), "name": "N", "role": role}), 400
        )
        assert "role" in body["fields"]
    body = assert_error(
        mediator.post(path, {"email": unique_email("a"), "name": "N", "role": "attorney"}), 400
    )
    assert "side_id" in body["fields"]


def test_it_lists_participants_with_their_sides(caucus_server: LiveServer, mediator: Api) -> None:
    case = mediator.open_case()
    party_a = join(caucus_server, mediator.invite(case["id"]), "Ada Party")
    side_a = party_a.api.get(f"/cases/{case['id']}").json()["my_side_id"]
    assert side_a
    attorney_a = join(
        caucus_server, mediator.invite(case["id"], "attorney", side_a), "Abe Attorney"
    )
    party_b = join(caucus_server, mediator.invite(case["id"]), "Bea Party")
    for who in (mediator, party_a.api, attorney_a.api, party_b.api):
        response = who.get(f"/cases/{case['id']}/participants")
        assert response.status_code == 200, response.text
        listing = response.json()
        assert listing.get("next") is None
        items = {p["id"]: p for p in listing["items"]}
        for p in items.values():
            assert set(p) >= {"id", "name", "role", "side_id"}
        assert items[case["my_participant_id"]]["role"] == "mediator"
        assert items[case["my_participant_id"]]["side_id"] is None
        assert items[party_a.participant_id]["name"] == "Ada Party"
        assert items[party_a.participant_id]["role"] == "party"
        assert items[party_a.participant_id]["side_id"] == side_a
        assert items[attorney_a.participant_id]["role"] == "attorney"
        assert items[attorney_a.participant_id]["side_id"] == side_a
        assert items[party_b.participant_id]["role"] == "party"
        assert items[party_b.participant_id]["side_id"] not in (None, side_a)
        assert len(items) == 4


def test_it_moves_an_accepted_case_to_onboarding(mediator: Api) -> None:
    case = mediator.open_case()
    screened = mediator.screen(case["id"], "accept")
    assert screened["id"] == case["id"]
    assert screened["status"] == "onboarding"
    assert mediator.get(f"/cases/{case['id']}").json()["status"] == "onboarding"
    # The state forbids screening twice.
    assert_error(mediator.post(f"/cases/{case['id']}/screening", {"decision": "accept"}), 409)


def test_it_declines_with_a_neutral_reason_and_a_private_note(
    caucus_server: LiveServer, mediator: Api
) -> None:
    case = mediator.open_case()
    party = join(caucus_server, mediator.invite(case["id"]))
    bad = mediator.post(
        f"/cases/{case['id']}/screening", {"decision": "decline", "reason_code": "because"}
    )
    assert "reason_code" in assert_error(bad, 400)["fields"]
    note = f"private-{uuid.uuid4().hex}"
    declined = mediator.screen(
        case["id"], "decline", reason_code="conflict_of_interest", private_note=note
    )
    assert declined["status"] == "declined"
    assert declined["screening"]["reason_code"] == "conflict_of_interest"
    assert declined["screening"]["private_note"] == note
    seen = party.api.get(f"/cases/{case['id']}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "declined"
    assert seen.json()["screening"]["reason_code"] == "conflict_of_interest"
    assert note not in seen.text
    listed = party.api.get("/cases")
    assert note not in listed.text
    assert mediator.get(f"/cases/{case['id']}").json()["screening"]["private_note"] == note


def test_it_closes_a_case_and_schedules_its_purge(caucus_server: LiveServer, mediator: Api) -> None:
    case = mediator.open_case()
    party = join(caucus_server, mediator.invite(case["id"]))
    mediator.screen(case["id"], "accept")
    bad = mediator.post(f"/cases/{case['id']}/close", {"outcome": "won"})
    assert "outcome" in assert_error(bad, 400)["fields"]
    response = mediator.post(
        f"/cases/{case['id']}/close", {"outcome": "settled", "note_to_parties": "Thank you."}
    )
    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["status"] == "closed"
    assert closed["outcome"] == "settled"
    closed_at = assert_utc(closed["closed_at"])
    purge_after = assert_utc(closed["purge_after"])
    days = int(caucus_server.env.get("CAUCUS_RETENTION_DAYS") or 180)
    assert purge_after - closed_at == timedelta(days=days)
    assert abs(datetime.now(closed_at.tzinfo) - closed_at) < timedelta(minutes=5)
    seen = party.api.get(f"/cases/{case['id']}").json()
    assert seen["status"] == "closed"
    assert seen["purge_after"] == closed["purge_after"]
    # A closed case cannot be closed again, nor take new people.
    assert_error(mediator.post(f"/cases/{case['id']}/close", {"outcome": "impasse"}), 409)
    assert_error(
        mediator.post(
            f"/cases/{case['id']}/invitations",
            {"email": unique_email("late"), "name": "Late", "role": "party"},
        ),
        409,
    )


def test_it_closes_only_a_screened_case(mediator: Api) -> None:
    case = mediator.open_case()
    assert_error(mediator.post(f"/cases/{case['id']}/close", {"outcome": "settled"}), 409)


# Conventions


def test_it_answers_errors_as_json_with_the_conventional_statuses(
    caucus_server: LiveServer, mediator: Api
) -> None:
    anon = Api(caucus_server)
    case = mediator.open_case()
    party = join(caucus_server, mediator.invite(case["id"]))

    # 401: no credentials, or credentials that are not valid.
    assert_error(anon.get("/cases"), 401)
    assert_error(anon.post("/cases", {"title": "T", "kind": "family"}), 401)
    assert_error(Api(caucus_server, "cau_forged").get("/cases"), 401)
    assert_error(anon.get(f"/cases/{case['id']}"), 401)
    # 403: the party sees the case but may not invite, screen, close or open one.
    assert_error(
        party.api.post(
            f"/cases/{case['id']}/invitations",
            {"email": unique_email("x"), "name": "X", "role": "party"},
        ),
        403,
    )
    assert_error(party.api.post(f"/cases/{case['id']}/screening", {"decision": "accept"}), 403)
    assert_error(party.api.post(f"/cases/{case['id']}/close", {"outcome": "settled"}), 403)
    assert_error(party.api.post("/cases", {"title": "T", "kind": "family"}), 403)
    # 404: unknown objects, and unknown paths under the API.
    assert_error(mediator.get(f"/cases/{uuid.uuid4()}/participants"), 404)
    assert_error(mediator.get("/no-such-endpoint"), 404)
    # 400: field errors under "fields"; bad JSON and wrong types are input errors too.
    body = assert_error(mediator.post("/cases", {"title": "", "kind": 7, "litigated": "x"}), 400)
    assert isinstance(body["fields"], dict) and body["fields"]
    for name, messages in body["fields"].items():
        assert isinstance(name, str)
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages)
    assert_error(
        mediator.post("/cases", content=b"{not json", headers={"Content-Type": "application/json"}),
        400,
    )
    assert_error(mediator.post("/cases", [1, 2, 3]), 400)
    # 409: the case's state forbids it.
    mediator.screen(case["id"], "accept")
    assert_error(
        mediator.post(
            f"/cases/{case['id']}/screening", {"decision": "decline", "reason_code": "other"}
        ),
        409,
    )


def test_it_answers_json_with_iso_utc_times_and_opaque_ids(mediator: Api) -> None:
    response = mediator.post("/cases", {"title": "Times", "kind": "civil", "litigated": False})
    assert response.headers["content-type"].startswith("application/json")
    case = response.json()
    uuid.UUID(case["id"])
    assert_utc(case["created_at"])


@dataclass
class Browser:
    client: httpx.Client

    def csrf(self) -> str:
        token = self.client.cookies.get("csrftoken")
        assert token, "no CSRF cookie"
        return str(token)


@pytest.fixture
def browser(caucus_server: LiveServer) -> Iterator[Browser]:
    with httpx.Client(base_url=caucus_server.url, timeout=30) as client:
        yield Browser(client)


def test_it_accepts_the_browser_session_with_csrf(
    caucus_server: LiveServer, browser: Browser
) -> None:
    email = unique_email("web")
    secret = make_mediator(caucus_server, email, "Wes Web", mfa=True)
    client = browser.client
    assert client.get("/login").status_code == 200
    signed = client.post(
        "/login",
        data={"email": email, "password": MEDIATOR_PASSWORD, "csrfmiddlewaretoken": browser.csrf()},
    )
    assert signed.status_code == 302, signed.text
    assert signed.headers["location"].endswith("/login/code")
    assert client.get("/login/code").status_code == 200
    coded = client.post(
        "/login/code", data={"otp": totp_code(secret), "csrfmiddlewaretoken": browser.csrf()}
    )
    assert coded.status_code == 302, coded.text
    listing = client.get("/api/v1/cases")
    assert listing.status_code == 200, listing.text
    assert listing.json() == {"items": [], "next": None}
    body = {"title": "From the browser", "kind": "other", "litigated": False}
    # Without the CSRF token a cookie-authenticated change is refused.
    refused = client.post("/api/v1/cases", json=body)
    assert refused.status_code in (401, 403), refused.text
    assert_error(refused, refused.status_code)
    made = client.post("/api/v1/cases", json=body, headers={"X-CSRFToken": browser.csrf()})
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "intake"
