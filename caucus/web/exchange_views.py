"""The pages of what crosses between people (issue 5): disclosures, consents, concerns and
portal messages. Each request parses one form and calls one function of caucus.disclosures or
caucus.portal, the same ones the API calls; invalid input re-renders the page with the field
errors (400), a state that forbids the action re-renders it with the reason (409), not
visible is 404 and not allowed 403 (see `signed_in`)."""

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
from caucus.cases.access import case_participants
from caucus.cases.models import Participant, Role
from caucus.cases.services import invitation_link
from caucus.disclosures import services as disclosures
from caucus.disclosures.models import (
    Answer,
    ConcernTopic,
    ConsentKind,
    ConsentStatus,
    DisclosureStatus,
)
from caucus.disclosures.selectors import visible_meeting_ids
from caucus.kernel.errors import DomainError, Forbidden, NotVisible, Throttled
from caucus.kernel.permissions import Action, allowed_actions, can
from caucus.kernel.visibility import shown_origin_side
from caucus.meetings import selectors as meeting_selectors
from caucus.meetings import services as meeting_services
from caucus.meetings.models import Item, MeetingKind, MeetingStatus
from caucus.portal import services as portal
from caucus.web.views import signed_in

ANSWER_LABELS = {Answer.PENDING: "Not yet answered", Answer.APPROVED: "Approved"}
DISCLOSURE_ANSWER_LABELS = {**ANSWER_LABELS, Answer.REJECTED: "Rejected"}
CONSENT_ANSWER_LABELS = {**ANSWER_LABELS, Answer.REJECTED: "Denied"}
TOPIC_LABELS = {
    ConcernTopic.IMPARTIALITY: "Impartiality",
    ConcernTopic.CONFIDENTIALITY: "Confidentiality",
    ConcernTopic.SAFETY: "Safety",
    ConcernTopic.OTHER: "Something else",
}
AUDIENCE_CHOICES = {
    "mediators": "The mediators only",
    "own_side": "My side and the mediators",
    "case": "Everyone in the case",
}


class DiscloseForm(forms.Form):
    to = forms.CharField(max_length=64, widget=forms.Select, label="Share with")
    text = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Wording to share",
        help_text="Only this wording travels; the original stays with this side. The party "
        "and their attorneys approve it first.",
    )


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (ConsentKind.ADD_EXPERT, "Add an expert to the case"),
            (ConsentKind.ADMIT_GUEST, "Admit a guest to one meeting"),
        ],
        label="Request",
    )
    name = forms.CharField(max_length=200, label="Their name")
    email = forms.CharField(
        max_length=254,
        required=False,
        label="Their email (for an expert)",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    purpose = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why they would join",
        help_text="Every party reads this before answering.",
    )
    side_id = forms.UUIDField(
        required=False,
        widget=forms.Select,
        label="Retained by (for an expert)",
    )
    meeting_id = forms.UUIDField(required=False, widget=forms.Select, label="Meeting (for a guest)")


class ConcernForm(forms.Form):
    topic = forms.ChoiceField(
        choices=[("", "Choose…"), *TOPIC_LABELS.items()], label="What it is about"
    )
    body = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Your concern",
        help_text="Read by the mediators and your own side.",
    )


class ResponseForm(forms.Form):
    body = forms.CharField(
        max_length=10_000, widget=forms.Textarea(attrs={"rows": 2}), label="Your answer"
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), label="Message"
    )
    audience = forms.ChoiceField(choices=list(AUDIENCE_CHOICES.items()), label="To")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (guaranteed by @signed_in)
    return user


def _passes(exc: DomainError) -> None:
    """Not visible, not allowed and throttled are answered by `signed_in` (404, 403, 429)."""
    if isinstance(exc, (NotVisible, Forbidden, Throttled)):
        raise exc


def _field_errors(form: forms.Form, exc: DomainError) -> None:
    fields: dict[str, list[str]] = exc.extra.get("fields", {})
    for name, messages in fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
    if not fields:
        form.add_error(None, exc.detail)


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"message": exc.detail}, status=exc.status)


