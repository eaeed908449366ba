"""The meeting pages: the meeting itself (status, attestation and lobby, video room, live
chat, items and their decisions, notes), the party's close-out page and the records
request. Each request parses one form and calls one function of caucus.meetings (or, for a draft
disclosure, caucus.disclosures); errors are answered in caucus.web.pages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caucus.accounts.models import User
from caucus.cases.models import Role
from caucus.disclosures import services as disclosures
from caucus.disclosures.selectors import may_draft_disclosure
from caucus.kernel.errors import DomainError, NotVisible
from caucus.meetings import selectors, services
from caucus.meetings.models import Decision, Item, Meeting, MeetingKind
from caucus.web.pages import View, checkbox, long_text, signed_in, submit, viewer

DECISION_LABELS = {
    Decision.KEEP_CONFIDENTIAL: "Keep confidential",
    Decision.MAY_SHARE: "May be shared",
    Decision.MAY_SHARE_AS_WORDED: "May be shared only as worded",
}


MeetingPeople = dict[uuid.UUID, tuple[str, uuid.UUID | None, str]]
# The names typed one a line; the service checks each name against its own limit.
OTHERS_PRESENT_MAX = 4_000


class DiscloseForm(forms.Form):
    to = forms.CharField(max_length=64, widget=forms.Select, label="Share with")
    text = long_text(
        "Wording to share",
        disclosures.TEXT_MAX,
        help_text="Only this wording travels; the original stays with this side. The party "
        "and their attorneys approve it first.",
    )


class JoinForm(forms.Form):
    private_location = checkbox("I am in a private place where nobody can overhear")
    not_recording = checkbox("I am not recording this meeting in any way")
    others_present = long_text(
        "Anyone else with you",
        OTHERS_PRESENT_MAX,
        rows=2,
        help_text="One name a line; leave empty if you are alone. Everyone present needs the "
        "parties' consent as a guest of this meeting.",
        required=False,
    )

    def names(self) -> list[str]:
        raw: str = self.cleaned_data["others_present"]
        return [line.strip() for line in raw.splitlines() if line.strip()]


class AdmitForm(forms.Form):
    participant_id = forms.UUIDField(widget=forms.HiddenInput)


class CaucusForm(forms.Form):
    side_id = forms.UUIDField(label="Open a caucus with")


class ItemForm(forms.Form):
    text = long_text("What was raised", services.TEXT_MAX, rows=2)

    @classmethod
    def of(cls, meeting: Meeting) -> ItemForm:
        """The form for this meeting, saying who will see what is raised in it."""
        form = cls()
        form.fields["text"].help_text = (
            "Only this side and the mediator see it."
            if meeting.kind == MeetingKind.CAUCUS
            else "Everyone in the case sees it: this is a joint meeting."
        )
        return form


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("", "Choose…"), *DECISION_LABELS.items()], label="Decision"
    )
    wording = long_text(
        "Wording that may be shared (only for “as worded”)",
        services.TEXT_MAX,
        rows=2,
        required=False,
    )


# The party's choices at close-out, as the confirm service takes them: the proposal as it is,
# or one narrower (`caucus.meetings.services.confirm_item` refuses anything wider).
PROPOSAL, KEEP, OWN_WORDING = "proposal", "keep_confidential", "own_wording"


class ConfirmForm(forms.Form):
    next = forms.ChoiceField(
        choices=[("meeting", "meeting"), ("closeout", "closeout")],
        required=False,
        widget=forms.HiddenInput,
    )
    choice = forms.ChoiceField(
        choices=[(PROPOSAL, PROPOSAL), (KEEP, KEEP), (OWN_WORDING, OWN_WORDING)],
        required=False,
        widget=forms.RadioSelect,
    )
    wording = long_text("Your own wording", services.TEXT_MAX, rows=2, required=False)

    def decision(self) -> tuple[str | None, str | None]:
        choice = self.cleaned_data.get("choice") or PROPOSAL
        if choice == KEEP:
            return Decision.KEEP_CONFIDENTIAL, None
        if choice == OWN_WORDING:
            return Decision.MAY_SHARE_AS_WORDED, self.cleaned_data["wording"] or None
        return None, None


def _party_choices(page: selectors.MeetingPage, item: Item) -> list[dict[str, str]]:
    """What the party may choose for one item, each in plain words saying who will see what.
    Only choices as narrow as the mediator's proposal or narrower are offered."""
    people = page.people.values()
    attorney = any(role == "attorney" and side == item.origin_side_id for _, side, role in people)
    expert = any(role == "expert" for _, _, role in people)
    you = "you, your attorney" if attorney else "you"
    approve = "you and your attorney approve" if attorney else "you approve"
    everyone = "the other side and the expert" if expert else "the other side"
    keep = {
        "value": KEEP,
        "title": "Keep it confidential",
        "means": f"Only {you} and the mediator will ever see it. It is never shared with "
        f"{everyone}.",
    }
    own = {
        "value": OWN_WORDING,
        "title": "Share only words I choose",
        "means": "Write the words below. The mediator reads them; until the mediator accepts "
        "them, the item stays confidential. Once accepted, only your words may be shared, "
        f"and only after {approve} sharing them.",
    }
    proposal = {"value": PROPOSAL, "title": "Agree with the mediator's proposal"}
    if item.decision == Decision.KEEP_CONFIDENTIAL:
        return [{**proposal, "means": keep["means"]}]
    if item.decision == Decision.MAY_SHARE_AS_WORDED:
        means = (
            f"Only this wording may be shared: “{item.wording}”. What you said stays here; "
            f"{everyone} may see those words only after {approve} sharing them."
        )
        return [{**proposal, "means": means}, own, keep]
    if page.meeting.case.confidentiality_structure == "shared_unless_marked":
        means = f"As soon as you confirm, {everyone} will see it: everyone in the case."
    else:
        means = f"The mediator may share it with {everyone}, but only in words {approve} first."
    return [{**proposal, "means": means}, own, keep]


