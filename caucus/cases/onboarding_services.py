"""Writes of onboarding: structure, acknowledgements, agreements and signatures, ground rules,
intake answers. Each checks permission through the kernel, changes state in one transaction
with its audit entry, and moves the case to `active` when the last missing step is done."""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from caucus.accounts.models import User
from caucus.audit.chain import record_action
from caucus.cases import lifecycle, onboarding
from caucus.cases.access import access_case, access_in_case
from caucus.cases.agreement_texts import CONFIDENTIALITY_RULE, initial_text
from caucus.cases.models import (
    Agreement,
    AgreementKind,
    Case,
    GroundRule,
    IntakeAnswers,
    Participant,
    RuleResponse,
    Signature,
    Status,
    Structure,
    StructureAcknowledgement,
)
from caucus.kernel.errors import Conflict, Invalid, required_text
from caucus.kernel.permissions import Action, require, require_proposer

RULE_FIELD_MAX = 2_000
AGREEMENT_MAX = 50_000
COMMENT_MAX = 2_000
TYPED_NAME_MAX = 200
ANSWER_MAX = 5_000
INTAKE_MAX = 20_000
OPEN_FOR_ONBOARDING = (Status.INTAKE, Status.ONBOARDING)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _locked_case(actor: Participant) -> Case:
    return Case.objects.select_for_update().select_related("practice").get(pk=actor.case_id)


def _advance(case: Case, actor: Participant) -> None:
    """Moves the case to `active` once nothing is missing. Runs inside the caller's
    transaction, after its write, so the last step and the activation commit together."""
    if case.status != Status.ONBOARDING:
        return
    if onboarding.missing(case):
        return
    lifecycle.move(case, Status.ACTIVE)
    case.save(update_fields=["status"])
    record_action(actor, "case.activated", "case", case.id)


def seed_case(case: Case, mediator: Participant) -> None:
    """The two agreements from the practice's texts and the mediator's confidentiality rule,
    created with the case."""
    for kind in AgreementKind.values:
        text = initial_text(
            kind,
            practice=case.practice.name,
            retention_days=case.practice.retention_days,
            litigated=case.litigated,
        )
        agreement = Agreement(id=uuid.uuid4(), case=case, kind=kind, text_sha256=sha256_text(text))
        agreement.text = text
        agreement.save()
    text, why, call_out = CONFIDENTIALITY_RULE
    rule = GroundRule(
        id=uuid.uuid4(), case=case, proposed_by=mediator, is_confidentiality_rule=True
    )
    rule.text, rule.why, rule.call_out = text, why, call_out
    rule.save()


def set_structure(user: User, case_id: uuid.UUID, *, policy: str) -> Case:
    actor = access_case(user, case_id)
    require(actor, Action.SET_STRUCTURE)
    if policy not in Structure.values:
        raise Invalid({"policy": ["Choose " + " or ".join(Structure.values) + "."]})
    with transaction.atomic():
        case = _locked_case(actor)
        if case.status not in OPEN_FOR_ONBOARDING:
            raise Conflict("onboarding_closed", "The structure is fixed once the case is active.")
        changed = case.confidentiality_structure != policy
        case.confidentiality_structure = policy
        case.save(update_fields=["confidentiality_structure"])
        if changed:
            # Each party acknowledged one policy; a new policy needs a new acknowledgement.
            StructureAcknowledgement.objects.filter(case=case).delete()
        record_action(actor, "onboarding.structure_set", "case", case.id, policy=policy)
    return case


def acknowledge_structure(user: User, case_id: uuid.UUID) -> Case:
    actor = access_case(user, case_id)
    require(actor, Action.ACKNOWLEDGE_STRUCTURE)
    with transaction.atomic():
        case = _locked_case(actor)
        if case.status not in OPEN_FOR_ONBOARDING:
            raise Conflict("onboarding_closed", "The structure is fixed once the case is active.")
        StructureAcknowledgement.objects.update_or_create(
            case=case, participant=actor, defaults={"policy": case.confidentiality_structure}
        )
        record_action(
            actor,
            "onboarding.structure_acknowledged",
            "case",
            case.id,
            policy=case.confidentiality_structure,
        )
        _advance(case, actor)
    return case


def edit_agreement(user: User, agreement_id: uuid.UUID, *, text: str) -> Agreement:
    agreement, actor = access_in_case(user, Agreement, agreement_id)
    require(actor, Action.EDIT_AGREEMENT)
    if not text.strip():
        raise Invalid({"text": ["This field is required."]})
    if len(text) > AGREEMENT_MAX:
        raise Invalid({"text": [f"At most {AGREEMENT_MAX} characters."]})
    with transaction.atomic():
        case = _locked_case(actor)
        if case.status not in OPEN_FOR_ONBOARDING:
            raise Conflict("agreement_fixed", "Agreements are fixed once the case is active.")
        if Signature.objects.filter(agreement_id=agreement.id).exists():
            raise Conflict("agreement_signed", "Someone has signed this text; it can't change.")
        agreement = Agreement.objects.select_for_update().get(pk=agreement.id)
        agreement.text = text
        agreement.text_sha256 = sha256_text(text)
        agreement.save(update_fields=["text_sealed", "text_sha256", "updated_at"])
        record_action(
            actor,
            "onboarding.agreement_edited",
            "agreement",
            agreement.id,
            text_sha256=agreement.text_sha256,
        )
    return agreement


