from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import Field, StringConstraints, model_validator

Email = Annotated[str, StringConstraints(min_length=3, max_length=254, strip_whitespace=True)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Text200 = Annotated[str, StringConstraints(max_length=200)]
Text10k = Annotated[str, StringConstraints(max_length=10_000)]


class JsonObjectIn(Schema):
    """An object inside a request body. Ninja's Schema reads fields off any value's attributes
    (to render models), so without this a string, a number, a list or null given for a nested
    object passed as one with every field at its default."""

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, value: Any) -> Any:
        # Ninja's own validator has wrapped the input in a DjangoGetter by now.
        raw = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(raw, dict):
            raise ValueError("Must be a JSON object.")
        return value


class ErrorOut(Schema):
    error: str
    detail: str


class UserOut(Schema):
    id: uuid.UUID
    email: str
    name: str


class TokenIn(Schema):
    email: Email
    password: Password
    otp: Annotated[str, StringConstraints(max_length=16)] | None = None


class TokenOut(Schema):
    token: str
    user: UserOut


class AcceptIn(Schema):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    name: Text200 = ""
    password: Password = ""


class AcceptOut(Schema):
    token: str
    participant_id: uuid.UUID
    case_id: uuid.UUID


CaseKind = Literal["family", "workplace", "civil", "commercial", "other"]


class CaseIn(Schema):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    kind: CaseKind
    litigated: bool = False


class OnboardingOut(Schema):
    complete: bool
    missing: list[str]


class ScreeningOut(Schema):
    decision: str | None
    reason_code: str | None
    private_note: str | None = Field(None, description="Mediators only.")


class CaseOut(Schema):
    id: uuid.UUID
    title: str
    kind: str
    litigated: bool
    status: str
    confidentiality_structure: str
    onboarding: OnboardingOut
    my_participant_id: uuid.UUID
    my_role: str
    my_side_id: uuid.UUID | None
    outcome: str | None
    closed_at: datetime | None
    purge_after: datetime | None
    created_at: datetime
    screening: ScreeningOut
    note_to_parties: str | None
    closing_statement: str | None = None
    closing_note: str | None = None


class CaseList(Schema):
    items: list[CaseOut]
    next: str | None


class InvitationIn(Schema):
    email: Email
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: Literal["party", "attorney", "expert", "guest", "mediator"]
    side_id: uuid.UUID | None = None


class InvitationOut(Schema):
    id: uuid.UUID
    invite_url: str
    role: str
    side_id: uuid.UUID | None
    expires_at: datetime


class ParticipantOut(Schema):
    id: uuid.UUID
    name: str
    role: str
    side_id: uuid.UUID | None


class ParticipantList(Schema):
    items: list[ParticipantOut]
    next: str | None = None


class ScreeningIn(Schema):
    decision: Literal["accept", "decline"]
    reason_code: Annotated[str, StringConstraints(max_length=40)] | None = None
    private_note: Text10k | None = None


class CloseIn(Schema):
    outcome: Literal["settled", "impasse", "party_withdrew", "mediator_withdrew"]
    note_to_parties: Text10k | None = None
    private_note: Text10k | None = None
