"""The meeting pages: the meeting itself (status, attestation and lobby, video room, live
chat, items and their decisions, notes), the party's close-out page and the records
request. Each request parses one form and calls one function of caucus.meetings; a domain
error re-renders the page with its message (400/409), not visible is 404, not allowed 403."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caucus.accounts.models import User
from caucus.kernel.errors import DomainError, Forbidden, NotVisible, Throttled
from caucus.kernel.permissions import Action, can, can_confirm_item
from caucus.meetings import selectors, services
from caucus.meetings.models import AttendanceState, Decision, Item, MeetingKind, MeetingStatus
from caucus.web.exchange_views import disclose_form_for, may_draft
from caucus.web.views import signed_in

DECISION_LABELS = {
    Decision.KEEP_CONFIDENTIAL: "Keep confidential",
    Decision.MAY_SHARE: "May be shared",
    Decision.MAY_SHARE_AS_WORDED: "May be shared only as worded",
}


class JoinForm(forms.Form):
    private_location = forms.BooleanField(
        required=False, label="I am in a private place where nobody can overhear"
    )
    not_recording = forms.BooleanField(
        required=False, label="I am not recording this meeting in any way"
    )
    others_present = forms.CharField(
        required=False,
        max_length=4_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Anyone else with you",
        help_text="One name a line; leave empty if you are alone. Everyone present needs the "
        "parties' consent as a guest of this meeting.",
    )

    def names(self) -> list[str]:
        raw: str = self.cleaned_data["others_present"]
        return [line.strip() for line in raw.splitlines() if line.strip()]


class AdmitForm(forms.Form):
    participant_id = forms.UUIDField(widget=forms.HiddenInput)


class CaucusForm(forms.Form):
    side_id = forms.UUIDField(label="Open a caucus with")


class ItemForm(forms.Form):
    text = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was raised",
        help_text="In a caucus only this side and the mediator see it.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("", "Choose…"), *DECISION_LABELS.items()], label="Decision"
    )
    wording = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Wording that may be shared (only for “as worded”)",
    )


class ConfirmForm(forms.Form):
    next = forms.ChoiceField(
        choices=[("meeting", "meeting"), ("closeout", "closeout")],
        required=False,
        widget=forms.HiddenInput,
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        max_length=100_000, widget=forms.Textarea(attrs={"rows": 6}), label="Notes"
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Your feedback or correction",
        help_text="Seen by the mediator and your own side.",
    )


class UUIDChoices(forms.MultipleChoiceField):
    """Feedback ids to resolve; whether each belongs to the note is the service's check."""

    def valid_value(self, value: Any) -> bool:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True


class ReviseForm(forms.Form):
    body = forms.CharField(
        max_length=100_000, widget=forms.Textarea(attrs={"rows": 6}), label="Revised notes"
    )
    resolves = UUIDChoices(required=False, label="Feedback this version resolves")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (guaranteed by @signed_in)
    return user


def _field_errors(form: forms.Form, exc: DomainError) -> None:
    fields: dict[str, list[str]] = exc.extra.get("fields", {})
    for name, messages in fields.items():
        short = name.removeprefix("attestation.")
        target = short if short in form.fields else None
        for message in messages:
            form.add_error(target, message)
    if not fields:
        form.add_error(None, exc.detail)


def _meeting_title(page: selectors.MeetingPage) -> str:
    meeting = page.meeting
    if meeting.kind != MeetingKind.CAUCUS:
        return "Joint meeting"
    party = next(
        (
            name
            for pid, (name, side, role) in page.people.items()
            if side == meeting.side_id and role == "party"
        ),
        None,
    )
    return f"Caucus with {party}" if party else "Caucus"


