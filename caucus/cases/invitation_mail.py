"""The invitation email. It carries the link, who invites (the mediator and the practice)
and in what role; never the case's title, nor the names of anyone else in the case: the
mail passes through servers and mailboxes that are not the invitee's alone. Sent after the
commit, so an invitation that rolled back sends nothing."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from caucus.cases.models import Role

SUBJECT = "You are invited to a mediation on Caucus"
ROLE_PHRASES = {
    Role.PARTY: "as a party",
    Role.ATTORNEY: "as the attorney of one of the parties",
    Role.EXPERT: "as an expert the parties agreed to",
}
BODY = (
    "{inviter} of {practice} invites you to take part in a mediation on Caucus, {role}.\n\n"
    "To accept, open this link:\n{link}\n\n"
    "The link works once, until {expires} UTC. Your account will use this email address.\n"
    "If you were not expecting this invitation, ignore this email.\n\n"
    "For your confidentiality, emails from Caucus never say what a mediation is about."
)


def role_phrase(role: str) -> str:
    return ROLE_PHRASES.get(Role(role), "as a participant")


def send_invitation(
    *, address: str, inviter: str, practice: str, role: str, link: str, expires_at: datetime
) -> None:
    body = BODY.format(
        inviter=inviter,
        practice=practice,
        role=role_phrase(role),
        link=link,
        expires=f"{expires_at:%d %B %Y %H:%M}",
    )
    transaction.on_commit(
        lambda: send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
    )
