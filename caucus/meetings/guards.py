"""What a meeting's state lets a participant do, beside the kernel's rules. The services
raise these refusals and the meeting page offers an action exactly when its refusal is None,
so the page can never offer what the service would refuse, nor hide what it would allow."""

from __future__ import annotations

from collections.abc import Callable

from caucus.cases.models import Participant, Role
from caucus.kernel.errors import Conflict, DomainError, Forbidden
from caucus.meetings.models import Meeting, MeetingStatus


def join_refusal(meeting: Meeting) -> DomainError | None:
    if meeting.status != MeetingStatus.RUNNING:
        return Conflict("meeting_not_started", "The mediator has not started this meeting yet.")
    return None


def raise_item_refusal(
    meeting: Meeting, actor: Participant, admitted: Callable[[], bool]
) -> DomainError | None:
    """`admitted` is asked only for a party: the mediator raises items without a lobby."""
    if meeting.status != MeetingStatus.RUNNING:
        return Conflict("meeting_not_running", "Items are raised while the meeting runs.")
    if actor.role == Role.PARTY and not admitted():
        return Forbidden("not_admitted", "Join the meeting and be admitted first.")
    return None
