"""The pages of what crosses between people (issue 5): disclosures, consents, concerns and
portal messages. Each request parses one form and calls one function of caucus.disclosures or
caucus.portal, the same ones the API calls; errors are answered in caucus.web.pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_POST

from caucus.accounts.models import User
from caucus.accounts.services import EMAIL_MAX
from caucus.cases.models import Participant
from caucus.cases.selectors import People
from caucus.disclosures import selectors as disclosure_selectors
from caucus.disclosures import services as disclosures
from caucus.disclosures.models import Answer, ConcernTopic, ConsentKind
from caucus.kernel.errors import DomainError
from caucus.meetings import selectors as meeting_selectors
from caucus.meetings.models import Meeting, MeetingKind, MeetingStatus
from caucus.portal import selectors as portal_selectors
from caucus.portal import services as portal
from caucus.web.pages import Rerender, View, case_nav, long_text, signed_in, submit, viewer

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


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (ConsentKind.ADD_EXPERT, "Add an expert to the case"),
            (ConsentKind.ADMIT_GUEST, "Admit a guest to one meeting"),
        ],
        label="Request",
    )
    name = forms.CharField(max_length=disclosures.NAME_MAX, label="Their name")
    email = forms.CharField(
        max_length=EMAIL_MAX,
        required=False,
        label="Their email (for an expert)",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    purpose = long_text(
        "Why they would join",
        disclosures.TEXT_MAX,
        rows=2,
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
    body = long_text(
        "Your concern", disclosures.TEXT_MAX, help_text="Read by the mediators and your own side."
    )


class ResponseForm(forms.Form):
    body = long_text("Your answer", disclosures.TEXT_MAX, rows=2)


class MessageForm(forms.Form):
    body = long_text("Message", portal.BODY_MAX)
    audience = forms.ChoiceField(choices=list(AUDIENCE_CHOICES.items()), label="To")


Forms = dict[str, forms.Form]
# A page's template and context, for the viewer, with the forms that came back with errors.
Context = Callable[[HttpRequest, uuid.UUID, Forms], tuple[str, dict[str, Any]]]


def _page(
    request: HttpRequest,
    context: Context,
    case_id: uuid.UUID,
    bound: Forms | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    template, values = context(request, case_id, bound or {})
    values["error"] = error
    return render(request, template, values, status=status)


def _again(request: HttpRequest, context: Context, case_id: uuid.UUID, bound: Forms) -> Rerender:
    """The page again, with the form that came back and the refusal, if any."""
    return lambda error, status: _page(request, context, case_id, bound, error, status)


def _listing(
    context: Context,
    form: type[forms.Form],
    key: str,
    act: Callable[[User, uuid.UUID, dict[str, Any]], Any],
    kind: str,
) -> View:
    """A case's page of `kind`s and the form that adds one: back at the new one's place."""

    @signed_in
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
        if request.method == "GET":
            return _page(request, context, case_id)
        bound = form(request.POST)

        def call(data: dict[str, Any]) -> str:
            made = act(viewer(request), case_id, data)
            return reverse(f"web:{kind}s", args=[case_id]) + f"#{kind}-{made.id}"

        return submit(bound, call, _again(request, context, case_id, {key: bound}))

    return view


def _answering(
    read: Callable[[User, uuid.UUID], tuple[Any, Participant]],
    answer: Callable[[User, uuid.UUID], object],
    context: Context,
    kind: str,
) -> View:
    """An approval or a denial of a disclosure or a consent: a form with nothing but its
    CSRF token; back to the `kind`'s place on its page."""

    @signed_in
    @require_POST
    def view(request: HttpRequest, **ids: uuid.UUID) -> HttpResponse:
        (object_id,) = ids.values()
        user = viewer(request)
        found, _ = read(user, object_id)

        def call(data: dict[str, Any]) -> str:
            answer(user, object_id)
            return reverse(f"web:{kind}s", args=[found.case_id]) + f"#{kind}-{object_id}"

        return submit(forms.Form(request.POST), call, _again(request, context, found.case_id, {}))

    return view


# --- Disclosures ----------------------------------------------------------------------------


def _disclosures_context(
    request: HttpRequest, case_id: uuid.UUID, bound: Forms
) -> tuple[str, dict[str, Any]]:
    user = viewer(request)
    found, me = disclosures.read_disclosures(user, case_id)
    shared = meeting_selectors.read_released_items(user, case_id)
    people = People(me)
    rows = [
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
                for a in d.approvals.all()
            ],
            "can_answer": disclosure_selectors.awaits_my_approval(me, d),
        }
        for d in found
    ]
    return "web/disclosures.html", {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "disclosures"),
        "disclosures": rows,
        "shared": [
            {
                "item": i,
                "from_side": people.side(i.origin_side_id),
            }
            for i in shared
        ],
    }


@signed_in
@require_http_methods(["GET"])
def disclosures_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _page(request, _disclosures_context, case_id)


approve_disclosure_view = _answering(
    disclosures.read_disclosure, disclosures.approve_disclosure, _disclosures_context, "disclosure"
)
reject_disclosure_view = _answering(
    disclosures.read_disclosure, disclosures.reject_disclosure, _disclosures_context, "disclosure"
)


# --- Consents -------------------------------------------------------------------------------


def _meeting_label(meeting: Meeting, people: People) -> str:
    # In the viewer's zone, named, as the templates' dates (TimeZoneMiddleware).
    when = dateformat.format(timezone.localtime(meeting.starts_at), "j M Y H:i T")
    if meeting.kind == MeetingKind.CAUCUS:
        return f"Caucus with {people.party(meeting.side_id) or 'One side'}, {when}"
    return f"Joint meeting, {when}"