def comparable_name(name: str) -> str:
    """A name as a signature is compared: without accents, case or extra spaces, so that
    "jose garcia" signs for "José García" but "M" does not."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def checked_typed_name(typed_name: str, full_name: str) -> str:
    """The name a signer typed, as a signature keeps it (also the memorandum's, issue 16)."""
    typed_name = typed_name.strip()
    if not typed_name:
        raise Invalid({"typed_name": ["Type your full name to sign."]})
    if len(typed_name) > TYPED_NAME_MAX:
        raise Invalid({"typed_name": [f"At most {TYPED_NAME_MAX} characters."]})
    if comparable_name(typed_name) != comparable_name(full_name):
        # A signature is the signer's full name as the case knows it, not any mark.
        raise Invalid({"typed_name": [f"Type your full name as this case knows it: {full_name}."]})
    return typed_name


def save_signature(signature: models.Model) -> None:
    """Saves a new signature (of an agreement or the memorandum): one signer signs one text
    once, which the table's unique constraint keeps; the second time answers 409."""
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise Conflict("already_signed", "You have signed this text already.") from None


def require_current_text(text_sha256: str, current_sha256: str, what: str) -> None:
    """A signature binds to the exact text the signer read: a stale fingerprint answers 409
    with the current one, so that the signer reads again before signing."""
    if text_sha256 != current_sha256:
        raise Conflict(
            "stale_text",
            f"The {what}'s text has changed since you read it. Read it again, then sign.",
            text_sha256=current_sha256,
        )


def sign_agreement(
    user: User, agreement_id: uuid.UUID, *, typed_name: str, text_sha256: str
) -> Signature:
    agreement, actor = access_in_case(user, Agreement, agreement_id)
    require(actor, Action.SIGN_AGREEMENT)
    typed_name = checked_typed_name(typed_name, actor.user.name)
    with transaction.atomic():
        case = _locked_case(actor)
        if case.status not in (Status.INTAKE, Status.ONBOARDING, Status.ACTIVE):
            raise Conflict("case_not_open", f"This case is {case.status}.")
        current = Agreement.objects.select_for_update().get(pk=agreement.id)
        require_current_text(text_sha256, current.text_sha256, "agreement")
        signature = Signature(
            id=uuid.uuid4(),
            case=case,
            agreement=current,
            participant=actor,
            text_sha256=current.text_sha256,
        )
        signature.typed_name = typed_name
        save_signature(signature)
        record_action(
            actor,
            "onboarding.agreement_signed",
            "agreement",
            current.id,
            kind=current.kind,
            text_sha256=current.text_sha256,
        )
        _advance(case, actor)
    return signature


def export_agreement_pdf(user: User, agreement_id: uuid.UUID) -> tuple[str, bytes]:
    """The agreement and its current signatures as a (signed) PDF. Reading it is audited."""
    agreement, actor = access_in_case(user, Agreement, agreement_id)
    require(actor, Action.READ_AGREEMENT)
    roles = dict(
        Participant.all_participations.filter(case_id=actor.case_id).values_list("id", "role")
    )
    signatures = [
        (
            sig.typed_name,
            str(roles.get(sig.participant_id, "")),
            sig.signed_at.strftime("%Y-%m-%d %H:%M:%S"),
            sig.text_sha256,
        )
        for sig in Signature.objects.filter(
            agreement=agreement, text_sha256=agreement.text_sha256
        ).order_by("signed_at")
    ]
    title = AgreementKind(agreement.kind).label
    # ReportLab and pyHanko load on the first export, not with every server process.
    from caucus.cases.pdf import agreement_pdf

    body = agreement_pdf(title, agreement.text, agreement.text_sha256, signatures)
    with transaction.atomic():
        record_action(actor, "onboarding.agreement_exported", "agreement", agreement.id)
    return agreement.kind, body


def _rule_fields(text: str, why: str, call_out: str) -> tuple[str, str, str]:
    fields: dict[str, list[str]] = {}
    text = required_text(fields, "text", text, RULE_FIELD_MAX)
    why = required_text(fields, "why", why, RULE_FIELD_MAX)
    call_out = required_text(fields, "call_out", call_out, RULE_FIELD_MAX)
    if fields:
        raise Invalid(fields)
    return text, why, call_out


def _require_rules_open(case: Case) -> None:
    if case.status not in OPEN_FOR_ONBOARDING:
        raise Conflict("onboarding_closed", "Ground rules are settled once the case is active.")


def _locked_standing_rule(actor: Participant, rule: GroundRule) -> tuple[Case, GroundRule]:
    """The case and the rule, locked, while rules may still change and this one stands."""
    case = _locked_case(actor)
    _require_rules_open(case)
    rule = GroundRule.objects.select_for_update().get(pk=rule.id)
    if rule.withdrawn_at is not None:
        raise Conflict("rule_withdrawn", "This rule was withdrawn.")
    return case, rule


def propose_rule(
    user: User, case_id: uuid.UUID, *, text: str, why: str, call_out: str
) -> GroundRule:
    actor = access_case(user, case_id)
    require(actor, Action.PROPOSE_RULE)
    text, why, call_out = _rule_fields(text, why, call_out)
    with transaction.atomic():
        case = _locked_case(actor)
        _require_rules_open(case)
        rule = GroundRule(id=uuid.uuid4(), case=case, proposed_by=actor)
        rule.text, rule.why, rule.call_out = text, why, call_out
        rule.save()
        if actor.role == "party":
            # Proposing a rule is agreeing to it.
            RuleResponse.objects.create(case=case, rule=rule, participant=actor, agrees=True)
        record_action(actor, "onboarding.rule_proposed", "ground_rule", rule.id)
    return rule


def respond_to_rule(
    user: User, rule_id: uuid.UUID, *, agrees: bool, comment: str | None
) -> GroundRule:
    rule, actor = access_in_case(user, GroundRule, rule_id)
    require(actor, Action.RESPOND_TO_RULE)
    comment = (comment or "").strip()
    if not agrees and not comment:
        raise Invalid({"comment": ["Say what you object to, so the rule can be amended."]})
    if len(comment) > COMMENT_MAX:
        raise Invalid({"comment": [f"At most {COMMENT_MAX} characters."]})
    with transaction.atomic():
        case, rule = _locked_standing_rule(actor, rule)
        response, _ = RuleResponse.objects.update_or_create(
            rule=rule, participant=actor, defaults={"case": case, "agrees": agrees}
        )
        if comment:
            response.comment = comment
            response.save(update_fields=["comment_sealed"])
        else:
            RuleResponse.objects.filter(pk=response.pk).update(comment_sealed=None)
        record_action(
            actor,
            "onboarding.rule_agreed" if agrees else "onboarding.rule_objected",
            "ground_rule",
            rule.id,
        )
        _advance(case, actor)
    return rule


def amend_rule(user: User, rule_id: uuid.UUID, *, text: str, why: str, call_out: str) -> GroundRule:
    rule, actor = access_in_case(user, GroundRule, rule_id)
    require_proposer(actor, rule.proposed_by_id)
    text, why, call_out = _rule_fields(text, why, call_out)
    with transaction.atomic():
        case, rule = _locked_standing_rule(actor, rule)
        rule.text, rule.why, rule.call_out = text, why, call_out
        rule.save()
        # Agreement was to the old wording: everyone answers the new one.
        RuleResponse.objects.filter(rule=rule).delete()
        if actor.role == "party":
            RuleResponse.objects.create(case=case, rule=rule, participant=actor, agrees=True)
        record_action(actor, "onboarding.rule_amended", "ground_rule", rule.id)
    return rule


def withdraw_rule(user: User, rule_id: uuid.UUID) -> GroundRule:
    rule, actor = access_in_case(user, GroundRule, rule_id)
    require_proposer(actor, rule.proposed_by_id)
    with transaction.atomic():
        case = _locked_case(actor)
        _require_rules_open(case)
        rule = GroundRule.objects.select_for_update().get(pk=rule.id)
        if rule.is_confidentiality_rule:
            raise Conflict(
                "rule_required", "The confidentiality rule can be reworded but not withdrawn."
            )
        if rule.withdrawn_at is None:
            rule.withdrawn_at = timezone.now()
            rule.save(update_fields=["withdrawn_at"])
            record_action(actor, "onboarding.rule_withdrawn", "ground_rule", rule.id)
        _advance(case, actor)
    return rule


def submit_intake(user: User, case_id: uuid.UUID, *, answers: dict[str, Any]) -> IntakeAnswers:
    actor = access_case(user, case_id)
    require(actor, Action.SUBMIT_INTAKE)
    # The bound is on what was written, not on its JSON escaping, which turns one character
    # into as many as 12 and so refused answers within the API's documented ANSWER_MAX each.
    written = sum(len(v) for v in answers.values() if isinstance(v, str))
    if written > INTAKE_MAX:
        raise Invalid({"answers": [f"At most {INTAKE_MAX} characters in all."]})
    encoded = json.dumps(answers, sort_keys=True)
    with transaction.atomic():
        case = _locked_case(actor)
        if case.status not in OPEN_FOR_ONBOARDING:
            raise Conflict("onboarding_closed", "Intake is over once the case is active.")
        intake = IntakeAnswers.objects.filter(participant=actor).first()
        if intake is None:
            intake = IntakeAnswers(id=uuid.uuid4(), case=case, participant=actor)
        intake.answers_json = encoded
        intake.save()
        record_action(actor, "onboarding.intake_submitted", "intake", intake.id)
        # The intake may be the last step (practice policy): the case becomes active with it.
        _advance(case, actor)
    return intake
