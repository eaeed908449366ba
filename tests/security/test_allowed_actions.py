"""Issue 14 item 2: what the pages offer (`allowed_actions`) is computed from the very guards
the services enforce (`require`): for every persona, every action and every state of a case,
an action is offered exactly when `require` lets it through."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caucus.cases import services
from caucus.cases.models import Participant
from caucus.kernel.errors import DomainError
from caucus.kernel.permissions import RULES, Action, allowed_actions, require
from tests.conftest import World, _join, build_world, complete_onboarding


def world_in(state: str) -> World:
    w = build_world(screened=state != "intake")
    if state in ("active", "closed"):
        complete_onboarding(w)
    if state == "closed":
        assert w.mediator.user is not None
        services.close_case(w.mediator.user, w.case.id, outcome="settled", note_to_parties=None)
    return w


def late_joiner(w: World) -> Participant:
    """An attorney for side B who joined after onboarding and has not signed."""
    assert w.mediator.user is not None
    late = _join(w.mediator.user, w.case.id, "late@example.test", "Lee Late", "attorney", w.side_b)
    assert late.participant is not None
    return late.participant


def require_passes(participant: Participant, action: Action) -> bool:
    try:
        require(participant, action)
    except DomainError:
        return False
    return True


@pytest.mark.parametrize("state", ["intake", "onboarding", "active", "closed"])
def test_it_offers_exactly_what_the_services_allow(db: None, state: str) -> None:
    w = world_in(state)
    people = [p.participant for p in (w.mediator, w.party_a, w.attorney_a, w.party_b)]
    if state == "active":
        people.append(late_joiner(w))
    disagreements = []
    for stored in people:
        assert stored is not None
        me = Participant.objects.select_related("case").get(pk=stored.pk)
        offered = allowed_actions(me)
        for action in RULES:
            if (action in offered) != require_passes(me, action):
                disagreements.append(f"{me.role} {action}: offered={action in offered}")
    assert not disagreements, "\n".join(disagreements)


def test_it_offers_substantive_work_only_in_an_active_case_to_someone_who_signed(
    active_world: World,
) -> None:
    w = active_world
    assert w.party_a.participant is not None
    party = Participant.objects.select_related("case").get(pk=w.party_a.participant.pk)
    assert Action.POST_MESSAGE in allowed_actions(party)
    assert Action.SET_STRUCTURE not in allowed_actions(party)
    late = Participant.objects.select_related("case").get(pk=late_joiner(w).pk)
    assert Action.POST_MESSAGE not in allowed_actions(late)
    assert Action.READ_RECORD not in allowed_actions(late)
    assert Action.SIGN_AGREEMENT in allowed_actions(late)


def test_it_asks_at_most_one_query(active_world: World) -> None:
    w = active_world
    assert w.party_a.participant is not None
    party = Participant.objects.select_related("case").get(pk=w.party_a.participant.pk)
    with CaptureQueriesContext(connection) as queries:
        allowed_actions(party)
    assert len(queries) <= 1