def _page_context(
    page: selectors.MeetingPage,
    overrides: dict[str, forms.Form],
) -> dict[str, Any]:
    me = page.me
    meeting = page.meeting
    running = meeting.status == MeetingStatus.RUNNING
    state = page.my_attendance.state if page.my_attendance else ""
    admitted = state == AttendanceState.ADMITTED
    items = []
    for item in page.items:
        key = f"decision:{item.id}"
        initial = {"decision": item.decision}
        if item.wording_sealed is not None:
            initial["wording"] = item.wording
        items.append(
            {
                "item": item,
                "decision_label": DECISION_LABELS.get(Decision(item.decision))
                if item.decision
                else "",
                "wording": item.wording if item.wording_sealed is not None else "",
                "raised_by": page.people.get(item.raised_by_id, ("", None, ""))[0],
                "can_decide": page.is_mediator and item.source_item_id is None,
                "can_confirm": can_confirm_item(me, item.origin_side_id)
                and bool(item.decision)
                and not item.confirmed,
                "decision_form": overrides.get(key)
                or DecisionForm(initial=initial, auto_id=f"decision-{item.id}-%s"),
                "disclose_form": (
                    overrides.get(f"disclose:{item.id}") or disclose_form_for(item, page.people)
                )
                if may_draft(me, item)
                else None,
            }
        )
    notes = []
    for view in page.notes:
        feedback = [
            {"f": f, "author": page.people.get(f.author_id, ("", None, ""))[0]}
            for f in view.feedback
        ]
        notes.append(
            {
                "view": view,
                "older": list(reversed(view.versions[:-1])),
                "feedback": feedback,
                "feedback_form": overrides.get(f"feedback:{view.note.id}")
                or FeedbackForm(auto_id=f"feedback-{view.note.id}-%s"),
                "revise_form": overrides.get(f"revise:{view.note.id}")
                or ReviseForm(
                    initial={"body": view.current.body}, auto_id=f"revise-{view.note.id}-%s"
                ),
                "open_feedback": [f for f in view.feedback if f.resolved_in_version is None],
            }
        )
    lobby = [
        {
            "row": row,
            "name": page.people.get(row.participant_id, ("", None, ""))[0],
            "attestation": att,
        }
        for row, att in page.lobby
    ]
    room = page.room or {}
    is_party_of_caucus = meeting.kind == MeetingKind.CAUCUS and can_confirm_item(
        me, meeting.side_id
    )
    return {
        "meeting": meeting,
        "case": meeting.case,
        "me": me,
        "title": _meeting_title(page),
        "is_mediator": page.is_mediator,
        "can_join": can(me, Action.JOIN_MEETING) and running and state != AttendanceState.ADMITTED,
        "state": state,
        "admitted": admitted,
        "in_room": page.in_room and running,
        "room": room,
        # The room's live page (socket, chat, video, forms sent without a reload).
        "live_room": page.in_room and running,
        "ice_json": json.dumps(room.get("ice_servers", [])),
        "lobby_ws_path": f"/ws/meetings/{meeting.id}/lobby/"
        if running and state == AttendanceState.LOBBY
        else "",
        "chat_path": f"/ws/meetings/{meeting.id}/",
        "names_json": json.dumps({str(k): v[0] for k, v in page.people.items()}),
        "items": items,
        "can_raise": running and can(me, Action.RAISE_ITEM) and (page.is_mediator or admitted),
        "notes": notes,
        "can_write_notes": page.is_mediator and meeting.status != MeetingStatus.SCHEDULED,
        "lobby": lobby,
        # The sides a mediator may take aside from a running joint meeting: (side, its party).
        "caucus_sides": sorted(
            {(str(side), name) for name, side, role in page.people.values() if role == "party"},
            key=lambda pair: pair[1],
        )
        if page.is_mediator and running and meeting.kind == MeetingKind.JOINT
        else [],
        "is_party_of_caucus": is_party_of_caucus,
        # The domain's close-out, as the end of the meeting refuses with it; rendered only.
        "closeout": page.closeout,
        "closeout_missing": _closeout_rows(page),
        "can_end": page.can_end,
        "forms": {
            # An attestation given for this sitting (in the joint meeting the mediator came
            # from) is offered again for reconfirmation, not retyped.
            "join": overrides.get("join") or JoinForm(initial=_reconfirm(page.reconfirm)),
            "item": overrides.get("item") or ItemForm(),
            "note": overrides.get("note") or NoteForm(),
        },
    }


