"""API.md's "Meetings, items, notes" and the live chat, checked from outside: an HTTP client
and a WebSocket client against a real `caucus serve` (uvicorn), with bearer tokens."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_meetings_browser import ActiveCase, Person, active_case, caucus_of_side_a

pytestmark = pytest.mark.e2e

ATTEST = {"attestation": {"private_location": True, "not_recording": True, "others_present": []}}


def ws(server: LiveServer, meeting_id: str, who: Person) -> ClientConnection:
    url = server.url.replace("http://", "ws://") + f"/ws/meetings/{meeting_id}/"
    return connect(url, additional_headers=who.api.headers, open_timeout=10)


def next_chat(conn: ClientConnection) -> dict[str, Any]:
    """The next chat frame, past presence and the other frames of the room."""
    for _ in range(20):
        frame: dict[str, Any] = json.loads(conn.recv(timeout=10))
        if frame.get("type") == "chat":
            return frame
    raise AssertionError("no chat frame")


def raw(server: LiveServer, who: Person, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1{path}", headers=who.api.headers, timeout=30)


def refused(server: LiveServer, meeting_id: str, who: Person) -> bool:
    """True when the server refuses the handshake or closes the socket at once."""
    try:
        conn = ws(server, meeting_id, who)
    except InvalidStatus:
        return True
    try:
        conn.recv(timeout=5)
    except Exception:
        return True
    finally:
        conn.close()
    return False


def test_it_runs_a_caucus_through_the_api_and_the_live_chat(caucus_server: LiveServer) -> None:
    case: ActiveCase = active_case(caucus_server)
    med, a, b = case.mediator.api, case.party_a, case.party_b
    meeting = caucus_of_side_a(case, med)
    mid = meeting["id"]
    assert meeting["status"] == "scheduled"
    assert b.api.call("GET", f"/cases/{case.id}/meetings")["items"] == []
    b.api.call("GET", f"/meetings/{mid}", expect_status=404)
    early = a.api.call("POST", f"/meetings/{mid}/join", ATTEST, expect_status=409)
    assert early["error"] == "meeting_not_started"

    assert med.call("POST", f"/meetings/{mid}/start")["status"] == "running"
    assert a.api.call("POST", f"/meetings/{mid}/join", ATTEST, expect_status=202) == {
        "state": "lobby"
    }
    a.api.call("GET", f"/meetings/{mid}/room", expect_status=403)
    assert refused(caucus_server, mid, a), "a party in the lobby must not reach the chat"
    lobby = med.call("GET", f"/meetings/{mid}/attendance")["items"]
    party_a_id = a.api.call("GET", f"/cases/{case.id}")["my_participant_id"]
    assert lobby[0]["participant_id"] == party_a_id
    med.call("POST", f"/meetings/{mid}/admit", {"participant_id": party_a_id})
    room = a.api.call("GET", f"/meetings/{mid}/room")["video"]
    assert room["provider"] == "mesh"
    assert (room["recording"], room["transcription"], room["live_streaming"]) == (False,) * 3
    assert room["signaling"] == f"/ws/meetings/{mid}/"

    assert refused(caucus_server, mid, b), "the other side must be refused at the handshake"
    with ws(caucus_server, mid, case.mediator) as mediator_chat, ws(caucus_server, mid, a) as chat:
        chat.send(json.dumps({"text": "Only for the mediator's ears."}))
        heard = next_chat(mediator_chat)
        assert heard["text"] == "Only for the mediator's ears."
        assert heard["from"] == party_a_id
        assert next_chat(chat)["text"] == heard["text"]

        item = a.api.call(
            "POST", f"/meetings/{mid}/items", {"text": "I would sell the van."}, expect_status=201
        )
        assert item["audience"] == f"side:{meeting['side_id']}"
        b.api.call("GET", f"/items/{item['id']}", expect_status=404)
        blocked = med.call("POST", f"/meetings/{mid}/end", expect_status=409)
        assert blocked["error"] == "closeout_incomplete"
        assert blocked["items"] == [item["id"]]
        med.call("PUT", f"/items/{item['id']}/decision", {"decision": "keep_confidential"})
        assert a.api.call("POST", f"/items/{item['id']}/confirm")["confirmed"] is True
        assert med.call("POST", f"/meetings/{mid}/end")["status"] == "ended"
        # Every chat connection closes when the meeting ends.
        for conn in (mediator_chat, chat):
            with pytest.raises(Exception):  # noqa: B017 - ConnectionClosed of either kind
                for _ in range(20):  # presence and the "closed" frame come before the close
                    conn.recv(timeout=10)

    ics = raw(caucus_server, a, f"/meetings/{mid}/ics")
    assert ics.status_code == 200
    assert "van" not in ics.text and case.title not in ics.text

    note = med.call(
        "POST", f"/meetings/{mid}/notes", {"body": "A discussed the van."}, expect_status=201
    )
    assert note["version"] == 1
    feedback = a.api.call(
        "POST", f"/notes/{note['id']}/feedback", {"body": "The old van."}, expect_status=201
    )
    revised = med.call(
        "POST",
        f"/notes/{note['id']}/revise",
        {"body": "A discussed the old van.", "resolves": [feedback["id"]]},
    )
    assert revised["version"] == 2
    assert [v["version"] for v in revised["versions"]] == [1, 2]
    records_a = a.api.call("POST", f"/cases/{case.id}/records-request")
    assert [n["id"] for n in records_a["notes"]] == [note["id"]]
    assert "No recording or transcript" in records_a["statement"]
    assert b.api.call("POST", f"/cases/{case.id}/records-request")["notes"] == []
    pdf = raw(caucus_server, a, f"/notes/{note['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert raw(caucus_server, b, f"/notes/{note['id']}/pdf").status_code == 404
