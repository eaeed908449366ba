"""Reads of meetings, items and notes. Every list is one SQL query filtered by the kernel."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from caucus.accounts.models import User
from caucus.cases.access import access_case, access_visible, case_participants
from caucus.cases.models import Participant
from caucus.kernel.errors import DomainError, Unavailable
from caucus.kernel.permissions import Action, can, require
from caucus.kernel.visibility import visible
from caucus.meetings import video
from caucus.meetings.models import (
    Attendance,
    AttendanceState,
    Feedback,
    Item,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Note,
    NoteVersion,
)
from caucus.meetings.rooms import can_see_room

NO_RECORDING_STATEMENT = (
    "Caucus has no recording or transcript feature. No recording or transcript of any "
    "meeting in this mediation exists. Live chat is relayed to those present and never "
    "stored. The mediator's notes, with the corrections participants gave, are the only "
    "record of a meeting."
)


def meetings(user: User, case_id: uuid.UUID) -> tuple[list[Meeting], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    return list(visible(me, Meeting).order_by("starts_at", "id")), me


def meeting(user: User, meeting_id: uuid.UUID) -> tuple[Meeting, Participant]:
    found, me = access_visible(user, Meeting, meeting_id)
    require(me, Action.READ_RECORD)
    return found, me


def attendance(user: User, meeting_id: uuid.UUID) -> list[tuple[Attendance, dict[str, Any]]]:
    found, me = access_visible(user, Meeting, meeting_id)
    require(me, Action.SEE_ATTENDANCE)
    rows = Attendance.objects.filter(meeting=found).order_by("at")
    return [(row, json.loads(row.attestation_json)) for row in rows]


def items(user: User, case_id: uuid.UUID) -> tuple[list[Item], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    qs: QuerySet[Item] = visible(me, Item).order_by("created_at", "id")
    return list(qs), me


def item(user: User, item_id: uuid.UUID) -> tuple[Item, Participant]:
    found, me = access_visible(user, Item, item_id)
    require(me, Action.READ_RECORD)
    return found, me


class Lacks(StrEnum):
    DECISION = "decision"
    CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class Gap:
    """An item raised in a caucus that keeps the caucus from ending (practice 2): it lacks
    the mediator's decision, or the confirmation of the party of its side."""

    item_id: uuid.UUID
    lacks: Lacks

    @property
    def code(self) -> str:
        """Stable, as the API's `missing` lists write it: `decision:<item>`."""
        return f"{self.lacks}:{self.item_id}"


@dataclass(frozen=True)
class Closeout:
    """What still keeps one meeting from ending. It is decided here only: the end of a
    meeting (and the close of its case) refuses with it, and the close-out page shows it."""

    meeting_id: uuid.UUID
    is_caucus: bool
    status: str
    # In the order the items were raised; empty for a joint meeting, which has no close-out.
    missing: tuple[Gap, ...]

    @property
    def running(self) -> bool:
        return self.status == MeetingStatus.RUNNING

    @property
    def may_end(self) -> bool:
        return self.running and not self.missing

    @property
    def item_ids(self) -> list[str]:
        return [str(gap.item_id) for gap in self.missing]

    @property
    def codes(self) -> list[str]:
        return [gap.code for gap in self.missing]