class People:
    """Names of the case's participants and a label for each side, by its party's name."""

    def __init__(self, me: Participant) -> None:
        rows = list(case_participants(me))
        self.names = {p.id: p.user.name for p in rows}
        self.sides: dict[uuid.UUID, str] = {}
        for p in rows:
            if p.role == Role.PARTY and p.side_id and p.side_id not in self.sides:
                self.sides[p.side_id] = f"{p.user.name}'s side"

    def name(self, participant_id: uuid.UUID) -> str:
        return self.names.get(participant_id, "A participant")

    def side(self, side_id: uuid.UUID | None) -> str:
        return self.sides.get(side_id, "One side") if side_id else ""


def _page(
    request: HttpRequest,
    build: Callable[[], tuple[str, dict[str, Any]]],
    *,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        template, context = build()
    except DomainError as exc:
        _passes(exc)
        return _refused(request, exc)  # before onboarding, or not yet signed (409)
    context["error"] = error
    return render(request, template, context, status=status)


def _post(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], str],
    rerender: Callable[[DomainError | None, int], HttpResponse],
) -> HttpResponse:
    """Validates the form and calls the service; redirects after success, re-renders the
    page with the form's errors otherwise."""
    error: DomainError | None = None
    if form.is_valid():
        try:
            return redirect(call(form.cleaned_data))
        except DomainError as exc:
            _passes(exc)
            _field_errors(form, exc)
            error = exc
    return rerender(error, error.status if error is not None else 400)


def _nav(me: Participant, current: str) -> dict[str, Any]:
    return {**case_nav(me), "current": current}


def _has_content(me: Participant) -> bool:
    return Action.READ_RECORD in allowed_actions(me)


# --- Disclosures ----------------------------------------------------------------------------


def disclose_form_for(
    item: Item, people: dict[uuid.UUID, tuple[str, uuid.UUID | None, str]]
) -> DiscloseForm:
    """The draft form of one item on the meeting page, prefilled with its confirmed wording."""
    form = DiscloseForm(
        initial={"text": item.wording if item.wording_sealed is not None else ""},
        auto_id=f"disclose-{item.id}-%s",
    )
    set_disclose_targets(form, item, people)
    return form


def set_disclose_targets(
    form: DiscloseForm, item: Item, people: dict[uuid.UUID, tuple[str, uuid.UUID | None, str]]
) -> None:
    other_sides: dict[uuid.UUID, str] = {}
    for name, side_id, role in people.values():
        if role == Role.PARTY and side_id and side_id != item.origin_side_id:
            other_sides.setdefault(side_id, f"Only {name}'s side")
    widget = form.fields["to"].widget
    assert isinstance(widget, forms.Select)  # noqa: S101
    widget.choices = [
        ("case", "Everyone in the case"),
        *((str(k), v) for k, v in other_sides.items()),
    ]


def may_draft(me: Participant, item: Item) -> bool:
    """Offered only for what the party allowed to be shared; the service decides for real."""
    return (
        can(me, Action.DRAFT_DISCLOSURE)
        and me.case.status == "active"
        and item.source_item_id is None
        and item.origin_side_id is not None
        and item.audience_kind == "side"
        and item.decision in ("may_share", "may_share_as_worded")
        and item.confirmed
    )


def _disclosures_context(user: User, case_id: uuid.UUID) -> tuple[str, dict[str, Any]]:
    found, me = disclosures.read_disclosures(user, case_id)
    items, _ = meeting_selectors.items(user, case_id)
    shared = [i for i in items if i.source_item_id is not None]
    if shared:
        meeting_services.record_read(me, "item", [str(i.id) for i in shared])
    people = People(me)
    rows = []
    for d in found:
        approvals = list(d.approvals.all())
        mine = next((a for a in approvals if a.approver_id == me.id), None)
        rows.append(
            {
                "d": d,
                "to": people.side(d.to_side_id) if d.to_side_id else "everyone in the case",
                "original": d.item.text,
                "original_wording": d.item.wording if d.item.wording_sealed is not None else "",
                "from_side": people.side(d.item.origin_side_id),
                "answers": [
                    {
                        "name": people.name(a.approver_id),
                        "label": DISCLOSURE_ANSWER_LABELS[Answer(a.answer)],
                        "a": a,
                    }
                    for a in approvals
                ],
                "can_answer": d.status == DisclosureStatus.PENDING
                and mine is not None
                and mine.answer == Answer.PENDING,
            }
        )
    return "web/disclosures.html", {
        "case": me.case,
        "me": me,
        "nav": _nav(me, "disclosures"),
        "disclosures": rows,
        "shared": [
            {
                "item": i,
                "from_side": people.side(shown_origin_side(me, i.origin_side_id, released=True)),
            }
            for i in shared
        ],
    }


