"""Onboarding routes: the confidentiality structure, agreements and signatures, ground rules,
intake. Parse, call one service, render."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Schema, Status
from pydantic import StringConstraints

from caucus.api.routing import ResourceRouter
from caucus.api.schemas import Flag, JsonObjectIn, Listing, optional_text, required_text
from caucus.api.security import caller
from caucus.cases import onboarding_selectors as read
from caucus.cases import onboarding_services as write
from caucus.vault.responses import attachment

router = ResourceRouter(tags=["onboarding"])

RuleText = Annotated[str, required_text(write.RULE_FIELD_MAX)]


class StructureOut(Schema):
    policy: str
    explanation: str
    options: dict[str, str]
    acknowledged_by: list[uuid.UUID]


class StructureIn(Schema):
    policy: Literal["permission_required", "shared_unless_marked"]


class SignatureOut(Schema):
    participant_id: uuid.UUID
    typed_name: str
    signed_at: datetime
    text_sha256: str


class AgreementOut(Schema):
    id: uuid.UUID
    kind: str
    text: str
    text_sha256: str
    signed_by: list[uuid.UUID]
    signatures: list[SignatureOut]


class AgreementList(Listing[AgreementOut]):
    pass


class AgreementIn(Schema):
    text: Annotated[str, required_text(write.AGREEMENT_MAX)]


class SignIn(Schema):
    typed_name: Annotated[str, required_text(write.TYPED_NAME_MAX)]
    text_sha256: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class SignedOut(Schema):
    id: uuid.UUID
    agreement_id: uuid.UUID
    participant_id: uuid.UUID
    text_sha256: str
    signed_at: datetime


class ObjectionOut(Schema):
    participant_id: uuid.UUID
    comment: str
    at: datetime


class RuleOut(Schema):
    id: uuid.UUID
    text: str
    why: str
    call_out: str
    proposed_by: uuid.UUID
    is_confidentiality_rule: bool
    agreed_by: list[uuid.UUID]
    objections: list[ObjectionOut]
    status: str


class RuleList(Listing[RuleOut]):
    pass


class RuleIn(Schema):
    text: RuleText
    why: RuleText
    call_out: RuleText


class ObjectIn(Schema):
    comment: Annotated[str, required_text(write.COMMENT_MAX)]


Answer = Annotated[str, optional_text(write.ANSWER_MAX)]


class SafetyIn(JsonObjectIn):
    feels_safe_meeting_together: Flag
    history_of_violence_or_threats: Flag
    afraid_of_retaliation: Flag
    protective_order_in_place: Flag
    wants_separate_sessions: Flag


class IntakeIn(Schema):
    goals: Answer = ""
    concerns: Answer = ""
    safety: SafetyIn
    anything_else: Answer = ""


class IntakeOut(Schema):
    participant_id: uuid.UUID
    answers: dict[str, object]
    submitted_at: datetime


class IntakeList(Listing[IntakeOut]):
    pass


def render_structure(view: read.StructureView) -> StructureOut:
    return StructureOut(
        policy=view.policy,
        explanation=view.explanation,
        options=view.options,
        acknowledged_by=view.acknowledged_by,
    )


def render_agreement(view: read.AgreementView) -> AgreementOut:
    return AgreementOut(
        id=view.agreement.id,
        kind=view.agreement.kind,
        text=view.text,
        text_sha256=view.agreement.text_sha256,
        signed_by=view.signed_by,
        signatures=[
            SignatureOut(
                participant_id=s.participant_id,
                typed_name=s.typed_name,
                signed_at=s.signed_at,
                text_sha256=s.text_sha256,
            )
            for s in view.signatures
        ],
    )


def render_rule(view: read.RuleView) -> RuleOut:
    return RuleOut(
        id=view.rule.id,
        text=view.text,
        why=view.why,
        call_out=view.call_out,
        proposed_by=view.rule.proposed_by_id,
        is_confidentiality_rule=view.rule.is_confidentiality_rule,
        agreed_by=view.agreed_by,
        objections=[
            ObjectionOut(participant_id=o.participant_id, comment=o.comment, at=o.at)
            for o in view.objections
        ],
        status=view.status,
    )


@router.get(
    "/cases/{case_id}/confidentiality-structure",
    response=StructureOut,
    summary="The case's confidentiality structure, explained, with who acknowledged it",
)
def get_structure(request: HttpRequest, case_id: uuid.UUID) -> StructureOut:
    return render_structure(read.structure_for(caller(request), case_id))


@router.put(
    "/cases/{case_id}/confidentiality-structure",
    response=StructureOut,
    summary="Set the structure (mediator, during onboarding); resets acknowledgements",
)
def put_structure(request: HttpRequest, case_id: uuid.UUID, payload: StructureIn) -> StructureOut:
    user = caller(request)
    write.set_structure(user, case_id, policy=payload.policy)
    return render_structure(read.structure_for(user, case_id))


@router.post(
    "/cases/{case_id}/confidentiality-structure/acknowledge",
    response=StructureOut,
    summary="A party acknowledges the structure",
)
def acknowledge(request: HttpRequest, case_id: uuid.UUID) -> StructureOut:
    user = caller(request)
    write.acknowledge_structure(user, case_id)
    return render_structure(read.structure_for(user, case_id))


@router.get(
    "/cases/{case_id}/agreements",
    response=AgreementList,
    summary="The agreement to mediate and the confidentiality agreement, with signatures",
)
def list_agreements(request: HttpRequest, case_id: uuid.UUID) -> AgreementList:
    views = read.agreements_for(caller(request), case_id)
    return AgreementList(items=[render_agreement(v) for v in views])


@router.put(
    "/agreements/{agreement_id}",
    response=AgreementOut,
    summary="Edit an agreement's text (mediator, before anyone signs)",
)
def put_agreement(
    request: HttpRequest, agreement_id: uuid.UUID, payload: AgreementIn
) -> AgreementOut:
    user = caller(request)
    write.edit_agreement(user, agreement_id, text=payload.text)
    return render_agreement(read.agreement(user, agreement_id)[0])


@router.post(
    "/agreements/{agreement_id}/sign",
    response={201: SignedOut},
    summary="Sign with a typed name, bound to the SHA-256 of the text you read",
)
def sign(request: HttpRequest, agreement_id: uuid.UUID, payload: SignIn) -> Status[SignedOut]:
    sig = write.sign_agreement(
        caller(request),
        agreement_id,
        **payload.model_dump(),
    )
    return Status(
        201,
        SignedOut(
            id=sig.id,
            agreement_id=sig.agreement_id,
            participant_id=sig.participant_id,
            text_sha256=sig.text_sha256,
            signed_at=sig.signed_at,
        ),
    )


@router.get(
    "/agreements/{agreement_id}/pdf",
    response=None,
    summary="The agreement with its signatures, as a PDF",
)
def pdf(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    kind, body = write.export_agreement_pdf(caller(request), agreement_id)
    return attachment(body, "application/pdf", f"{kind}.pdf")


@router.get(
    "/cases/{case_id}/ground-rules",
    response=RuleList,
    summary="Ground rules, each with who agreed and who objected",
)
def list_rules(request: HttpRequest, case_id: uuid.UUID) -> RuleList:
    return RuleList(items=[render_rule(v) for v in read.rules_for(caller(request), case_id)])


@router.post(
    "/cases/{case_id}/ground-rules",
    response={201: RuleOut},
    summary="Propose a ground rule (mediator or party)",
)
def propose(request: HttpRequest, case_id: uuid.UUID, payload: RuleIn) -> Status[RuleOut]:
    user = caller(request)
    rule = write.propose_rule(user, case_id, **payload.model_dump())
    return Status(201, render_rule(read.rule(user, rule.id)))


@router.post("/ground-rules/{rule_id}/agree", response=RuleOut, summary="A party agrees")
def agree(request: HttpRequest, rule_id: uuid.UUID) -> RuleOut:
    user = caller(request)
    write.respond_to_rule(user, rule_id, agrees=True, comment=None)
    return render_rule(read.rule(user, rule_id))


@router.post(
    "/ground-rules/{rule_id}/object", response=RuleOut, summary="A party objects, saying why"
)
def object_to(request: HttpRequest, rule_id: uuid.UUID, payload: ObjectIn) -> RuleOut:
    user = caller(request)
    write.respond_to_rule(user, rule_id, agrees=False, comment=payload.comment)
    return render_rule(read.rule(user, rule_id))


@router.put(
    "/ground-rules/{rule_id}",
    response=RuleOut,
    summary="Amend a rule (its proposer); clears agreements and objections",
)
def amend(request: HttpRequest, rule_id: uuid.UUID, payload: RuleIn) -> RuleOut:
    user = caller(request)
    write.amend_rule(user, rule_id, **payload.model_dump())
    return render_rule(read.rule(user, rule_id))


@router.delete(
    "/ground-rules/{rule_id}", response=RuleOut, summary="Withdraw a rule (its proposer)"
)
def withdraw(request: HttpRequest, rule_id: uuid.UUID) -> RuleOut:
    user = caller(request)
    write.withdraw_rule(user, rule_id)
    return render_rule(read.rule(user, rule_id))


@router.put(
    "/cases/{case_id}/intake",
    response=IntakeOut,
    summary="A party's intake questionnaire, safety screening included (mediators read it)",
)
def put_intake(request: HttpRequest, case_id: uuid.UUID, payload: IntakeIn) -> IntakeOut:
    row = write.submit_intake(caller(request), case_id, answers=payload.dict())
    return IntakeOut(
        participant_id=row.participant_id, answers=payload.dict(), submitted_at=row.submitted_at
    )


@router.get(
    "/cases/{case_id}/intake",
    response=IntakeList,
    summary="Intake answers: every party's for mediators, one's own for a party",
)
def get_intake(request: HttpRequest, case_id: uuid.UUID) -> IntakeList:
    views = read.intake(caller(request), case_id)
    return IntakeList(
        items=[
            IntakeOut(
                participant_id=v.participant_id, answers=v.answers, submitted_at=v.submitted_at
            )
            for v in views
        ]
    )
