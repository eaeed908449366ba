"""The onboarding page: checklist, confidentiality structure, agreements, ground rules and
intake. Each POST parses one form and calls one service; the page is re-rendered with field
errors (400) or the caller is sent back to it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caucus.accounts.models import User
from caucus.cases import onboarding
from caucus.cases import onboarding_selectors as read
from caucus.cases import onboarding_services as write
from caucus.cases.access import access_case, case_participants, require_of_case
from caucus.cases.models import Agreement, AgreementKind, GroundRule, Participant, Structure
from caucus.kernel.permissions import Action, allowed_actions
from caucus.vault.responses import attachment
from caucus.web.pages import View, checkbox, long_text, signed_in, submit, viewer


class StructureForm(forms.Form):
    # A select, not radio buttons: its target is 44px high like every other field.
    policy = forms.ChoiceField(choices=Structure.choices, label="Confidentiality structure")


class SignForm(forms.Form):
    consent_electronic = checkbox(
        "I have read this text and I agree to sign it electronically: my typed name is my "
        "signature, as binding as one on paper"
    )
    typed_name = forms.CharField(
        max_length=write.TYPED_NAME_MAX,
        label="Type your full name to sign",
        help_text="Your full name as this case knows it. Signing is final: the text cannot "
        "change once signed, and everyone in the case will see that you signed.",
    )
    text_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def clean_consent_electronic(self) -> bool:
        consented: bool = self.cleaned_data["consent_electronic"]
        if not consented:
            raise forms.ValidationError("Tick the box to agree to sign electronically.")
        return consented


class AgreementTextForm(forms.Form):
    text = long_text(None, write.AGREEMENT_MAX, rows=14)


class RuleForm(forms.Form):
    text = forms.CharField(max_length=write.RULE_FIELD_MAX, label="The rule")
    why = long_text("Why it matters", write.RULE_FIELD_MAX, rows=2)
    call_out = long_text("How it is called out if crossed", write.RULE_FIELD_MAX, rows=2)


class ObjectionForm(forms.Form):
    comment = long_text("What you object to", write.COMMENT_MAX, rows=2)


class IntakeForm(forms.Form):
    goals = long_text(
        "What would you like the mediation to achieve?", write.ANSWER_MAX, required=False
    )
    concerns = long_text("What worries you about it?", write.ANSWER_MAX, required=False)
    feels_safe_meeting_together = checkbox(
        "I feel safe meeting the other party in the same (virtual) room"
    )
    history_of_violence_or_threats = checkbox("There has been violence or threats between us")
    afraid_of_retaliation = checkbox("I am afraid of what may happen if I speak openly")
    protective_order_in_place = checkbox("A protective or restraining order is in place")
    wants_separate_sessions = checkbox("I would prefer to meet the mediator separately throughout")
    anything_else = long_text(
        "Anything else the mediator should know (only mediators read this)",
        write.ANSWER_MAX,
        rows=2,
        required=False,
    )

    SAFETY = (
        "feels_safe_meeting_together",
        "history_of_violence_or_threats",
        "afraid_of_retaliation",
        "protective_order_in_place",
        "wants_separate_sessions",
    )

    @classmethod
    def answers_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "goals": data["goals"],
            "concerns": data["concerns"],
            "safety": {name: data[name] for name in cls.SAFETY},
            "anything_else": data["anything_else"],
        }


def _ids(kind: str, agreement_id: uuid.UUID) -> str:
    """Element ids for one agreement's form: the page holds a sign form (and an edit form)
    per agreement, and shared ids would leave the second one's fields without a label."""
    return f"id_{kind}_{agreement_id.hex[:8]}_%s"


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
        elif kind == "intake":
            lines.append(
                f"{names.get(rest, 'A party')} has not answered the intake and safety questions."
            )
        else:
            lines.append("A step of onboarding is still open.")
    return lines


def _agreement_rows(
    me: Participant,
    views: list[read.AgreementView],
    names: dict[str, str],
    offers: read.OnboardingOffers,
    bound: dict[str, forms.Form],
) -> list[dict[str, Any]]:
    return [
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
            "can_edit": offers.edit_agreements and not view.signatures,
            "signers": [
                (names.get(str(s.participant_id), ""), s.typed_name, s.signed_at)
                for s in view.signatures
            ],
        }
        for view in views
    ]


def _rule_rows(
    me: Participant, views: list[read.RuleView], names: dict[str, str], bound: dict[str, forms.Form]
) -> list[dict[str, Any]]:
    return [
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
        for view in views
    ]


