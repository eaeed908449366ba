"""Meetings, attendance, items, notes and the records request. Parse, call one service or
selector, render."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema, Status
from pydantic import Field

from caucus.api.routing import ResourceRouter
from caucus.api.schemas import (
    ErrorOut,
    Flag,
    JsonObjectIn,
    Listing,
    PageParams,
    optional_text,
    required_text,
)
from caucus.api.security import caller
from caucus.meetings import ics, selectors, services, video
from caucus.meetings.models import Feedback, Meeting
from caucus.vault.responses import attachment

router = ResourceRouter(tags=["meetings"])

Text = Annotated[str, required_text(services.TEXT_MAX)]
NoteBody = Annotated[str, required_text(services.NOTE_MAX)]


Minutes = Annotated[int, Field(ge=services.DURATION_MIN, le=services.DURATION_MAX)]


class MeetingIn(Schema):
    kind: Literal["joint", "caucus"]
    side_id: uuid.UUID | None = None
    mode: Literal["in_person", "virtual"]
    starts_at: datetime
    duration_minutes: Minutes = 60


class RescheduleIn(Schema):
    starts_at: datetime
    duration_minutes: Minutes | None = None


class MeetingOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    side_id: uuid.UUID | None
    mode: str
    starts_at: datetime
    status: str
    audience: str
    duration_minutes: int


class MeetingList(Listing[MeetingOut]):
    pass


class AttestationIn(JsonObjectIn):
    private_location: Flag = False
    not_recording: Flag = False
    others_present: list[Annotated[str, optional_text(services.NAME_MAX)]] = Field(
        default_factory=list, max_length=20
    )


class JoinIn(Schema):
    attestation: AttestationIn


class JoinOut(Schema):
    state: str


class AttendanceOut(Schema):
    participant_id: uuid.UUID
    state: str
    attestation: dict[str, Any]
    at: datetime


class AttendanceList(Listing[AttendanceOut]):
    pass


class AdmitIn(Schema):
    participant_id: uuid.UUID


class RoomOut(Schema):
    video: dict[str, Any]


class ItemIn(Schema):
    text: Text


class ItemOut(Schema):
    id: uuid.UUID
    meeting_id: uuid.UUID | None
    text: str
    audience: str
    origin_side_id: uuid.UUID | None
    decision: str | None
    wording: str | None
    confirmed: bool
    source_item_id: uuid.UUID | None
    created_at: datetime
    proposed_wording: str | None = Field(
        None,
        description="The party's own wording offered at close-out, until the mediator "
        "accepts it (meanwhile the decision is keep_confidential)",
    )


class ItemList(Listing[ItemOut]):
    pass


class DecisionIn(Schema):
    decision: Literal["keep_confidential", "may_share", "may_share_as_worded"]
    wording: Annotated[str, optional_text(services.TEXT_MAX)] | None = None


class ConfirmIn(Schema):
    decision: Literal["keep_confidential", "may_share", "may_share_as_worded"] | None = None
    wording: Annotated[str, optional_text(services.TEXT_MAX)] | None = None


class NoteIn(Schema):
    body: NoteBody


class NoteCreated(Schema):
    id: uuid.UUID
    version: int


class VersionOut(Schema):
    version: int
    body: str
    created_at: datetime


class FeedbackOut(Schema):
    id: uuid.UUID
    author_id: uuid.UUID
    on_version: int
    body: str
    audience: str
    resolved_in_version: int | None
    created_at: datetime


class NoteOut(Schema):
    id: uuid.UUID
    meeting_id: uuid.UUID
    version: int
    body: str
    audience: str
    versions: list[VersionOut]
    feedback: list[FeedbackOut]


class FeedbackIn(Schema):
    body: Text


class ReviseIn(Schema):
    body: NoteBody
    resolves: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class RecordsOut(Schema):
    notes: list[NoteOut]
    statement: str


def render_meeting(m: Meeting) -> MeetingOut:
    return MeetingOut.from_orm(m)


def render_item(view: selectors.ItemView) -> ItemOut:
    return ItemOut.from_orm(view)


def render_feedback(f: Feedback) -> FeedbackOut:
    return FeedbackOut.from_orm(f)


def render_note(view: selectors.NoteView) -> NoteOut:
    return NoteOut(
        id=view.note.id,
        meeting_id=view.note.meeting_id,
        version=view.current.version,
        body=view.current.body,
        audience=view.note.audience,
        versions=[
            VersionOut(version=v.version, body=v.body, created_at=v.created_at)
            for v in view.versions
        ],
        feedback=[render_feedback(f) for f in view.feedback],
    )


@router.post(
    "/cases/{case_id}/meetings",
    response={201: MeetingOut},
    summary="Schedule a joint meeting or a caucus (mediator)",
)
def schedule(request: HttpRequest, case_id: uuid.UUID, payload: MeetingIn) -> Status[MeetingOut]:
    meeting = services.schedule_meeting(
        caller(request),
        case_id,
        **payload.model_dump(),
    )
    return Status(201, render_meeting(meeting))


@router.post(
    "/meetings/{meeting_id}/reschedule",
    response=MeetingOut,
    summary="Move a meeting that has not started; attendees are told (mediator)",
)
def reschedule(request: HttpRequest, meeting_id: uuid.UUID, payload: RescheduleIn) -> MeetingOut:
    meeting = services.reschedule_meeting(caller(request), meeting_id, **payload.model_dump())
    return render_meeting(meeting)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response=MeetingOut,
    summary="Cancel a meeting that has not started; attendees are told (mediator)",
)
def cancel(request: HttpRequest, meeting_id: uuid.UUID) -> MeetingOut:
    return render_meeting(services.cancel_meeting(caller(request), meeting_id))


@router.get(
    "/cases/{case_id}/meetings", response=MeetingList, summary="Meetings the caller may attend"
)
def list_meetings(
    request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]
) -> MeetingList:
    found, _ = selectors.meetings_page(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return MeetingList(items=[render_meeting(m) for m in found.rows], next=found.next_cursor)


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="A meeting")
def get_meeting(request: HttpRequest, meeting_id: uuid.UUID) -> MeetingOut:
    return render_meeting(selectors.meeting(caller(request), meeting_id)[0])


@router.post(
    "/meetings/{meeting_id}/start", response=MeetingOut, summary="Start a meeting (mediator)"
)
def start(request: HttpRequest, meeting_id: uuid.UUID) -> MeetingOut:
    return render_meeting(services.start_meeting(caller(request), meeting_id))


@router.post(
    "/meetings/{meeting_id}/end",
    response=MeetingOut,
    summary="End a meeting (mediator); a caucus needs its close-out first",
)
def end(request: HttpRequest, meeting_id: uuid.UUID) -> MeetingOut:
    return render_meeting(services.end_meeting(caller(request), meeting_id))


@router.post(
    "/meetings/{meeting_id}/join",
    response={202: JoinOut},
    summary="Join with an attestation; wait in the lobby",
)
def join(request: HttpRequest, meeting_id: uuid.UUID, payload: JoinIn) -> Status[JoinOut]:
    a = payload.attestation
    attendance = services.join_meeting(
        caller(request),
        meeting_id,
        private_location=a.private_location,
        not_recording=a.not_recording,
        others_present=a.others_present,
    )
    return Status(202, JoinOut(state=attendance.state))


@router.get(
    "/meetings/{meeting_id}/attendance",
    response=AttendanceList,
    summary="The lobby and who is in, with attestations (mediator)",
)
def get_attendance(
    request: HttpRequest, meeting_id: uuid.UUID, params: Query[PageParams]
) -> AttendanceList:
    rows, more = selectors.attendance(
        caller(request), meeting_id, cursor=params.cursor, limit=params.limit
    )
    return AttendanceList(
        items=[
            AttendanceOut(participant_id=r.participant_id, state=r.state, attestation=att, at=r.at)
            for r, att in rows
        ],
        next=more,
    )


@router.post(
    "/meetings/{meeting_id}/admit",
    response=AttendanceOut,
    summary="Admit one attendee from the lobby (mediator)",
)
def admit(request: HttpRequest, meeting_id: uuid.UUID, payload: AdmitIn) -> AttendanceOut:
    import json

    row = services.admit(caller(request), meeting_id, payload.participant_id)
    return AttendanceOut(
        participant_id=row.participant_id,
        state=row.state,
        attestation=json.loads(row.attestation_json),
        at=row.at,
    )


class CaucusIn(Schema):
    side_id: uuid.UUID


@router.post(
    "/meetings/{meeting_id}/caucus",
    response={201: MeetingOut},
    summary="From a running joint meeting, open a caucus with one side and invite it (mediator)",
)
def open_caucus(
    request: HttpRequest, meeting_id: uuid.UUID, payload: CaucusIn
) -> Status[MeetingOut]:
    return Status(
        201, render_meeting(services.open_caucus(caller(request), meeting_id, payload.side_id))
    )


@router.post(
    "/meetings/{meeting_id}/remove",
    response=JoinOut,
    summary="Turn someone away from the lobby or send them out of the room (mediator)",
)
def remove(request: HttpRequest, meeting_id: uuid.UUID, payload: AdmitIn) -> JoinOut:
    row = services.remove_attendee(caller(request), meeting_id, payload.participant_id)
    return JoinOut(state=row.state)


@router.post(
    "/meetings/{meeting_id}/leave",
    response=JoinOut,
    summary="Leave the lobby or the room; joining again leads back to the lobby",
)
def leave(request: HttpRequest, meeting_id: uuid.UUID) -> JoinOut:
    row = services.leave_meeting(caller(request), meeting_id)
    return JoinOut(state=row.state)


@router.get(
    "/meetings/{meeting_id}/room",
    response={200: RoomOut, 503: ErrorOut},
    summary="The video room, for admitted attendees and the mediator",
)
def room(request: HttpRequest, meeting_id: uuid.UUID) -> RoomOut:
    meeting, me = selectors.room(caller(request), meeting_id)
    return RoomOut(video=video.room_for(meeting, me))


class JanusTokenOut(Schema):
    token: str
    token_expires_at: str


@router.get(
    "/meetings/{meeting_id}/room/token",
    response=JanusTokenOut,
    summary="A fresh video-server token for the room's page (Janus mode; admitted only)",
)
def room_token(request: HttpRequest, meeting_id: uuid.UUID) -> JanusTokenOut:
    meeting, me = selectors.room(caller(request), meeting_id)
    return JanusTokenOut(**video.janus_token(meeting, me))


@router.get(
    "/meetings/{meeting_id}/ics",
    response=None,
    summary="A calendar invite with no confidential text",
)
def calendar(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting, _ = selectors.meeting(caller(request), meeting_id)
    body = ics.invite(meeting, f"{settings.CAUCUS_SITE_URL}/meetings/{meeting.id}")
    return attachment(body, "text/calendar; charset=utf-8", "mediation-meeting.ics")


@router.post(
    "/meetings/{meeting_id}/items",
    response={201: ItemOut},
    summary="Raise an item; in a caucus its audience is that side",
)
def raise_item(request: HttpRequest, meeting_id: uuid.UUID, payload: ItemIn) -> Status[ItemOut]:
    return Status(
        201,
        render_item(
            selectors.own_item_view(
                services.raise_item(caller(request), meeting_id, text=payload.text)
            )
        ),
    )


@router.put(
    "/items/{item_id}/decision",
    response=ItemOut,
    summary="Record a confidentiality decision (mediator)",
)
def decide(request: HttpRequest, item_id: uuid.UUID, payload: DecisionIn) -> ItemOut:
    item = services.decide_item(caller(request), item_id, **payload.model_dump())
    return render_item(selectors.own_item_view(item))


@router.post(
    "/items/{item_id}/confirm",
    response=ItemOut,
    summary="The item's party confirms the decision, or narrows it",
    # The body is optional (no body confirms the proposal), but when sent it is an object.
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConfirmIn"}}},
            "required": False,
        }
    },
)
def confirm(request: HttpRequest, item_id: uuid.UUID, payload: ConfirmIn | None = None) -> ItemOut:
    # No body at all is a plain confirmation of the mediator's proposal, as before issue 15.
    choice = payload.model_dump() if payload is not None else {}
    item = services.confirm_item(caller(request), item_id, **choice)
    return render_item(selectors.own_item_view(item))


@router.post(
    "/items/{item_id}/accept-wording",
    response=ItemOut,
    summary="The mediator accepts the wording the party offered at close-out",
)
def accept_wording(request: HttpRequest, item_id: uuid.UUID) -> ItemOut:
    return render_item(selectors.own_item_view(services.accept_wording(caller(request), item_id)))


@router.get("/cases/{case_id}/items", response=ItemList, summary="Items the caller may see")
def list_items(request: HttpRequest, case_id: uuid.UUID, params: Query[PageParams]) -> ItemList:
    found, me = selectors.read_items(
        caller(request), case_id, cursor=params.cursor, limit=params.limit
    )
    return ItemList(
        items=[render_item(v) for v in selectors.item_views(me, found.rows)],
        next=found.next_cursor,
    )


@router.get("/items/{item_id}", response=ItemOut, summary="One item")
def get_item(request: HttpRequest, item_id: uuid.UUID) -> ItemOut:
    found, me = selectors.read_item(caller(request), item_id)
    return render_item(selectors.item_views(me, [found])[0])


@router.post(
    "/meetings/{meeting_id}/notes",
    response={201: NoteCreated},
    summary="Write the notes of a meeting (mediator)",
)
def write_note(request: HttpRequest, meeting_id: uuid.UUID, payload: NoteIn) -> Status[NoteCreated]:
    note = services.write_note(caller(request), meeting_id, body=payload.body)
    return Status(201, NoteCreated(id=note.id, version=note.current_version))


@router.get(
    "/notes/{note_id}",
    response=NoteOut,
    summary="Notes with every version and the feedback the caller may see",
)
def get_note(request: HttpRequest, note_id: uuid.UUID) -> NoteOut:
    return render_note(selectors.read_note(caller(request), note_id)[0])


@router.get(
    "/notes/{note_id}/pdf",
    response=None,
    summary="The notes as a PDF marked as a confidential mediation communication",
)
def note_pdf(request: HttpRequest, note_id: uuid.UUID) -> HttpResponse:
    body = services.export_notes_pdf(caller(request), note_id)
    return attachment(body, "application/pdf", "meeting-notes.pdf")


@router.post(
    "/notes/{note_id}/feedback",
    response={201: FeedbackOut},
    summary="A correction or comment; seen by the mediators and the giver's side",
)
def feedback(request: HttpRequest, note_id: uuid.UUID, payload: FeedbackIn) -> Status[FeedbackOut]:
    row = services.give_feedback(caller(request), note_id, body=payload.body)
    return Status(201, render_feedback(row))


@router.post(
    "/notes/{note_id}/revise",
    response=NoteOut,
    summary="A new version, resolving feedback (mediator)",
)
def revise(request: HttpRequest, note_id: uuid.UUID, payload: ReviseIn) -> NoteOut:
    user = caller(request)
    services.revise_note(user, note_id, **payload.model_dump())
    return render_note(selectors.note(user, note_id)[0])


@router.post(
    "/cases/{case_id}/records-request",
    response=RecordsOut,
    summary="The notes the caller may see and the statement that no recording exists",
)
def records_request(request: HttpRequest, case_id: uuid.UUID) -> RecordsOut:
    views, _ = selectors.records_request_notes(caller(request), case_id)
    return RecordsOut(
        notes=[render_note(v) for v in views], statement=selectors.NO_RECORDING_STATEMENT
    )
