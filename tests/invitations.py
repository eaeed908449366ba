"""A party's invitation issued through the service the API calls, for tests that then take
the seat it offers or check what surrounds it."""

from __future__ import annotations

import uuid

from caucus.accounts.models import User
from caucus.cases import services


def invite_party(
    inviter: User | None, case_id: uuid.UUID, email: str, name: str
) -> services.IssuedInvitation:
    assert inviter is not None
    return services.invite(inviter, case_id, email=email, name=name, role="party", side_id=None)
