"""The redaction engine: Presidio's `AnalyzerEngine` with our recognizers only, run with an
NLP engine that needs no model, so nothing is downloaded or loaded from outside."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import tldextract
import tldextract.tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from presidio_analyzer.predefined_recognizers import (
    AbaRoutingRecognizer,
    CaPostalCodeRecognizer,
    CaSinRecognizer,
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPostcodeRecognizer,
    UkVehicleRegistrationRecognizer,
    UsSsnRecognizer,
)

from caucus.redaction.addresses import AddressRecognizer, courts_addresses
from caucus.redaction.identifiers import STATUTE_PREFIX, IdentifierRecognizer
from caucus.redaction.knowledge import CaseKnowledge
from caucus.redaction.recognizers import (
    DATE,
    CaseRecognizer,
    EmployerRecognizer,
    NameRecognizer,
    PatternsRecognizer,
)
from caucus.redaction.spans import Span

# Presidio's email recognizer calls the module-level extractor, which would fetch the
# public suffix list and cache it in the home directory: use the snapshot shipped in the
# package, with no cache at all.
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(
    cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
)

# Presidio logs each recognizer it loads at INFO; our logs stay quiet about redaction.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)

# When spans of different labels overlap the merged span keeps the most specific label.
PRIORITY = {label: i for i, label in enumerate(
    ("SSN", "CARD", "ACCOUNT", "DOB", "CASE_NUMBER", "EMAIL", "PHONE", "CHILD", "ADDRESS",
     "EMPLOYER", "PERSON", "OTHER_ID")
)}  # fmt: skip
# Presidio's own recognizers, under our labels.
PRESIDIO_LABEL = {
    "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "CREDIT_CARD": "CARD",
    "IBAN_CODE": "ACCOUNT", "US_SSN": "SSN", "UK_NINO": "SSN", "CA_SIN": "SSN",
    "UK_NHS": "OTHER_ID", "ABA_ROUTING_NUMBER": "ACCOUNT", "UK_VEHICLE_REGISTRATION": "OTHER_ID",
    "UK_POSTCODE": "ADDRESS", "CA_POSTAL_CODE": "ADDRESS",
}  # fmt: skip
# Phone numbers are read as written in these regions; a number written with its country
# code (+44, +1, +33...) is read whatever its region, by phonenumbers' own metadata.
PHONE_REGIONS = ("US", "GB")


class NoModelNlpEngine(NlpEngine):
    """Presidio wants an NLP engine; ours has no model and yields no tokens, because our
    recognizers carry their context in their own patterns."""

    def load(self) -> None:
        pass

    def is_loaded(self) -> bool:
        return True

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return NlpArtifacts(
            entities=[],
            tokens=[],  # type: ignore[arg-type]  # no tokens: our recognizers need none
            tokens_indices=[],
            lemmas=[],
            nlp_engine=self,
            language=language,
        )

    def process_batch(
        self,
        texts: Iterable[str],
        language: str,
        batch_size: int = 1,
        n_process: int = 1,
        **kwargs: Any,
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        for text in texts:
            yield text, self.process_text(text, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return False

    def is_punct(self, word: str, language: str) -> bool:
        return False

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return ["en"]


def library_recognizers() -> list[EntityRecognizer]:
    """What Presidio already knows: international email addresses, phone numbers through
    `phonenumbers`, cards (Luhn), IBANs (mod 97), and the national numbers of the US, the
    UK and Canada with their checksums."""
    return [
        EmailRecognizer(),
        PhoneNumbers(),
        CreditCardRecognizer(),
        IbanRecognizer(),
        UsSsnRecognizer(),
        UkNinoRecognizer(),
        NhsRecognizer(),
        CaSinRecognizer(),
        AbaRoutingRecognizer(),
        UkVehicleRegistrationRecognizer(),
        UkPostcodeRecognizer(),
        CaPostalCodeRecognizer(),
    ]


# a number may be broken across a line ("07700 900\n123"): one line break may stand inside it
_PHONE_CANDIDATE = re.compile(
    r"(?:[+(]?\d[\d ().\u00a0/-]{2,14}(?<=[\d -])\n[ \t]*\d[\d ().\u00a0/-]{0,12}\d"
    r"|[+(]?\d[\d ().\u00a0/-]{5,}\d)"
    r"(?:[ \u00a0]*(?:ext\.?|x|extension)[ \u00a0]*\d{1,5})?",
    re.I,
)


_MAX_BROKEN_NUMBERS = 100


class PhoneNumbers(PhoneRecognizer):
    """Presidio's phone recognizer (`phonenumbers`, validating each number against its
    region's plan), given only the runs of seven or more digits: scanning whole
    documents made it a third of the engine's time."""

    def __init__(self) -> None:
        super().__init__(supported_regions=PHONE_REGIONS)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        broken = 0
        for m in _PHONE_CANDIDATE.finditer(text):
            if sum(c.isdigit() for c in m.group()) < 7:
                continue
            if "\n" in m.group():
                # a document of numbered lines would otherwise send every pair of lines to
                # phonenumbers; real documents break a handful of numbers at most
                broken += 1
                if broken > _MAX_BROKEN_NUMBERS:
                    continue
            # same length, so the offsets still hold
            candidate = m.group().replace("\n", " ").replace("\t", " ")
            for found in super().analyze(candidate, entities, nlp_artifacts):  # type: ignore[arg-type]
                found.start += m.start()
                found.end += m.start()
                out.append(found)
        return out


