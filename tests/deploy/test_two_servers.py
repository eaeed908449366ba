"""Caucus as several processes (issue 18): two `caucus serve` processes (one of them with two
uvicorn workers) behind nginx with deploy/nginx/caucus-proxy.conf, on PostgreSQL, Redis, one
key store and an S3 bucket. Runs only in CI's PostgreSQL leg (DATABASE_URL on PostgreSQL and
REDIS_URL set), since without them there is nothing to share."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.deploy.cluster import NGINX, Cluster, running_cluster
from tests.deploy.s3 import needs_moto
from tests.e2e.test_meetings_browser import ActiveCase, Api, Person, active_case, caucus_of_side_a

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL,
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL (CI's PostgreSQL leg)",
    ),
    pytest.mark.skipif(shutil.which(NGINX) is None, reason="nginx is not installed"),
    needs_moto,
]

ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}
STARTS_AT = "2026-12-01T10:00:00Z"
OFFER = {"description": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}
CANARY = b"canary-two-servers "
STATEMENT = CANARY * 40_000  # about 760 KiB: three segments


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster"), DATABASE_URL, REDIS_URL) as c:
        yield c


def through(person: Person, url: str) -> Api:
    """The same caller, reaching the API by another address."""
    api = Api.__new__(Api)
    api.url, api.headers = f"{url}/api/v1", person.api.headers
    return api


def socket_to(url: str, meeting_id: str, person: Person) -> ClientConnection:
    ws = url.replace("http://", "ws://") + f"/ws/meetings/{meeting_id}/"
    return connect(ws, additional_headers=person.api.headers, open_timeout=10)


def next_of(conn: ClientConnection, kind: str) -> dict[str, Any]:
    for _ in range(30):
        frame: dict[str, Any] = json.loads(conn.recv(timeout=10))
        if frame.get("type") == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def upload(api: Api, case_id: str, name: str, data: bytes) -> dict[str, Any]:
    response = httpx.post(
        f"{api.url}/cases/{case_id}/documents",
        headers=api.headers,
        files={"file": (name, data, "text/plain")},
        data={"audience": "own_side"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def download(api: Api, document_id: str) -> bytes:
    response = httpx.get(f"{api.url}/documents/{document_id}/content", headers=api.headers)
    assert response.status_code == 200, response.text
    return response.content


def open_caucus(case: ActiveCase, api: Api) -> str:
    mid: str = caucus_of_side_a(case, api)["id"]
    api.call("POST", f"/meetings/{mid}/start")
    return mid


def test_it_runs_a_mediation_across_two_servers_and_serves_on_when_one_dies(
    cluster: Cluster,
) -> None:
    case = active_case(cluster.live())
    mediator, party = case.mediator, case.party_a
    on_a = {p.name: through(p, cluster.pinned["a"]) for p in (mediator, party)}
    on_b = {p.name: through(p, cluster.pinned["b"]) for p in (mediator, party)}

    mid = open_caucus(case, on_a[mediator.name])
    on_b[party.name].call("POST", f"/meetings/{mid}/join", ATTEST, expect_status=202)
    party_id = party.api.call("GET", f"/cases/{case.id}")["my_participant_id"]
    mediator_id = mediator.api.call("GET", f"/cases/{case.id}")["my_participant_id"]
    on_a[mediator.name].call("POST", f"/meetings/{mid}/admit", {"participant_id": party_id})

    # The mediator's socket is held by server A, the party's by server B: every frame
    # between them crosses the Redis channel layer.
    with (
        socket_to(cluster.pinned["a"], mid, mediator) as mediator_socket,
        socket_to(cluster.pinned["b"], mid, party) as party_socket,
    ):
        party_socket.send(json.dumps({"text": "Only for the mediator, across servers."}))
        heard = next_of(mediator_socket, "chat")
        assert (heard["text"], heard["from"]) == (
            "Only for the mediator, across servers.",
            party_id,
        )
        mediator_socket.send(json.dumps({"type": "signal", "to": party_id, "data": OFFER}))
        assert next_of(party_socket, "signal") == {
            "type": "signal",
            "from": mediator_id,
            "data": OFFER,
        }

        # Uploaded through A (its blob in the bucket, its key in the shared key store),
        # read back through B.
        document = upload(on_a[party.name], case.id, "statement.txt", STATEMENT)
        assert download(on_b[mediator.name], document["id"]) == STATEMENT
        objects = cluster.s3.objects()
        assert len(objects) == 1
        assert all(CANARY.strip() not in blob for blob in objects.values())
        item = on_b[party.name].call(
            "POST", f"/meetings/{mid}/items", {"text": "We could share the van."}, expect_status=201
        )

        # Server A loses power with the mediator's socket on it.
        cluster.servers["a"].kill()
        with pytest.raises(Exception):  # noqa: B017 - ConnectionClosed of either kind
            for _ in range(30):
                mediator_socket.recv(timeout=10)

        # Nothing committed is lost, and server B answers everything through the proxy,
        # POSTs included, although nginx still lists A.
        for _ in range(4):
            assert download(mediator.api, document["id"]) == STATEMENT
        assert mediator.api.call("GET", f"/items/{item['id']}")["text"] == item["text"]
        second = upload(party.api, case.id, "second.txt", b"A second statement.\n")
        assert download(mediator.api, second["id"]) == b"A second statement.\n"

        # The mediator reconnects through the proxy and the meeting goes on.
        with socket_to(cluster.url, mid, mediator) as again:
            next_of(again, "presence")
            party_socket.send(json.dumps({"text": "Still here."}))
            assert next_of(again, "chat")["text"] == "Still here."
        mediator.api.call("PUT", f"/items/{item['id']}/decision", {"decision": "keep_confidential"})
        party.api.call("POST", f"/items/{item['id']}/confirm")
        assert mediator.api.call("POST", f"/meetings/{mid}/end")["status"] == "ended"

    # The audit chain both servers wrote at once still verifies, and nothing was left
    # behind in plain text.
    # Neither server failed a request or a socket on its own (an idle socket's consumer
    # dying on a Redis read timeout was one such failure).
    for server in cluster.servers.values():
        assert " ERROR " not in server.log.read_text(), server.log.read_text()[-3000:]
    verified = cluster.caucus("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert all(CANARY.strip() not in blob for blob in cluster.s3.objects().values())
    assert not any(_plain_files(cluster.tmp, CANARY.strip()))


def _plain_files(root: Path, needle: bytes) -> Iterator[Path]:
    """Files anywhere under the servers' and nginx's directories that hold the plaintext."""
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            yield path


def test_it_answers_413_at_the_proxy_for_a_body_over_the_limit(cluster: Cluster) -> None:
    too_big = b"x" * (4 * 1024 * 1024)
    response = httpx.post(
        f"{cluster.url}/api/v1/auth/token",
        content=too_big,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
