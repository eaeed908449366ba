"""Identifiers by default-deny: in a document bound for the public record, any run that has
an identifier's shape is removed unless it is explained as one of the keep classes (money,
a date, a time, a percentage, a year, a statute or section number, a page or clause
reference, a small count). The words before it choose the label; with none, a checksum
(python-stdnum) may name it; otherwise it is `OTHER_ID`. A checksum only raises the
score: a number that fails every checksum is still removed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from stdnum import iban, luhn
from stdnum.ca import sin
from stdnum.gb import nhs
from stdnum.us import rtn, ssn

from caucus.redaction.finding import Finder, finding
from caucus.redaction.vocabulary import common_words

# A token is letters and digits, with the masks people type for hidden digits.
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[^\W_]+|[*\u2022]+(?:[^\W_]+)?")
# What may stand between two parts of one identifier.
_TIGHT = re.compile(r"[-/.:]|[ \u00a0]?[-\u2013/][ \u00a0]?")
_SPACE = re.compile(r"[ \u00a0]")

# Words that name what follows; they stay in the text and never join the identifier.
_NAMING = {
    "ssn", "sin", "nas", "ni", "nino", "nhs", "vin", "dob", "ein", "tin", "itin", "utr",
    "bn", "phn", "dl", "id", "rtn", "aba", "iban", "bic", "swift", "cvor", "ohip", "ira",
    "tfsa", "rrsp", "resp", "lira", "isa", "sipp", "qdro", "cetv", "cpp", "gic", "iolta",
    "no", "nos", "acct", "acc", "tel", "fax", "ref", "reg", "usc", "ilcs", "rcw", "ors", "nrs",
    "crs", "fpr", "cpr", "fre", "njsa", "ocga", "rso", "sbc", "cfr", "hr", "po", "pa", "rr",
    "td", "rbc", "cibc", "hsbc", "bmo", "atb", "cu", "dx", "mt", "pt", "et", "pst", "est",
    "am", "pm", "gst", "hst", "vat", "llc", "llp", "inc", "ltd", "plc",
}  # fmt: skip

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_TIME = r"(?:[01]?\d|2[0-3])[:.][0-5]\d(?:[:.][0-5]\d)?(?:[ \u00a0]?[ap]\.?m\.?)?"
# Whole runs that are never identifiers.
_KEEP = re.compile(
    r"(?ix)"
    r"\d{1,3}"  # a count, a clause, a small amount
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # an amount written with thousands
    r"|\d{1,4}\.\d{1,2}"  # a decimal
    r"|\d{1,3}(?:\.\d{1,3}){1,3}"  # a clause or section number (3.1, 4.2.7)
    r"|(?:19|20)\d{2}(?:s)?"  # a year
    r"|(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])(?:[-/.](?:0?[1-9]|[12]\d|3[01]))?"  # ISO date
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:\d{2}|(?:19|20)\d{2})"
    r"|(?:0?[1-9]|1[0-2])/(?:\d{2}|(?:19|20)\d{2})"  # month/year
    r"|\d{1,3}/\d{1,3}"  # a share or a fraction (60/40, 5/9)
    rf"|{_TIME}(?:[ \u00a0]?[-\u2013][ \u00a0]?{_TIME})?"
    r"|\d{1,2}(?:[ \u00a0]?[ap]\.?m\.?)"  # 4pm, 10 a.m.
    r"|\d{1,2}[ \u00a0]?[-\u2013][ \u00a0]?\d{1,2}(?:[ap]\.?m\.?)?"  # 4-7, 9-5
    r"|\d+(?:st|nd|rd|th)"  # an ordinal
    r"|\d{1,2}(?:st|nd|rd|th)?[ \u00a0]?[-\u2013][ \u00a0]?\d{1,2}(?:st|nd|rd|th)?"
    rf"|\d{{1,2}}[-/ ]{_MONTH}[-/ ]\d{{2,4}}"
    r"|\d{1,3}(?:yrs?|hrs?|mins?|kg|km|mi|ft|wks?|mos?)"  # 2hrs
    r"|\d{1,6}[ \u00a0][nsew]"  # a house number and its street's direction (201 W. Jefferson)
    r"|(?:19|20)\d{2}[-\u2013/](?:\d{2}|(?:19|20)\d{2})"  # 2024-25, a year's span
    r"|(?:gs|wg|es)-\d{1,2}"  # a US federal pay grade
    r"|(?:w-\d{1,2}|1099(?:-[a-z]+)?|1040|t4a?|t1|p45|p60|p11d)"  # tax forms
)
# Words right before a run that make it money, a percentage, a reference to a statute,
# a section, a page, a clause or a form.
_KEEP_BEFORE = re.compile(
    r"(?ix)(?:"
    r"[$\u00a3\u20ac\u00a5]|\b(?:usd|cad|gbp|eur|us\$|c\$|ca\$)"
    r"|\u00a7+|\b(?:ss?\.|sec|secs|section|sections|art|arts|article|articles|r\.|rule|rules"
    r"|para|paras|paragraph|paragraphs|cl\.|clause|clauses|sch|schedule|exhibit|ex\.|appendix"
    r"|annex|form|forms|p\.|pp|page|pages|ch|chap|chapter|c\.|title|part|line|lines|item"
    r"|items|step|tab|question|version|grade|year|years|band|level|route|highway|hwy"
    r"|interstate|volume|vol|footnote|regulation|regulations|dx|tax[ \u00a0]code|store|branch"
    r"|flight|courtroom|room)"
    r"|\b(?:u\.?s\.?c|c\.?f\.?r|ilcs|rcw|ors|nrs|c\.r\.s|n\.?j\.?s\.?a|o\.?c\.?g\.?a"
    r"|pa\.\s?c\.s|r\.s\.o|s\.b\.c|s\.o|s\.c|r\.s\.c|fpr|cpr|fre|stat"
    r"|ann|evid|gen|laws|c\.c\.p|cal|fam|civ|proc|gov|lab|ins|veh|rev)"
    r")[.,]?[ \u00a0]*(?:\u00a7+[ \u00a0]*)?(?:no\.?[ \u00a0]*)?[(#]?$"
)
# A statute's abbreviation before its section number: "NRS 125C.0025", "RCW 26.09.191".
STATUTE_PREFIX = re.compile(
    r"(?i)(?:u\.?s\.?c|c\.?f\.?r|ilcs|rcw|ors|nrs|mcl|crs|c\.r\.s|ars|a\.r\.s|n\.?j\.?s\.?a"
    r"|o\.?c\.?g\.?a|rso|r\.s\.o|sbc|s\.b\.c|fpr|cpr|frcp|gs|g\.s|mgl|rsa|wis\.?[ \u00a0]stat"
    r"|fla\.?[ \u00a0]stat)\.?[ \u00a0]+(?:\u00a7+[ \u00a0]*)?\d"
)
# A model after its year and make: "2021 Toyota RAV4", "2019 Ford F-150".
_VEHICLE_MODEL = re.compile(
    r"(?i)\b(?:19|20)\d{2}[ \u00a0]+(?:toyota|honda|ford|chevrolet|chevy|nissan|hyundai|kia"
    r"|subaru|mazda|volkswagen|vw|bmw|audi|mercedes(?:-benz)?|lexus|acura|jeep|dodge|ram|gmc"
    r"|tesla|volvo|buick|cadillac|lincoln|chrysler|mitsubishi|mini|porsche|land[ \u00a0]rover"
    r"|jaguar|vauxhall|peugeot|renault|skoda|seat|fiat|citro[eë]n|infiniti|genesis)[ \u00a0]+$"
)
_KEEP_AFTER = re.compile(
    r"(?ix)^[ \u00a0]?(?:%|percent|per[ \u00a0]cent|pct|dollars|pounds|cents|usd|cad|gbp"
    r"|(?:a\.?m|p\.?m)\b|o'clock|years?\b|months?\b|days?\b|weeks?\b|hours?\b|hrs\b"
    r"|minutes?\b|sq\.?\b|square\b|miles?\b|km\b|acres?\b|hectares?\b|pages?\b|words\b"
    r"|forms?\b"
    r"|u\.?s\.?c|c\.?f\.?r|ilcs|pa\.?\s?c\.?s|stat\b|fed\.|f\.\d|s\.ct|u\.s\.\b)"
)

# Words before a run that say what it is, nearest first.
_CONTEXT: list[tuple[str, re.Pattern[str]]] = [
    (
        "DOB",
        re.compile(r"(?i)\b(?:born|n[ée]e?\s+le|date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date)\b"),
    ),
    (
        "SSN",
        re.compile(
            r"(?i)\b(?:ssn|ss#|social\s+security|sin|nas|social\s+insurance|national\s+insurance"
            r"|ni\s+(?:no|number)|nino|ni|tin|itin|taxpayer)\b"
        ),
    ),
    (
        "PHONE",
        re.compile(
            r"(?i)\b(?:phone|tel|telephone|mobile|cell|fax|direct|call|[tpfm])\b\.?[\s:#(]*$"
        ),
    ),
    (
        "CASE_NUMBER",
        re.compile(
            r"(?i)\b(?:case|docket|cause|court\s+file|file|index|claim|action|matter|petition"
            r"|charge|tribunal|fld|division\s+no|your\s+ref|certificate)\b"
        ),
    ),
    (
        "ACCOUNT",
        re.compile(
            r"(?i)\b(?:account|accounts|acct|acc|a/c|iban|sort\s+code|routing|rtn|aba|transit"
            r"|inst|card|visa|mastercard|amex|loan|mortgage|policy|pension|member|roll|folio"
            r"|contract|plan|rrsp|tfsa|resp|lira|ira|isa|sipp|401\(k\)|403\(b\)|agreement"
            r"|chequing|checking|savings|chq|ending|ends|iolta|trust|sd|tsp|ref|brokerage"
            r"|credit|line\s+of\s+credit|bank)\b"
        ),
    ),
    (
        "OTHER_ID",
        re.compile(
            r"(?i)\b(?:vin|plate|tag|reg|registration|licen[cs]e|dl|passport|health|ohip|phn"
            r"|nhs|medicare|medicaid|student|employee|payroll|utr|ein|bn|company|registered"
            r"|parcel|status|permit|id|cvor|incorporation|certified|mail)\b"
        ),
    ),
]
_LOOK_BACK = 48


_CHECKS: list[tuple[str, Callable[[str], bool]]] = [
    ("ACCOUNT", lambda v: iban.is_valid(v)),
    ("CARD", lambda v: 13 <= len(v) <= 19 and v.isdigit() and luhn.is_valid(v)),
    ("SSN", lambda v: len(v) == 9 and v.isdigit() and (ssn.is_valid(v) or sin.is_valid(v))),
    ("ACCOUNT", lambda v: len(v) == 9 and v.isdigit() and rtn.is_valid(v)),
    ("OTHER_ID", lambda v: len(v) == 10 and v.isdigit() and nhs.is_valid(v)),
]
_NINO = re.compile(r"(?i)^[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]$")


def checksum_label(value: str) -> str | None:
    """The kind of number a checksum or a fixed format says this is, if any."""
    compact = re.sub(r"[\W_]", "", value).upper()
    if _NINO.match(compact):
        return "SSN"
    for label, check in _CHECKS:
        try:
            if check(compact):
                return label
        except Exception:  # noqa: S112  # stdnum raises on odd input; no checksum then
            continue
    return None


def context_label(text: str, start: int) -> str | None:
    """The label the words just before a run give it: the nearest naming word wins, on the
    same line or the line before."""
    window = text[max(0, start - _LOOK_BACK) : start]
    best: tuple[int, str] | None = None
    for label, rx in _CONTEXT:
        for m in rx.finditer(window):
            if best is None or m.end() > best[0]:
                best = (m.end(), label)
    return best[1] if best else None


@cache
def _joinable_words() -> frozenset[str]:
    return frozenset(_NAMING) | common_words()


def _joins(word: str, tight: bool) -> bool:
    """Whether a word without digits belongs to the identifier next to it: a short
    capitalised code (the QQ of a National Insurance number, the XKR of a plate); with a
    hyphen or slash, any short code."""
    if not word.isalpha() and not set(word) <= {"*", "\u2022"}:
        return True
    if set(word) <= {"*", "\u2022", "x", "X"} or (len(word) == 1 and word.isupper()):
        return True
    if word.casefold() in _joinable_words() and not (tight and word.isupper()):
        return False
    if tight:
        return len(word) <= 6 and (word.isupper() or len(word) <= 3)
    return word.isupper() and len(word) <= 4


def _area_code(text: str, token: re.Match[str], gap: str) -> bool:
    """A telephone area code in brackets belongs to the number after it: (602) 555-8820."""
    return (
        bool(re.fullmatch(r"\)[ \u00a0]?", gap))
        and token.start() > 0
        and text[token.start() - 1] == "("
        and bool(re.fullmatch(r"\d{3}", token.group()))
    )


def runs(text: str) -> Iterator[tuple[int, int]]:
    """Runs of tokens joined by identifier separators, at least one of them with a digit."""
    tokens = list(_TOKEN.finditer(text))
    i = 0
    while i < len(tokens):
        if not any(c.isdigit() for c in tokens[i].group()):
            i += 1
            continue
        first = last = i
        # reach back over codes written before the digits (JR 44..., GB33 ABBY...)
        while first > 0:
            gap = text[tokens[first - 1].end() : tokens[first].start()]
            tight = bool(_TIGHT.fullmatch(gap))
            if not (tight or _SPACE.fullmatch(gap)) or not _joins(tokens[first - 1].group(), tight):
                break
            first -= 1
        while last + 1 < len(tokens):
            gap = text[tokens[last].end() : tokens[last + 1].start()]
            tight = bool(_TIGHT.fullmatch(gap)) or _area_code(text, tokens[last], gap)
            nxt = tokens[last + 1].group()
            if not (tight or _SPACE.fullmatch(gap)):
                break
            if not any(c.isdigit() for c in nxt) and not _joins(nxt, tight):
                break
            if (
                _SPACE.fullmatch(gap)
                and not tight
                and _KEEP_AFTER.match(text[tokens[last].end() :])
            ):
                break
            last += 1
        yield tokens[first].start(), tokens[last].end()
        i = last + 1


def kept(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if _KEEP.fullmatch(value):
        return True
    before = text[max(0, start - 24) : start]
    if _KEEP_BEFORE.search(before) or _VEHICLE_MODEL.search(before):
        return True
    after = text[end : end + 16]
    return bool(_KEEP_AFTER.match(after))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A run of words joined by spaces may begin or end with a keep (a year before a plate,
    an amount after an account number): those edges are left in the text. Small numbers
    are kept only when they stand alone, so they are not trimmed (046 454 286)."""
    parts: list[tuple[int, int]] = []
    pos = start
    for m in re.finditer(r"[ \u00a0]+", text[start:end]):
        a, b = start + m.start(), start + m.end()
        if text[a - 1] in "-\u2013/" or (b < end and text[b] in "-\u2013/"):
            continue
        parts.append((pos, a))
        pos = b
    parts.append((pos, end))

    def strong(part: tuple[int, int]) -> bool:
        value = text[part[0] : part[1]]
        return not re.fullmatch(r"\d{1,3}", value) and kept(text, *part)

    while parts and strong(parts[0]):
        parts.pop(0)
    while parts and strong(parts[-1]):
        parts.pop()
    return (parts[0][0], parts[-1][1]) if parts else (start, start)


def _identifier_shaped(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    masked = any(c in "*\u2022" for c in value)
    if masked:
        return True
    # two characters identify no one (Q1, 2B, v3)
    if digits + letters <= 2:
        return False
    if digits >= 4:
        return True
    return digits > 0 and (letters > 0 or bool(re.search(r"\d[\W_]+\d", value)))


class IdentifierRecognizer(Finder):
    """Default-deny for numbers: every identifier-shaped run that no keep class explains."""

    def __init__(self) -> None:
        super().__init__(
            ["OTHER_ID", "SSN", "ACCOUNT", "CARD", "PHONE", "CASE_NUMBER"], "caucus_identifiers"
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for start, end in runs(text):
            if kept(text, start, end):
                continue
            a, b = _trimmed(text, start, end)
            value = text[a:b]
            if b <= a or not _identifier_shaped(value):
                continue
            by_checksum = checksum_label(value)
            label = context_label(text, a)
            if label == "DOB":
                label = None
            out.append(
                finding(label or by_checksum or "OTHER_ID", a, b, 0.95 if by_checksum else 0.6)
            )
        return out
