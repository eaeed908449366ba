"""The kernel's membership lookups (`caucus.kernel.visibility.Membership`), bound to this
domain's case, participant and side models. The rules are the kernel's; only the models are
named here, so that the kernel imports no domain."""

from __future__ import annotations

from caucus.cases.models import Case, Participant, Side
from caucus.kernel.visibility import Membership

membership: Membership[Participant, Case] = Membership(
    cases=Case, participants=Participant, sides=Side
)

visible_cases = membership.visible_cases
access_case = membership.access_case
access_in_case = membership.access_in_case
access_visible = membership.access_visible
require_of_case = membership.require_of_case
case_participants = membership.case_participants
requested_audience = membership.requested_audience
