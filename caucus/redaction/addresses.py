"""Whole postal addresses: from the house number (or the house's name, the unit, the PO box,
the rural route) to the postcode, across commas and line breaks. A postcode (US ZIP after
its state, Canadian and UK postcodes as Presidio's own recognizers write them) anchors an
address; the lines before it are taken back while they read as address lines. A street
line in prose (number, name, street type) is an address even without a postcode, and so is
a street named as where someone lives."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CaPostalCodeRecognizer,
    UkPostcodeRecognizer,
)

from caucus.redaction.finding import Finder, finding

STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
    "UT", "VT", "VA", "WA", "WV", "WI", "WY",
)  # fmt: skip
STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    "|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    "|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma"
    "|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah"
    "|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|Calif|Mass|Penn|Tex|Wash"
)
PROVINCES = (
    r"ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|YT|NT|NU|Ont\.?|Qu[eé]\.?|B\.\s?C\.|Alta\.?|Man\.?|Sask\.?"
    r"|N\.\s?S\.|N\.\s?B\.|P\.\s?E\.\s?I\.|Ontario|Qu[eé]bec|\(Qu[eé]bec\)|British Columbia"
    r"|Alberta|Manitoba|Saskatchewan|Nova Scotia|New Brunswick|Newfoundland(?: and Labrador)?"
    r"|Prince Edward Island|Yukon"
)
_GAP = r"[ \t\u00a0]*,?[ \t\u00a0]*"
_US = rf"\b(?:{'|'.join(STATES)}|{STATE_NAMES})\.?{_GAP}\d{{5}}(?:-\d{{4}})?\b"
_CA = rf"(?:\b(?:{PROVINCES}){_GAP})?" + CaPostalCodeRecognizer.PATTERNS[1].regex.replace(
    r"\d[ABCEGHJ-NPRSTV-Z]\d\b", r"[ \u00a0-]?\d[ABCEGHJ-NPRSTV-Z]\d\b"
)
_UK = UkPostcodeRecognizer.PATTERNS[0].regex.replace(r"\s?", r"[ \u00a0]?")
POSTCODE = re.compile(rf"(?:{_US}|{_CA}|{_UK})")

STREET_TYPE = (
    r"(?:Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl"
    r"|Terrace|Ter|Terr|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Row|Close"
    r"|Crescent|Cres|Pike|Run|Path|Alley|Plaza|Point|Pt|Ridge|Heights|Hts|Hollow|Crossing|Xing"
    r"|Gardens|Gdns|Grove|Gr|Mews|Parade|Green|Walk|Rise|Hill|Vale|View|Park|Wynd|Gate|Quay"
    r"|Wharf|Yard|Chase|Croft|Promenade|Esplanade|Line|Concession|Sideroad|Bay|Landing|Common"
    r"|Glen|Heath|Manor|Meadow|Meadows|Brae|Cove|Trace|Pass|Ramp|Expressway|Expy|Freeway"
    r"|Fwy|Turnpike|Tpke|Causeway|Cswy|Millway)"
)
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Nord|Sud|Est|Ouest|O)\.?"
_HOUSE = (
    r"(?:#?\d{1,6}[A-Z]?(?:[ \u00a0]?[-\u2013/][ \u00a0]?#?\d{1,6}[A-Z]?)?(?:-[A-Z]\b)?"
    r"|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|[NSEW]\d{1,3}[ \u00a0]+[NSEW]\d{1,6})"
)
UNIT = (
    r"(?:Apt|Apartment|App|Unit|Suite|Ste|Flat|Floor|Fl|Rm|Room|Bldg|Building|Lot|Space|Box"
    r"|Stn|Station|Site|Comp|Office)"
)
_STREET_WORD = rf"(?:{STREET_TYPE}|{STREET_TYPE.upper()})"
STREET = re.compile(
    rf"(?<![:.,\d])\b(?i:{_HOUSE})[ \u00a0](?:{_DIRECTION}[ \u00a0]+)?"
    rf"(?:(?i:rue|chemin|ch\.|boul\.|boulevard|avenue|av\.|rang|route|place|heol|ffordd|lon)"
    r"[ \u00a0]+(?:(?:des|du|de|la|le|l'|d'|y)[ \u00a0]*)?)?"
    r"(?:(?:[A-Z0-9\u00c0-\u017f][\w'\u2019.\u00c0-\u017f-]*|de|du|des|la|le|y|of|the|del)"
    r"[ \u00a0]+){0,4}"
    rf"{_STREET_WORD}\b\.?"
    rf"(?:[ \u00a0]+{_DIRECTION}(?![\w]))?"
    rf"(?:,?[ \u00a0]*(?:(?i:{UNIT})\.?|#)[ \u00a0]*#?[A-Z0-9-]{{1,6}}\b)?"
)
# A Quebec address names the street after its kind, and the house number may take a comma:
# "412, rue des Érables", "5333 avenue du Parc", "1200 boul. René-Lévesque Ouest".
_FR_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u017f-]*"
FRENCH_STREET = re.compile(
    r"(?<![\w.,])\d{1,6}[A-Z]?,?[ \u00a0]+"
    r"(?i:rue|chemin|ch\.|boulevard|boul\.|bd|avenue|av\.|rang|route|place|mont[ée]e|c[ôo]te"
    r"|impasse|all[ée]e|promenade|croissant|terrasse|carr[ée])[ \u00a0]+"
    r"(?:(?:des|du|de|de la|la|le|l'|d')[ \u00a0]*)?"
    rf"{_FR_WORD}(?:[ \u00a0]+(?:{_FR_WORD}|de|du|des|la|le)){{0,3}}"
)
# An address given for a court, a registry or a tribunal is the institution's, not a
# person's: the lines just before it (with no blank line between) or its own first line
# name the court.
_COURT_WORDS = re.compile(
    r"\b(?:Court|Courts|Courthouse|Registry|Tribunal|Tribunals|Clerk|Sheriff|Registrar"
    r"|Justice[ \u00a0]+Cent(?:re|er)|Prothonotary|Judicial[ \u00a0]+Cent(?:re|er))\b"
)
_COURT_NAME_LINE = re.compile(
    r"\b(?:Family|County|Superior|District|Sheriff|Provincial|Crown|Magistrates'?|Law)"
    r"[ \u00a0]+Courts?\b|\b(?:Courthouse|Registry|Tribunal|Justice[ \u00a0]+Cent(?:re|er))\b"
)


def _courts_address(text: str, start: int, end: int) -> bool:
    first_line = text[start : text.find("\n", start, end) if "\n" in text[start:end] else end]
    if _COURT_NAME_LINE.search(first_line):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return False
    before = text[max(0, line_start - 200) : line_start]
    block = before.split("\n\n")[-1] if "\n\n" in before else before
    lines = [ln for ln in block.split("\n") if ln.strip()][-3:]
    return any(_COURT_WORDS.search(ln) for ln in lines)


_PO_BOX = (
    r"\b(?:P\.?[ \u00a0]?O\.?[ \u00a0]*(?:Box|Drawer)|Post[ \u00a0]+Office[ \u00a0]+Box"
    r"|Box|R\.?R\.?|Rural[ \u00a0]+Route|General[ \u00a0]+Delivery)[ \u00a0]*#?[ \u00a0]*\d{1,6}\b"
)
PO_BOX = re.compile(_PO_BOX, re.I)
_HOME_STREET = re.compile(
    r"(?:\b(?:lives|living|live|moved|home|house|camp|farm|cottage|property|residence)\b"
    r"[^.\n]{0,20}?\b(?:on|at)[ \u00a0]+)"
    rf"((?:[A-Z][\w'\u2019-]*[ \u00a0]+){{1,3}}{STREET_TYPE}\b\.?)"
)

_CONNECTORS = {
    "upon", "on", "de", "des", "du", "la", "le", "y", "rue", "app.", "app", "of", "the", "and",
    "sur", "chemin", "-", "\u2013", "&", "c/o", "am", "an", "der", "in", "by", "under", "del",
    "los", "las", "el", "d'", "l'", "van", "von",
}  # fmt: skip
# words an address does not begin with, though they may stand inside one
_LEADING_WORDS = {"upon", "on", "of", "and", "-", "\u2013", "&", "c/o", "in", "by", "under"}
_UNIT_LINE = re.compile(
    rf"(?i)^(?:(?:top|ground|first|second|third|basement|lower|upper|garden)[ \u00a0]+)?"
    rf"(?:{UNIT}|\d+(?:st|nd|rd|th)[ \u00a0]+Floor|Floor[ \u00a0]+\d+|#)\b"
    # a Canadian unit number alone before the house number: "310, 10 Discovery Ridge Close"
    r"|^\d{1,5}[A-Za-z]?$"
)
_BUILDING_LINE = re.compile(
    r"^(?:The[ \u00a0]+)?(?:[A-Z\u00c0-\u017f][\w'\u2019\u00c0-\u017f-]*[ \u00a0]+){0,3}"
    r"(?:House|Tower|Towers|Court|Building|Centre|Center|Plaza|Cottage|Farm|Fferm|Lodge|Hall"
    r"|Manor|Mill|Barn|Forge|Chambers|Mansions|Business[ \u00a0]+Park|Estate|Villa|Grange"
    r"|Laurels|Croft)$|^The[ \u00a0]+[A-Z][\w'-]+(?:[ \u00a0]+[A-Z][\w'-]+)?$"
    r"|^(?:T[ŷy]|Fferm|Bwthyn)[ \u00a0]+[A-Z][\w-]+"
)
_HOUSE_LINE = re.compile(rf"^(?:{_HOUSE}\b|{_PO_BOX})", re.I)
_STOP_TOKEN = re.compile(r"[:;!?]$|^[a-z]")
_MAX_SEGMENTS = 8
_MAX_LINE = 120


def _address_tail(segment: str) -> str:
    """The longest end of a segment whose words read as an address's words."""
    tokens = segment.split()
    keep = 0
    for tok in reversed(tokens):
        if tok.casefold() in _CONNECTORS or not _STOP_TOKEN.search(tok):
            if tok.endswith(":"):
                break
            keep += 1
            continue
        break
    # "ON" in capitals is Ontario, not the word "on"
    while (
        keep
        and tokens[len(tokens) - keep].casefold() in _LEADING_WORDS
        and not tokens[len(tokens) - keep].isupper()
    ):
        keep -= 1
    return " ".join(tokens[len(tokens) - keep :]) if keep else ""


