"""A whole case with a known string in every kind of content and in the name and email of
every participant who is not a mediator, built through the domain services.

Planters plant one kind of content each and register the strings they planted. Add one for
a new kind of content (messages, disclosures, documents) by appending to
`ONBOARDING_PLANTERS` (run while onboarding is open) or `CASE_PLANTERS` (run once the case
is active); the forensic tests then hunt for its strings after the purge too.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from caucus.accounts.models import User
from caucus.cases import onboarding_services as onboarding
from caucus.cases import services
from caucus.cases.models import Agreement, Case, GroundRule, Participant, Practice
from caucus.crypto.keyring import key_scope
from caucus.meetings import services as meetings
from tests.conftest import PASSWORD

Planter = Callable[["Scenario"], None]


@dataclass
class Scenario:
    marker: str
    practice: Practice
    mediator: User
    case_id: uuid.UUID
    people: dict[str, User] = field(default_factory=dict)
    planted: dict[str, str] = field(default_factory=dict)

    def plant(self, label: str) -> str:
        """A string that exists nowhere else: the label, and a random marker per run."""
        text = f"PLANT{label.upper()}x{self.marker}"
        self.planted[label] = text
        return text

    def plant_email(self, label: str) -> str:
        email = f"plant{label}x{self.marker}@example.test".lower()
        self.planted[f"{label}_email"] = email
        return email

    def side_of(self, who: str) -> uuid.UUID:
        side = Participant.objects.get(case_id=self.case_id, user=self.people[who]).side_id
        assert side is not None
        return side


def _join(s: Scenario, who: str, role: str, side: uuid.UUID | None) -> None:
    name = s.plant(f"{who}name")
    issued = services.invite(
        s.mediator, s.case_id, email=s.plant_email(who), name=name, role=role, side_id=side
    )
    accepted = services.accept_invitation(issued.token, name=name, password=PASSWORD, user=None)
    s.people[who] = accepted.participant.user


def plant_ground_rule(s: Scenario) -> None:
    onboarding.propose_rule(
        s.people["party_a"],
        s.case_id,
        text=s.plant("ruletext"),
        why=s.plant("rulewhy"),
        call_out=s.plant("rulecallout"),
    )


def plant_intake(s: Scenario) -> None:
    onboarding.submit_intake(
        s.people["party_a"], s.case_id, answers={"goals": s.plant("intakeanswer")}
    )


def _complete_onboarding(s: Scenario) -> None:
    parties = [s.people["party_a"], s.people["party_b"]]
    for party in parties:
        onboarding.acknowledge_structure(party, s.case_id)
    for user in [s.mediator, *s.people.values()]:
        for agreement in Agreement.objects.filter(case_id=s.case_id):
            onboarding.sign_agreement(
                user, agreement.id, typed_name=user.name, text_sha256=agreement.text_sha256
            )
    # A family case: every party answers the intake (issue 15); party A's was planted.
    onboarding.submit_intake(s.people["party_b"], s.case_id, answers={"goals": ""})
    for rule in GroundRule.objects.filter(case_id=s.case_id, withdrawn_at__isnull=True):
        for i, party in enumerate(parties):
            onboarding.respond_to_rule(
                party, rule.id, agrees=True, comment=s.plant(f"rulecomment{i}") if i else None
            )
    assert Case.objects.get(pk=s.case_id).status == "active"


def plant_meeting_content(s: Scenario) -> None:
    party_a = s.people["party_a"]
    caucus = meetings.schedule_meeting(
        s.mediator,
        s.case_id,
        kind="caucus",
        side_id=s.side_of("party_a"),
        mode="in_person",
        starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
    )
    meetings.start_meeting(s.mediator, caucus.id)
    attendance = meetings.join_meeting(
        party_a, caucus.id, private_location=True, not_recording=True, others_present=[]
    )
    meetings.admit(s.mediator, caucus.id, attendance.participant_id)
    item = meetings.raise_item(party_a, caucus.id, text=s.plant("itemtext"))
    meetings.decide_item(
        s.mediator, item.id, decision="may_share_as_worded", wording=s.plant("itemwording")
    )
    meetings.confirm_item(party_a, item.id)
    meetings.end_meeting(s.mediator, caucus.id)
    note = meetings.write_note(s.mediator, caucus.id, body=s.plant("notebody"))
    feedback = meetings.give_feedback(party_a, note.id, body=s.plant("feedback"))
    meetings.revise_note(s.mediator, note.id, body=s.plant("noterevision"), resolves=[feedback.id])


def plant_document(s: Scenario) -> None:
    from caucus.vault.services import store_document

    actor = Participant.objects.get(case_id=s.case_id, user=s.people["party_a"])
    store_document(
        actor,
        name=f"{s.plant('docname')}.txt",
        content_type="text/plain",
        chunks=[f"{s.plant('doctext')}\n".encode() * 50],
        audience_kind="side",
        audience_side_id=actor.side_id,
    )


def plant_concern(s: Scenario) -> None:
    from caucus.disclosures import services as exchange

    concern = exchange.raise_concern(
        s.people["party_b"], s.case_id, topic="impartiality", body=s.plant("concern")
    )
    exchange.respond_to_concern(s.mediator, concern.id, body=s.plant("concernanswer"))


def plant_exchange(s: Scenario) -> None:
    """A disclosure released to the case, a consent granted (an expert's invitation), and a
    message to each audience."""
    from caucus.disclosures import services as exchange
    from caucus.meetings.models import Item
    from caucus.portal import services as portal

    item = Item.objects.filter(case_id=s.case_id, confirmed_at__isnull=False).first()
    assert item is not None, "plant_meeting_content runs first"
    disclosure = exchange.draft_disclosure(
        s.mediator, item.id, to="case", text=s.plant("disclosurewording")
    )
    for who in ("party_a", "attorney_a"):
        exchange.approve_disclosure(s.people[who], disclosure.id)
    consent = exchange.request_consent(
        s.mediator,
        s.case_id,
        kind="add_expert",
        name=s.plant("expertname"),
        email=s.plant_email("expert"),
        purpose=s.plant("consentpurpose"),
        meeting_id=None,
        side_id=None,
    )
    for who in ("party_a", "party_b"):
        exchange.approve_consent(s.people[who], consent.id)
    for who, audience in (
        ("party_a", "mediators"),
        ("attorney_a", "own_side"),
        ("party_b", "case"),
    ):
        portal.post_message(
            s.people[who], s.case_id, body=s.plant(f"message{who}"), audience=audience
        )


ONBOARDING_PLANTERS: list[Planter] = [plant_ground_rule, plant_intake, plant_concern]
CASE_PLANTERS: list[Planter] = [plant_meeting_content, plant_exchange, plant_document]


def build_scenario() -> Scenario:
    marker = secrets.token_hex(6)
    with key_scope():
        practice = Practice.objects.create(name=f"Forensic practice {marker}")
        # Mediators keep their accounts after a purge (they are the practice's staff), so
        # their name and email are not planted.
        mediator = User.objects.create_user(
            email=f"mediator-{marker}@example.test",
            name="Mediator",
            password=PASSWORD,
            practice=practice,
        )
        s = Scenario(marker, practice, mediator, uuid.uuid4())
        me = services.open_case(mediator, title=s.plant("title"), kind="family", litigated=True)
        s.case_id = me.case_id
        services.screen_case(
            mediator,
            s.case_id,
            decision="accept",
            reason_code=None,
            private_note=s.plant("screeningnote"),
        )
        _join(s, "party_a", "party", None)
        _join(s, "attorney_a", "attorney", s.side_of("party_a"))
        _join(s, "party_b", "party", None)
        for planter in ONBOARDING_PLANTERS:
            planter(s)
        _complete_onboarding(s)
        for planter in CASE_PLANTERS:
            planter(s)
        services.close_case(
            mediator,
            s.case_id,
            outcome="settled",
            note_to_parties=s.plant("notetoparties"),
            private_note=s.plant("closingnote"),
        )
    return s


def after_purge_after(case_id: uuid.UUID) -> datetime:
    purge_after = Case.objects.get(pk=case_id).purge_after
    assert purge_after is not None
    return purge_after + timedelta(days=1)
