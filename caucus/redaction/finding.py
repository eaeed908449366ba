"""What our recognizers share: Presidio's `EntityRecognizer` with nothing to load (their
patterns and lists are read on first use) and results under our labels."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult


class Finder(EntityRecognizer):
    def __init__(self, labels: list[str], name: str) -> None:
        super().__init__(supported_entities=labels, name=name)

    def load(self) -> None:
        pass


def finding(label: str, start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(
        entity_type=label,
        start=start,
        end=end,
        score=score,
        # Presidio fills in the recognizer's id, which its context step matches on.
        recognition_metadata={},
    )
