"""Guests named in an attestation must be granted for that meeting by every party's consent
(practice 11). Consents are the disclosures domain's: it registers where the granted names
come from (`register_granted_guests`, from its AppConfig.ready). With nothing registered no
guest is granted, so a missing registration refuses guests rather than admitting them."""

from __future__ import annotations

from collections.abc import Callable

from caucus.meetings.models import Meeting

_sources: list[Callable[[Meeting], set[str]]] = []


def register_granted_guests(source: Callable[[Meeting], set[str]]) -> None:
    _sources[:] = [source]


def granted_guest_names(meeting: Meeting) -> set[str]:
    """The names, case-folded, of the guests every party consented to for this meeting."""
    return set().union(*(source(meeting) for source in _sources))
