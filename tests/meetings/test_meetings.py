from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from caucus.audit.models import AuditEntry
from tests.conftest import World
from tests.meetings.rooms import ATTEST, admit, running, schedule


def test_it_refuses_meetings_before_onboarding_completes(world: World) -> None:
    response = world.mediator.client.post(
        f"cases/{world.case.id}/meetings",
        {"kind": "joint", "mode": "virtual", "starts_at": "2026-12-01T10:00:00Z"},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "onboarding_incomplete"
    assert response.json()["missing"]
    for path in (f"cases/{world.case.id}/meetings", f"cases/{world.case.id}/items"):
        refused = world.party_a.client.get(path)
        assert refused.status_code == 409
        assert refused.json()["error"] == "onboarding_incomplete"


def test_it_hides_a_caucus_from_the_other_side(active_world: World) -> None:
    w = active_world
    caucus = schedule(w, "caucus", w.side_a)
    listed_b = [
        m["id"] for m in w.party_b.client.get(f"cases/{w.case.id}/meetings").json()["items"]
    ]
    assert caucus["id"] not in listed_b
    assert w.party_b.client.get(f"meetings/{caucus['id']}").status_code == 404
    assert w.party_b.client.post(f"meetings/{caucus['id']}/join", ATTEST).status_code == 404
    listed_att = w.attorney_a.client.get(f"cases/{w.case.id}/meetings").json()["items"]
    assert caucus["id"] in [m["id"] for m in listed_att]
    assert caucus["audience"] == f"side:{w.side_a}"


def test_it_keeps_attendees_out_until_started_and_admitted(active_world: World) -> None:
    w = active_world
    meeting = schedule(w, "joint")
    early = w.party_a.client.post(f"meetings/{meeting['id']}/join", ATTEST)
    assert early.status_code == 409
    assert early.json()["error"] == "meeting_not_started"
    w.mediator.client.post(f"meetings/{meeting['id']}/start")
    joined = w.party_a.client.post(f"meetings/{meeting['id']}/join", ATTEST)
    assert joined.json() == {"state": "lobby"}
    assert w.party_a.client.get(f"meetings/{meeting['id']}/room").status_code == 403
    lobby = w.mediator.client.get(f"meetings/{meeting['id']}/attendance").json()["items"]
    assert lobby[0]["state"] == "lobby"
    assert lobby[0]["attestation"]["private_location"] is True
    assert w.party_a.participant is not None
    w.mediator.client.post(
        f"meetings/{meeting['id']}/admit", {"participant_id": str(w.party_a.participant.id)}
    )
    room = w.party_a.client.get(f"meetings/{meeting['id']}/room").json()["video"]
    assert room["provider"] == "mesh"
    assert room["recording"] is False
    assert room["transcription"] is False
    assert room["live_streaming"] is False
    assert room["signaling"] == f"/ws/meetings/{meeting['id']}/"
    assert room["ice_servers"] == []
    assert w.party_a.client.get(f"meetings/{meeting['id']}/attendance").status_code == 403


def test_it_requires_the_attestation_for_a_virtual_meeting(active_world: World) -> None:
    w = active_world
    meeting = running(w, "joint")
    bad = w.party_a.client.post(
        f"meetings/{meeting['id']}/join",
        {"attestation": {"private_location": False, "not_recording": True}},
    )
    assert bad.status_code == 400
    assert "attestation.private_location" in bad.json()["fields"]
    others = w.party_a.client.post(
        f"meetings/{meeting['id']}/join",
        {
            "attestation": {
                "private_location": True,
                "not_recording": True,
                "others_present": ["My brother"],
            }
        },
    )
    assert others.status_code == 409
    assert others.json()["error"] == "guest_consent_required"


def test_it_gives_each_caucus_its_own_unguessable_room(active_world: World) -> None:
    w = active_world
    a = running(w, "caucus", w.side_a)
    b = running(w, "caucus", w.side_b)
    room_a = w.mediator.client.get(f"meetings/{a['id']}/room").json()["video"]["room"]
    room_b = w.mediator.client.get(f"meetings/{b['id']}/room").json()["video"]["room"]
    assert room_a != room_b
    assert len(room_a) > 30


def test_it_keeps_caucus_items_with_the_side_and_refuses_to_end_before_closeout(
    active_world: World,
) -> None:
    w = active_world
    caucus = running(w, "caucus", w.side_a)
    admit(w, caucus, w.party_a)
    item = w.party_a.client.post(
        f"meetings/{caucus['id']}/items", {"text": "I could accept 60,000 if pushed."}
    ).json()
    assert item["audience"] == f"side:{w.side_a}"
    assert w.party_b.client.get(f"items/{item['id']}").status_code == 404
    assert item["id"] not in [
        i["id"] for i in w.party_b.client.get(f"cases/{w.case.id}/items").json()["items"]
    ]
    assert w.attorney_a.client.get(f"items/{item['id']}").status_code == 200
    ended = w.mediator.client.post(f"meetings/{caucus['id']}/end")
    assert ended.status_code == 409
    assert ended.json() == {
        "error": "closeout_incomplete",
        "detail": ended.json()["detail"],
        "items": [item["id"]],
        "missing": [f"decision:{item['id']}"],
    }
    decided = w.mediator.client.put(
        f"items/{item['id']}/decision", {"decision": "keep_confidential"}
    )
    assert decided.status_code == 200
    assert w.party_b.client.post(f"items/{item['id']}/confirm").status_code == 404
    assert w.attorney_a.client.post(f"items/{item['id']}/confirm").status_code == 403
    assert w.mediator.client.post(f"meetings/{caucus['id']}/end").status_code == 409
    assert w.party_a.client.post(f"items/{item['id']}/confirm").json()["confirmed"] is True
    assert w.mediator.client.post(f"meetings/{caucus['id']}/end").json()["status"] == "ended"


def test_it_requires_wording_for_may_share_as_worded(active_world: World) -> None:
    w = active_world
    caucus = running(w, "caucus", w.side_a)
    item = w.mediator.client.post(f"meetings/{caucus['id']}/items", {"text": "x"}).json()
    response = w.mediator.client.put(
        f"items/{item['id']}/decision", {"decision": "may_share_as_worded"}
    )
    assert response.status_code == 400
    assert "wording" in response.json()["fields"]


def test_it_shares_a_confirmed_may_share_item_only_in_shared_unless_marked_cases(
    active_world: World,
) -> None:
    w = active_world
    caucus = running(w, "caucus", w.side_a)
    item = w.mediator.client.post(
        f"meetings/{caucus['id']}/items", {"text": "Open to mediation of rent."}
    ).json()
    w.mediator.client.put(f"items/{item['id']}/decision", {"decision": "may_share"})
    confirmed = w.party_a.client.post(f"items/{item['id']}/confirm").json()
    # permission_required (the default): it waits for a disclosure.
    assert confirmed["audience"] == f"side:{w.side_a}"
    assert w.party_b.client.get(f"items/{item['id']}").status_code == 404


def test_it_widens_a_confirmed_may_share_item_in_a_shared_unless_marked_case(
    world: World,
) -> None:
    from tests.conftest import complete_onboarding

    world.mediator.client.put(
        f"cases/{world.case.id}/confidentiality-structure", {"policy": "shared_unless_marked"}
    )
    complete_onboarding(world)
    caucus = running(world, "caucus", world.side_a)
    keep = world.mediator.client.post(f"meetings/{caucus['id']}/items", {"text": "Keep me."}).json()
    share = world.mediator.client.post(
        f"meetings/{caucus['id']}/items", {"text": "Share me."}
    ).json()
    world.mediator.client.put(f"items/{keep['id']}/decision", {"decision": "keep_confidential"})
    world.mediator.client.put(f"items/{share['id']}/decision", {"decision": "may_share"})
    assert world.party_b.client.get(f"items/{share['id']}").status_code == 404
    world.party_a.client.post(f"items/{keep['id']}/confirm")
    world.party_a.client.post(f"items/{share['id']}/confirm")
    assert world.party_b.client.get(f"items/{share['id']}").json()["audience"] == "case"
    assert world.party_b.client.get(f"items/{keep['id']}").status_code == 404


def test_it_keeps_note_feedback_with_the_side_that_gave_it(active_world: World) -> None:
    w = active_world
    joint = running(w, "joint")
    w.mediator.client.post(f"meetings/{joint['id']}/end")
    note = w.mediator.client.post(
        f"meetings/{joint['id']}/notes", {"body": "Both sides agreed to exchange lists."}
    ).json()
    assert note["version"] == 1
    fb_a = w.party_a.client.post(
        f"notes/{note['id']}/feedback", {"body": "It was inventories."}
    ).json()
    fb_b = w.party_b.client.post(
        f"notes/{note['id']}/feedback", {"body": "B's private correction"}
    ).json()
    seen_by_b = w.party_b.client.get(f"notes/{note['id']}").json()
    assert [f["id"] for f in seen_by_b["feedback"]] == [fb_b["id"]]
    seen_by_att = w.attorney_a.client.get(f"notes/{note['id']}").json()
    assert [f["id"] for f in seen_by_att["feedback"]] == [fb_a["id"]]
    revised = w.mediator.client.post(
        f"notes/{note['id']}/revise",
        {"body": "Both sides agreed to exchange inventories.", "resolves": [fb_a["id"]]},
    ).json()
    assert revised["version"] == 2
    assert [v["version"] for v in revised["versions"]] == [1, 2]
    assert {f["id"]: f["resolved_in_version"] for f in revised["feedback"]}[fb_a["id"]] == 2
    assert len(revised["feedback"]) == 2


def test_it_takes_no_notes_feedback_or_revision_once_the_case_is_closed(
    active_world: World,
) -> None:
    """Issue 13 item 6: the record of a closed case is read, never written."""
    w = active_world
    joint = running(w, "joint")
    note = w.mediator.client.post(f"meetings/{joint['id']}/notes", {"body": "We met."}).json()
    closed = w.mediator.client.post(f"cases/{w.case.id}/close", {"outcome": "settled"})
    assert closed.status_code == 200, closed.content
    writes = (
        (w.mediator, f"meetings/{joint['id']}/notes", {"body": "Later notes."}),
        (w.party_a, f"notes/{note['id']}/feedback", {"body": "A late correction."}),
        (w.mediator, f"notes/{note['id']}/revise", {"body": "Rewritten.", "resolves": []}),
    )
    for who, path, body in writes:
        refused = who.client.post(path, body)
        assert refused.status_code == 409, (path, refused.content)
        assert refused.json()["error"] == "case_closed"
    shown = w.party_a.client.get(f"notes/{note['id']}").json()
    assert [v["version"] for v in shown["versions"]] == [1] and shown["feedback"] == []


def test_it_answers_a_records_request_with_notes_and_the_statement(active_world: World) -> None:
    w = active_world
    caucus = running(w, "caucus", w.side_a)
    w.mediator.client.post(f"meetings/{caucus['id']}/end")
    w.mediator.client.post(f"meetings/{caucus['id']}/notes", {"body": "A's caucus notes."})
    joint = running(w, "joint")
    w.mediator.client.post(f"meetings/{joint['id']}/end")
    w.mediator.client.post(f"meetings/{joint['id']}/notes", {"body": "Joint notes."})
    for who, expected in ((w.party_a, 2), (w.party_b, 1), (w.mediator, 2)):
        body = who.client.post(f"cases/{w.case.id}/records-request").json()
        assert len(body["notes"]) == expected
        assert "No recording or transcript" in body["statement"]
    assert AuditEntry.objects.filter(action="records_request.read").count() == 3


def test_it_puts_no_confidential_text_in_the_calendar_invite(active_world: World) -> None:
    w = active_world
    meeting = schedule(w, "caucus", w.side_a)
    response = w.party_a.client.get(f"meetings/{meeting['id']}/ics")
    assert response.status_code == 200
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body
    for secret in ("Case of A and B", "Ada", "Bea", str(w.side_a)):
        assert secret not in body
    # A caucus invite reads exactly like a joint one: the kind of meeting is not told.
    assert "SUMMARY:Mediation meeting" in body
    assert "side" not in body.lower()


def test_it_lists_items_meetings_and_notes_in_constant_queries(active_world: World) -> None:
    w = active_world
    client = w.party_a.client

    def count(path: str) -> tuple[int, int]:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        key = "notes" if path.endswith("records-request") else "items"
        return len(ctx.captured_queries), len(response.json()[key])

    def records() -> tuple[int, int]:
        client.post(f"cases/{w.case.id}/records-request")
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(f"cases/{w.case.id}/records-request")
        return len(ctx.captured_queries), len(response.json()["notes"])

    def grow(n: int) -> None:
        for _ in range(n):
            m = running(w, "joint")
            admit(w, m, w.party_a)
            client.post(f"meetings/{m['id']}/items", {"text": "item"})
            w.mediator.client.post(f"meetings/{m['id']}/items", {"text": "item 2"})
            w.mediator.client.post(f"meetings/{m['id']}/end")
            note = w.mediator.client.post(f"meetings/{m['id']}/notes", {"body": "n"}).json()
            client.post(f"notes/{note['id']}/feedback", {"body": "fb"})

    grow(1)
    small = (count(f"cases/{w.case.id}/items"), count(f"cases/{w.case.id}/meetings"), records())
    grow(4)
    large = (count(f"cases/{w.case.id}/items"), count(f"cases/{w.case.id}/meetings"), records())
    for (q_small, n_small), (q_large, n_large) in zip(small, large, strict=True):
        assert n_large > n_small
        assert q_large == q_small


def test_it_exports_notes_as_a_pdf_marked_confidential(active_world: World) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    w = active_world
    caucus = running(w, "caucus", w.side_a)
    w.mediator.client.post(f"meetings/{caucus['id']}/end")
    note = w.mediator.client.post(
        f"meetings/{caucus['id']}/notes", {"body": "Side A wants the piano."}
    ).json()
    w.party_a.client.post(f"notes/{note['id']}/feedback", {"body": "And the bench."})
    response = w.party_a.client.get(f"notes/{note['id']}/pdf")
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "CONFIDENTIAL MEDIATION COMMUNICATION" in text
    assert "Side A wants the piano." in text
    assert "And the bench." in text
    assert w.party_b.client.get(f"notes/{note['id']}/pdf").status_code == 404
    assert AuditEntry.objects.filter(action="note_pdf.read").count() == 1


@pytest.mark.parametrize("value", ["jitsi", "Mesh", "p2p"])
def test_it_refuses_to_start_with_an_unknown_video_provider(tmp_path: Path, value: str) -> None:
    from tests.security.test_hardening import caucus_env, run_caucus

    done = run_caucus(caucus_env(tmp_path, CAUCUS_VIDEO=value), "check")
    assert done.returncode != 0
    assert "CAUCUS_VIDEO must be 'mesh', 'janus' or 'none'" in done.stderr


def test_it_points_no_one_at_a_third_party_video_server() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in [*root.joinpath("caucus").rglob("*"), root / "README.md"]:
        if path.is_file() and path.suffix in {".py", ".html", ".js", ".md", ".css"}:
            assert "jit.si" not in path.read_text(), path


@override_settings(CAUCUS_VIDEO="janus")
def test_it_answers_503_while_the_video_server_is_unavailable(active_world: World) -> None:
    w = active_world
    meeting = running(w)
    answer = w.mediator.client.get(f"meetings/{meeting['id']}/room")
    assert answer.status_code == 503
    assert answer.json()["error"] == "video_unavailable"


@override_settings(CAUCUS_VIDEO="janus", CAUCUS_JANUS_TOKEN_SECRET="t" * 32)
def test_it_renews_the_video_server_token_for_admitted_attendees_only(
    active_world: World,
) -> None:
    w = active_world
    meeting = running(w, "joint")
    w.party_a.client.post(f"meetings/{meeting['id']}/join", ATTEST)
    path = f"meetings/{meeting['id']}/room/token"
    waiting = w.party_a.client.get(path)
    assert waiting.status_code == 403
    assert w.party_b.client.get(path).status_code == 403
    assert w.outsider.client.get(path).status_code == 404
    fresh = w.mediator.client.get(path)
    assert fresh.status_code == 200
    assert set(fresh.json()) == {"token", "token_expires_at"}
    assert w.party_a.participant is not None
    w.mediator.client.post(
        f"meetings/{meeting['id']}/admit", {"participant_id": str(w.party_a.participant.id)}
    )
    assert w.party_a.client.get(path).status_code == 200
    with override_settings(CAUCUS_VIDEO="mesh"):
        assert w.party_a.client.get(path).json()["error"] == "not_janus"
