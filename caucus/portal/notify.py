"""Email notifications (practice 10): they say that something new is waiting, and nothing
else. No case title, no names, no content, not even which case: a notification is seen by
mail servers and by whoever else reads the recipient's mailbox. Sent after the commit, so a
rolled-back action notifies nobody."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Model

from caucus.cases.models import Case, Participant, Role
from caucus.kernel.visibility import visible

SUBJECT = "Something new is waiting for you in Caucus"
BODY = (
    "Something new is waiting for you in Caucus.\n\n"
    "Sign in to read it: {site}/cases\n\n"
    "For your confidentiality, emails from Caucus never say what it is."
)


def something_waiting(
    participants: Iterable[Participant], *, exclude: Participant | None = None
) -> None:
    addresses = sorted(
        {
            p.user.email
            for p in participants
            if p.user.is_active and (exclude is None or p.id != exclude.id)
        }
    )
    if not addresses:
        return
    body = BODY.format(site=settings.CAUCUS_SITE_URL)
    # One message per recipient: nobody learns who else is in the case from the To line.
    messages = tuple((SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses)
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def on_case_closing(sender: object, *, case: Case, actor: Participant, **kwargs: object) -> None:
    """`caucus.cases.signals.case_closing`: everyone but the closing mediator learns that
    something is waiting (the neutral closing statement)."""
    something_waiting(
        Participant.objects.filter(case_id=case.id).select_related("user"), exclude=actor
    )


def mediators_of(case_id: uuid.UUID) -> list[Participant]:
    return list(
        Participant.objects.filter(case_id=case_id, role=Role.MEDIATOR).select_related("user")
    )


def audience_members(obj: Model) -> list[Participant]:
    """Who may read `obj`, asked of the kernel for each participant of its case, so that a
    notification never reaches someone the content is hidden from."""
    case_id = getattr(obj, "case_id")  # noqa: B009
    people = Participant.objects.filter(case_id=case_id).select_related("user")
    return [p for p in people if visible(p, type(obj)).filter(pk=obj.pk).exists()]
