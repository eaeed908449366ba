"""What each redaction label is called on the pages (issue 15): the labels are codes of
the engine and the API; people read these words."""

from __future__ import annotations

# One entry per label of caucus.redaction.spans.LABELS (tests/web/test_no_raw_codes.py).
LABEL_WORDS: dict[str, str] = {
    "PERSON": "name",
    "CHILD": "name of a child",
    "ADDRESS": "address",
    "EMAIL": "email address",
    "PHONE": "phone number",
    "SSN": "social security number",
    "ACCOUNT": "account number",
    "CARD": "card number",
    "DOB": "date of birth",
    "CASE_NUMBER": "court case number",
    "EMPLOYER": "employer",
    "OTHER_ID": "other identifying number",
}


def label_words(label: str) -> str:
    return LABEL_WORDS.get(label, "other detail")