def _closeout_rows(page: selectors.MeetingPage) -> list[dict[str, Any]]:
    """Each gap of the close-out beside the item it names (for its text)."""
    shown = {item.id: item for item in page.items}
    return [{"gap": gap, "item": shown.get(gap.item_id)} for gap in page.closeout.missing]


def _reconfirm(attestation: dict[str, Any] | None) -> dict[str, Any]:
    if not attestation:
        return {}
    return {
        "private_location": attestation.get("private_location", False),
        "not_recording": attestation.get("not_recording", False),
        "others_present": "\n".join(attestation.get("others_present", [])),
    }


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"message": exc.detail}, status=exc.status)


def render_meeting(
    request: HttpRequest,
    meeting_id: uuid.UUID,
    *,
    template: str = "web/meeting.html",
    overrides: dict[str, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        page = services.view_meeting(_user(request), meeting_id)
    except DomainError as exc:
        if isinstance(exc, (NotVisible, Forbidden, Throttled)):
            raise
        return _refused(request, exc)  # e.g. agreements not yet signed (409)
    context = _page_context(page, overrides or {})
    context["error"] = error
    if error is not None and error.code == services.CLOSEOUT_INCOMPLETE:
        context["error_items"] = context["closeout_missing"]
    return render(request, template, context, status=status)


def _act(
    request: HttpRequest,
    form: forms.Form,
    key: str,
    call: Callable[[dict[str, Any]], str],
    where: Callable[[], uuid.UUID],
    template: str = "web/meeting.html",
) -> HttpResponse:
    """Validates the form and calls the service; on a domain error re-renders the page the
    form was on, with the message next to the form."""
    error: DomainError | None = None
    if form.is_valid():
        try:
            return redirect(call(form.cleaned_data))
        except DomainError as exc:
            if isinstance(exc, (NotVisible, Forbidden, Throttled)):
                raise
            _field_errors(form, exc)
            error = exc
    status = error.status if error is not None else 400
    return render_meeting(
        request, where(), template=template, overrides={key: form}, error=error, status=status
    )


def _meeting_url(meeting_id: uuid.UUID, anchor: str = "") -> str:
    url = reverse("web:meeting", args=[meeting_id])
    return f"{url}#{anchor}" if anchor else url


@signed_in
@require_http_methods(["GET"])
def meeting_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    return render_meeting(request, meeting_id)


@signed_in
@require_http_methods(["GET"])
def closeout_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    return render_meeting(request, meeting_id, template="web/closeout.html")


@signed_in
@require_POST
def start_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        services.start_meeting(_user(request), meeting_id)
        return _meeting_url(meeting_id)

    return _act(request, forms.Form(request.POST), "run", call, lambda: meeting_id)


@signed_in
@require_POST
def end_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        services.end_meeting(_user(request), meeting_id)
        return _meeting_url(meeting_id)

    return _act(request, forms.Form(request.POST), "run", call, lambda: meeting_id)


@signed_in
@require_POST
def join_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    form = JoinForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        services.join_meeting(
            _user(request),
            meeting_id,
            private_location=data["private_location"],
            not_recording=data["not_recording"],
            others_present=form.names(),
        )
        return _meeting_url(meeting_id, "attendance")

    return _act(request, form, "join", call, lambda: meeting_id)


@signed_in
@require_POST
def admit_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        services.admit(_user(request), meeting_id, data["participant_id"])
        return _meeting_url(meeting_id, "lobby")

    return _act(request, AdmitForm(request.POST), "admit", call, lambda: meeting_id)


@signed_in
@require_POST
def open_caucus_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        caucus = services.open_caucus(_user(request), meeting_id, data["side_id"])
        return _meeting_url(caucus.id)

    return _act(request, CaucusForm(request.POST), "caucus", call, lambda: meeting_id)


@signed_in
@require_POST
def remove_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        services.remove_attendee(_user(request), meeting_id, data["participant_id"])
        return _meeting_url(meeting_id, "lobby")

    return _act(request, AdmitForm(request.POST), "admit", call, lambda: meeting_id)


@signed_in
@require_POST
def leave_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        services.leave_meeting(_user(request), meeting_id)
        return _meeting_url(meeting_id)

    return _act(request, forms.Form(request.POST), "join", call, lambda: meeting_id)


@signed_in
@require_POST
def raise_item_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        item = services.raise_item(_user(request), meeting_id, text=data["text"])
        return _meeting_url(meeting_id, f"item-{item.id}")

    return _act(request, ItemForm(request.POST), "item", call, lambda: meeting_id)


def _item_meeting(request: HttpRequest, item_id: uuid.UUID) -> uuid.UUID:
    found: Item = selectors.item(_user(request), item_id)[0]
    if found.meeting_id is None:
        raise NotVisible()
    return found.meeting_id


@signed_in
@require_POST
def decide_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    form = DecisionForm(request.POST, auto_id=f"decision-{item_id}-%s")

    def call(data: dict[str, Any]) -> str:
        item = services.decide_item(
            _user(request), item_id, decision=data["decision"], wording=data["wording"] or None
        )
        assert item.meeting_id is not None  # noqa: S101  (raised in a meeting)
        return _meeting_url(item.meeting_id, f"item-{item.id}")

    return _act(request, form, f"decision:{item_id}", call, lambda: _item_meeting(request, item_id))


@signed_in
@require_POST
def confirm_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    form = ConfirmForm(request.POST)
    to_closeout = request.POST.get("next") == "closeout"

    def call(data: dict[str, Any]) -> str:
        item = services.confirm_item(_user(request), item_id)
        assert item.meeting_id is not None  # noqa: S101
        if to_closeout:
            return reverse("web:closeout", args=[item.meeting_id]) + f"#item-{item.id}"
        return _meeting_url(item.meeting_id, f"item-{item.id}")

    template = "web/closeout.html" if to_closeout else "web/meeting.html"
    return _act(
        request,
        form,
        f"confirm:{item_id}",
        call,
        lambda: _item_meeting(request, item_id),
        template=template,
    )


@signed_in
@require_POST
def write_note_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        note = services.write_note(_user(request), meeting_id, body=data["body"])
        return _meeting_url(meeting_id, f"note-{note.id}")

    return _act(request, NoteForm(request.POST), "note", call, lambda: meeting_id)


def _note_meeting(request: HttpRequest, note_id: uuid.UUID) -> uuid.UUID:
    return selectors.note(_user(request), note_id)[0].note.meeting_id


@signed_in
@require_POST
def feedback_view(request: HttpRequest, note_id: uuid.UUID) -> HttpResponse:
    form = FeedbackForm(request.POST, auto_id=f"feedback-{note_id}-%s")

    def call(data: dict[str, Any]) -> str:
        row = services.give_feedback(_user(request), note_id, body=data["body"])
        return _meeting_url(row.note.meeting_id, f"note-{note_id}")

    return _act(request, form, f"feedback:{note_id}", call, lambda: _note_meeting(request, note_id))


@signed_in
@require_POST
def revise_view(request: HttpRequest, note_id: uuid.UUID) -> HttpResponse:
    form = ReviseForm(request.POST, auto_id=f"revise-{note_id}-%s")

    def call(data: dict[str, Any]) -> str:
        note = services.revise_note(
            _user(request),
            note_id,
            body=data["body"],
            resolves=[uuid.UUID(v) for v in data["resolves"]],
        )
        return _meeting_url(note.meeting_id, f"note-{note_id}")

    return _act(request, form, f"revise:{note_id}", call, lambda: _note_meeting(request, note_id))


@signed_in
@require_POST
def records_request_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    try:
        views, statement = services.records_request(_user(request), case_id)
    except DomainError as exc:
        if isinstance(exc, (NotVisible, Forbidden, Throttled)):
            raise
        return _refused(request, exc)
    return render(
        request,
        "web/records.html",
        {"case_id": case_id, "notes": views, "statement": statement},
    )
