"""Who may take the seat an invitation offers, and what its link looks like."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from caucus.accounts.models import User
from caucus.cases.models import Invitation, Participant
from caucus.web.views import MODEL_BACKEND
from tests.conftest import PASSWORD, ApiClient, World
from tests.invitations import invite_party


def invite_newcomer(world: World, email: str = "newcomer@example.test") -> str:
    issued = invite_party(world.mediator.user, world.case.id, email, "Nell")
    return issued.token


def test_it_refuses_a_bearer_whose_email_is_not_the_invitations(world: World) -> None:
    token = invite_newcomer(world)
    response = world.outsider.client.post("invitations/accept", {"token": token})
    assert response.status_code == 409
    assert response.json()["error"] == "email_mismatch"
    assert not Participant.objects.filter(case=world.case, user=world.outsider.user).exists()
    # The seat stays free for the person it was meant for.
    assert Invitation.objects.get(token_hash__isnull=False, used_at__isnull=True, role="party")
    fresh = ApiClient(None).post(
        "invitations/accept", {"token": token, "name": "Nell Newcomer", "password": PASSWORD}
    )
    assert fresh.status_code == 201, fresh.content


def test_it_attaches_the_account_whose_email_the_invitation_names(world: World) -> None:
    token = invite_newcomer(world, "Outsider@Example.test")
    response = world.outsider.client.post("invitations/accept", {"token": token})
    assert response.status_code == 201, response.content
    assert Participant.objects.get(pk=response.json()["participant_id"]).user == world.outsider.user


def test_it_refuses_a_signed_in_browser_of_another_account(world: World) -> None:
    token = invite_newcomer(world)
    browser = Client()
    assert world.outsider.user is not None
    browser.force_login(world.outsider.user, backend=MODEL_BACKEND)
    response = browser.post(f"/invite/{token}", {"name": ""})
    assert response.status_code == 409
    assert b"another email address" in response.content
    assert not Participant.objects.filter(case=world.case, user=world.outsider.user).exists()


@override_settings(CAUCUS_SITE_URL="https://mediate.example.org")
@pytest.mark.parametrize("host", ["localhost:9999", "127.0.0.1"])
def test_it_builds_the_invite_url_from_the_site_url_not_the_host_header(
    world: World, host: str
) -> None:
    client = world.mediator.client
    response = client.django.post(
        f"/api/v1/cases/{world.case.id}/invitations",
        data={"email": "n@example.test", "name": "N", "role": "party"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.mediator.token}"},
        HTTP_HOST=host,
    )
    assert response.status_code == 201, response.content
    assert response.json()["invite_url"].startswith("https://mediate.example.org/invite/")


@override_settings(CAUCUS_SITE_URL="https://mediate.example.org")
def test_it_shows_the_site_urls_invite_link_on_the_case_page(world: World) -> None:
    browser = Client()
    assert world.mediator.user is not None
    browser.force_login(world.mediator.user, backend=MODEL_BACKEND)
    response = browser.post(
        f"/cases/{world.case.id}/invite",
        {"name": "Nell", "email": "n@example.test", "role": "party"},
        HTTP_HOST="localhost:9999",
    )
    assert response.status_code == 200
    assert b"https://mediate.example.org/invite/" in response.content
    assert b"localhost:9999" not in response.content


@pytest.mark.parametrize(
    "target", ["/\\evil.com", "//evil.com", "https://evil.com", "/\\/evil.com", "\\\\evil.com"]
)
def test_it_never_sends_a_signed_in_person_to_another_site(world: World, target: str) -> None:
    response = Client().post(
        f"/login?next={target}", {"email": "a@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases"


def test_it_follows_a_next_path_on_this_site(world: World) -> None:
    target = f"/cases/{world.case.id}"
    response = Client().post(
        f"/login?next={target}", {"email": "a@example.test", "password": PASSWORD}
    )
    assert response["Location"] == target
    assert User.objects.get(email="a@example.test").is_active