@cache
def analyzer() -> AnalyzerEngine:
    registry = RecognizerRegistry(
        recognizers=[
            PatternsRecognizer(),
            NameRecognizer(),
            IdentifierRecognizer(),
            AddressRecognizer(),
            EmployerRecognizer(),
            *library_recognizers(),
        ]
    )
    return AnalyzerEngine(
        registry=registry, nlp_engine=NoModelNlpEngine(), supported_languages=["en"]
    )


_JOINABLE = re.compile(r"[ \t]+(?:[A-Z]\.?[ \t]+)*|[ \t]*-[ \t]*")
_DOB_AFTER_NAME = re.compile(rf"\s*\(\s*(?:born\s+|dob\s*:?\s*|b\.\s*)?({DATE})\s*\)", re.I)
# A table's row or a list's entry: a name, a column's gap or a comma, then a date.
_DATE_IN_ROW = re.compile(
    rf"(?:\t[ \t\u00a0]*|[ \u00a0]{{2,}}|,[ \u00a0]+)({DATE})(?![\w/.-])", re.I
)
# a table whose header names a birth column: its rows' dates beside names are births
_BIRTH_COLUMN = re.compile(
    r"(?im)^[^\n]*\b(?:birth\s*dates?|dates?\s+of\s+birth|dob|d\.o\.b)\b[^\n]*$"
)
_DATE_LATER_IN_ROW = re.compile(
    rf"[ \t\u00a0]+(?:[^\n\t]{{0,30}}?(?:\t+|[ \u00a0]{{2,}}))?({DATE})", re.I
)
_DIVISION_AFTER = re.compile(r",?[ \u00a0]+Div(?:ision)?\.?[ \u00a0]*[A-Z0-9]{1,3}\b")
_TITLE_BEFORE = re.compile(r"(?i)(?<![\w.])(?:mr|mrs|ms|mx|miss|dr)\.?[ \t\u00a0]+$")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_LAST_PART = re.compile(r"(\d{2,4})\s*$")


def _born_before(value: str, latest: int) -> bool:
    """Whether a date's year lies at least two years before the document's latest year:
    a date beside a name is then a birth, not the day the document was signed."""
    years = _YEAR.findall(value)
    if years:
        year = int(years[0])
    elif m := _LAST_PART.search(value):
        short = int(m.group(1)) % 100
        year = 2000 + short if short <= latest % 100 else 1900 + short
    else:
        return False
    return year <= latest - 2


def _union(text: str, items: list[tuple[int, int, str]]) -> list[Span]:
    spans: list[list[Any]] = []
    for start, end, label in sorted(items):
        if spans:
            last = spans[-1]
            gap = text[last[1] : start]
            names = {last[2], label} <= {"PERSON", "CHILD"}
            if start <= last[1] or (names and _JOINABLE.fullmatch(gap)):
                last[1] = max(last[1], end)
                if PRIORITY[label] < PRIORITY[last[2]]:
                    last[2] = label
                continue
        spans.append([start, end, label])
    return [Span(s, e, lab) for s, e, lab in spans]


