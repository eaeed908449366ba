"""API.md's documents and access-log calls, checked from outside against a real `caucus
serve` with a 2 MiB upload limit: the calls behave as written, a 3 MiB upload answers 413,
and neither a finished nor a killed upload leaves plaintext anywhere under the data
directory or the server's temporary directory."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import LiveServer, _start
from tests.e2e.test_meetings_browser import Api, active_case
from tests.processes import stop

pytestmark = pytest.mark.e2e

LIMIT = 2 * 1024 * 1024
CANARY = b"VAULT-CANARY-7f3a9c"


def canary_text(size: int) -> bytes:
    line = CANARY + b" a line of the statement that must never reach the disk in clear\n"
    return (line * (size // len(line) + 1))[:size]


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("vault-live")
    (tmp / "tmp").mkdir()
    env = {"CAUCUS_MAX_UPLOAD_BYTES": str(LIMIT), "TMPDIR": str(tmp / "tmp")}
    proc, server = _start(tmp, env)
    try:
        yield server
    finally:
        stop(proc)


def get(api: Api, path: str) -> httpx.Response:
    return httpx.get(api.url + path, headers=api.headers, timeout=60)


def plaintext_files(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and CANARY in path.read_bytes():
                found.append(path)
    return found


def upload(api: Api, case_id: str, name: str, data: bytes, audience: str) -> httpx.Response:
    return httpx.post(
        f"{api.url}/cases/{case_id}/documents",
        headers=api.headers,
        files={"file": (name, data, "text/plain")},
        data={"audience": audience},
        timeout=60,
    )


def test_it_stores_lists_streams_and_logs_documents_as_the_contract_says(
    limited_server: LiveServer,
) -> None:
    case = active_case(limited_server)
    a, b, m = case.party_a.api, case.party_b.api, case.mediator.api
    data = canary_text(LIMIT - 4096)
    made = upload(a, case.id, "statement.txt", data, "own_side")
    assert made.status_code == 201, made.text
    doc = made.json()
    assert {"id", "name", "size", "sha256", "audience"} <= set(doc)
    assert doc["size"] == len(data) and doc["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["audience"].startswith("side:")

    assert [d["id"] for d in a.call("GET", f"/cases/{case.id}/documents")["items"]] == [doc["id"]]
    assert b.call("GET", f"/cases/{case.id}/documents")["items"] == []
    assert get(b, f"/documents/{doc['id']}").status_code == 404
    assert get(b, f"/documents/{doc['id']}/content").status_code == 404
    assert m.call("GET", f"/documents/{doc['id']}")["name"] == "statement.txt"

    got = get(m, f"/documents/{doc['id']}/content")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"].startswith("text/plain")

    log = a.call("GET", f"/cases/{case.id}/access-log")["items"]
    reads = [e for e in log if e["action"] == "document.read"]
    assert reads and reads[0]["object"] == {"type": "document", "id": doc["id"]}
    assert {"at", "participant_id", "action", "object"} <= set(reads[0])
    log_b = b.call("GET", f"/cases/{case.id}/access-log")["items"]
    assert all(e["object"]["id"] != doc["id"] for e in log_b)

    assert plaintext_files(limited_server.data_dir, limited_server.data_dir.parent / "tmp") == []


def test_it_answers_413_to_an_upload_over_the_limit(limited_server: LiveServer) -> None:
    case = active_case(limited_server)
    a = case.party_a.api
    too_big = upload(a, case.id, "big.txt", canary_text(3 * 1024 * 1024), "case")
    assert too_big.status_code == 413, too_big.text
    assert too_big.json()["error"] == "too_large"
    assert a.call("GET", f"/cases/{case.id}/documents")["items"] == []
    bad = upload(a, case.id, "../../x.txt", b"hello", "case")
    assert bad.status_code == 400 and "file" in bad.json()["fields"]
    assert plaintext_files(limited_server.data_dir, limited_server.data_dir.parent / "tmp") == []


def test_it_leaves_nothing_readable_when_the_server_is_killed_mid_upload(
    tmp_path: Path,
) -> None:
    (tmp_path / "tmp").mkdir()
    env = {"TMPDIR": str(tmp_path / "tmp")}
    proc, server = _start(tmp_path, env)
    try:
        case = active_case(server)
        auth = case.party_a.api.headers["Authorization"]
        size = 8 * 1024 * 1024
        boundary = "killboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="audience"\r\n\r\ncase\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="half.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        body = canary_text(size)
        with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) as sock:
            request = (
                f"POST /api/v1/cases/{case.id}/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {auth}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(head) + size + len(tail)}\r\n\r\n"
            ).encode()
            sock.sendall(request + head + body[: size // 2])
            # Wait until the server has stored some of it, then kill it without warning.
            deadline = time.monotonic() + 30
            vault = server.data_dir / "vault"
            while time.monotonic() < deadline:
                blobs = [p for p in vault.rglob("*") if p.is_file()] if vault.exists() else []
                if blobs and blobs[0].stat().st_size > 1024 * 1024:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the upload never reached storage")
            os.kill(proc.pid, 9)
            proc.wait(timeout=15)
        assert plaintext_files(server.data_dir, tmp_path / "tmp") == []
        # Restarted on the same data: nothing is listed, nothing readable was left.
        proc, server = _start(tmp_path, env)
        again = Api(server, auth.removeprefix("Bearer "))
        listed = again.call("GET", f"/cases/{case.id}/documents")
        assert listed["items"] == []
    finally:
        stop(proc)
