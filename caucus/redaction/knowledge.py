"""What a case knows about its people: the exact strings the case-aware recognizer finds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KNOWLEDGE_KEYS = {
    "people": "PERSON",
    "children": "CHILD",
    "addresses": "ADDRESS",
    "emails": "EMAIL",
    "phones": "PHONE",
    "employers": "EMPLOYER",
    "accounts": "ACCOUNT",
    # what a case's file and intake carry besides: its court numbers, the dates of birth on
    # its forms, national numbers (SSN, SIN, NI) and other identifiers (licence, health card)
    "case_numbers": "CASE_NUMBER",
    "dates_of_birth": "DOB",
    "national_ids": "SSN",
    "identifiers": "OTHER_ID",
}


@dataclass
class CaseKnowledge:
    people: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    employers: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    dates_of_birth: list[str] = field(default_factory=list)
    national_ids: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)

    def labelled(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for key, label in KNOWLEDGE_KEYS.items():
            out.extend((value, label) for value in getattr(self, key) if value.strip())
        return out

    def is_empty(self) -> bool:
        return not self.labelled()

    @classmethod
    def from_json(cls, data: Any) -> CaseKnowledge:
        """Reads `{"people": [...], "children": [...], ...}` (the keys of `KNOWLEDGE_KEYS`);
        anything else is ignored."""
        if not isinstance(data, dict):
            raise ValueError("case knowledge is a JSON object")
        values: dict[str, list[str]] = {}
        for key in KNOWLEDGE_KEYS:
            raw = data.get(key, [])
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                raise ValueError(f"{key} must be a list of strings")
            values[key] = [v.strip() for v in raw if v.strip()]
        return cls(**values)

    def merged(self, other: CaseKnowledge) -> CaseKnowledge:
        return CaseKnowledge(
            **{k: list(dict.fromkeys(getattr(self, k) + getattr(other, k))) for k in KNOWLEDGE_KEYS}
        )
