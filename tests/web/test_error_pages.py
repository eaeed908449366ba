"""The error pages of the web interface: a 404 that cannot tell "missing" from "not yours"
(practice: the existence of a case is itself confidential), and 403 and 500 pages in the
site's layout that say nothing about what failed."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views.defaults import permission_denied, server_error
from pytest_django.fixtures import Settings

from caucus.cases.models import Agreement
from tests.conftest import Persona, World

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
MESSAGE = "This page does not exist, or it is not available to you."


def browser(who: Persona) -> Client:
    client = Client()
    assert who.user is not None
    client.force_login(who.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture(autouse=True)
def _debug_off(settings: Settings) -> None:
    settings.DEBUG = False


def not_found_body(client: Client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 404, path
    assert response["Content-Type"].startswith("text/html")
    return bytes(response.content)


def test_it_answers_another_case_and_a_random_id_with_byte_identical_404_pages(
    world: World,
) -> None:
    party = browser(world.party_a)
    other = world.other_case.id
    unknown = uuid.uuid4()

    theirs = not_found_body(party, f"/cases/{other}")
    missing = not_found_body(party, f"/cases/{unknown}")
    assert theirs == missing

    page = theirs.decode()
    assert MESSAGE in page
    assert VIEWPORT in page
    assert "<h1>Page not found</h1>" in page
    assert 'href="/"' in page  # the link back
    for secret in (str(other), str(unknown), world.other_case.title):
        assert secret not in page


def test_it_gives_the_same_404_page_under_a_case_and_for_an_object_of_another_case(
    world: World,
) -> None:
    party = browser(world.party_a)
    other = world.other_case.id
    theirs_agreement = Agreement.objects.filter(case_id=other).first()
    assert theirs_agreement is not None
    own = world.case.id

    bodies = {
        not_found_body(party, f"/cases/{other}"),
        not_found_body(party, f"/cases/{other}/onboarding"),
        not_found_body(party, f"/cases/{uuid.uuid4()}/onboarding"),
        not_found_body(party, f"/cases/{own}/agreements/{theirs_agreement.id}/pdf"),
        not_found_body(party, f"/cases/{own}/agreements/{uuid.uuid4()}/pdf"),
        not_found_body(party, "/no/such/page"),
    }
    assert len(bodies) == 1


def test_it_shows_the_404_page_without_an_account_bar_when_signed_out(db: None) -> None:
    page = not_found_body(Client(), "/no/such/page").decode()
    assert MESSAGE in page
    assert VIEWPORT in page
    assert 'aria-label="Account"' not in page


def test_it_renders_403_and_500_pages_in_the_layout_saying_nothing_of_the_cause(
    db: None,
) -> None:
    factory = RequestFactory()
    request = factory.get("/cases/secret-thing")
    request.user = AnonymousUser()
    forbidden = permission_denied(request, PermissionDenied("the reason is private"))
    assert forbidden.status_code == 403
    page = forbidden.content.decode()
    assert VIEWPORT in page
    assert "<h1>Not allowed</h1>" in page
    assert "private" not in page
    assert "secret-thing" not in page

    failed = server_error(factory.get("/cases/secret-thing"))
    assert failed.status_code == 500
    page = failed.content.decode()
    assert VIEWPORT in page
    assert "<h1>Something went wrong</h1>" in page
    assert 'href="/"' in page
    assert "secret-thing" not in page