def _disclosures_page(
    request: HttpRequest, case_id: uuid.UUID, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    return _page(
        request, lambda: _disclosures_context(_user(request), case_id), error=error, status=status
    )


@signed_in
@require_http_methods(["GET"])
def disclosures_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _disclosures_page(request, case_id)


@signed_in
@require_POST
def disclose_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    from caucus.web import meeting_views

    user = _user(request)
    form = DiscloseForm(request.POST, auto_id=f"disclose-{item_id}-%s")

    def call(data: dict[str, Any]) -> str:
        d = disclosures.draft_disclosure(user, item_id, to=data["to"], text=data["text"])
        return reverse("web:disclosures", args=[d.case_id]) + f"#disclosure-{d.id}"

    def rerender(error: DomainError | None, status: int) -> HttpResponse:
        item, _ = meeting_selectors.item(user, item_id)
        if item.meeting_id is None:
            raise NotVisible()
        page = meeting_selectors.meeting_page(user, item.meeting_id)
        set_disclose_targets(form, item, page.people)
        return meeting_views.render_meeting(
            request,
            item.meeting_id,
            overrides={f"disclose:{item_id}": form},
            error=error,
            status=status,
        )

    return _post(request, form, call, rerender)


def _answer_disclosure(
    request: HttpRequest, disclosure_id: uuid.UUID, answer: Callable[[User, uuid.UUID], Any]
) -> HttpResponse:
    user = _user(request)
    found, _ = disclosures.read_disclosure(user, disclosure_id)

    def call(data: dict[str, Any]) -> str:
        answer(user, disclosure_id)
        return reverse("web:disclosures", args=[found.case_id]) + f"#disclosure-{disclosure_id}"

    return _post(
        request,
        forms.Form(request.POST),
        call,
        lambda error, status: _disclosures_page(request, found.case_id, error, status),
    )


@signed_in
@require_POST
def approve_disclosure_view(request: HttpRequest, disclosure_id: uuid.UUID) -> HttpResponse:
    return _answer_disclosure(request, disclosure_id, disclosures.approve_disclosure)


@signed_in
@require_POST
def reject_disclosure_view(request: HttpRequest, disclosure_id: uuid.UUID) -> HttpResponse:
    return _answer_disclosure(request, disclosure_id, disclosures.reject_disclosure)


# --- Consents -------------------------------------------------------------------------------


def _consent_choices(user: User, me: Participant, form: ConsentForm, people: People) -> None:
    sides = form.fields["side_id"].widget
    meetings = form.fields["meeting_id"].widget
    assert isinstance(sides, forms.Select) and isinstance(meetings, forms.Select)  # noqa: S101
    sides.choices = [
        ("", "Nobody: a neutral expert"),
        *((str(k), v) for k, v in people.sides.items()),
    ]
    rows, _ = meeting_selectors.meetings(user, me.case_id)
    meetings.choices = [("", "None (for an expert)")] + [
        (
            str(m.id),
            _meeting_label(m.kind, m.side_id, m.starts_at.strftime("%d %b %Y %H:%M"), people),
        )
        for m in rows
        if m.status != MeetingStatus.ENDED
    ]


def _meeting_label(kind: str, side_id: uuid.UUID | None, when: str, people: People) -> str:
    if kind == MeetingKind.CAUCUS:
        party = people.side(side_id).removesuffix("'s side")
        return f"Caucus with {party}, {when} UTC"
    return f"Joint meeting, {when} UTC"


def _consents_context(
    request: HttpRequest, case_id: uuid.UUID, form: ConsentForm | None
) -> tuple[str, dict[str, Any]]:
    user = _user(request)
    found, me = disclosures.read_consents(user, case_id)
    people = People(me)
    mediator = can(me, Action.REQUEST_CONSENT)
    seen = visible_meeting_ids(me, {c.meeting_id for c in found if c.meeting_id})
    meetings = {m.id: m for m in meeting_selectors.meetings(user, case_id)[0]} if seen else {}
    rows = []
    for c in found:
        votes = list(c.votes.all())
        mine = next((v for v in votes if v.party_id == me.id), None)
        meeting = meetings.get(c.meeting_id) if c.meeting_id in seen else None
        invite_url = None
        if mediator and c.invite_token and c.invitation_id is not None:
            invite_url = invitation_link(c.invite_token)
        rows.append(
            {
                "c": c,
                "expert": c.kind == ConsentKind.ADD_EXPERT,
                "email": (c.email or "") if mediator else "",
                "side": people.side(c.side_id) if c.side_id else "",
                "meeting": _meeting_label(
                    meeting.kind,
                    meeting.side_id,
                    meeting.starts_at.strftime("%d %b %Y %H:%M"),
                    people,
                )
                if meeting
                else "",
                "votes": [
                    {
                        "name": people.name(v.party_id),
                        "label": CONSENT_ANSWER_LABELS[Answer(v.answer)],
                    }
                    for v in votes
                ],
                "can_answer": c.status == ConsentStatus.PENDING
                and mine is not None
                and mine.answer == Answer.PENDING,
                "invite_url": invite_url,
            }
        )
    can_request = Action.REQUEST_CONSENT in allowed_actions(me)
    if can_request:
        form = form or ConsentForm()
        _consent_choices(user, me, form, people)
    return "web/consents.html", {
        "case": me.case,
        "me": me,
        "nav": _nav(me, "consents"),
        "consents": rows,
        "form": form if can_request else None,
    }


def _consents_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    form: ConsentForm | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request, lambda: _consents_context(request, case_id, form), error=error, status=status
    )


