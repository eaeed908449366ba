"""The worlds a module keeps (tests/conftest.py, `worlds_kept_for_the_module`) are built once
and are what every test of the module starts from: what one test writes, or refreshes in its
copy of the objects, never reaches the next. Tests run in file order."""

from __future__ import annotations

import uuid

import pytest

from caucus.cases import services
from caucus.cases.models import Case
from tests.conftest import World

pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")

SEEN: dict[str, uuid.UUID] = {}


def test_it_lets_a_test_close_the_kept_case(active_world: World, world: World) -> None:
    assert active_world.mediator.user is not None
    SEEN["active"], SEEN["onboarding"] = active_world.case.id, world.case.id
    services.close_case(
        active_world.mediator.user, active_world.case.id, outcome="settled", note_to_parties=None
    )
    active_world.case.refresh_from_db()
    assert active_world.case.status == "closed"


def test_it_starts_the_next_test_from_the_world_as_built(active_world: World, world: World) -> None:
    # The same worlds (built once), both alive in one database, each as it was built.
    assert (active_world.case.id, world.case.id) == (SEEN["active"], SEEN["onboarding"])
    assert active_world.case.status == "active"
    assert Case.objects.get(pk=active_world.case.id).status == "active"
    assert world.case.status == Case.objects.get(pk=world.case.id).status == "onboarding"
    assert active_world.party_a.user is not None and world.party_a.user is not None
    assert active_world.party_a.user.email != world.party_a.user.email