def merge(text: str, results: list[RecognizerResult]) -> list[Span]:
    """Overlapping or touching results become one span; name parts separated only by spaces
    or initials join, so "Jonathan A. Whitfield" is one removal. A date in brackets right
    after a name is that person's date of birth."""
    items = [
        (r.start, r.end, PRESIDIO_LABEL.get(r.entity_type, r.entity_type))
        for r in results
        if r.end > r.start and PRESIDIO_LABEL.get(r.entity_type, r.entity_type) in PRIORITY
    ]
    out = _union(text, items)
    latest = max((int(y) for y in _YEAR.findall(text)), default=0)
    for span in out:
        if span.label in {"PERSON", "CHILD"}:
            m = _DOB_AFTER_NAME.match(text, span.end)
            if m is None:
                row = _DATE_IN_ROW.match(text, span.end)
                m = (
                    row
                    if row
                    and (
                        _born_before(row.group(1), latest)
                        or _BIRTH_COLUMN.search(text, max(0, span.start - 400), span.start)
                    )
                    else None
                )
            if m:
                items.append((m.start(1), m.end(1), "DOB"))
            elif _BIRTH_COLUMN.search(text, max(0, span.start - 400), span.start):
                # a birth column further along the name's row
                line_end = text.find("\n", span.end)
                row = _DATE_LATER_IN_ROW.search(
                    text, span.end, len(text) if line_end < 0 else line_end
                )
                if row:
                    items.append((row.start(1), row.end(1), "DOB"))
        elif span.label in {"CASE_NUMBER", "OTHER_ID"}:
            # a court's division after its number: "C-20254412 Div. B"
            division = _DIVISION_AFTER.match(text, span.end)
            if division:
                items.append((span.start, division.end(), span.label))
        if span.label in {"PERSON", "CHILD"}:
            # the title before a name goes with it: "MR DECLAN MURTAGH"
            title = _TITLE_BEFORE.search(text, max(0, span.start - 6), span.start)
            if title:
                items.append((title.start(), span.start, span.label))
    return _union(text, items) if len(items) > len(out) else out


def detect(text: str, knowledge: CaseKnowledge | None = None) -> list[Span]:
    """Every recognizer's results, merged. The recognizers are called directly rather than
    through `AnalyzerEngine.analyze`: its context step needs an NLP model's tokens, which
    this engine does not load, and copying every result for it was a fifth of the time."""
    recognizers = list(analyzer().registry.recognizers)
    if knowledge and not knowledge.is_empty():
        recognizers.append(CaseRecognizer(knowledge))
    results: list[RecognizerResult] = []
    guesses: list[RecognizerResult] = []
    for recognizer in recognizers:
        found = recognizer.analyze(
            text=text,
            entities=recognizer.supported_entities,
            nlp_artifacts=None,  # type: ignore[arg-type]  # none of ours reads it
        )
        (guesses if isinstance(recognizer, IdentifierRecognizer) else results).extend(found)
    # default-deny labels a number by the words before it; a recognizer that knows the
    # number's format (a phone number, an IBAN, an address) names it better
    cover = _Cover([(r.start, r.end) for r in results])
    results += [g for g in guesses if not cover.covers(g.start, g.end)]
    courts = courts_addresses(text)
    return merge(text, [r for r in results if not _not_personal(text, r, courts)])


# Labels a court's address or a statute reference can be mistaken for.
_PLACE_LIKE = {"ADDRESS", "UK_POSTCODE", "CA_POSTAL_CODE", "OTHER_ID", "UK_VEHICLE_REGISTRATION"}


def _not_personal(text: str, result: RecognizerResult, courts: list[tuple[int, int]]) -> bool:
    """A postcode or a number inside a court's address, and a statute written like a UK
    plate ("NRS 125C"), are kept."""
    if result.entity_type not in _PLACE_LIKE:
        return False
    if any(s <= result.start and result.end <= e for s, e in courts):
        return True
    return result.entity_type == "UK_VEHICLE_REGISTRATION" and bool(
        STATUTE_PREFIX.match(text, result.start)
    )


class _Cover:
    """Whether some span covers [start, end): spans sorted by start with the furthest end
    reached so far, so each question is a binary search."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.reach: list[int] = []
        furthest = -1
        for _, e in spans:
            furthest = max(furthest, e)
            self.reach.append(furthest)

    def covers(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end


def presidio_default() -> AnalyzerEngine:
    """Presidio's own default recognizers, offline: spaCy's blank English pipeline (a
    tokenizer, no model to download) stands in for the model it would fetch."""
    import spacy
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def deny_list(knowledge: CaseKnowledge) -> Any:
    """The case's strings as Presidio's own deny-list recognizer, for the baseline."""
    from presidio_analyzer import PatternRecognizer

    return PatternRecognizer(
        supported_entity="KNOWN", deny_list=[v for v, _ in knowledge.labelled()]
    )
