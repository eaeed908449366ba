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
