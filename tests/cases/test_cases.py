from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caucus.cases import lifecycle, services
from caucus.cases.models import Case, Status
from caucus.kernel.errors import Conflict
from tests.conftest import World
from tests.invitations import invite_party

# Built once for the module; each test runs in a savepoint rolled back after it.
pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")


def test_it_opens_a_case_in_intake_with_the_mediator_in_it(intake_world: World) -> None:
    response = intake_world.mediator.client.post(
        "cases", {"title": "New matter", "kind": "workplace", "litigated": False}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "intake"
    assert body["my_role"] == "mediator"
    assert body["onboarding"] == {"complete": False, "missing": ["screening"]}


def test_it_lets_only_mediators_open_cases(world: World) -> None:
    response = world.party_a.client.post("cases", {"title": "Mine", "kind": "family"})
    assert response.status_code == 403


def test_it_moves_a_case_only_along_the_lifecycle() -> None:
    case = Case(status=Status.INTAKE)
    with pytest.raises(Conflict):
        lifecycle.move(case, Status.ACTIVE)
    lifecycle.move(case, Status.ONBOARDING)
    lifecycle.move(case, Status.CLOSED)
    with pytest.raises(Conflict):
        lifecycle.move(case, Status.ONBOARDING)
    declined = Case(status=Status.INTAKE)
    lifecycle.move(declined, Status.DECLINED)
    with pytest.raises(Conflict):
        lifecycle.move(declined, Status.ONBOARDING)


def test_it_writes_case_status_only_in_the_lifecycle_module() -> None:
    import re
    from pathlib import Path

    # A case's status: `case.status = Status.X`, or an update of Case rows. Other models
    # (disclosures, consents) have statuses of their own.
    writes = re.compile(
        r"\.status\s*=\s*(Status\.|\")|Case\.objects\b[^\n]*\.update\([^)]*\bstatus="
    )
    root = Path(__file__).resolve().parents[2] / "caucus"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "lifecycle.py"
        and writes.search(path.read_text())
    ]
    assert offenders == []


def test_it_shows_parties_the_neutral_reason_and_keeps_the_note_private(
    intake_world: World,
) -> None:
    path = f"cases/{intake_world.case.id}/screening"
    response = intake_world.mediator.client.post(
        path,
        {
            "decision": "decline",
            "reason_code": "not_suitable_for_mediation",
            "private_note": "Party A said they want to use this to learn B's finances.",
        },
    )
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["screening"]["private_note"].startswith("Party A said")
    seen_by_b = intake_world.party_b.client.get(f"cases/{intake_world.case.id}").json()
    assert seen_by_b["screening"] == {
        "decision": "decline",
        "reason_code": "not_suitable_for_mediation",
        "private_note": None,
    }
    assert "finances" not in str(seen_by_b)


def test_it_needs_a_neutral_reason_to_decline(intake_world: World) -> None:
    response = intake_world.mediator.client.post(
        f"cases/{intake_world.case.id}/screening", {"decision": "decline", "reason_code": "spite"}
    )
    assert response.status_code == 400
    assert "reason_code" in response.json()["fields"]


def test_it_screens_a_case_once(world: World) -> None:
    response = world.mediator.client.post(
        f"cases/{world.case.id}/screening", {"decision": "accept"}
    )
    assert response.status_code == 409


def test_it_sets_purge_after_from_the_practice_retention_on_close(world: World) -> None:
    response = world.mediator.client.post(
        f"cases/{world.case.id}/close",
        {"outcome": "mediator_withdrew", "note_to_parties": "The mediation has ended."},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed"
    assert body["outcome"] == "mediator_withdrew"
    case = Case.objects.get(pk=world.case.pk)
    assert case.closed_at is not None and case.purge_after is not None
    assert case.purge_after - case.closed_at == timedelta(days=world.practice.retention_days)
    assert world.party_b.client.get(f"cases/{world.case.id}").json()["note_to_parties"] == (
        "The mediation has ended."
    )


def test_it_takes_no_new_people_into_a_closed_case(world: World) -> None:
    assert world.mediator.user is not None
    services.close_case(world.mediator.user, world.case.id, outcome="settled", note_to_parties=None)
    response = world.mediator.client.post(
        f"cases/{world.case.id}/invitations",
        {"email": "late@example.test", "name": "Late", "role": "party"},
    )
    assert response.status_code == 409


def test_it_puts_an_attorney_on_the_side_they_join(world: World) -> None:
    response = world.mediator.client.post(
        f"cases/{world.case.id}/invitations",
        {
            "email": "att2@example.test",
            "name": "Second",
            "role": "attorney",
            "side_id": str(world.side_b),
        },
    )
    assert response.status_code == 201
    assert response.json()["side_id"] == str(world.side_b)


def test_it_refuses_an_attorney_for_a_side_of_another_case(world: World) -> None:
    other_party = invite_party(world.outsider.user, world.other_case.id, "o@example.test", "O")
    response = world.mediator.client.post(
        f"cases/{world.case.id}/invitations",
        {
            "email": "att3@example.test",
            "name": "Third",
            "role": "attorney",
            "side_id": str(other_party.invitation.side_id),
        },
    )
    assert response.status_code == 400
    assert "side_id" in response.json()["fields"]


def test_it_refuses_experts_and_guests_by_invitation(world: World) -> None:
    for role in ("expert", "guest", "mediator"):
        response = world.mediator.client.post(
            f"cases/{world.case.id}/invitations",
            {"email": f"{role}@example.test", "name": role, "role": role},
        )
        assert response.status_code == 400
        assert "role" in response.json()["fields"]


def test_it_lists_participants_with_their_sides(world: World) -> None:
    items = world.party_b.client.get(f"cases/{world.case.id}/participants").json()["items"]
    by_role = sorted((p["role"], p["side_id"]) for p in items)
    assert by_role == sorted(
        [
            ("mediator", None),
            ("party", str(world.side_a)),
            ("attorney", str(world.side_a)),
            ("party", str(world.side_b)),
        ]
    )


def test_it_lists_cases_in_the_same_number_of_queries_whatever_their_count(world: World) -> None:
    assert world.mediator.user is not None

    client = world.mediator.client

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("cases")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["items"])

    count_queries()  # the first call of a token also records when it was last used
    few, n_few = count_queries()
    for i in range(6):
        me = services.open_case(
            world.mediator.user, title=f"Case {i}", kind="civil", litigated=False
        )
        if i % 2:
            services.screen_case(
                world.mediator.user,
                me.case_id,
                decision="accept",
                reason_code=None,
                private_note=None,
            )
            invite_party(world.mediator.user, me.case_id, f"p{i}@example.test", "P")
    many, n_many = count_queries()
    assert n_many == n_few + 6
    assert many == few


def test_it_pages_through_cases_with_a_cursor(world: World) -> None:
    assert world.mediator.user is not None
    for i in range(5):
        services.open_case(world.mediator.user, title=f"Paged {i}", kind="civil", litigated=False)
    seen: list[str] = []
    cursor = None
    while True:
        path = "cases?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = world.mediator.client.get(path).json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6


def test_it_hides_cases_from_people_outside_them(world: World) -> None:
    ids = [c["id"] for c in world.outsider.client.get("cases").json()["items"]]
    assert str(world.case.id) not in ids
    assert world.outsider.client.get(f"cases/{world.case.id}").status_code == 404
    assert world.outsider.client.get(f"cases/{world.case.id}/participants").status_code == 404