def _block_before(text: str, anchor: int) -> int:
    """Where the address that ends with the postcode at `anchor` begins: segments (between
    commas, line breaks, a middle dot) are taken back while they read as address lines;
    after the house number only a unit or a building's name may come before it. A blank
    line, a tab or a table's bar ends the address."""
    start, pos, state = anchor, anchor, "free"
    for _ in range(_MAX_SEGMENTS):
        # an address line is short: looking further back than this finds no address
        floor = max(0, pos - _MAX_LINE)
        j = max(text.rfind(c, floor, pos) for c in ",\n\u00b7|\t")
        if j < 0 and floor > 0:
            break
        segment = text[j + 1 : pos]
        stripped = segment.strip()
        if stripped:
            tail = _address_tail(stripped)
            allowed = state == "free" or (
                _UNIT_LINE.match(tail)
                or _BUILDING_LINE.match(tail)
                or (state == "unit" and _HOUSE_LINE.match(tail))
            )
            if not tail or not allowed:
                break
            start = j + 1 + segment.index(stripped) + len(stripped) - len(tail)
            if tail != stripped:
                break
            if _UNIT_LINE.match(tail) or PO_BOX.match(tail):
                state = "unit" if state == "free" else state
            elif _HOUSE_LINE.match(tail):
                state = "house"
        if (
            j < 0
            or text[j] in "\t|"
            or (text[j] == "\n" and text[:j].rstrip(" \t\u00a0").endswith("\n"))
        ):
            break
        pos = j
    return start


def _spans(text: str) -> Iterator[tuple[int, int]]:
    for m in POSTCODE.finditer(text):
        yield _block_before(text, m.start()), m.end()
    for m in STREET.finditer(text):
        yield m.span()
    for m in FRENCH_STREET.finditer(text):
        yield m.span()
    for m in PO_BOX.finditer(text):
        yield m.span()
    for m in _HOME_STREET.finditer(text):
        yield m.span(1)


def courts_addresses(text: str) -> list[tuple[int, int]]:
    """The addresses that belong to a court, which the engine keeps whole (a postcode
    recognizer must not take their postcode either)."""
    return [(s, e) for s, e in _spans(text) if e > s and _courts_address(text, s, e)]


class AddressRecognizer(Finder):
    def __init__(self) -> None:
        super().__init__(["ADDRESS"], "caucus_addresses")

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            finding("ADDRESS", s, e, 0.8)
            for s, e in _spans(text)
            if e > s and not _courts_address(text, s, e)
        ]
