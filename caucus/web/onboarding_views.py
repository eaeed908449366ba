"""The onboarding page: checklist, confidentiality structure, agreements, ground rules and
intake. Each POST parses one form and calls one service; the page is re-rendered with field
errors (400) or the caller is sent back to it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caucus.accounts.models import User
from caucus.cases import onboarding
from caucus.cases import onboarding_selectors as read
from caucus.cases import onboarding_services as write
from caucus.cases.access import access_case, case_participants, require_of_case
from caucus.cases.models import Agreement, AgreementKind, GroundRule, Structure
from caucus.kernel.errors import DomainError, Forbidden, NotVisible, Throttled
from caucus.kernel.permissions import Action, allowed_actions, can
from caucus.web.views import signed_in


class StructureForm(forms.Form):
    # A select, not radio buttons: its target is 44px high like every other field.
    policy = forms.ChoiceField(choices=Structure.choices, label="Confidentiality structure")


class SignForm(forms.Form):
    typed_name = forms.CharField(max_length=200, label="Type your full name to sign")
    text_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class AgreementTextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=50_000)


class RuleForm(forms.Form):
    text = forms.CharField(max_length=2_000, label="The rule")
    why = forms.CharField(
        max_length=2_000, widget=forms.Textarea(attrs={"rows": 2}), label="Why it matters"
    )
    call_out = forms.CharField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How it is called out if crossed",
    )


class ObjectionForm(forms.Form):
    comment = forms.CharField(
        max_length=2_000, widget=forms.Textarea(attrs={"rows": 2}), label="What you object to"
    )


class IntakeForm(forms.Form):
    goals = forms.CharField(
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What would you like the mediation to achieve?",
    )
    concerns = forms.CharField(
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What worries you about it?",
    )
    feels_safe_meeting_together = forms.BooleanField(
        required=False, label="I feel safe meeting the other party in the same (virtual) room"
    )
    history_of_violence_or_threats = forms.BooleanField(
        required=False, label="There has been violence or threats between us"
    )
    afraid_of_retaliation = forms.BooleanField(
        required=False, label="I am afraid of what may happen if I speak openly"
    )
    protective_order_in_place = forms.BooleanField(
        required=False, label="A protective or restraining order is in place"
    )
    wants_separate_sessions = forms.BooleanField(
        required=False, label="I would prefer to meet the mediator separately throughout"
    )
    anything_else = forms.CharField(
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Anything else the mediator should know (only mediators read this)",
    )

    SAFETY = (
        "feels_safe_meeting_together",
        "history_of_violence_or_threats",
        "afraid_of_retaliation",
        "protective_order_in_place",
        "wants_separate_sessions",
    )

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "goals": data["goals"],
            "concerns": data["concerns"],
            "safety": {name: data[name] for name in self.SAFETY},
            "anything_else": data["anything_else"],
        }


def _ids(kind: str, agreement_id: uuid.UUID) -> str:
    """Element ids for one agreement's form: the page holds a sign form (and an edit form)
    per agreement, and shared ids would leave the second one's fields without a label."""
    return f"id_{kind}_{agreement_id.hex[:8]}_%s"


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotVisible()
    return user


def _of_case(
    request: HttpRequest,
    model: type[Agreement] | type[GroundRule],
    object_id: uuid.UUID,
    case_id: uuid.UUID,
) -> None:
    require_of_case(_user(request), model, object_id, case_id)


# The kinds' labels are "Agreement To Mediate" and "Confidentiality"; a sentence needs
# "the confidentiality agreement", not "the confidentiality".
AGREEMENT_NAMES: dict[str, str] = {
    AgreementKind.AGREEMENT_TO_MEDIATE: "agreement to mediate",
    AgreementKind.CONFIDENTIALITY: "confidentiality agreement",
}


def _checklist(codes: list[str], names: dict[str, str], rule_texts: dict[str, str]) -> list[str]:
    """Turns the missing codes into sentences for people."""
    lines = []
    for code in codes:
        kind, _, rest = code.partition(":")
        if kind == "screening":
            lines.append("The mediator has not screened the case yet.")
        elif kind == "parties":
            lines.append("At least two parties must have joined.")
        elif kind == "invitations_pending":
            lines.append("Someone invited has not joined yet.")
        elif kind == "acknowledgement":
            lines.append(f"{names.get(rest, 'A party')} has not acknowledged the structure.")
        elif kind == "signature":
            agreement_kind, _, pid = rest.partition(":")
            label = AGREEMENT_NAMES.get(agreement_kind, "agreement")
            lines.append(f"{names.get(pid, 'A participant')} has not signed the {label}.")
        elif kind == "ground_rule":
            lines.append(f"Not every party has agreed to the rule “{rule_texts.get(rest, '')}”.")
        else:
            lines.append(code)
    return lines


