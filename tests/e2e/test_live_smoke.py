import time
import uuid

import httpx
import pytest

from tests.e2e.conftest import MEDIATOR_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e


def test_it_serves_the_login_page_and_the_api(caucus_server: LiveServer) -> None:
    caucus_server.create_mediator("smoke@example.test", "Smoke Mediator", mfa=False)
    response = httpx.post(
        f"{caucus_server.url}/api/v1/auth/token",
        json={"email": "smoke@example.test", "password": MEDIATOR_PASSWORD},
    )
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    cases = httpx.get(
        f"{caucus_server.url}/api/v1/cases", headers={"Authorization": f"Bearer {token}"}
    )
    assert cases.json() == {"items": [], "next": None}


def test_it_links_to_the_served_port_and_keeps_mail_out_of_the_log(
    caucus_server: LiveServer,
) -> None:
    """`caucus serve --port P` without CAUCUS_SITE_URL: invitation and notification links
    name port P; notifications land in the data dir's mailbox, not in the server's output."""
    url = caucus_server.url
    caucus_server.create_mediator("links@example.test", "Link Mediator", mfa=False)
    token = httpx.post(
        f"{url}/api/v1/auth/token",
        json={"email": "links@example.test", "password": MEDIATOR_PASSWORD},
    ).json()["token"]
    mediator = {"Authorization": f"Bearer {token}"}
    case = httpx.post(
        f"{url}/api/v1/cases",
        json={"title": "Links", "kind": "civil", "litigated": False},
        headers=mediator,
    ).json()
    party_email = f"party-{uuid.uuid4().hex[:8]}@example.test"
    made = httpx.post(
        f"{url}/api/v1/cases/{case['id']}/invitations",
        json={"email": party_email, "name": "Pia Party", "role": "party"},
        headers=mediator,
    ).json()
    assert made["invite_url"].startswith(f"{url}/invite/"), made["invite_url"]
    invite = made["invite_url"].removeprefix(f"{url}/invite/")
    # A refused form post is logged by Django: without the token.
    assert httpx.post(made["invite_url"], data={}).status_code in (400, 403)
    joined = httpx.post(
        f"{url}/api/v1/invitations/accept",
        json={"token": invite, "name": "Pia Party", "password": MEDIATOR_PASSWORD},
    )
    assert joined.status_code == 201, joined.text
    screened = httpx.post(
        f"{url}/api/v1/cases/{case['id']}/screening", json={"decision": "accept"}, headers=mediator
    )
    assert screened.status_code == 200, screened.text
    closed = httpx.post(
        f"{url}/api/v1/cases/{case['id']}/close", json={"outcome": "impasse"}, headers=mediator
    )
    assert closed.status_code == 200, closed.text

    mailbox = caucus_server.data_dir / "mail"

    def to_party() -> list[str]:
        return [m for p in sorted(mailbox.glob("*.eml")) if party_email in (m := p.read_text())]

    # The invitation is emailed first, then the notice of the close: both name port P.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(to_party()) < 2:
        time.sleep(0.2)
    mails = to_party()
    assert len(mails) == 2, mails
    assert f"{url}/invite/" in mails[0]
    assert f"{url}/cases" in mails[1]
    log = caucus_server.log.read_text()
    assert party_email not in log
    assert invite not in log
