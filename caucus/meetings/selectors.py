"""Reads of meetings, items and notes. Every list is one SQL query filtered by the kernel."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from caucus.accounts.models import User
from caucus.audit.access import record_read
from caucus.cases.access import access_case, access_visible, case_participants
from caucus.cases.models import Participant
from caucus.kernel import paging
from caucus.kernel.errors import DomainError, Forbidden, Unavailable
from caucus.kernel.permissions import Action, allowed_actions, can, can_confirm_item, require
from caucus.kernel.visibility import shown_origin_side, visible, visible_ids
from caucus.meetings import video
from caucus.meetings.guards import join_refusal, raise_item_refusal
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


def meetings_page(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Meeting], Participant]:
    """The meetings the caller may see, earliest first, a page at a time."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    qs = visible(me, Meeting)
    return paging.page(qs, ("starts_at", "id"), cursor=cursor, limit=limit), me


def meetings(user: User, case_id: uuid.UUID) -> tuple[list[Meeting], Participant]:
    found, me = meetings_page(user, case_id)
    return found.rows, me


def meeting(user: User, meeting_id: uuid.UUID) -> tuple[Meeting, Participant]:
    found, me = access_visible(user, Meeting, meeting_id)
    require(me, Action.READ_RECORD)
    return found, me


def attendance(
    user: User, meeting_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[tuple[Attendance, dict[str, Any]]], str | None]:
    """The meeting's lobby and attendees, in the order they came, a page at a time."""
    found, me = access_visible(user, Meeting, meeting_id)
    require(me, Action.SEE_ATTENDANCE)
    qs = Attendance.objects.filter(meeting=found)
    page = paging.page(qs, ("at", "id"), cursor=cursor, limit=limit)
    return [(row, json.loads(row.attestation_json)) for row in page.rows], page.next_cursor


def items(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Item], Participant]:
    """The items the caller may see, oldest first, a page at a time."""
    me = access_case(user, case_id)
    require(me, Action.READ_RECORD)
    return paging.page(visible(me, Item), ("created_at", "id"), cursor=cursor, limit=limit), me


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

    # What the page offers this viewer; the services check the same rules for real.

    @cached_property
    def allowed(self) -> frozenset[Action]:
        """The viewer's `allowed_actions`, computed once for the whole page."""
        return allowed_actions(self.me)

    @property
    def running(self) -> bool:
        return self.meeting.status == MeetingStatus.RUNNING

    @property
    def state(self) -> str:
        return self.my_attendance.state if self.my_attendance else ""

    @property
    def admitted(self) -> bool:
        return self.state == AttendanceState.ADMITTED

    @property
    def may_join(self) -> bool:
        """Offered until admitted: joining again would send an admitted attendee back to the
        lobby, which the page offers as leaving instead."""
        return (
            Action.JOIN_MEETING in self.allowed
            and join_refusal(self.meeting) is None
            and not self.admitted
        )

    @property
    def may_raise_item(self) -> bool:
        return (
            Action.RAISE_ITEM in self.allowed
            and raise_item_refusal(self.meeting, self.me, lambda: self.admitted) is None
        )

    @property
    def may_write_notes(self) -> bool:
        return self.is_mediator and self.meeting.status != MeetingStatus.SCHEDULED

    @property
    def is_party_of_caucus(self) -> bool:
        return self.meeting.kind == MeetingKind.CAUCUS and can_confirm_item(
            self.me, self.meeting.side_id
        )

    def may_decide(self, item: Item) -> bool:
        return self.is_mediator and item.source_item_id is None

    def may_confirm(self, item: Item) -> bool:
        return (
            can_confirm_item(self.me, item.origin_side_id)
            and bool(item.decision)
            and not item.confirmed
        )

    def caucus_sides(self) -> list[tuple[str, str]]:
        """The sides a mediator may take aside from a running joint meeting: (side, party)."""
        if not (self.is_mediator and self.running and self.meeting.kind == MeetingKind.JOINT):
            return []
        return sorted(
            {(str(side), name) for name, side, role in self.people.values() if role == "party"},
            key=lambda pair: pair[1],
        )


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


# Audited reads: what a viewer reads of items and notes is recorded in the access log, one
# entry per request, by the read itself (as for documents), never by an HTTP handler.


def read_items(
    user: User, case_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> tuple[paging.Page[Item], Participant]:
    found, me = items(user, case_id, cursor=cursor, limit=limit)
    if found.rows:
        record_read(me, found.rows, object_type="item")
    return found, me


def read_item(user: User, item_id: uuid.UUID) -> tuple[Item, Participant]:
    found, me = item(user, item_id)
    record_read(me, [found], object_type="item")
    return found, me


def read_note(user: User, note_id: uuid.UUID) -> tuple[NoteView, Participant]:
    view, me = note(user, note_id)
    record_read(me, [view.note], object_type="note")
    return view, me


def records_request_notes(user: User, case_id: uuid.UUID) -> tuple[list[NoteView], Participant]:
    views, me = notes(user, case_id)
    record_read(me, [v.note for v in views], object_type="records_request")
    return views, me


def read_released_items(user: User, case_id: uuid.UUID) -> list[ItemView]:
    """The items released to the viewer by a disclosure (they have a source item)."""
    found, me = items(user, case_id)
    shared = [i for i in found.rows if i.source_item_id is not None]
    if not shared:
        return []
    record_read(me, shared, object_type="item")
    return item_views(me, shared)


@dataclass(frozen=True)
class ItemView:
    """An item as one viewer may see it. The meeting and the source item it names appear
    only when the viewer may see them (an item widened out of a caucus, or released from one,
    must not name that caucus or its item), and a released item names the side it came from
    only as far as the kernel lets the viewer be told."""

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
    # The party's own wording, awaiting the mediator's acceptance (the decision meanwhile is
    # keep_confidential); the item's own audience reads it.
    proposed_wording: str | None = None


def _item_view(i: Item, shown: set[uuid.UUID] | None, origin: uuid.UUID | None) -> ItemView:
    return ItemView(
        id=i.id,
        meeting_id=i.meeting_id if shown is None or i.meeting_id in shown else None,
        text=i.text,
        audience=i.audience,
        origin_side_id=origin,
        decision=i.decision or None,
        wording=(i.wording or None) if i.wording_sealed is not None else None,
        confirmed=i.confirmed,
        source_item_id=i.source_item_id if shown is None or i.source_item_id in shown else None,
        created_at=i.created_at,
        proposed_wording=(i.proposed_wording or None)
        if i.proposed_wording_sealed is not None
        else None,
    )


def item_views(me: Participant, rows: list[Item]) -> list[ItemView]:
    """The items as `me` may see them, with the references checked in two queries."""
    shown = visible_ids(me, Meeting, (i.meeting_id for i in rows)) | visible_ids(
        me, Item, (i.source_item_id for i in rows)
    )
    return [
        _item_view(
            i, shown, shown_origin_side(me, i.origin_side_id, released=i.source_item_id is not None)
        )
        for i in rows
    ]


def own_item_view(item: Item) -> ItemView:
    """The item as the participant who just raised, decided or confirmed it sees it: in its
    meeting, which they attend."""
    return _item_view(item, None, item.origin_side_id)


def room(user: User, meeting_id: uuid.UUID) -> tuple[Meeting, Participant]:
    """A running meeting's room, for the mediators and the admitted attendees only."""
    found, me = meeting(user, meeting_id)
    if not can_see_room(me, found):
        raise Forbidden("not_admitted", "The mediator admits you from the lobby first.")
    return found, me