def _page(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    me = access_case(user, case_id)
    case = me.case
    people = list(case_participants(me))
    names = {str(p.id): p.user.name for p in people}
    rule_views = read.rules(me)
    agreement_views = read.agreements(me)
    structure = read.structure(me)
    missing = onboarding.missing(case)
    bound = bound or {}
    allowed = allowed_actions(me)
    intake_rows = read.intake(user, case.id)
    return render(
        request,
        "web/onboarding.html",
        {
            "case": case,
            "me": me,
            "names": names,
            "checklist": _checklist(missing, names, {str(r.rule.id): r.text for r in rule_views}),
            "structure": structure,
            "acknowledged_names": [names.get(str(p), "") for p in structure.acknowledged_by],
            "i_acknowledged": me.id in structure.acknowledged_by,
            "can_set_structure": Action.SET_STRUCTURE in allowed,
            "can_acknowledge": Action.ACKNOWLEDGE_STRUCTURE in allowed,
            "structure_form": bound.get("structure")
            or StructureForm(initial={"policy": structure.policy}),
            "agreements": [
                {
                    "view": view,
                    "signed_by_me": me.id in view.signed_by,
                    "sign_form": bound.get(f"sign:{view.agreement.id}")
                    or SignForm(
                        initial={"text_sha256": view.agreement.text_sha256},
                        auto_id=_ids("sign", view.agreement.id),
                    ),
                    "edit_form": bound.get(f"edit:{view.agreement.id}")
                    or AgreementTextForm(
                        initial={"text": view.text}, auto_id=_ids("edit", view.agreement.id)
                    ),
                    "can_edit": Action.EDIT_AGREEMENT in allowed and not view.signatures,
                    "signers": [
                        (names.get(str(s.participant_id), ""), s.typed_name, s.signed_at)
                        for s in view.signatures
                    ],
                }
                for view in agreement_views
            ],
            "rules": [
                {
                    "view": view,
                    "agreed_names": [names.get(str(p), "") for p in view.agreed_by],
                    "objections": [
                        (names.get(str(o.participant_id), ""), o.comment) for o in view.objections
                    ],
                    "mine": view.rule.proposed_by_id == me.id,
                    "i_agreed": me.id in view.agreed_by,
                    "amend_form": bound.get(f"amend:{view.rule.id}")
                    or RuleForm(
                        initial={"text": view.text, "why": view.why, "call_out": view.call_out},
                        prefix=f"r{view.rule.id.hex[:8]}",
                    ),
                    "object_form": bound.get(f"object:{view.rule.id}")
                    or ObjectionForm(prefix=f"o{view.rule.id.hex[:8]}"),
                }
                for view in rule_views
            ],
            "rules_open": Action.AMEND_RULE in allowed,
            "can_sign": Action.SIGN_AGREEMENT in allowed,
            "can_respond": Action.RESPOND_TO_RULE in allowed,
            "can_propose": Action.PROPOSE_RULE in allowed,
            "rule_form": bound.get("rule") or RuleForm(),
            "can_submit_intake": Action.SUBMIT_INTAKE in allowed,
            "intake_form": bound.get("intake") or _intake_initial(intake_rows),
            "is_mediator": can(me, Action.READ_ALL_INTAKE),
            "intake_rows": [
                (names.get(str(row.participant_id), ""), row.answers, row.submitted_at)
                for row in intake_rows
            ],
        },
        status=status,
    )


def _intake_initial(rows: list[read.IntakeView]) -> IntakeForm:
    if not rows:
        return IntakeForm()
    answers = rows[0].answers
    return IntakeForm(initial={**answers, **answers.get("safety", {})})


def _handle(
    request: HttpRequest,
    case_id: uuid.UUID,
    key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], object],
    anchor: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (NotVisible, Forbidden, Throttled):
            raise
        except DomainError as exc:
            fields: dict[str, list[str]] = exc.extra.get("fields", {})
            for name, messages in fields.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
            if not fields:
                form.add_error(None, exc.detail)
        else:
            return redirect(reverse("web:onboarding", args=[case_id]) + f"#{anchor}")
    return _page(request, case_id, bound={key: form}, status=400)


@signed_in
@require_http_methods(["GET"])
def onboarding_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _page(request, case_id)


