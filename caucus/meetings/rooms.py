"""Who is in a meeting's room: the mediators, and the attendees they admitted. The room page,
the TURN credentials and the live connection all ask this one question."""

from __future__ import annotations

from caucus.kernel.parties import ParticipantLike
from caucus.kernel.permissions import Action, can
from caucus.meetings.models import Attendance, AttendanceState, Meeting


def can_see_room(participant: ParticipantLike, meeting: Meeting) -> bool:
    if can(participant, Action.RUN_MEETING):
        return True
    return Attendance.objects.filter(
        meeting=meeting, participant_id=participant.id, state=AttendanceState.ADMITTED
    ).exists()
