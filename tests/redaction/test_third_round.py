"""Issue 17's third round: case knowledge of every kind applied wherever and however the
document writes it (the rules without knowledge are in test_generalising_rules.py)."""

from __future__ import annotations

import pytest

from caucus.redaction.engine import detect
from caucus.redaction.knowledge import CaseKnowledge
from caucus.redaction.recognizers import CaseRecognizer, date_readings
from caucus.redaction.services import INTAKE_KEYS
from caucus.redaction.spans import apply


def redact(text: str, knowledge: CaseKnowledge | None = None) -> str:
    return apply(text, detect(text, knowledge))


def test_a_known_date_of_birth_is_found_in_any_format() -> None:
    knowledge = CaseKnowledge(dates_of_birth=["1984-02-03"])
    text = "Born 3 February 1984; DOB 02/03/84; Feb. 3, 1984. Hearing on 4 February 1984."
    redacted = redact(text, knowledge)
    for value in ("3 February 1984", "02/03/84", "Feb. 3, 1984"):
        assert value not in redacted
    assert "4 February 1984" in redacted


def test_known_numbers_are_found_whatever_separates_them() -> None:
    knowledge = CaseKnowledge(
        case_numbers=["FC-24-00318"],
        national_ids=["046 454 286"],
        identifiers=["GA718204"],
        phones=["+1 250 555 0193"],
    )
    text = (
        "File FC 24 00318 and FC-24-\n00318; SIN 046-454-286; passport ga 718204;"
        " call 250.555.0193. Not 1046454286 nor XFC2400318."
    )
    redacted = redact(text, knowledge)
    for value in ("24 00318", "00318", "454-286", "718204", "0193"):
        assert value not in redacted, (value, redacted)
    # a known number inside a longer one is not that number
    found = {text[r.start : r.end] for r in CaseRecognizer(knowledge).analyze(text, [])}
    assert not any(v in found for v in ("1046454286", "XFC2400318", "046454286", "FC2400318"))


def test_a_known_name_is_found_with_its_title_and_in_capitals() -> None:
    knowledge = CaseKnowledge(people=["Declan Murtagh", "Oluwadamilare (Dami) Fashola"])
    redacted = redact("RE: MR DECLAN MURTAGH and Dami. Fashola signs.", knowledge)
    for value in ("MR", "DECLAN", "Dami", "Fashola"):
        assert value not in redacted, (value, redacted)


def test_the_employer_known_is_not_cut_short_by_the_initials_of_a_person() -> None:
    knowledge = CaseKnowledge(people=["Liam Doherty"], employers=["LD Plastering"])
    assert "Plastering" not in redact("He trades as LD Plastering.", knowledge)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("12/03/2018", (2018, 3, 12)),
        ("12/03/2018", (2018, 12, 3)),
        ("7th of March 2017", (2017, 3, 7)),
        ("Feb. 14 2019", (2019, 2, 14)),
        ("7/19/10", (2010, 7, 19)),
        ("1990.07.15", (1990, 7, 15)),
    ],
)
def test_it_reads_the_days_a_date_can_mean(written: str, day: tuple[int, int, int]) -> None:
    assert day in date_readings(written)


def test_intake_answers_feed_each_kind_of_knowledge() -> None:
    def kind(key: str) -> str:
        return next(v for k, v in INTAKE_KEYS.items() if k in key)

    assert kind("child date of birth") == "dates_of_birth"
    assert kind("court file number") == "case_numbers"
    assert kind("business name") == "people"
    assert kind("spouse national insurance") == "national_ids"