@signed_in
@require_POST
def structure_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    return _handle(
        request,
        case_id,
        "structure",
        StructureForm(request.POST),
        lambda d: write.set_structure(user, case_id, policy=d["policy"]),
        "structure",
    )


@signed_in
@require_POST
def acknowledge_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    return _handle(
        request,
        case_id,
        "structure",
        forms.Form(request.POST),
        lambda d: write.acknowledge_structure(user, case_id),
        "structure",
    )


@signed_in
@require_POST
def sign_view(request: HttpRequest, case_id: uuid.UUID, agreement_id: uuid.UUID) -> HttpResponse:
    _of_case(request, Agreement, agreement_id, case_id)
    user = _user(request)
    return _handle(
        request,
        case_id,
        f"sign:{agreement_id}",
        SignForm(request.POST, auto_id=_ids("sign", agreement_id)),
        lambda d: write.sign_agreement(
            user, agreement_id, typed_name=d["typed_name"], text_sha256=d["text_sha256"]
        ),
        f"agreement-{agreement_id}",
    )


@signed_in
@require_POST
def edit_agreement_view(
    request: HttpRequest, case_id: uuid.UUID, agreement_id: uuid.UUID
) -> HttpResponse:
    _of_case(request, Agreement, agreement_id, case_id)
    user = _user(request)
    return _handle(
        request,
        case_id,
        f"edit:{agreement_id}",
        AgreementTextForm(request.POST, auto_id=_ids("edit", agreement_id)),
        lambda d: write.edit_agreement(user, agreement_id, text=d["text"]),
        f"agreement-{agreement_id}",
    )


@signed_in
@require_http_methods(["GET"])
def agreement_pdf_view(
    request: HttpRequest, case_id: uuid.UUID, agreement_id: uuid.UUID
) -> HttpResponse:
    _of_case(request, Agreement, agreement_id, case_id)
    kind, body = write.export_agreement_pdf(_user(request), agreement_id)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kind}.pdf"'
    return response


@signed_in
@require_POST
def propose_rule_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    return _handle(
        request,
        case_id,
        "rule",
        RuleForm(request.POST),
        lambda d: write.propose_rule(
            user, case_id, text=d["text"], why=d["why"], call_out=d["call_out"]
        ),
        "rules",
    )


@signed_in
@require_POST
def agree_rule_view(request: HttpRequest, case_id: uuid.UUID, rule_id: uuid.UUID) -> HttpResponse:
    _of_case(request, GroundRule, rule_id, case_id)
    user = _user(request)
    return _handle(
        request,
        case_id,
        "agree",
        forms.Form(request.POST),
        lambda d: write.respond_to_rule(user, rule_id, agrees=True, comment=None),
        f"rule-{rule_id}",
    )


@signed_in
@require_POST
def object_rule_view(request: HttpRequest, case_id: uuid.UUID, rule_id: uuid.UUID) -> HttpResponse:
    _of_case(request, GroundRule, rule_id, case_id)
    user = _user(request)
    return _handle(
        request,
        case_id,
        f"object:{rule_id}",
        ObjectionForm(request.POST, prefix=f"o{rule_id.hex[:8]}"),
        lambda d: write.respond_to_rule(user, rule_id, agrees=False, comment=d["comment"]),
        f"rule-{rule_id}",
    )


@signed_in
@require_POST
def amend_rule_view(request: HttpRequest, case_id: uuid.UUID, rule_id: uuid.UUID) -> HttpResponse:
    _of_case(request, GroundRule, rule_id, case_id)
    user = _user(request)
    return _handle(
        request,
        case_id,
        f"amend:{rule_id}",
        RuleForm(request.POST, prefix=f"r{rule_id.hex[:8]}"),
        lambda d: write.amend_rule(
            user, rule_id, text=d["text"], why=d["why"], call_out=d["call_out"]
        ),
        f"rule-{rule_id}",
    )


@signed_in
@require_POST
def withdraw_rule_view(
    request: HttpRequest, case_id: uuid.UUID, rule_id: uuid.UUID
) -> HttpResponse:
    _of_case(request, GroundRule, rule_id, case_id)
    user = _user(request)
    return _handle(
        request,
        case_id,
        "withdraw",
        forms.Form(request.POST),
        lambda d: write.withdraw_rule(user, rule_id),
        "rules",
    )


@signed_in
@require_POST
def intake_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    form = IntakeForm(request.POST)

    def call(_: dict[str, Any]) -> object:
        return write.submit_intake(user, case_id, answers=form.answers())

    return _handle(request, case_id, "intake", form, call, "intake")
