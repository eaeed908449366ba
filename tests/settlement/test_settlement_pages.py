"""The memorandum's page without script (issue 16): draft from a starting text, comments by
side, a revision compared with the first version, ready, the review and the signatures."""

from __future__ import annotations

from typing import Any

import pytest

from caucus.settlement.models import Settlement, SettlementVersion
from tests.conftest import Persona, World
from tests.web.pages import browser

pytestmark = pytest.mark.usefixtures("worlds_kept_for_the_module")


def page(who: Persona, w: World) -> str:
    response = browser(who).get(f"/cases/{w.case.id}/settlement")
    assert response.status_code == 200
    return str(response.content.decode())


def post(who: Persona, url: str, data: dict[str, Any]) -> Any:
    return browser(who).post(url, data)


def test_the_page_walks_from_a_template_to_a_settled_case(active_world: World) -> None:
    w = active_world
    assert "No memorandum yet" in page(w.party_a, w)
    assert 'id="nav-settlement"' in page(w.party_a, w)
    made = post(w.mediator, f"/cases/{w.case.id}/settlement", {"template": "civil", "text": ""})
    assert made.status_code == 302
    settlement = Settlement.objects.get(case_id=w.case.id)
    sid = settlement.id
    assert "SCHEDULE OF PAYMENTS" in page(w.party_b, w)
    for who, body in ((w.party_a, "A-ONLY-remark"), (w.party_b, "B-ONLY-remark")):
        said = post(who, f"/settlement/{sid}/comments", {"body": body, "audience": "own_side"})
        assert said.status_code == 302
    assert "A-ONLY-remark" in page(w.attorney_a, w) and "B-ONLY-remark" not in page(w.party_a, w)
    assert "B-ONLY-remark" in page(w.party_b, w) and "A-ONLY-remark" not in page(w.party_b, w)
    mediators = page(w.mediator, w)
    assert "A-ONLY-remark" in mediators and "B-ONLY-remark" in mediators

    first = SettlementVersion.objects.get(settlement=settlement, number=1).text
    revised = post(
        w.mediator, f"/settlement/{sid}/revise", {"text": first + "\n6. REVISED clause."}
    )
    assert revised.status_code == 302
    compared = (
        browser(w.party_a)
        .get(f"/cases/{w.case.id}/settlement?version=2&against=1")
        .content.decode()
    )
    assert '<ins class="diff-add">+6. REVISED clause.</ins>' in compared

    # Signing waits for ready.
    assert 'name="typed_name"' not in page(w.party_a, w)
    assert post(w.mediator, f"/settlement/{sid}/ready", {}).status_code == 302
    sha = SettlementVersion.objects.get(settlement=settlement, number=2).text_sha256
    unconsented = post(
        w.party_a, f"/settlement/{sid}/sign", {"typed_name": "Ada Party", "text_sha256": sha}
    )
    assert unconsented.status_code == 400
    for who in (w.party_a, w.party_b, w.mediator):
        assert who.user is not None
        signed = post(
            who,
            f"/settlement/{sid}/sign",
            {"consent": "on", "typed_name": who.user.name, "text_sha256": sha},
        )
        assert signed.status_code == 302, signed.content[:300]
    final = page(w.party_b, w)
    assert 'id="case-outcome">settled<' in final
    assert 'id="settlement-status">Signed<' in final
    pdf = browser(w.party_a).get(f"/settlement/{sid}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # The mediator proposes the public-record copy and lands on its review page.
    assert "Propose the public-record copy" not in final
    assert "Propose the public-record copy" in page(w.mediator, w)
    proposed = post(w.mediator, f"/settlement/{sid}/public-record", {})
    assert proposed.status_code == 302 and proposed["Location"].startswith("/redactions/")
    assert 'id="public-record-review"' in page(w.mediator, w)
    assert post(w.party_a, f"/settlement/{sid}/public-record", {}).status_code == 403


def test_a_stale_signature_is_refused_with_the_page_again(active_world: World) -> None:
    w = active_world
    post(w.mediator, f"/cases/{w.case.id}/settlement", {"template": "", "text": "Terms."})
    sid = Settlement.objects.get(case_id=w.case.id).id
    post(w.mediator, f"/settlement/{sid}/ready", {})
    stale = post(
        w.party_a,
        f"/settlement/{sid}/sign",
        {"consent": "on", "typed_name": "Ada Party", "text_sha256": "0" * 64},
    )
    assert stale.status_code == 409
    assert "has changed since you read it" in stale.content.decode()


def test_a_blank_draft_without_a_template_is_refused_at_the_field(active_world: World) -> None:
    w = active_world
    refused = post(w.mediator, f"/cases/{w.case.id}/settlement", {"template": "", "text": " "})
    assert refused.status_code == 400
    assert not Settlement.objects.filter(case_id=w.case.id).exists()
    party = post(w.party_a, f"/cases/{w.case.id}/settlement", {"template": "civil", "text": ""})
    assert party.status_code == 403
