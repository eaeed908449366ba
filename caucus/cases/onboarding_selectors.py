"""Reads of onboarding, each through the kernel and in a fixed number of queries."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caucus.accounts.models import User
from caucus.cases import onboarding
from caucus.cases.access import access_case, access_in_case
from caucus.cases.agreement_texts import STRUCTURE_EXPLANATIONS
from caucus.cases.models import (
    Agreement,
    Case,
    GroundRule,
    IntakeAnswers,
    Participant,
    RuleResponse,
    Signature,
    Structure,
    StructureAcknowledgement,
)
from caucus.kernel.permissions import Action, allowed_actions, can


@dataclass(frozen=True)
class StructureView:
    case: Case
    policy: str
    explanation: str
    options: dict[str, str]
    acknowledged_by: list[uuid.UUID]


def structure(participant: Participant) -> StructureView:
    case = participant.case
    acks = StructureAcknowledgement.objects.filter(
        case_id=case.id, policy=case.confidentiality_structure
    ).order_by("at")
    return StructureView(
        case=case,
        policy=case.confidentiality_structure,
        explanation=STRUCTURE_EXPLANATIONS[Structure(case.confidentiality_structure)],
        options={str(k): v for k, v in STRUCTURE_EXPLANATIONS.items()},
        acknowledged_by=[a.participant_id for a in acks],
    )


def structure_for(user: User, case_id: uuid.UUID) -> StructureView:
    return structure(access_case(user, case_id))


@dataclass(frozen=True)
class SignatureView:
    participant_id: uuid.UUID
    typed_name: str
    signed_at: datetime
    text_sha256: str


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    text: str
    signatures: list[SignatureView]

    @property
    def signed_by(self) -> list[uuid.UUID]:
        return [s.participant_id for s in self.signatures]


def agreements(participant: Participant) -> list[AgreementView]:
    rows = list(Agreement.objects.filter(case_id=participant.case_id).order_by("kind"))
    sigs: dict[uuid.UUID, list[SignatureView]] = {a.id: [] for a in rows}
    for sig in Signature.objects.filter(case_id=participant.case_id).order_by("signed_at"):
        current = next(a for a in rows if a.id == sig.agreement_id)
        if sig.text_sha256 == current.text_sha256:
            sigs[sig.agreement_id].append(
                SignatureView(sig.participant_id, sig.typed_name, sig.signed_at, sig.text_sha256)
            )
    return [AgreementView(a, a.text, sigs[a.id]) for a in rows]


def agreements_for(user: User, case_id: uuid.UUID) -> list[AgreementView]:
    return agreements(access_case(user, case_id))


def agreement(user: User, agreement_id: uuid.UUID) -> tuple[AgreementView, Participant]:
    obj, participant = access_in_case(user, Agreement, agreement_id)
    view = next(v for v in agreements(participant) if v.agreement.id == obj.id)
    return view, participant


@dataclass(frozen=True)
class Objection:
    participant_id: uuid.UUID
    comment: str
    at: datetime


@dataclass(frozen=True)
class RuleView:
    rule: GroundRule
    text: str
    why: str
    call_out: str
    status: str
    agreed_by: list[uuid.UUID]
    objections: list[Objection]


def rules(participant: Participant, *, include_withdrawn: bool = True) -> list[RuleView]:
    qs = GroundRule.objects.filter(case_id=participant.case_id).order_by("created_at", "id")
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    rule_rows = list(qs)
    responses: dict[uuid.UUID, list[RuleResponse]] = {r.id: [] for r in rule_rows}
    for response in RuleResponse.objects.filter(case_id=participant.case_id).order_by("at"):
        if response.rule_id in responses:
            responses[response.rule_id].append(response)
    facts = onboarding.facts_for([participant.case_id])[participant.case_id]
    parties = facts.parties
    views = []
    for rule in rule_rows:
        answers = responses[rule.id]
        if rule.withdrawn_at is not None:
            status = "withdrawn"
        else:
            status = onboarding.rule_status({a.participant_id: a.agrees for a in answers}, parties)
        views.append(
            RuleView(
                rule=rule,
                text=rule.text,
                why=rule.why,
                call_out=rule.call_out,
                status=status,
                agreed_by=[a.participant_id for a in answers if a.agrees],
                objections=[
                    Objection(a.participant_id, a.comment, a.at) for a in answers if not a.agrees
                ],
            )
        )
    return views


def rules_for(user: User, case_id: uuid.UUID) -> list[RuleView]:
    return rules(access_case(user, case_id))


def rule(user: User, rule_id: uuid.UUID) -> RuleView:
    obj, participant = access_in_case(user, GroundRule, rule_id)
    return next(v for v in rules(participant) if v.rule.id == obj.id)


@dataclass(frozen=True)
class IntakeView:
    participant_id: uuid.UUID
    answers: dict[str, Any]
    submitted_at: datetime


def intake(user: User, case_id: uuid.UUID) -> list[IntakeView]:
    """Mediators read every party's answers; a party reads only their own."""
    participant = access_case(user, case_id)
    qs = IntakeAnswers.objects.filter(case_id=participant.case_id)
    if not can(participant, Action.READ_ALL_INTAKE):
        qs = qs.filter(participant=participant)
    return [
        IntakeView(row.participant_id, json.loads(row.answers_json), row.submitted_at)
        for row in qs.order_by("submitted_at")
    ]


@dataclass(frozen=True)
class OnboardingOffers:
    """What the onboarding page offers one viewer, from the kernel's `allowed_actions`: the
    services check the very same rules."""

    set_structure: bool
    acknowledge: bool
    edit_agreements: bool
    sign: bool
    respond_to_rules: bool
    propose_rules: bool
    submit_intake: bool
    read_all_intake: bool
    open: bool


def offers(me: Participant) -> OnboardingOffers:
    allowed = allowed_actions(me)
    return OnboardingOffers(
        set_structure=Action.SET_STRUCTURE in allowed,
        acknowledge=Action.ACKNOWLEDGE_STRUCTURE in allowed,
        edit_agreements=Action.EDIT_AGREEMENT in allowed,
        sign=Action.SIGN_AGREEMENT in allowed,
        respond_to_rules=Action.RESPOND_TO_RULE in allowed,
        propose_rules=Action.PROPOSE_RULE in allowed,
        submit_intake=Action.SUBMIT_INTAKE in allowed,
        read_all_intake=can(me, Action.READ_ALL_INTAKE),
        open=Action.AMEND_RULE in allowed,
    )
