"""What a case still needs before substantive work may start (practice 6), read in a fixed
number of queries for any number of cases."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from caucus.cases.models import (
    Agreement,
    AgreementKind,
    Case,
    GroundRule,
    IntakeAnswers,
    Invitation,
    Participant,
    Role,
    RuleResponse,
    Signature,
    Status,
    StructureAcknowledgement,
)
from caucus.kernel.parties import CaseLike, ParticipantLike


@dataclass
class Facts:
    participants: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    invitations_pending: bool = False
    acknowledged: set[uuid.UUID] = field(default_factory=set)
    signed: set[tuple[uuid.UUID, str]] = field(default_factory=set)
    agreements: set[str] = field(default_factory=set)
    # rule id -> (responses: participant id -> agrees)
    rules: dict[uuid.UUID, dict[uuid.UUID, bool]] = field(default_factory=dict)
    # Whether the practice's policy asks this kind of case for every party's intake, and
    # which parties have submitted theirs.
    intake_required: bool = False
    intake_done: set[uuid.UUID] = field(default_factory=set)

    @property
    def parties(self) -> list[uuid.UUID]:
        return [pid for pid, role in self.participants if role == Role.PARTY]


def facts_for(case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Facts]:
    ids = list(case_ids)
    facts: dict[uuid.UUID, Facts] = defaultdict(Facts)
    for case_id, pid, role in Participant.objects.filter(case_id__in=ids).values_list(
        "case_id", "id", "role"
    ):
        facts[case_id].participants.append((pid, role))
    for case_id in Invitation.objects.filter(
        case_id__in=ids,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values_list("case_id", flat=True):
        facts[case_id].invitations_pending = True
    for case_id, pid in StructureAcknowledgement.objects.filter(
        case_id__in=ids, policy=F("case__confidentiality_structure")
    ).values_list("case_id", "participant_id"):
        facts[case_id].acknowledged.add(pid)
    for case_id, kind in Agreement.objects.filter(case_id__in=ids).values_list("case_id", "kind"):
        facts[case_id].agreements.add(kind)
    for case_id, pid, kind in Signature.objects.filter(
        case_id__in=ids, text_sha256=F("agreement__text_sha256")
    ).values_list("case_id", "participant_id", "agreement__kind"):
        facts[case_id].signed.add((pid, kind))
    for case_id, kind, kinds in Case.objects.filter(id__in=ids).values_list(
        "id", "kind", "practice__intake_required_kinds"
    ):
        facts[case_id].intake_required = kind in (kinds or [])
    for case_id, pid in IntakeAnswers.objects.filter(case_id__in=ids).values_list(
        "case_id", "participant_id"
    ):
        facts[case_id].intake_done.add(pid)
    for case_id, rule_id in GroundRule.objects.filter(
        case_id__in=ids, withdrawn_at__isnull=True
    ).values_list("case_id", "id"):
        facts[case_id].rules[rule_id] = {}
    for case_id, rule_id, pid, agrees in RuleResponse.objects.filter(
        case_id__in=ids, rule__withdrawn_at__isnull=True
    ).values_list("case_id", "rule_id", "participant_id", "agrees"):
        facts[case_id].rules[rule_id][pid] = agrees
    return {i: facts[i] for i in ids}


def rule_status(responses: dict[uuid.UUID, bool], parties: list[uuid.UUID]) -> str:
    if any(agrees is False for pid, agrees in responses.items() if pid in parties):
        return "objected"
    if parties and all(responses.get(pid) is True for pid in parties):
        return "agreed"
    return "proposed"


def gaps(case: CaseLike, facts: Facts) -> list[str]:
    """Everything still missing, as stable codes: `parties`, `invitations_pending`,
    `acknowledgement:<participant>`, `signature:<kind>:<participant>`, `ground_rule:<rule>`,
    `intake:<participant>` (where the practice's policy asks for the intake)."""
    missing: list[str] = []
    parties = facts.parties
    if len(parties) < 2:
        missing.append("parties")
    if facts.invitations_pending:
        missing.append("invitations_pending")
    missing.extend(f"acknowledgement:{pid}" for pid in parties if pid not in facts.acknowledged)
    for kind in AgreementKind.values:
        if kind not in facts.agreements:
            missing.append(f"agreement:{kind}")
            continue
        missing.extend(
            f"signature:{kind}:{pid}"
            for pid, _ in facts.participants
            if (pid, kind) not in facts.signed
        )
    if facts.intake_required:
        missing.extend(f"intake:{pid}" for pid in parties if pid not in facts.intake_done)
    missing.extend(
        f"ground_rule:{rule_id}"
        for rule_id, responses in facts.rules.items()
        if rule_status(responses, parties) != "agreed"
    )
    return missing


def missing(case: CaseLike, facts: Facts | None = None) -> list[str]:
    if case.status == Status.INTAKE:
        return ["screening"]
    if case.status != Status.ONBOARDING:
        return []
    if facts is None:
        facts = facts_for([case.id])[case.id]
    return gaps(case, facts)


def has_signed_all(participant: ParticipantLike) -> bool:
    current = Signature.objects.filter(
        participant_id=participant.id, text_sha256=F("agreement__text_sha256")
    ).values_list("agreement__kind", flat=True)
    return set(current) >= set(AgreementKind.values)
