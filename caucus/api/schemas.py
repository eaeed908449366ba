from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from caucus.accounts.services import EMAIL_MAX, PASSWORD_MAX
from caucus.cases.models import DeclineReason
from caucus.cases.services import NAME_MAX, NOTE_MAX, TITLE_MAX
from caucus.kernel.paging import PAGE_DEFAULT, PAGE_MAX

# A character `str.strip()` keeps: the services strip text and refuse what is left empty, so
# the schema says the same. Python counts the separators \x1c-\x1f and NEL (\x85) as
# spaces, and so does the server's regex engine for NEL, but a client's `\s` (ECMAScript's,
# which schemathesis follows) counts neither: they are named.
NON_BLANK = r"[^\s\x1c-\x1f\x85]"


def required_text(max_length: int) -> StringConstraints:
    """A text field the service strips and requires: 1 to `max_length` characters, not all
    blank. The limit is the service's own constant, so schema and server agree."""
    return StringConstraints(min_length=1, max_length=max_length, pattern=NON_BLANK)


def optional_text(max_length: int) -> StringConstraints:
    return StringConstraints(max_length=max_length)


def _an_email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid email address.") from None
    return value


# An address as Django validates it (the accounts and invitations checks), and declared so.
Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=EMAIL_MAX, strip_whitespace=True),
    AfterValidator(_an_email),
    Field(json_schema_extra={"format": "email"}),
]
# A login names an account: any text is checked against the accounts (401 when none).
LoginEmail = Annotated[str, StringConstraints(min_length=1, max_length=EMAIL_MAX)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX)]
Text200 = Annotated[str, optional_text(NAME_MAX)]
Text10k = Annotated[str, optional_text(NOTE_MAX)]
T = TypeVar("T")


class Listing(Schema, Generic[T]):
    """A list answer (API.md): the items, and the cursor of the next page when there is one.
    Each list declares itself as `class XList(Listing[XOut])`, which keeps its name."""

    items: list[T]
    next: str | None = None


class PageParams(Schema):
    """`?cursor=&limit=` of every list (issue 18): the cursor is the `next` of the page
    before, opaque; a page holds at most `limit` items."""

    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX)


# JSON's true and false only: Pydantic's lax mode would read "yes", "on" or 1 as true.
Flag = StrictBool


def _whole_number(value: Any) -> Any:
    # JSON Schema's integer is any number without a fraction (1.0 is one); text and
    # booleans are not numbers, though Pydantic's lax mode would read "1" and true as 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a valid integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("Input should be a valid integer, without a fraction")
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


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
    fields: dict[str, list[str]] | None = Field(
        None, description="For 400: each field's problems, by field name."
    )


class UserOut(Schema):
    id: uuid.UUID
    email: str
    name: str


class TokenIn(Schema):
    email: LoginEmail
    password: Password
    otp: Annotated[str, StringConstraints(max_length=16)] | None = None


class TokenOut(Schema):
    token: str
    user: UserOut


class AcceptIn(Schema):
    token: Annotated[str, required_text(200)]
    name: Text200 = ""
    password: Password = ""


class AcceptOut(Schema):
    token: str
    participant_id: uuid.UUID
    case_id: uuid.UUID


CaseKind = Literal["family", "workplace", "civil", "commercial", "other"]


class CaseIn(Schema):
    title: Annotated[str, required_text(TITLE_MAX)]
    kind: CaseKind
    litigated: Flag = False


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
    name: Annotated[str, required_text(NAME_MAX)]
    # Experts and guests join through consents, mediators through the CLI.
    role: Literal["party", "attorney"]
    side_id: uuid.UUID | None = None


class InvitationOut(Schema):
    id: uuid.UUID
    invite_url: str
    role: str
    side_id: uuid.UUID | None
    expires_at: datetime


class InvitationItem(Schema):
    id: uuid.UUID
    email: str
    name: str
    role: str
    side_id: uuid.UUID | None
    status: Literal["pending", "accepted", "expired", "revoked"]
    expires_at: datetime


class InvitationList(Listing[InvitationItem]):
    pass


class InvitationResent(InvitationItem):
    invite_url: str


class ParticipantOut(Schema):
    id: uuid.UUID
    name: str
    role: str
    side_id: uuid.UUID | None


class ParticipantList(Listing[ParticipantOut]):
    pass


class ScreeningIn(Schema):
    decision: Literal["accept", "decline"]
    reason_code: DeclineReason | None = Field(None, description="Required to decline.")
    private_note: Text10k | None = None


class CloseIn(Schema):
    outcome: Literal["settled", "impasse", "party_withdrew", "mediator_withdrew"]
    note_to_parties: Text10k | None = None
    private_note: Text10k | None = None
