"""Who takes part in a case, as the kernel sees it: roles, the states of a case, the
confidentiality structure, and the shape of a participant. The cases domain stores them
(its models use these enums as choices); the kernel decides with them and imports no domain."""

from __future__ import annotations

import uuid
from typing import Protocol

from django.db import models


class Role(models.TextChoices):
    MEDIATOR = "mediator"
    PARTY = "party"
    ATTORNEY = "attorney"
    EXPERT = "expert"
    GUEST = "guest"


class Status(models.TextChoices):
    INTAKE = "intake"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    CLOSED = "closed"
    PURGING = "purging"
    PURGED = "purged"
    DECLINED = "declined"


class Structure(models.TextChoices):
    PERMISSION_REQUIRED = "permission_required"
    SHARED_UNLESS_MARKED = "shared_unless_marked"


# A case in these states is gone for everyone: not listed, not found.
HIDDEN_STATUSES = (Status.PURGING, Status.PURGED)
# A closed case's record stays readable until the purge, but nothing in it changes any more
# (issue 13 item 6); a declined case never opened.
FINISHED = frozenset({Status.CLOSED, Status.DECLINED})
# Before these are done, no substantive work (practice 6).
BEFORE_ONBOARDING_ENDS = frozenset({Status.INTAKE, Status.ONBOARDING})


class UserLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def practice_id(self) -> uuid.UUID | None: ...


class CaseLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def status(self) -> str: ...
    @property
    def confidentiality_structure(self) -> str: ...


class ParticipantLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def case_id(self) -> uuid.UUID: ...
    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def role(self) -> str: ...
    @property
    def side_id(self) -> uuid.UUID | None: ...
    @property
    def case(self) -> CaseLike: ...