@signed_in
@require_http_methods(["GET", "POST"])
def consents_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _consents_page(request, case_id)
    user = _user(request)
    form = ConsentForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        c = disclosures.request_consent(
            user,
            case_id,
            kind=data["kind"],
            name=data["name"],
            email=data["email"] or None,
            purpose=data["purpose"],
            meeting_id=data["meeting_id"],
            side_id=data["side_id"],
        )
        return reverse("web:consents", args=[case_id]) + f"#consent-{c.id}"

    return _post(
        request,
        form,
        call,
        lambda error, status: _consents_page(request, case_id, form, error, status),
    )


def _answer_consent(
    request: HttpRequest, consent_id: uuid.UUID, answer: Callable[[User, uuid.UUID], Any]
) -> HttpResponse:
    user = _user(request)
    found, _ = disclosures.read_consent(user, consent_id)

    def call(data: dict[str, Any]) -> str:
        answer(user, consent_id)
        return reverse("web:consents", args=[found.case_id]) + f"#consent-{consent_id}"

    return _post(
        request,
        forms.Form(request.POST),
        call,
        lambda error, status: _consents_page(request, found.case_id, None, error, status),
    )


@signed_in
@require_POST
def approve_consent_view(request: HttpRequest, consent_id: uuid.UUID) -> HttpResponse:
    return _answer_consent(request, consent_id, disclosures.approve_consent)


@signed_in
@require_POST
def deny_consent_view(request: HttpRequest, consent_id: uuid.UUID) -> HttpResponse:
    return _answer_consent(request, consent_id, disclosures.deny_consent)


# --- Concerns -------------------------------------------------------------------------------


def _concerns_context(
    request: HttpRequest, case_id: uuid.UUID, overrides: dict[str, forms.Form]
) -> tuple[str, dict[str, Any]]:
    found, me = disclosures.read_concerns(_user(request), case_id)
    people = People(me)
    allowed = allowed_actions(me)
    can_respond = Action.RESPOND_TO_CONCERN in allowed
    rows = [
        {
            "c": c,
            "topic": TOPIC_LABELS.get(ConcernTopic(c.topic), c.topic),
            "raised_by": people.name(c.raised_by_id),
            "responses": [{"r": r, "author": people.name(r.author_id)} for r in c.responses.all()],
            "form": overrides.get(f"respond:{c.id}") or ResponseForm(auto_id=f"respond-{c.id}-%s"),
        }
        for c in found
    ]
    return "web/concerns.html", {
        "case": me.case,
        "me": me,
        "nav": _nav(me, "concerns"),
        "concerns": rows,
        "can_raise": Action.RAISE_CONCERN in allowed,
        "can_respond": can_respond,
        "form": overrides.get("raise") or ConcernForm(),
    }