def closeouts(meetings: Iterable[Meeting]) -> list[Closeout]:
    """The close-out of each meeting, in one query whatever their number. The caller has
    resolved the meetings through the kernel: every item of a caucus has the caucus's
    audience (or, once shared, a wider one), so whoever sees the caucus sees every item
    named here."""
    found = list(meetings)
    caucuses = [m.id for m in found if m.kind == MeetingKind.CAUCUS]
    gaps: dict[uuid.UUID, list[Gap]] = {m.id: [] for m in found}
    # Confirming needs a decision and a new decision clears the confirmation, so an item
    # is done exactly when it is confirmed.
    pending = (
        Item.objects.filter(meeting_id__in=caucuses, confirmed_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("meeting_id", "id", "decision")
    )
    for meeting_id, item_id, decision in pending:
        lacks = Lacks.CONFIRMATION if decision else Lacks.DECISION
        gaps[meeting_id].append(Gap(item_id, lacks))
    return [
        Closeout(
            meeting_id=m.id,
            is_caucus=m.kind == MeetingKind.CAUCUS,
            status=m.status,
            missing=tuple(gaps[m.id]),
        )
        for m in found
    ]


def closeout(meeting: Meeting) -> Closeout:
    return closeouts([meeting])[0]


@dataclass(frozen=True)
class NoteView:
    note: Note
    versions: list[NoteVersion]
    feedback: list[Feedback]

    @property
    def current(self) -> NoteVersion:
        return self.versions[-1]


def _note_views(me: Participant, notes: list[Note]) -> list[NoteView]:
    ids = [n.id for n in notes]
    versions: dict[uuid.UUID, list[NoteVersion]] = {i: [] for i in ids}
    for v in NoteVersion.objects.filter(note_id__in=ids).order_by("version"):
        versions[v.note_id].append(v)
    feedback: dict[uuid.UUID, list[Feedback]] = {i: [] for i in ids}
    # Feedback has an audience of its own: the mediators and the side that gave it.
    for f in visible(me, Feedback).filter(note_id__in=ids).order_by("created_at"):
        feedback[f.note_id].append(f)
    return [NoteView(n, versions[n.id], feedback[n.id]) for n in notes]


def note(user: User, note_id: uuid.UUID) -> tuple[NoteView, Participant]:
    found, me = access_visible(user, Note, note_id)
    require(me, Action.READ_RECORD)
    return _note_views(me, [found])[0], me


def notes(user: User, case_id: uuid.UUID) -> tuple[list[NoteView], Participant]:
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    rows = list(visible(me, Note).order_by("created_at", "id"))
    return _note_views(me, rows), me


@dataclass(frozen=True)
class Seat:
    """Who holds a live connection to a meeting, and where: in the room (the mediators and
    admitted attendees) or waiting in the lobby."""

    meeting_id: uuid.UUID
    participant_id: uuid.UUID
    name: str
    role: str
    is_mediator: bool
    in_room: bool


def seat(user: object, meeting_id: object) -> Seat | None:
    """Who may open the live connection of a meeting while it runs: the mediators and the
    admitted attendees enter the room; an attendee in the lobby gets a lobby connection that
    carries their own admission and nothing else. Anyone else is refused at the handshake."""
    if not isinstance(user, User) or not user.is_active:
        return None
    try:
        found, me = access_visible(user, Meeting, str(meeting_id))
        require(me, Action.READ_RECORD)
    except DomainError:
        return None
    if found.status != MeetingStatus.RUNNING:
        return None
    is_mediator = can(me, Action.RUN_MEETING)
    state = (
        None
        if is_mediator
        else Attendance.objects.filter(meeting=found, participant=me)
        .values_list("state", flat=True)
        .first()
    )
    if not is_mediator and state not in {AttendanceState.ADMITTED, AttendanceState.LOBBY}:
        return None
    return Seat(
        meeting_id=found.id,
        participant_id=me.id,
        name=user.name,
        role=me.role,
        is_mediator=is_mediator,
        in_room=is_mediator or state == AttendanceState.ADMITTED,
    )


@dataclass(frozen=True)
class MeetingPage:
    """Everything the meeting page shows one viewer, each part filtered by the kernel: the
    lobby only for the mediators, the room only for them and admitted attendees."""

    meeting: Meeting
    me: Participant
    is_mediator: bool
    my_attendance: Attendance | None
    lobby: list[tuple[Attendance, dict[str, Any]]]
    in_room: bool
    room: dict[str, Any] | None
    items: list[Item]
    notes: list[NoteView]
    # Every participant the viewer may know of: (name, side, role).
    people: dict[uuid.UUID, tuple[str, uuid.UUID | None, str]]
    # What still keeps the meeting from ending, as its end refuses with it.
    closeout: Closeout
    # The viewer's attestation in another meeting of this case that runs now, offered for
    # reconfirmation when they have not joined this one.
    reconfirm: dict[str, Any] | None = None

    @property
    def can_end(self) -> bool:
        """The page offers "End meeting" exactly when ending would succeed."""
        return self.is_mediator and self.closeout.may_end


def _room(found: Meeting, me: Participant) -> dict[str, Any]:
    try:
        return video.room_for(found, me)
    except Unavailable as exc:
        # The page still shows the chat, items and notes; the room says why there is no video.
        return {"provider": video.provider_for(found), "unavailable": exc.detail}


def meeting_page(user: User, meeting_id: uuid.UUID) -> MeetingPage:
    found, me = access_visible(user, Meeting, meeting_id)
    require(me, Action.READ_RECORD)
    is_mediator = can(me, Action.RUN_MEETING)
    rows = list(Attendance.objects.filter(meeting=found).order_by("at"))
    mine = next((r for r in rows if r.participant_id == me.id), None)
    lobby = [(r, json.loads(r.attestation_json)) for r in rows] if is_mediator else []
    in_room = can_see_room(me, found)
    item_rows = list(visible(me, Item).filter(meeting=found).order_by("created_at", "id"))
    note_rows = list(visible(me, Note).filter(meeting=found).order_by("created_at", "id"))
    people = {
        p.id: (p.user.name, p.side_id, p.role) for p in case_participants(me).select_related("user")
    }
    return MeetingPage(
        meeting=found,
        me=me,
        is_mediator=is_mediator,
        my_attendance=mine,
        lobby=lobby,
        in_room=in_room,
        room=_room(found, me) if in_room else None,
        items=item_rows,
        notes=_note_views(me, note_rows),
        people=people,
        closeout=closeout(found),
        reconfirm=_sitting_attestation(me, found) if mine is None else None,
    )


def _sitting_attestation(me: Participant, meeting: Meeting) -> dict[str, Any] | None:
    row = (
        Attendance.objects.filter(
            participant=me,
            meeting__status=MeetingStatus.RUNNING,
            state=AttendanceState.ADMITTED,
        )
        .exclude(meeting=meeting)
        .order_by("-at")
        .first()
    )
    return json.loads(row.attestation_json) if row else None