class NoteForm(forms.Form):
    body = long_text("Notes", services.NOTE_MAX, rows=6)


class FeedbackForm(forms.Form):
    body = long_text(
        "Your feedback or correction",
        services.TEXT_MAX,
        rows=2,
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
    body = long_text("Revised notes", services.NOTE_MAX, rows=6)
    resolves = UUIDChoices(required=False, label="Feedback this version resolves")


def disclose_form_for(item: Item, people: MeetingPeople) -> DiscloseForm:
    """The draft form of one item on the meeting page, prefilled with its confirmed wording."""
    form = DiscloseForm(
        initial={"text": item.wording if item.wording_sealed is not None else ""},
        auto_id=f"disclose-{item.id}-%s",
    )
    set_disclose_targets(form, item, people)
    return form


def set_disclose_targets(form: DiscloseForm, item: Item, people: MeetingPeople) -> None:
    other_sides: dict[uuid.UUID, str] = {}
    for name, side_id, role in people.values():
        if role == Role.PARTY and side_id and side_id != item.origin_side_id:
            other_sides.setdefault(side_id, f"Only {name}'s side")
    widget = form.fields["to"].widget
    assert isinstance(widget, forms.Select)  # noqa: S101
    expert = any(role == Role.EXPERT for _, _, role in people.values())
    # The case's audience includes an approved expert: the label says so (issue 15).
    everyone = "Everyone in the case, the expert included" if expert else "Everyone in the case"
    widget.choices = [
        ("case", everyone),
        *((str(k), v) for k, v in other_sides.items()),
    ]


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


def _name(page: selectors.MeetingPage, participant_id: uuid.UUID) -> str:
    return page.people.get(participant_id, ("", None, ""))[0]


def _item_row(
    page: selectors.MeetingPage, item: Item, overrides: dict[str, forms.Form]
) -> dict[str, Any]:
    wording = item.wording if item.wording_sealed is not None else ""
    initial = {"decision": item.decision, **({"wording": wording} if wording else {})}
    disclose = None
    if may_draft_disclosure(page.allowed, item):
        disclose = overrides.get(f"disclose:{item.id}") or disclose_form_for(item, page.people)
    return {
        "item": item,
        "decision_label": DECISION_LABELS.get(Decision(item.decision)) if item.decision else "",
        "wording": wording,
        "raised_by": _name(page, item.raised_by_id),
        "can_decide": page.may_decide(item),
        "can_confirm": page.may_confirm(item),
        "choices": _party_choices(page, item) if page.may_confirm(item) else [],
        "confirm_form": overrides.get(f"confirm:{item.id}"),
        "proposed_wording": item.proposed_wording if item.proposed_wording_sealed else "",
        "can_accept_wording": page.may_decide(item) and item.proposed_wording_sealed is not None,
        "decision_form": overrides.get(f"decision:{item.id}")
        or DecisionForm(initial=initial, auto_id=f"decision-{item.id}-%s"),
        "disclose_form": disclose,
    }


def _note_row(
    view: selectors.NoteView, page: selectors.MeetingPage, overrides: dict[str, forms.Form]
) -> dict[str, Any]:
    note_id = view.note.id
    return {
        "view": view,
        "older": list(reversed(view.versions[:-1])),
        "feedback": [{"f": f, "author": _name(page, f.author_id)} for f in view.feedback],
        "feedback_form": overrides.get(f"feedback:{note_id}")
        or FeedbackForm(auto_id=f"feedback-{note_id}-%s"),
        "revise_form": overrides.get(f"revise:{note_id}")
        or ReviseForm(initial={"body": view.current.body}, auto_id=f"revise-{note_id}-%s"),
        "open_feedback": [f for f in view.feedback if f.resolved_in_version is None],
    }


def _room_context(page: selectors.MeetingPage) -> dict[str, Any]:
    meeting = page.meeting
    room = page.room or {}
    live = page.in_room and page.running
    return {
        "in_room": live,
        "room": room,
        # The room's live page (socket, chat, video, forms sent without a reload).
        "live_room": live,
        "ice_json": json.dumps(room.get("ice_servers", [])),
        "lobby_ws_path": f"/ws/meetings/{meeting.id}/lobby/"
        if page.running and page.state == "lobby"
        else "",
        "chat_path": f"/ws/meetings/{meeting.id}/",
        "names_json": json.dumps({str(k): v[0] for k, v in page.people.items()}),
    }


def _page_context(
    page: selectors.MeetingPage,
    overrides: dict[str, forms.Form],
) -> dict[str, Any]:
    meeting = page.meeting
    return {
        "meeting": meeting,
        "case": meeting.case,
        "me": page.me,
        "title": _meeting_title(page),
        "is_mediator": page.is_mediator,
        "can_join": page.may_join,
        "state": page.state,
        "admitted": page.admitted,
        **_room_context(page),
        "items": [_item_row(page, item, overrides) for item in page.items],
        "can_raise": page.may_raise_item,
        "notes": [_note_row(view, page, overrides) for view in page.notes],
        "can_write_notes": page.may_write_notes,
        "lobby": [
            {"row": row, "name": _name(page, row.participant_id), "attestation": att}
            for row, att in page.lobby
        ],
        "caucus_sides": page.caucus_sides(),
        "is_party_of_caucus": page.is_party_of_caucus,
        # The domain's close-out, as the end of the meeting refuses with it; rendered only.
        "closeout": page.closeout,
        "closeout_missing": _closeout_rows(page),
        "can_end": page.can_end,
        "forms": {
            # An attestation given for this sitting (in the joint meeting the mediator came
            # from) is offered again for reconfirmation, not retyped.
            "join": overrides.get("join") or JoinForm(initial=_reconfirm(page.reconfirm)),
            "item": overrides.get("item") or ItemForm.of(meeting),
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


def render_meeting(
    request: HttpRequest,
    meeting_id: uuid.UUID,
    *,
    template: str = "web/meeting.html",
    overrides: dict[str, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    page = services.view_meeting(viewer(request), meeting_id)
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
    return submit(
        form,
        call,
        lambda error, status: render_meeting(
            request, where(), template=template, overrides={key: form}, error=error, status=status
        ),
    )


def _on_meeting(
    key: str,
    form: type[forms.Form],
    act: Callable[[User, uuid.UUID, dict[str, Any]], Any],
    anchor: str | Callable[[Any], str],
) -> View:
    """A POST on a meeting that calls one service and comes back to the meeting page, at
    `anchor` (or the anchor it names for what the service made)."""

    @signed_in
    @require_POST
    def view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
        def call(data: dict[str, Any]) -> str:
            made = act(viewer(request), meeting_id, data)
            return _meeting_url(meeting_id, anchor if isinstance(anchor, str) else anchor(made))

        return _act(request, form(request.POST), key, call, lambda: meeting_id)

    return view


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


start_view = _on_meeting("run", forms.Form, lambda user, m, d: services.start_meeting(user, m), "")


@signed_in
@require_POST
def end_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        services.end_meeting(viewer(request), meeting_id)
        return _meeting_url(meeting_id)

    return _act(request, forms.Form(request.POST), "run", call, lambda: meeting_id)


@signed_in
@require_POST
def join_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    form = JoinForm(request.POST)

    def call(data: dict[str, Any]) -> str:
        services.join_meeting(
            viewer(request),
            meeting_id,
            private_location=data["private_location"],
            not_recording=data["not_recording"],
            others_present=form.names(),
        )
        return _meeting_url(meeting_id, "attendance")

    return _act(request, form, "join", call, lambda: meeting_id)


admit_view = _on_meeting(
    "admit", AdmitForm, lambda user, m, d: services.admit(user, m, d["participant_id"]), "lobby"
)


@signed_in
@require_POST
def open_caucus_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    def call(data: dict[str, Any]) -> str:
        caucus = services.open_caucus(viewer(request), meeting_id, data["side_id"])
        return _meeting_url(caucus.id)

    return _act(request, CaucusForm(request.POST), "caucus", call, lambda: meeting_id)


remove_view = _on_meeting(
    "admit",
    AdmitForm,
    lambda user, m, d: services.remove_attendee(user, m, d["participant_id"]),
    "lobby",
)


leave_view = _on_meeting("join", forms.Form, lambda user, m, d: services.leave_meeting(user, m), "")


raise_item_view = _on_meeting(
    "item",
    ItemForm,
    lambda user, m, d: services.raise_item(user, m, text=d["text"]),
    lambda item: f"item-{item.id}",
)


def _item_meeting(request: HttpRequest, item_id: uuid.UUID) -> uuid.UUID:
    found: Item = selectors.item(viewer(request), item_id)[0]
    if found.meeting_id is None:
        raise NotVisible()
    return found.meeting_id


@signed_in
@require_POST
def decide_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    form = DecisionForm(request.POST, auto_id=f"decision-{item_id}-%s")

    def call(data: dict[str, Any]) -> str:
        item = services.decide_item(
            viewer(request), item_id, decision=data["decision"], wording=data["wording"] or None
        )
        assert item.meeting_id is not None  # noqa: S101  (raised in a meeting)
        return _meeting_url(item.meeting_id, f"item-{item.id}")

    return _act(request, form, f"decision:{item_id}", call, lambda: _item_meeting(request, item_id))


def _on_item_closeout(key: str, act: Callable[[User, uuid.UUID, ConfirmForm], Item]) -> View:
    """A POST on an item from the meeting page or its close-out page (`next`), calling one
    service and coming back to the page the form was on, at the item."""

    @signed_in
    @require_POST
    def view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
        form = ConfirmForm(request.POST)
        to_closeout = request.POST.get("next") == "closeout"

        def call(data: dict[str, Any]) -> str:
            item = act(viewer(request), item_id, form)
            assert item.meeting_id is not None  # noqa: S101  (raised in a meeting)
            page = "web:closeout" if to_closeout else "web:meeting"
            return reverse(page, args=[item.meeting_id]) + f"#item-{item.id}"

        return _act(
            request,
            form,
            f"{key}:{item_id}",
            call,
            lambda: _item_meeting(request, item_id),
            template="web/closeout.html" if to_closeout else "web/meeting.html",
        )

    return view


def _confirm(user: User, item_id: uuid.UUID, form: ConfirmForm) -> Item:
    decision, wording = form.decision()
    return services.confirm_item(user, item_id, decision=decision, wording=wording)


confirm_view = _on_item_closeout("confirm", _confirm)
accept_wording_view = _on_item_closeout(
    "accept", lambda user, item_id, form: services.accept_wording(user, item_id)
)


write_note_view = _on_meeting(
    "note",
    NoteForm,
    lambda user, m, d: services.write_note(user, m, body=d["body"]),
    lambda note: f"note-{note.id}",
)


def _note_meeting(request: HttpRequest, note_id: uuid.UUID) -> uuid.UUID:
    return selectors.note(viewer(request), note_id)[0].note.meeting_id


@signed_in
@require_POST
def feedback_view(request: HttpRequest, note_id: uuid.UUID) -> HttpResponse:
    form = FeedbackForm(request.POST, auto_id=f"feedback-{note_id}-%s")

    def call(data: dict[str, Any]) -> str:
        row = services.give_feedback(viewer(request), note_id, body=data["body"])
        return _meeting_url(row.note.meeting_id, f"note-{note_id}")

    return _act(request, form, f"feedback:{note_id}", call, lambda: _note_meeting(request, note_id))


@signed_in
@require_POST
def revise_view(request: HttpRequest, note_id: uuid.UUID) -> HttpResponse:
    form = ReviseForm(request.POST, auto_id=f"revise-{note_id}-%s")

    def call(data: dict[str, Any]) -> str:
        note = services.revise_note(
            viewer(request),
            note_id,
            body=data["body"],
            resolves=[uuid.UUID(v) for v in data["resolves"]],
        )
        return _meeting_url(note.meeting_id, f"note-{note_id}")

    return _act(request, form, f"revise:{note_id}", call, lambda: _note_meeting(request, note_id))


@signed_in
@require_POST
def records_request_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    views, statement = services.records_request(viewer(request), case_id)
    return render(
        request,
        "web/records.html",
        {"case_id": case_id, "notes": views, "statement": statement},
    )


@signed_in
@require_POST
def disclose_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """A draft disclosure of an item, from the item's place on the meeting page."""
    form = DiscloseForm(request.POST, auto_id=f"disclose-{item_id}-%s")

    def call(data: dict[str, Any]) -> str:
        d = disclosures.draft_disclosure(viewer(request), item_id, to=data["to"], text=data["text"])
        return reverse("web:disclosures", args=[d.case_id]) + f"#disclosure-{d.id}"

    def rerender(error: DomainError | None, status: int) -> HttpResponse:
        meeting_id = _item_meeting(request, item_id)
        page = selectors.meeting_page(viewer(request), meeting_id)
        item = next((i for i in page.items if i.id == item_id), None)
        if item is not None:
            set_disclose_targets(form, item, page.people)
        overrides: dict[str, forms.Form] = {f"disclose:{item_id}": form}
        return render_meeting(request, meeting_id, overrides=overrides, error=error, status=status)

    return submit(form, call, rerender)
