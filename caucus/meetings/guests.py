"""Guests named in an attestation must be granted for that meeting by every party's consent
(practice 11)."""

from __future__ import annotations

from caucus.meetings.models import Meeting


def granted_guest_names(meeting: Meeting) -> set[str]:
    """The names, case-folded, of the guests every party consented to for this meeting."""
    from caucus.disclosures.models import Consent, ConsentKind, ConsentStatus

    granted = Consent.objects.filter(
        meeting=meeting, kind=ConsentKind.ADMIT_GUEST, status=ConsentStatus.GRANTED
    )
    return {" ".join(c.name.split()).casefold() for c in granted}