def _page(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = viewer(request)
    me = access_case(user, case_id)
    case = me.case
    names = {str(p.id): p.user.name for p in case_participants(me)}
    rule_views = read.rules(me)
    structure = read.structure(me)
    offers = read.offers(me)
    bound = bound or {}
    intake_rows = read.intake(user, case.id)
    missing = onboarding.missing(case)
    checklist = _checklist(missing, names, {str(r.rule.id): r.text for r in rule_views})
    context = {
        "case": case,
        "me": me,
        "names": names,
        "checklist": checklist,
        "structure": structure,
        "acknowledged_names": [names.get(str(p), "") for p in structure.acknowledged_by],
        "i_acknowledged": me.id in structure.acknowledged_by,
        "can_set_structure": offers.set_structure,
        "can_acknowledge": offers.acknowledge,
        "structure_form": bound.get("structure")
        or StructureForm(initial={"policy": structure.policy}),
        "agreements": _agreement_rows(me, read.agreements(me), names, offers, bound),
        "rules": _rule_rows(me, rule_views, names, bound),
        "rules_open": offers.open,
        "can_respond": offers.respond_to_rules,
        "can_propose": offers.propose_rules,
        "rule_form": bound.get("rule") or RuleForm(),
        "can_submit_intake": offers.submit_intake,
        "can_sign": offers.sign,
        "intake_form": bound.get("intake") or _intake_initial(intake_rows),
        "is_mediator": offers.read_all_intake,
        "intake_rows": [
            (
                names.get(str(row.participant_id), ""),
                row.answers,
                row.submitted_at,
                # Under the questions the party answered, not their field names.
                [
                    (IntakeForm.base_fields[name].label, row.answers.get("safety", {}).get(name))
                    for name in IntakeForm.SAFETY
                ],
            )
            for row in intake_rows
        ],
        "intake_required": any(code.startswith("intake:") for code in missing),
        "can_withdraw": Action.WITHDRAW in allowed_actions(me),
    }
    return render(request, "web/onboarding.html", context, status=status)


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
    def done(data: dict[str, Any]) -> str:
        call(data)
        return reverse("web:onboarding", args=[case_id]) + f"#{anchor}"

    return submit(
        form, done, lambda error, status: _page(request, case_id, bound={key: form}, status=status)
    )


@signed_in
@require_http_methods(["GET"])
def onboarding_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _page(request, case_id)


@signed_in
@require_http_methods(["GET"])
def agreement_pdf_view(
    request: HttpRequest, case_id: uuid.UUID, agreement_id: uuid.UUID
) -> HttpResponse:
    require_of_case(viewer(request), Agreement, agreement_id, case_id)
    kind, body = write.export_agreement_pdf(viewer(request), agreement_id)
    return attachment(body, "application/pdf", f"{kind}.pdf")


Act = Callable[[User, uuid.UUID, dict[str, Any]], object]
FormFor = Callable[[HttpRequest, uuid.UUID], forms.Form]


def _on(
    model: type[Agreement] | type[GroundRule] | None,
    key: str,
    form: FormFor,
    act: Act,
    anchor: str,
) -> View:
    """A POST on the case's onboarding (`model` None) or on one agreement or rule of the
    case, which must be the case's: calls one service and comes back to the onboarding page.
    `key` and `anchor` name the form and the place on the page, `{id}` the object's id."""

    @signed_in
    @require_POST
    def view(request: HttpRequest, case_id: uuid.UUID, **ids: uuid.UUID) -> HttpResponse:
        user = viewer(request)
        object_id = case_id
        if model is not None:
            (object_id,) = ids.values()
            require_of_case(user, model, object_id, case_id)
        return _handle(
            request,
            case_id,
            key.format(id=object_id),
            form(request, object_id),
            lambda d: act(user, object_id, d),
            anchor.format(id=object_id),
        )

    return view


def _plain(request: HttpRequest, object_id: uuid.UUID) -> forms.Form:
    return forms.Form(request.POST)


sign_view = _on(
    Agreement,
    "sign:{id}",
    lambda request, a: SignForm(request.POST, auto_id=_ids("sign", a)),
    lambda user, a, d: write.sign_agreement(
        user, a, typed_name=d["typed_name"], text_sha256=d["text_sha256"]
    ),
    "agreement-{id}",
)
edit_agreement_view = _on(
    Agreement,
    "edit:{id}",
    lambda request, a: AgreementTextForm(request.POST, auto_id=_ids("edit", a)),
    lambda user, a, d: write.edit_agreement(user, a, text=d["text"]),
    "agreement-{id}",
)
agree_rule_view = _on(
    GroundRule,
    "agree",
    _plain,
    lambda user, r, d: write.respond_to_rule(user, r, agrees=True, comment=None),
    "rule-{id}",
)
object_rule_view = _on(
    GroundRule,
    "object:{id}",
    lambda request, r: ObjectionForm(request.POST, prefix=f"o{r.hex[:8]}"),
    lambda user, r, d: write.respond_to_rule(user, r, agrees=False, comment=d["comment"]),
    "rule-{id}",
)
amend_rule_view = _on(
    GroundRule,
    "amend:{id}",
    lambda request, r: RuleForm(request.POST, prefix=f"r{r.hex[:8]}"),
    lambda user, r, d: write.amend_rule(
        user, r, text=d["text"], why=d["why"], call_out=d["call_out"]
    ),
    "rule-{id}",
)
withdraw_rule_view = _on(
    GroundRule, "withdraw", _plain, lambda user, r, d: write.withdraw_rule(user, r), "rules"
)
structure_view = _on(
    None,
    "structure",
    lambda request, c: StructureForm(request.POST),
    lambda user, c, d: write.set_structure(user, c, policy=d["policy"]),
    "structure",
)
acknowledge_view = _on(
    None, "structure", _plain, lambda user, c, d: write.acknowledge_structure(user, c), "structure"
)
propose_rule_view = _on(
    None,
    "rule",
    lambda request, c: RuleForm(request.POST),
    lambda user, c, d: write.propose_rule(
        user, c, text=d["text"], why=d["why"], call_out=d["call_out"]
    ),
    "rules",
)
intake_view = _on(
    None,
    "intake",
    lambda request, c: IntakeForm(request.POST),
    lambda user, c, d: write.submit_intake(user, c, answers=IntakeForm.answers_from(d)),
    "intake",
)