def _consent_choices(meetings: list[Meeting], form: forms.Form, people: People) -> None:
    sides = form.fields["side_id"].widget
    choices = form.fields["meeting_id"].widget
    assert isinstance(sides, forms.Select) and isinstance(choices, forms.Select)  # noqa: S101
    sides.choices = [
        ("", "Nobody: a neutral expert"),
        *((str(k), v) for k, v in people.sides.items()),
    ]
    choices.choices = [("", "None (for an expert)")] + [
        (str(m.id), _meeting_label(m, people)) for m in meetings if m.status != MeetingStatus.ENDED
    ]


def _consent_row(
    view: disclosure_selectors.ConsentView, meetings: dict[uuid.UUID, Meeting], people: People
) -> dict[str, Any]:
    c = view.consent
    meeting = meetings.get(view.meeting_id) if view.meeting_id else None
    return {
        "c": c,
        "expert": c.kind == ConsentKind.ADD_EXPERT,
        "email": view.email or "",
        "side": people.side(c.side_id) if c.side_id else "",
        "meeting": _meeting_label(meeting, people) if meeting else "",
        "votes": [
            {"name": people.name(v.party_id), "label": CONSENT_ANSWER_LABELS[Answer(v.answer)]}
            for v in view.votes
        ],
        "can_answer": view.awaits_my_answer,
        "invite_url": view.invite_url,
    }


def _consents_context(
    request: HttpRequest, case_id: uuid.UUID, bound: Forms
) -> tuple[str, dict[str, Any]]:
    user = viewer(request)
    found, me = disclosures.read_consents(user, case_id)
    people = People(me)
    views = disclosure_selectors.consent_views(me, found)
    can_request = disclosure_selectors.may_request_consent(me)
    named = any(v.meeting_id for v in views)
    listed = meeting_selectors.meetings(user, case_id)[0] if can_request or named else []
    meetings = {m.id: m for m in listed}
    form = bound.get("request") or ConsentForm()
    if can_request:
        _consent_choices(listed, form, people)
    return "web/consents.html", {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "consents"),
        "consents": [_consent_row(v, meetings, people) for v in views],
        "form": form if can_request else None,
    }


consents_view = _listing(
    _consents_context,
    ConsentForm,
    "request",
    lambda user, case_id, d: disclosures.request_consent(
        user,
        case_id,
        kind=d["kind"],
        name=d["name"],
        email=d["email"] or None,
        purpose=d["purpose"],
        meeting_id=d["meeting_id"],
        side_id=d["side_id"],
    ),
    "consent",
)
approve_consent_view = _answering(
    disclosures.read_consent, disclosures.approve_consent, _consents_context, "consent"
)
deny_consent_view = _answering(
    disclosures.read_consent, disclosures.deny_consent, _consents_context, "consent"
)


# --- Concerns -------------------------------------------------------------------------------


def _concerns_context(
    request: HttpRequest, case_id: uuid.UUID, bound: Forms
) -> tuple[str, dict[str, Any]]:
    found, me = disclosures.read_concerns(viewer(request), case_id)
    people = People(me)
    rows = [
        {
            "c": c,
            "topic": TOPIC_LABELS.get(ConcernTopic(c.topic), c.topic),
            "raised_by": people.name(c.raised_by_id),
            "responses": [{"r": r, "author": people.name(r.author_id)} for r in c.responses.all()],
            "form": bound.get(f"respond:{c.id}") or ResponseForm(auto_id=f"respond-{c.id}-%s"),
        }
        for c in found
    ]
    return "web/concerns.html", {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "concerns"),
        "concerns": rows,
        "can_raise": disclosure_selectors.may_raise_concern(me),
        "can_respond": disclosure_selectors.may_respond_to_concern(me),
        "form": bound.get("raise") or ConcernForm(),
    }


concerns_view = _listing(
    _concerns_context,
    ConcernForm,
    "raise",
    lambda user, case_id, d: disclosures.raise_concern(
        user, case_id, topic=d["topic"], body=d["body"]
    ),
    "concern",
)


@signed_in
@require_POST
def respond_concern_view(request: HttpRequest, concern_id: uuid.UUID) -> HttpResponse:
    user = viewer(request)
    found, _ = disclosures.read_concern(user, concern_id)
    form = ResponseForm(request.POST, auto_id=f"respond-{concern_id}-%s")

    def call(data: dict[str, Any]) -> str:
        disclosures.respond_to_concern(user, concern_id, body=data["body"])
        return reverse("web:concerns", args=[found.case_id]) + f"#concern-{concern_id}"

    bound: Forms = {f"respond:{concern_id}": form}
    return submit(form, call, _again(request, _concerns_context, found.case_id, bound))


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
    request: HttpRequest, case_id: uuid.UUID, bound: Forms
) -> tuple[str, dict[str, Any]]:
    found, me = portal.read_messages(viewer(request), case_id)
    people = People(me)
    form = bound.get("write") or MessageForm(initial={"audience": "mediators"})
    if me.side_id is None:
        # Someone without a side (a mediator, a neutral expert) has no "my side" to write to.
        field = form.fields["audience"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(k, v) for k, v in AUDIENCE_CHOICES.items() if k != "own_side"]
    return "web/messages.html", {
        "case": me.case,
        "me": me,
        "nav": case_nav(me, "messages"),
        "messages_list": [
            {"m": m, "author": m.author.user.name, "to": _audience_label(m.audience, people)}
            for m in found
        ],
        "can_post": portal_selectors.may_post(me),
        "form": form,
    }


messages_view = _listing(
    _messages_context,
    MessageForm,
    "write",
    lambda user, case_id, d: portal.post_message(
        user, case_id, body=d["body"], audience=d["audience"]
    ),
    "message",
)
