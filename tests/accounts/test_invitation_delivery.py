"""Invitations that arrive (issue 15, deliver 4): Caucus emails the link itself, the mediator
sees where each invitation stands, resends (the old link dies) and revokes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from caucus.cases.models import Invitation
from caucus.web.views import MODEL_BACKEND
from tests.conftest import PASSWORD, ApiClient, World
from tests.delivery import delivered

LINK = re.compile(r"https?://\S+/invite/(\S+)")


def invite(world: World, body: dict[str, Any], client: ApiClient | None = None) -> Any:
    who = client or world.mediator.client
    return delivered(lambda: who.post(f"cases/{world.case.id}/invitations", body))


def newcomer(**extra: Any) -> dict[str, Any]:
    return {"email": "nell@example.test", "name": "Nell Newcomer", "role": "party", **extra}


def token_in(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(1)


def mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [address]]


def statuses(world: World) -> dict[str, str]:
    listed = world.mediator.client.get(f"cases/{world.case.id}/invitations")
    assert listed.status_code == 200, listed.content
    return {i["email"]: i["status"] for i in listed.json()["items"]}


def test_it_emails_the_link_naming_the_mediator_and_practice_only(world: World, sent: None) -> None:
    created = invite(world, newcomer())
    assert created.status_code == 201, created.content
    [message] = mails_to("nell@example.test")
    assert created.json()["invite_url"] in message.body
    assert "Mia Mediator" in message.body and world.practice.name in message.body
    assert "as a party" in message.body
    for secret in (world.case.title, "Ada Party", "Bea Party", "Abe Attorney"):
        assert secret not in message.body and secret not in message.subject


def test_a_party_invitation_reserves_a_side_for_their_attorney_at_once(
    world: World, sent: None
) -> None:
    side = invite(world, newcomer()).json()["side_id"]
    attorney = invite(
        world,
        {"email": "cal@example.test", "name": "Cal Counsel", "role": "attorney", "side_id": side},
    )
    assert attorney.status_code == 201, attorney.content
    assert attorney.json()["side_id"] == side
    # The attorney accepts before their party has: they join the reserved side.
    token = token_in(mails_to("cal@example.test")[0])
    accepted = ApiClient(None).post(
        "invitations/accept", {"token": token, "name": "Cal Counsel", "password": PASSWORD}
    )
    assert accepted.status_code == 201, accepted.content
    me = ApiClient(accepted.json()["token"]).get(f"cases/{world.case.id}")
    assert me.json()["my_side_id"] == side


def test_it_lists_pending_accepted_expired_and_revoked(world: World, sent: None) -> None:
    emails = [f"{who}@example.test" for who in ("pending", "accepted", "expired", "revoked")]
    ids = {e: invite(world, newcomer(email=e)).json()["id"] for e in emails}
    ApiClient(None).post(
        "invitations/accept",
        {"token": token_in(mails_to(emails[1])[0]), "name": "Acc Epted", "password": PASSWORD},
    )
    Invitation.objects.filter(pk=ids[emails[2]]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    revoked = world.mediator.client.delete(f"invitations/{ids[emails[3]]}")
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    found = statuses(world)
    assert {e: found[e] for e in emails} == dict(
        zip(emails, ["pending", "accepted", "expired", "revoked"], strict=True)
    )
    item = next(
        i
        for i in world.mediator.client.get(f"cases/{world.case.id}/invitations").json()["items"]
        if i["email"] == emails[0]
    )
    assert set(item) >= {"id", "email", "name", "role", "side_id", "status", "expires_at"}


def test_a_resend_mails_a_new_link_and_the_old_one_is_gone(world: World, sent: None) -> None:
    invitation_id = invite(world, newcomer()).json()["id"]
    old = token_in(mails_to("nell@example.test")[0])
    resent = delivered(lambda: world.mediator.client.post(f"invitations/{invitation_id}/resend"))
    assert resent.status_code == 200, resent.content
    assert resent.json()["status"] == "pending"
    messages = mails_to("nell@example.test")
    assert len(messages) == 2
    new = token_in(messages[1])
    assert new != old and resent.json()["invite_url"].endswith(new)
    gone = ApiClient(None).post(
        "invitations/accept", {"token": old, "name": "Nell", "password": PASSWORD}
    )
    assert gone.status_code == 410
    assert Client().get(f"/invite/{old}").status_code == 410
    ok = ApiClient(None).post(
        "invitations/accept", {"token": new, "name": "Nell", "password": PASSWORD}
    )
    assert ok.status_code == 201, ok.content
    # Accepted: neither resent nor revoked any more.
    again = world.mediator.client.post(f"invitations/{invitation_id}/resend")
    assert again.status_code == 409 and again.json()["error"] == "invitation_accepted"
    assert world.mediator.client.delete(f"invitations/{invitation_id}").status_code == 409


def test_a_revoked_link_is_gone_and_no_longer_awaited(world: World, sent: None) -> None:
    invitation_id = invite(world, newcomer()).json()["id"]
    token = token_in(mails_to("nell@example.test")[0])
    assert (
        "invitations_pending"
        in world.mediator.client.get(f"cases/{world.case.id}").json()["onboarding"]["missing"]
    )
    assert world.mediator.client.delete(f"invitations/{invitation_id}").status_code == 200
    assert Client().get(f"/invite/{token}").status_code == 410
    gone = ApiClient(None).post(
        "invitations/accept", {"token": token, "name": "Nell", "password": PASSWORD}
    )
    assert gone.status_code == 410
    missing = world.mediator.client.get(f"cases/{world.case.id}").json()["onboarding"]["missing"]
    assert "invitations_pending" not in missing
    again = world.mediator.client.post(f"invitations/{invitation_id}/resend")
    assert again.status_code == 409 and again.json()["error"] == "invitation_revoked"


def test_only_the_mediator_manages_invitations(world: World, sent: None) -> None:
    invitation_id = invite(world, newcomer()).json()["id"]
    for who in (world.party_a, world.attorney_a, world.party_b):
        assert who.client.get(f"cases/{world.case.id}/invitations").status_code == 403
        assert who.client.post(f"invitations/{invitation_id}/resend").status_code == 403
        assert who.client.delete(f"invitations/{invitation_id}").status_code == 403
    outsider = world.outsider.client
    for response in (
        outsider.get(f"cases/{world.case.id}/invitations"),
        outsider.post(f"invitations/{invitation_id}/resend"),
        outsider.delete(f"invitations/{invitation_id}"),
    ):
        assert response.status_code == 404
    assert len(mails_to("nell@example.test")) == 1


def test_the_acceptance_page_says_who_invites_to_what_and_which_email(
    world: World, sent: None
) -> None:
    invite(world, newcomer(email="Nell@Example.test"))
    token = token_in(mails_to("nell@example.test")[0])
    page = Client().get(f"/invite/{token}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mia Mediator" in text and world.practice.name in text
    assert "as a party" in text and "nell@example.test" in text
    assert world.case.title not in text and "Ada Party" not in text


def mediator_browser(world: World) -> Client:
    browser = Client()
    assert world.mediator.user is not None
    browser.force_login(world.mediator.user, backend=MODEL_BACKEND)
    return browser


def test_the_case_page_lists_resends_and_revokes(world: World, sent: None) -> None:
    browser = mediator_browser(world)
    page = delivered(
        lambda: browser.post(
            f"/cases/{world.case.id}/invite",
            {"name": "Nell Newcomer", "email": "nell@example.test", "role": "party"},
        )
    )
    assert page.status_code == 200
    assert b"Caucus emailed the link to" in page.content
    invitation = Invitation.objects.get(case=world.case, used_at__isnull=True)
    listed = browser.get(f"/cases/{world.case.id}").content.decode()
    assert "Nell Newcomer" in listed and "Waiting for an answer" in listed
    # Her reserved side is offered for an attorney before she has accepted.
    assert f'value="{invitation.side_id}"' in listed
    old = token_in(mails_to("nell@example.test")[0])
    resent = delivered(lambda: browser.post(f"/invitations/{invitation.id}/resend"))
    assert resent.status_code == 200
    assert Client().get(f"/invite/{old}").status_code == 410
    revoked = browser.post(f"/invitations/{invitation.id}/revoke")
    assert revoked.status_code == 302
    assert "Revoked" in browser.get(f"/cases/{world.case.id}").content.decode()
    assert Client().get(f"/invite/{token_in(mails_to('nell@example.test')[1])}").status_code == 410
    party = Client()
    assert world.party_a.user is not None
    party.force_login(world.party_a.user, backend=MODEL_BACKEND)
    assert party.post(f"/invitations/{invitation.id}/resend").status_code == 403
    assert b"Nell Newcomer" not in party.get(f"/cases/{world.case.id}").content
