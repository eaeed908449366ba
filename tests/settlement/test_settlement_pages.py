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


def test_the_page_shows_the_copy_to_each_party_who_may_ask_for_more_removed(
    active_world: World,
) -> None:
    from caucus.cases.models import Case
    from tests.settlement.test_settlement_public_record import reviewed

    w = active_world
    sid = reviewed(w)["id"]
    assert Case.objects.get(pk=w.case.id).outcome == "settled"
    assert 'id="public-record-text"' not in page(w.party_a, w)
    shown = post(w.mediator, f"/settlement/{sid}/public-record/show", {})
    assert shown.status_code == 302
    for who in (w.party_a, w.attorney_a, w.party_b):
        seen = page(who, w)
        assert 'id="public-record-text"' in seen and "Harbour Lane berth 7" in seen
        assert "Ask for it to be removed" in seen
    assert "Ask for it to be removed" not in page(w.mediator, w)
    not_there = post(w.party_a, f"/settlement/{sid}/public-record/requests", {"passage": "Zed"})
    assert not_there.status_code == 400
    asked = post(
        w.party_a, f"/settlement/{sid}/public-record/requests", {"passage": "Harbour Lane berth 7"}
    )
    assert asked.status_code == 302 and "#removal-" in asked["Location"]
    assert "<q>Harbour Lane berth 7</q>" in page(w.attorney_a, w)
    assert "<q>Harbour Lane berth 7</q>" not in page(w.party_b, w)
    assert "<q>Harbour Lane berth 7</q>" in page(w.mediator, w)
    done = post(w.mediator, f"/settlement/{sid}/public-record/final", {})
    assert done.status_code == 302
    after = page(w.party_b, w)
    copy = after.split('id="public-record-text"', 1)[1].split(">", 1)[1].split("</pre>", 1)[0]
    assert "The final copy" in after and "[REMOVED]" in copy and "Harbour" not in copy
    assert "Ask for it to be removed" not in after


def test_the_mediator_marks_a_partial_memorandum_on_the_page(active_world: World) -> None:
    w = active_world
    post(w.mediator, f"/cases/{w.case.id}/settlement", {"template": "", "text": "Part of it."})
    sid = Settlement.objects.get(case_id=w.case.id).id
    assert "settles part of the dispute" in page(w.mediator, w)
    assert post(w.mediator, f"/settlement/{sid}/ready", {"partial": "on"}).status_code == 302
    assert Settlement.objects.get(pk=sid).partial is True
