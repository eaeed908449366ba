"""Practices are tenants: `create-mediator` puts a mediator into the practice named, and a
mediator of one practice never reaches another's cases or purge certificates."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from caucus.accounts.models import User
from caucus.accounts.services import new_api_token
from caucus.cases.models import Practice
from caucus.retention.purge import run_purge
from tests.conftest import PASSWORD
from tests.retention.scenario import after_purge_after, build_scenario


def create_mediator(monkeypatch: pytest.MonkeyPatch, email: str, *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command("create_mediator", "--email", email, "--name", "Mo Mediator", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_puts_each_mediator_into_the_practice_named(monkeypatch: pytest.MonkeyPatch) -> None:
    said = create_mediator(monkeypatch, "north@example.test", "--new-practice", "North")
    create_mediator(monkeypatch, "south@example.test", "--new-practice", "South")
    north = Practice.objects.get(name="North")
    south = Practice.objects.get(name="South")
    assert "'North'" in said and str(north.id) in said
    create_mediator(monkeypatch, "north2@example.test", "--practice", "North")
    create_mediator(monkeypatch, "south2@example.test", "--practice", str(south.id))
    practice_of = dict(User.objects.values_list("email", "practice_id"))
    assert practice_of["north@example.test"] == practice_of["north2@example.test"] == north.id
    assert practice_of["south@example.test"] == practice_of["south2@example.test"] == south.id


@pytest.mark.django_db
def test_it_never_picks_one_of_several_practices_for_you(monkeypatch: pytest.MonkeyPatch) -> None:
    create_mediator(monkeypatch, "north@example.test", "--new-practice", "North")
    create_mediator(monkeypatch, "south@example.test", "--new-practice", "South")
    with pytest.raises(CommandError, match="several practices"):
        create_mediator(monkeypatch, "who@example.test")
    with pytest.raises(CommandError, match="No practice"):
        create_mediator(monkeypatch, "who@example.test", "--practice", "West")
    with pytest.raises(CommandError, match="has this name already"):
        create_mediator(monkeypatch, "who@example.test", "--new-practice", "North")
    assert not User.objects.filter(email="who@example.test").exists()
    assert Practice.objects.count() == 2


@pytest.mark.django_db
def test_it_makes_the_first_practice_for_the_first_mediator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_mediator(monkeypatch, "first@example.test")
    create_mediator(monkeypatch, "second@example.test")
    (only,) = Practice.objects.all()
    assert set(only.mediators.values_list("email", flat=True)) == {
        "first@example.test",
        "second@example.test",
    }


@pytest.mark.django_db
def test_it_keeps_a_practices_purge_certificate_from_another_practices_mediator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = build_scenario()
    create_mediator(monkeypatch, "elsewhere@example.test", "--new-practice", "Elsewhere")
    run_purge(after_purge_after(s.case_id))
    outsider = User.objects.get(email="elsewhere@example.test")
    assert outsider.practice_id != s.mediator.practice_id
    theirs = {"Authorization": f"Bearer {new_api_token(outsider)}"}
    owner = {"Authorization": f"Bearer {new_api_token(s.mediator)}"}
    assert Client().get(f"/api/v1/cases/{s.case_id}", headers=theirs).status_code == 404
    assert Client().get(f"/api/v1/cases/{s.case_id}", headers=owner).status_code == 410
    assert Client().get("/api/v1/cases", headers=theirs).json()["items"] == []
