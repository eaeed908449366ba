"""Writes of meetings, attendance, items and notes. Each resolves the caller through the
kernel (a meeting outside their audience is not found), passes the onboarding gate, checks
the action, and changes state in one transaction with its audit entry."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from caucus.accounts.models import User
from caucus.audit import access
from caucus.audit.chain import record_action
from caucus.cases.access import access_case, access_visible
from caucus.cases.models import Case, Participant, Role, Side
from caucus.kernel.audience import AudienceKind
from caucus.kernel.audience_changes import apply_structure_rule
from caucus.kernel.errors import Conflict, Forbidden, Invalid, checked_text
from caucus.kernel.permissions import Action, can_confirm_item, require
from caucus.meetings import live, meeting_mail, selectors
from caucus.meetings.guards import join_refusal, raise_item_refusal
from caucus.meetings.guests import granted_guest_names
from caucus.meetings.janus import sync_room_quietly
from caucus.meetings.models import (
    Attendance,
    AttendanceState,
    Decision,
    Feedback,
    Item,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Mode,
    Note,
    NoteVersion,
)
from caucus.meetings.rooms import can_see_room as can_see_room

TEXT_MAX = 10_000
NOTE_MAX = 100_000
NAME_MAX = 200


def _sync_video_room(meeting_id: uuid.UUID) -> None:
    """Janus mode: once the change is committed, Janus's room follows it (created, its
    `allowed` list and participants matched to admission, destroyed at the end)."""
    if getattr(settings, "CAUCUS_VIDEO", "") == "janus":
        transaction.on_commit(lambda: sync_room_quietly(meeting_id))


def schedule_meeting(
    user: User,
    case_id: uuid.UUID,
    *,
    kind: str,
    side_id: uuid.UUID | None,
    mode: str,
    starts_at: datetime,
    duration_minutes: int = 60,
) -> Meeting:
    actor = access_case(user, case_id)
    require(actor, Action.SCHEDULE_MEETING)
    _check_duration(duration_minutes)
    if kind == MeetingKind.CAUCUS:
        if side_id is None:
            raise Invalid({"side_id": ["A caucus names the side it is with."]})
        if not Side.objects.filter(case_id=actor.case_id, id=side_id).exists():
            raise Invalid({"side_id": ["No such side in this case."]})
    elif side_id is not None:
        raise Invalid({"side_id": ["A joint meeting is with every side; leave side_id out."]})
    if starts_at.tzinfo is None:
        raise Invalid({"starts_at": ["Give a time zone (ISO 8601 with an offset or Z)."]})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            case_id=actor.case_id,
            kind=kind,
            side_id=side_id,
            mode=mode,
            starts_at=starts_at,
            audience_kind=AudienceKind.SIDE if kind == MeetingKind.CAUCUS else AudienceKind.CASE,
            audience_side_id=side_id,
            duration_minutes=duration_minutes,
        )
        record_action(actor, "meeting.scheduled", "meeting", meeting.id, kind=kind, mode=mode)
        meeting_mail.tell(meeting, "scheduled", exclude=actor, at=meeting.starts_at)
    return meeting


DURATION_MIN, DURATION_MAX = 5, 12 * 60


def _check_duration(minutes: int) -> None:
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise Invalid({"duration_minutes": [f"Between {DURATION_MIN} and {DURATION_MAX} minutes."]})


def _scheduled_for_mediator(user: User, meeting_id: uuid.UUID) -> tuple[Meeting, Participant]:
    meeting, actor = _meeting_for_mediator(user, meeting_id)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != MeetingStatus.SCHEDULED:
        raise Conflict("meeting_not_scheduled", f"This meeting is {locked.status}.")
    return locked, actor


def reschedule_meeting(
    user: User, meeting_id: uuid.UUID, *, starts_at: datetime, duration_minutes: int | None
) -> Meeting:
    """Moves a meeting that has not started; its attendees are told, and its calendar
    invite keeps its UID with a higher SEQUENCE, so calendars move the same event."""
    if starts_at.tzinfo is None:
        raise Invalid({"starts_at": ["Give a time zone (ISO 8601 with an offset or Z)."]})
    if duration_minutes is not None:
        _check_duration(duration_minutes)
    with transaction.atomic():
        meeting, actor = _scheduled_for_mediator(user, meeting_id)
        meeting.starts_at = starts_at
        if duration_minutes is not None:
            meeting.duration_minutes = duration_minutes
        meeting.sequence += 1
        meeting.save(update_fields=["starts_at", "duration_minutes", "sequence"])
        record_action(actor, "meeting.rescheduled", "meeting", meeting.id)
        meeting_mail.tell(meeting, "moved", exclude=actor, at=meeting.starts_at)
    return meeting


def cancel_meeting(user: User, meeting_id: uuid.UUID) -> Meeting:
    """Cancels a meeting that has not started; its attendees are told."""
    with transaction.atomic():
        meeting, actor = _scheduled_for_mediator(user, meeting_id)
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence"])
        record_action(actor, "meeting.cancelled", "meeting", meeting.id)
        meeting_mail.tell(meeting, "cancelled", exclude=actor, at=meeting.starts_at)
    return meeting


def _meeting_for_mediator(user: User, meeting_id: uuid.UUID) -> tuple[Meeting, Participant]:
    meeting, actor = access_visible(user, Meeting, meeting_id)
    require(actor, Action.RUN_MEETING)
    return meeting, actor


def start_meeting(user: User, meeting_id: uuid.UUID) -> Meeting:
    meeting, actor = _meeting_for_mediator(user, meeting_id)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise Conflict("meeting_not_scheduled", f"This meeting is {meeting.status}.")
        meeting.status = MeetingStatus.RUNNING
        meeting.started_at = timezone.now()
        meeting.save(update_fields=["status", "started_at"])
        record_action(actor, "meeting.started", "meeting", meeting.id)
        meeting_mail.tell(meeting, "started", exclude=actor, at=meeting.started_at)
        _sync_video_room(meeting.id)
    return meeting


def open_caucus(user: User, meeting_id: uuid.UUID, side_id: uuid.UUID) -> Meeting:
    """From a running joint meeting, the mediator opens a caucus with one side in one step:
    the caucus is created and started, that side's people in the joint room are asked to
    move (their attestation is offered again for reconfirmation), and everyone else in the
    joint room learns only that the mediator is in a private session, never with whom."""
    joint, actor = _meeting_for_mediator(user, meeting_id)
    if joint.kind != MeetingKind.JOINT or joint.status != MeetingStatus.RUNNING:
        raise Conflict("not_a_running_joint_meeting", "Open a caucus from a running joint meeting.")
    if not Side.objects.filter(case_id=actor.case_id, id=side_id).exists():
        raise Invalid({"side_id": ["No such side in this case."]})
    now = timezone.now()
    with transaction.atomic():
        caucus = Meeting.objects.create(
            case_id=actor.case_id,
            kind=MeetingKind.CAUCUS,
            side_id=side_id,
            mode=joint.mode,
            starts_at=now,
            status=MeetingStatus.RUNNING,
            started_at=now,
            audience_kind=AudienceKind.SIDE,
            audience_side_id=side_id,
        )
        record_action(
            actor, "meeting.scheduled", "meeting", caucus.id, kind="caucus", mode=joint.mode
        )
        record_action(actor, "meeting.started", "meeting", caucus.id, from_meeting=str(joint.id))
        _sync_video_room(caucus.id)
        in_joint = Attendance.objects.filter(
            meeting=joint, state=AttendanceState.ADMITTED
        ).select_related("participant")
        for row in in_joint:
            if row.participant.side_id == side_id:
                live.invite_to_move(joint.id, row.participant_id, caucus.id)
            else:
                live.mediator_away(joint.id, row.participant_id)
    return caucus


CLOSEOUT_INCOMPLETE = "closeout_incomplete"


def _require_may_end(check: selectors.Closeout) -> None:
    """The one guard on ending a meeting; the close-out page offers the end from the same
    `Closeout`, so the page and this answer cannot disagree."""
    if not check.running:
        raise Conflict("meeting_not_running", f"This meeting is {check.status}.")
    if check.missing:
        raise Conflict(
            CLOSEOUT_INCOMPLETE,
            "Every item raised in this caucus needs a decision its party has confirmed.",
            items=check.item_ids,
            missing=check.codes,
        )


def end_meeting(user: User, meeting_id: uuid.UUID) -> Meeting:
    meeting, actor = _meeting_for_mediator(user, meeting_id)
    with transaction.atomic():
        # Locked, so that no item is raised between the check and the end.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_may_end(selectors.closeout(meeting))
        _end(meeting)
        record_action(actor, "meeting.ended", "meeting", meeting.id)
    return meeting


def _end(meeting: Meeting) -> None:
    meeting.status = MeetingStatus.ENDED
    meeting.ended_at = timezone.now()
    meeting.save(update_fields=["status", "ended_at"])
    Attendance.objects.filter(meeting=meeting).update(state=AttendanceState.LEFT)
    # Live connections close once the end is committed; nothing of the chat remains.
    live.meeting_ended_on_commit(meeting.id)
    _sync_video_room(meeting.id)


def end_all_meetings(actor: Participant, case: Case) -> None:
    """Closing a case ends every running meeting through the normal end, each audited. A
    caucus is never ended past its close-out (practice 2): while any running caucus has an
    item without a confirmed decision the close is refused (409), naming each such caucus
    and item, and nothing ends. The caller holds the transaction and rolls back with it.
    Only the mediator closes a case, and the mediator sees every caucus and item named."""
    running = list(
        Meeting.objects.select_for_update()
        .filter(case=case, status=MeetingStatus.RUNNING)
        .order_by("started_at", "id")
    )
    checks = selectors.closeouts(running)
    incomplete = [check for check in checks if check.missing]
    if incomplete:
        raise Conflict(
            CLOSEOUT_INCOMPLETE,
            "A caucus that is still running has items without a decision its party has "
            "confirmed: finish each close-out, end the caucus, then close the case.",
            items=[item for check in incomplete for item in check.item_ids],
            missing=[code for check in incomplete for code in check.codes],
            meetings=[
                {"id": str(check.meeting_id), "items": check.item_ids, "missing": check.codes}
                for check in incomplete
            ],
        )
    for meeting, check in zip(running, checks, strict=True):
        _require_may_end(check)
        _end(meeting)
        record_action(actor, "meeting.ended", "meeting", meeting.id, reason="case_closed")


def on_participant_removed(
    sender: object, *, case: Case, removed: Participant, **kwargs: object
) -> dict[str, list[str]]:
    """`caucus.cases.signals.participant_removed`, inside the removal's transaction: once it
    commits, every connection of the removed attorney to a meeting of the case closes (the
    handshake and the periodic re-check refuse them from then on)."""
    for meeting_id in Meeting.objects.filter(case=case).values_list("id", flat=True):
        live.admission_ended(meeting_id, removed.id, "removed")
    return {}


def on_case_closing(sender: object, *, case: Case, actor: Participant, **kwargs: object) -> None:
    """`caucus.cases.signals.case_closing`, inside the close's transaction: refuses (409)
    while a running caucus's close-out is unfinished, and the whole close rolls back. When a
    party withdraws, their side's items without a confirmed decision are kept confidential
    first: by leaving, the party decides that nothing of theirs travels."""
    withdrawing = kwargs.get("withdrawing")
    if isinstance(withdrawing, Participant) and withdrawing.side_id is not None:
        kept = Item.objects.filter(
            case=case,
            origin_side_id=withdrawing.side_id,
            confirmed_at__isnull=True,
            source_item__isnull=True,
        ).update(
            decision=Decision.KEEP_CONFIDENTIAL,
            wording_sealed=None,
            proposed_wording_sealed=None,
            confirmed_at=timezone.now(),
            confirmed_by=withdrawing,
        )
        record_action(withdrawing, "items.kept_on_withdrawal", "case", case.id, count=kept)
    end_all_meetings(actor, case)


def join_meeting(
    user: User,
    meeting_id: uuid.UUID,
    *,
    private_location: bool,
    not_recording: bool,
    others_present: list[str],
) -> Attendance:
    meeting, actor = access_visible(user, Meeting, meeting_id)
    require(actor, Action.JOIN_MEETING)
    names = [n.strip() for n in others_present if n.strip()]
    if any(len(n) > NAME_MAX for n in names):
        raise Invalid({"attestation.others_present": [f"Names of at most {NAME_MAX} characters."]})
    if meeting.mode == Mode.VIRTUAL:
        fields: dict[str, list[str]] = {}
        if not private_location:
            fields["attestation.private_location"] = ["Join from a private place."]
        if not not_recording:
            fields["attestation.not_recording"] = ["Nothing may be recorded."]
        if fields:
            raise Invalid(fields)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if refusal := join_refusal(meeting):
            raise refusal
        if names:
            # Guests are admitted only by every party's consent for this meeting (practice 11).
            allowed = granted_guest_names(meeting)
            unknown = [n for n in names if " ".join(n.split()).casefold() not in allowed]
            if unknown:
                raise Conflict(
                    "guest_consent_required",
                    "Everyone present needs the parties' consent as a guest of this meeting.",
                    names=unknown,
                )
        attestation = {
            "private_location": private_location,
            "not_recording": not_recording,
            "others_present": names,
        }
        attendance = Attendance.objects.filter(meeting=meeting, participant=actor).first()
        if attendance is None:
            attendance = Attendance(
                id=uuid.uuid4(), case_id=actor.case_id, meeting=meeting, participant=actor
            )
        elif attendance.state == AttendanceState.ADMITTED:
            # Joining again sends the attendee back to the lobby: their live connections to
            # the room close now, not when the meeting ends.
            live.admission_ended(meeting.id, actor.id, "lobby")
            _sync_video_room(meeting.id)
        attendance.state = AttendanceState.LOBBY
        attendance.attestation_json = json.dumps(attestation)
        attendance.save()
        record_action(actor, "meeting.joined_lobby", "meeting", meeting.id)
        live.lobby_changed(
            meeting.id, actor.id, state="lobby", name=actor.user.name, attestation=attestation
        )
    return attendance


def admit(user: User, meeting_id: uuid.UUID, participant_id: uuid.UUID) -> Attendance:
    meeting, actor = _meeting_for_mediator(user, meeting_id)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update()
            .filter(meeting=meeting, participant_id=participant_id)
            .first()
        )
        if attendance is None or attendance.state != AttendanceState.LOBBY:
            raise Conflict("not_in_lobby", "That person is not waiting in the lobby.")
        if Meeting.objects.get(pk=meeting.pk).status != MeetingStatus.RUNNING:
            raise Conflict("meeting_not_running", "This meeting is not running.")
        attendance.state = AttendanceState.ADMITTED
        attendance.save(update_fields=["state", "at"])
        record_action(
            actor, "meeting.admitted", "meeting", meeting.id, participant=str(participant_id)
        )
        _sync_video_room(meeting.id)
        live.admitted(meeting.id, participant_id)
        live.lobby_changed(
            meeting.id,
            participant_id,
            state="admitted",
            name=attendance.participant.user.name,
            attestation=json.loads(attendance.attestation_json),
        )
    return attendance


def _send_away(meeting: Meeting, participant_id: uuid.UUID, reason: str) -> Attendance:
    """Ends one attendance (in the lobby or in the room); the caller holds the transaction.
    Every live connection of that person to this meeting closes once it is committed."""
    attendance = (
        Attendance.objects.select_for_update()
        .select_related("participant__user")
        .filter(meeting=meeting, participant_id=participant_id)
        .first()
    )
    if attendance is None or attendance.state == AttendanceState.LEFT:
        raise Conflict("not_attending", "That person is neither in the lobby nor in the room.")
    attendance.state = AttendanceState.LEFT
    attendance.save(update_fields=["state", "at"])
    live.admission_ended(meeting.id, participant_id, reason)
    _sync_video_room(meeting.id)
    live.lobby_changed(
        meeting.id,
        participant_id,
        state="left",
        name=attendance.participant.user.name,
        attestation=None,
    )
    return attendance


def remove_attendee(user: User, meeting_id: uuid.UUID, participant_id: uuid.UUID) -> Attendance:
    """The mediator turns someone away from the lobby or sends them out of the room."""
    meeting, actor = _meeting_for_mediator(user, meeting_id)
    with transaction.atomic():
        attendance = _send_away(meeting, participant_id, "removed")
        record_action(
            actor, "meeting.removed", "meeting", meeting.id, participant=str(participant_id)
        )
    return attendance


def leave_meeting(user: User, meeting_id: uuid.UUID) -> Attendance:
    """An attendee leaves the lobby or the room; joining again takes them back to the lobby."""
    meeting, actor = access_visible(user, Meeting, meeting_id)
    require(actor, Action.JOIN_MEETING)
    with transaction.atomic():
        attendance = _send_away(meeting, actor.id, "left")
        record_action(actor, "meeting.left", "meeting", meeting.id)
    return attendance


def raise_item(user: User, meeting_id: uuid.UUID, *, text: str) -> Item:
    meeting, actor = access_visible(user, Meeting, meeting_id)
    require(actor, Action.RAISE_ITEM)
    text = checked_text("text", text, TEXT_MAX)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        refusal = raise_item_refusal(
            meeting,
            actor,
            lambda: Attendance.objects.filter(
                meeting=meeting, participant=actor, state=AttendanceState.ADMITTED
            ).exists(),
        )
        if refusal:
            raise refusal
        origin = meeting.side_id if meeting.kind == MeetingKind.CAUCUS else actor.side_id
        item = Item(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            meeting=meeting,
            origin_side_id=origin,
            raised_by=actor,
            audience_kind=meeting.audience_kind,
            audience_side_id=meeting.audience_side_id,
        )
        item.text = text
        item.save()
        record_action(actor, "item.raised", "item", item.id, meeting=str(meeting.id))
    return item


def _lock_item_in_running_meeting(item: Item) -> Item:
    """Locks the item's meeting, then the item (the order `end_meeting` takes too), and
    refuses once the meeting has ended: a decision or confirmation cannot race the end past
    a close-out that was already complete."""
    if item.meeting_id is not None:
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        if meeting.status == MeetingStatus.ENDED:
            raise Conflict(
                "meeting_ended", "This meeting has ended: its items' decisions are settled."
            )
    return Item.objects.select_for_update().get(pk=item.pk)


def _decision_input(decision: str, wording: str | None) -> str | None:
    if decision not in Decision.values:
        raise Invalid({"decision": ["Choose one of: " + ", ".join(Decision.values) + "."]})
    if decision == Decision.MAY_SHARE_AS_WORDED:
        return checked_text("wording", wording or "", TEXT_MAX)
    if wording:
        raise Invalid({"wording": ["Wording goes with may_share_as_worded only."]})
    return None


def decide_item(user: User, item_id: uuid.UUID, *, decision: str, wording: str | None) -> Item:
    item, actor = access_visible(user, Item, item_id)
    require(actor, Action.DECIDE_ITEM)
    wording = _decision_input(decision, wording)
    with transaction.atomic():
        item = _lock_item_in_running_meeting(item)
        if item.source_item_id is not None:
            raise Conflict("item_is_disclosure", "A released disclosure needs no decision.")
        if item.audience_kind == AudienceKind.CASE and item.confirmed:
            raise Conflict("item_shared", "This item is shared with the case already.")
        item.decision = decision
        item.wording_sealed = None
        item.proposed_wording_sealed = None
        if wording:
            item.wording = wording
        # A new decision needs the party's confirmation again.
        item.confirmed_at = None
        item.confirmed_by = None
        item.save()
        record_action(actor, "item.decided", "item", item.id, decision=decision)
    return item


# How far each decision lets an item travel; a party may choose an equal or lower one.
_REACH = {Decision.KEEP_CONFIDENTIAL: 0, Decision.MAY_SHARE_AS_WORDED: 1, Decision.MAY_SHARE: 2}


def confirm_item(
    user: User, item_id: uuid.UUID, *, decision: str | None = None, wording: str | None = None
) -> Item:
    """The party of the item's side decides (practice 2): confirms the mediator's proposal,
    or narrows it to `keep_confidential`, or to `may_share_as_worded` with their own wording.
    Their own wording travels only once the mediator accepts it (`accept_wording`); until
    then the item is kept confidential. A choice wider than the proposal is refused (409)."""
    item, actor = access_visible(user, Item, item_id)
    require(actor, Action.CONFIRM_ITEM)
    if not can_confirm_item(actor, item.origin_side_id):
        raise Forbidden("forbidden", "Only the party whose side raised it confirms.")
    if decision is not None and decision not in Decision.values:
        raise Invalid({"decision": ["Choose one of: " + ", ".join(Decision.values) + "."]})
    if wording and decision != Decision.MAY_SHARE_AS_WORDED:
        raise Invalid({"wording": ["Wording goes with may_share_as_worded only."]})
    wording = checked_text("wording", wording, TEXT_MAX) if wording else None
    with transaction.atomic():
        item = _lock_item_in_running_meeting(item)
        if not item.decision:
            raise Conflict("no_decision", "The mediator has not proposed a decision yet.")
        if item.confirmed:
            raise Conflict("already_confirmed", "This decision is confirmed already.")
        proposed = Decision(item.decision)
        chosen = Decision(decision) if decision is not None else proposed
        if _REACH[chosen] > _REACH[proposed]:
            raise Conflict(
                "would_widen",
                "You may keep the mediator's proposal or narrow it, never widen it.",
                proposed=proposed.value,
            )
        own_wording = None
        if chosen == Decision.MAY_SHARE_AS_WORDED and proposed != chosen and wording is None:
            raise Invalid({"wording": ["Give the wording that may be shared."]})
        if chosen == Decision.MAY_SHARE_AS_WORDED and wording not in (None, item.wording):
            own_wording = wording
        if own_wording is not None:
            item.decision = Decision.KEEP_CONFIDENTIAL
            item.wording_sealed = None
            item.proposed_wording = own_wording
        elif chosen != proposed:
            item.decision = chosen
            item.wording_sealed = None
        item.confirmed_at = timezone.now()
        item.confirmed_by = actor
        item.save(
            update_fields=[
                "decision",
                "wording_sealed",
                "proposed_wording_sealed",
                "confirmed_at",
                "confirmed_by",
            ]
        )
        widened = apply_structure_rule(Case.objects.get(pk=actor.case_id), item)
        record_action(
            actor,
            "item.confirmed",
            "item",
            item.id,
            decision=item.decision,
            proposed=proposed.value,
            own_wording=own_wording is not None,
            widened=widened,
        )
    return item


def accept_wording(user: User, item_id: uuid.UUID) -> Item:
    """The mediator accepts the wording the party offered at close-out: the item becomes
    `may_share_as_worded` with exactly that wording, still confirmed by the party who wrote
    it. Only while the meeting runs; unaccepted, the item stays confidential."""
    item, actor = access_visible(user, Item, item_id)
    require(actor, Action.DECIDE_ITEM)
    with transaction.atomic():
        item = _lock_item_in_running_meeting(item)
        if item.proposed_wording_sealed is None or not item.confirmed:
            raise Conflict("no_party_wording", "The party has not offered wording of their own.")
        item.decision = Decision.MAY_SHARE_AS_WORDED
        item.wording = item.proposed_wording
        item.proposed_wording_sealed = None
        item.save(update_fields=["decision", "wording_sealed", "proposed_wording_sealed"])
        record_action(actor, "item.wording_accepted", "item", item.id)
    return item


def write_note(user: User, meeting_id: uuid.UUID, *, body: str) -> Note:
    meeting, actor = access_visible(user, Meeting, meeting_id)
    require(actor, Action.WRITE_NOTES)
    body = checked_text("body", body, NOTE_MAX)
    if meeting.status == MeetingStatus.SCHEDULED:
        raise Conflict("meeting_not_started", "Notes are of a meeting that took place.")
    with transaction.atomic():
        note = Note.objects.create(
            case_id=actor.case_id,
            meeting=meeting,
            author=actor,
            audience_kind=meeting.audience_kind,
            audience_side_id=meeting.audience_side_id,
        )
        version = NoteVersion(id=uuid.uuid4(), case_id=actor.case_id, note=note, version=1)
        version.body = body
        version.save()
        record_action(actor, "note.written", "note", note.id, version=1)
    return note


def give_feedback(user: User, note_id: uuid.UUID, *, body: str) -> Feedback:
    note, actor = access_visible(user, Note, note_id)
    require(actor, Action.GIVE_FEEDBACK)
    body = checked_text("body", body, TEXT_MAX)
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        has_side = actor.side_id is not None and actor.role != Role.MEDIATOR
        feedback = Feedback(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            note=note,
            author=actor,
            on_version=note.current_version,
            audience_kind=AudienceKind.SIDE if has_side else AudienceKind.MEDIATORS,
            audience_side_id=actor.side_id if has_side else None,
        )
        feedback.body = body
        feedback.save()
        record_action(actor, "note.feedback", "note", note.id, feedback=str(feedback.id))
    return feedback


def revise_note(user: User, note_id: uuid.UUID, *, body: str, resolves: list[uuid.UUID]) -> Note:
    note, actor = access_visible(user, Note, note_id)
    require(actor, Action.WRITE_NOTES)
    body = checked_text("body", body, NOTE_MAX)
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        known = set(
            Feedback.objects.filter(note=note, id__in=resolves).values_list("id", flat=True)
        )
        unknown = [str(f) for f in resolves if f not in known]
        if unknown:
            raise Invalid({"resolves": [f"Not feedback on this note: {', '.join(unknown)}"]})
        note.current_version += 1
        note.save(update_fields=["current_version"])
        version = NoteVersion(
            id=uuid.uuid4(), case_id=actor.case_id, note=note, version=note.current_version
        )
        version.body = body
        version.save()
        Feedback.objects.filter(note=note, id__in=known).update(
            resolved_in_version=note.current_version
        )
        record_action(actor, "note.revised", "note", note.id, version=note.current_version)
    return note


def export_notes_pdf(user: User, note_id: uuid.UUID) -> bytes:
    """The notes with every version and the feedback the reader may see. Audited."""
    # ReportLab loads on the first export, not with every server process.
    from caucus.meetings.pdf import notes_pdf

    view, actor = selectors.note(user, note_id)
    body = notes_pdf(
        "Meeting notes",
        [(v.version, v.created_at.strftime("%Y-%m-%d %H:%M UTC"), v.body) for v in view.versions],
        [(f.created_at.strftime("%Y-%m-%d %H:%M UTC"), f.body) for f in view.feedback],
    )
    access.record_read(actor, [view.note], object_type="note_pdf")
    return body


def view_meeting(user: User, meeting_id: uuid.UUID) -> selectors.MeetingPage:
    """The meeting page's content for this viewer; the read of its items and notes is
    audited (practice 10)."""
    page = selectors.meeting_page(user, meeting_id)
    if page.items:
        access.record_read(page.me, page.items)
    if page.notes:
        access.record_read(page.me, [v.note for v in page.notes])
    return page


def records_request(user: User, case_id: uuid.UUID) -> tuple[list[selectors.NoteView], str]:
    """The notes the caller may see and the statement that no recording exists (practice 9);
    the request itself is audited."""
    views, me = selectors.notes(user, case_id)
    access.record_read(me, [v.note for v in views], object_type="records_request")
    return views, selectors.NO_RECORDING_STATEMENT
