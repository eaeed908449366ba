from tests.conftest import World


def test_party_sees_own_case(world: World) -> None:
    response = world.party_a.client.get(f"cases/{world.case.id}")
    assert response.status_code == 200
    assert response.json()["my_role"] == "party"


def test_outsider_gets_404(world: World) -> None:
    assert world.outsider.client.get(f"cases/{world.case.id}").status_code == 404
