"""Guests named in an attestation must be granted for that meeting by every party's consent
(practice 11). Consents arrive with the disclosure-and-consent work; until a consent exists,
no guest is granted, so anyone else present is refused."""

from __future__ import annotations

from caucus.meetings.models import Meeting


def granted_guest_names(meeting: Meeting) -> set[str]:
    return set()
