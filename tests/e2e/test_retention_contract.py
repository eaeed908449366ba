"""API.md's section "Retention", checked from outside: a case closed through the API, purged
by `caucus purge --as-of` in another process, answers 410 with its signed certificate to its
mediator, and 404 or 410 on everything under it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import LiveServer, _start
from tests.e2e.test_contract import assert_error, join, new_mediator
from tests.processes import stop

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Its own server: `purge --as-of` a year ahead would purge other tests' closed cases.
    proc, server = _start(tmp_path_factory.mktemp("retention"), {})
    try:
        yield server
    finally:
        stop(proc)


def test_it_purges_a_closed_case_and_answers_410_with_the_certificate(
    own_server: LiveServer, tmp_path: Path
) -> None:
    mediator = new_mediator(own_server)
    case = mediator.open_case(title="Purge me")
    case_id = case["id"]
    mediator.screen(case_id)
    party = join(own_server, mediator.invite(case_id), name="Pat Purged")
    other = mediator.open_case(title="Still open")
    closed = mediator.post(f"/cases/{case_id}/close", {"outcome": "impasse"})
    assert closed.status_code == 200, closed.text
    purge_after = datetime.fromisoformat(closed.json()["purge_after"].replace("Z", "+00:00"))

    early = own_server.caucus(
        "purge", "--as-of", (purge_after - timedelta(days=1)).date().isoformat()
    )
    assert "0 cases purged" in early.stdout
    assert mediator.get(f"/cases/{case_id}").status_code == 200

    as_of = (purge_after + timedelta(days=1)).date().isoformat()
    purged = own_server.caucus("purge", "--as-of", as_of)
    assert f"purged {case_id}" in purged.stdout

    gone = mediator.get(f"/cases/{case_id}")
    body = assert_error(gone, 410, "purged")
    assert datetime.fromisoformat(body["purged_at"]).utcoffset() == timedelta(0)
    certificate = body["certificate"]
    assert certificate["algorithm"] == "Ed25519"
    assert certificate["certificate"]["case_id"] == case_id
    assert certificate["certificate"]["key_destroyed"] is True
    assert "Pat Purged" not in gone.text and "Purge me" not in gone.text

    for sub in ("participants", "meetings", "items", "agreements", "ground-rules", "intake"):
        assert mediator.get(f"/cases/{case_id}/{sub}").status_code in (404, 410), sub
    assert mediator.post(f"/cases/{case_id}/close", {"outcome": "impasse"}).status_code in (
        404,
        410,
    )
    # The party had no other case: their account, and so their token, is gone.
    assert party.api.get(f"/cases/{case_id}").status_code == 401
    # The mediator's other, open case is untouched.
    assert mediator.get(f"/cases/{other['id']}").status_code == 200

    cert_file = tmp_path / "certificate.json"
    cert_file.write_text(json.dumps(certificate))
    assert own_server.caucus("verify-certificate", case_id).returncode == 0
    assert own_server.caucus("verify-certificate", str(cert_file)).returncode == 0
    forged = dict(certificate, certificate={**certificate["certificate"], "accounts_deleted": 0})
    cert_file.write_text(json.dumps(forged))
    assert own_server.caucus("verify-certificate", str(cert_file), check=False).returncode != 0
    audit = own_server.caucus("audit", "verify")
    assert "audit chain intact" in audit.stdout

    again = own_server.caucus("purge", "--as-of", as_of)
    assert "0 cases purged" in again.stdout


def test_it_refuses_a_malformed_as_of(own_server: LiveServer) -> None:
    result = own_server.caucus("purge", "--as-of", "someday", check=False)
    assert result.returncode != 0
    assert "--as-of" in result.stderr


def test_it_runs_the_job_consumer_inside_serve(own_server: LiveServer) -> None:
    assert "embedded job consumer started" in own_server.log.read_text()
    if not os.environ.get("REDIS_URL"):
        assert (own_server.data_dir / "huey.sqlite3").is_file()