def _concerns_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    overrides: dict[str, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        lambda: _concerns_context(request, case_id, overrides or {}),
        error=error,
        status=status,
    )


@signed_in
@require_http_methods(["GET", "POST"])
def concerns_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _concerns_page(request, case_id)
    user = _user(request)
    form = ConcernForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        c = disclosures.raise_concern(user, case_id, topic=data["topic"], body=data["body"])
        return reverse("web:concerns", args=[case_id]) + f"#concern-{c.id}"

    return _post(
        request,
        form,
        call,
        lambda error, status: _concerns_page(request, case_id, {"raise": form}, error, status),
    )


@signed_in
@require_POST
def respond_concern_view(request: HttpRequest, concern_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    found, _ = disclosures.read_concern(user, concern_id)
    form = ResponseForm(request.POST, auto_id=f"respond-{concern_id}-%s")

    def call(data: dict[str, Any]) -> str:
        disclosures.respond_to_concern(user, concern_id, body=data["body"])
        return reverse("web:concerns", args=[found.case_id]) + f"#concern-{concern_id}"

    return _post(
        request,
        form,
        call,
        lambda error, status: _concerns_page(
            request, found.case_id, {f"respond:{concern_id}": form}, error, status
        ),
    )


# --- Portal messages ------------------------------------------------------------------------


def _audience_label(audience: str, people: People) -> str:
    if audience == "mediators":
        return "to the mediators"
    if audience == "case":
        return "to everyone"
    side = audience.removeprefix("side:")
    try:
        return "to " + people.side(uuid.UUID(side)) + " and the mediators"
    except ValueError:
        return ""


def _messages_context(
    request: HttpRequest, case_id: uuid.UUID, form: MessageForm | None
) -> tuple[str, dict[str, Any]]:
    found, me = portal.read_messages(_user(request), case_id)
    people = People(me)
    form = form or MessageForm(initial={"audience": "mediators"})
    if me.side_id is None:
        # Someone without a side (a mediator, a neutral expert) has no "my side" to write to.
        field = form.fields["audience"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(k, v) for k, v in AUDIENCE_CHOICES.items() if k != "own_side"]
    return "web/messages.html", {
        "case": me.case,
        "me": me,
        "nav": _nav(me, "messages"),
        "messages_list": [
            {"m": m, "author": m.author.user.name, "to": _audience_label(m.audience, people)}
            for m in found
        ],
        "can_post": Action.POST_MESSAGE in allowed_actions(me),
        "form": form,
    }


def _messages_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    form: MessageForm | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request, lambda: _messages_context(request, case_id, form), error=error, status=status
    )


@signed_in
@require_http_methods(["GET", "POST"])
def messages_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _messages_page(request, case_id)
    user = _user(request)
    form = MessageForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        m = portal.post_message(user, case_id, body=data["body"], audience=data["audience"])
        return reverse("web:messages", args=[case_id]) + f"#message-{m.id}"

    return _post(
        request,
        form,
        call,
        lambda error, status: _messages_page(request, case_id, form, error, status),
    )


# --- The case page's navigation -------------------------------------------------------------


def case_nav(me: Participant) -> dict[str, Any]:
    """Links to these pages, with what waits for the viewer's answer (two small counts)."""
    from caucus.disclosures.models import ConsentVote, DisclosureApproval

    content = _has_content(me)
    pending_disclosures = pending_consents = 0
    if content and me.role in (Role.PARTY, Role.ATTORNEY):
        pending_disclosures = DisclosureApproval.objects.filter(
            approver=me, answer=Answer.PENDING, disclosure__status=DisclosureStatus.PENDING
        ).count()
    if content and me.role == Role.PARTY:
        pending_consents = ConsentVote.objects.filter(
            party=me, answer=Answer.PENDING, consent__status=ConsentStatus.PENDING
        ).count()
    return {
        "case_id": me.case_id,
        "current": "case",
        "content": content,
        "pending_disclosures": pending_disclosures,
        "pending_consents": pending_consents,
    }
