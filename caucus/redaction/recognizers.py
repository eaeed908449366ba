"""Presidio recognizers of our own: patterns with checksums, the case's own strings, and
names the case does not know. Each returns `RecognizerResult`s; the engine merges them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from caucus.redaction.knowledge import CaseKnowledge
from caucus.redaction.vocabulary import common_words, given_names, surnames

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH},?\s+\d{{4}})"
)
STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl"
    r"|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Row|Close"
    r"|Crescent|Cres|Pike|Run|Path|Alley|Plaza|Point|Pt|Ridge|Heights|Hollow|Crossing|Xing)"
)
UNIT = (
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Flat|Fl|Floor|Rm|Room|#|No)\.?\s*#?\s*[A-Z0-9-]{1,6})"
)
CITY_STATE_ZIP = (
    r"(?:,?\s*[A-Z][A-Za-z.'-]+(?:\s+[A-Z][A-Za-z.'-]+){0,3},?\s+"
    r"(?:[A-Z]{2}|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\.?\s+\d{5}(?:-\d{4})?)"
)

# (label, regex, group holding the value or 0, validator name or "")
PATTERNS: list[tuple[str, str, int, str]] = [
    ("EMAIL", r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b", 0, ""),
    (
        "SSN",
        r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])",
        0,
        "ssn_context_if_bare",
    ),
    (
        "SSN",
        r"(?i:\b(?:ssn|social security(?: number| no\.?)?)\s*[:#]?\s*)"
        r"((?:x{3}|\*{3}|\d{3})[- ]?(?:x{2}|\*{2}|\d{2})[- ]?\d{4})\b",
        1,
        "",
    ),
    ("CARD", r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])", 0, "luhn"),
    ("ACCOUNT", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", 0, "iban"),
    (
        "ACCOUNT",
        r"(?i:\b(?:account|acct|a/c|policy|loan|routing|aba|member|contract|plan|certificate|"
        r"sort code|iban|swift|bic|vin|license|licence|permit|passport|ein|tin|itin)\.?"
        r"(?:\s+(?:number|no\.?|num|#|id))?\s*(?:ending\s+in\s+|is\s+|of\s+)?[:#]?\s*)"
        r"((?=[A-Z0-9-]*\d)[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9]*\d)){3,30}[A-Z0-9]|\d{4})\b",
        1,
        "not_money",
    ),
    (
        "ACCOUNT",
        r"(?i:\b(?:ending in|ending with|last four(?: digits)?(?: of)?|ends in)\s*[:#]?\s*)"
        r"(\d{4})\b",
        1,
        "",
    ),
    ("ACCOUNT", r"(?i:(?:x{2,}|\*{2,}|•{2,})[- ]?)(\d{3,6})\b", 0, ""),
    (
        "PHONE",
        r"(?<![\w/.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
        r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?![\w/-])",
        0,
        "",
    ),
    ("PHONE", r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?![\w-])", 0, "phone_digits"),
    (
        "PHONE",
        r"(?i:\b(?:phone|tel|telephone|mobile|cell|fax)\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*)(\d{10,11})\b",
        1,
        "",
    ),
    (
        "DOB",
        rf"(?i:\b(?:born(?:\s+on)?|date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date|birthday|b\.)\s*(?:is\s+)?[:,-]?\s*)({DATE})",
        1,
        "",
    ),
    (
        "CASE_NUMBER",
        r"(?i:\b(?:case|docket|cause|file|index|claim|matter|civil action|petition)"
        r"\s*(?:number|no\.?|#|num)\s*[:.]?\s*)"
        r"([A-Z0-9](?:[A-Z0-9]|[-:/.](?=[A-Z0-9])){3,30})",
        1,
        "has_digit",
    ),
    ("CASE_NUMBER", r"\b\d{1,2}:\d{2}-[a-z]{2}-\d{3,6}(?:-[A-Z]{2,4})?\b", 0, ""),
    ("CASE_NUMBER", r"\b(?:\d{2,4}-?[A-Z]{1,5}-\d{3,8}|[A-Z]{1,5}-?\d{2,4}-\d{3,8})\b", 0, ""),
    (
        "ADDRESS",
        rf"(?i:\b\d{{1,6}}(?:-?[A-Z]\b|-\d{{1,4}})?\s+(?:[NSEW]\.?\s+|North\s+|South\s+|East\s+|West\s+)?"
        rf"(?:[A-Z0-9][A-Za-z0-9'.-]*\s+){{0,4}}{STREET_SUFFIX}\b\.?(?:\s+[NSEW][EW]?\b\.?)?{UNIT}?)"
        rf"{CITY_STATE_ZIP}?",
        0,
        "",
    ),
    ("ADDRESS", rf"(?i:\bP\.?\s*O\.?\s*Box\s+\d+){CITY_STATE_ZIP}?", 0, ""),
    (
        "EMPLOYER",
        r"\b(?:[A-Z][A-Za-z&'.-]*\s+){1,4}(?:Inc|LLC|L\.L\.C|Ltd|Corp|Corporation|Company|Co|LLP|PLLC"
        r"|Group|Partners|Associates|Industries|Holdings|Hospital|Clinic|Bank|University|College"
        r"|Logistics|Systems|Solutions|Services|Technologies|Foods|Motors|Construction|District"
        r"|Authority|Department|Agency|Council|Institute|Foundation)\b\.?"
        r"(?:,?\s+(?:Inc|LLC|Ltd|Corp|Co|LLP|PLLC)\b\.?)?",
        0,
        "",
    ),
    (
        "EMPLOYER",
        r"(?i:\b(?:employed\s+(?:by|at|with)|works?\s+(?:for|at)|employer\s*(?:is|:|,)?|job\s+at)\s+)"
        r"((?:the\s+)?[A-Z][A-Za-z&'-]*(?:\s+(?:of\s+|&\s+)?[A-Z][A-Za-z&'.-]*){0,4})",
        1,
        "",
    ),
]


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    s = value.replace(" ", "").upper()
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|social|security|s\.s\.n|taxpayer|tin)\b")


def _valid(kind: str, value: str, text: str, start: int) -> bool:
    digits = re.sub(r"\D", "", value)
    if kind == "luhn":
        return 13 <= len(digits) <= 19 and luhn(digits) and len(set(digits)) > 1
    if kind == "iban":
        return iban_ok(value)
    if kind == "ssn_context_if_bare":
        if any(c in value for c in "- "):
            return True
        return bool(_SSN_CONTEXT.search(text, max(0, start - 40), start))
    if kind == "phone_digits":
        return 8 <= len(digits) <= 15
    if kind == "has_digit":
        return bool(digits)
    if kind == "not_money":
        return bool(digits) and not re.fullmatch(r"\d{1,3}", digits)
    return True


COMPILED = [(label, re.compile(rx), group, check) for label, rx, group, check in PATTERNS]


def _result(label: str, start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(
        entity_type=label,
        start=start,
        end=end,
        score=score,
        # Presidio fills in the recognizer's id, which its context step matches on.
        recognition_metadata={},
    )


class PatternsRecognizer(EntityRecognizer):
    LABELS = sorted({p[0] for p in PATTERNS})

    def __init__(self) -> None:
        super().__init__(supported_entities=self.LABELS, name="caucus_patterns")

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for label, rx, group, check in COMPILED:
            for m in rx.finditer(text):
                start, end = m.span(group)
                if start < 0 or end <= start:
                    continue
                value = m.group(group)
                if check and not _valid(check, value, text, start):
                    continue
                out.append(_result(label, start, end, 0.85))
        return out


# --- the case's own strings ---------------------------------------------------------------

SUFFIX_VARIANTS = {
    "street": "street|st", "st": "street|st", "avenue": "avenue|ave|av", "ave": "avenue|ave|av",
    "road": "road|rd", "rd": "road|rd", "lane": "lane|ln", "ln": "lane|ln", "drive": "drive|dr",
    "dr": "drive|dr", "court": "court|ct", "ct": "court|ct", "boulevard": "boulevard|blvd",
    "blvd": "boulevard|blvd", "place": "place|pl", "pl": "place|pl", "apartment": "apartment|apt",
    "apt": "apartment|apt", "suite": "suite|ste", "ste": "suite|ste", "north": "north|n",
    "south": "south|s", "east": "east|e", "west": "west|w", "n": "north|n", "s": "south|s",
    "e": "east|e", "w": "west|w", "terrace": "terrace|ter", "parkway": "parkway|pkwy",
    "highway": "highway|hwy", "circle": "circle|cir",
}  # fmt: skip
COMPANY_SUFFIX = re.compile(
    r"(?i)[,\s]+(?:inc|llc|l\.l\.c|ltd|corp|corporation|company|co|llp|pllc|plc|gmbh)\.?$"
)
TITLES = {
    "mr", "mrs", "ms", "mx", "miss", "dr", "judge", "hon", "prof", "sir", "dame", "dear",
    "counsel",
}  # fmt: skip


def _tokens_rx(tokens: list[str], sep: str) -> str:
    return sep.join(
        f"(?:{SUFFIX_VARIANTS[t.casefold()]})" if t.casefold() in SUFFIX_VARIANTS else re.escape(t)
        for t in tokens
    )


def person_variants(name: str) -> list[str]:
    """The full name, each part that can stand alone, and the initials."""
    parts = [p for p in re.split(r"[\s,]+", name.strip()) if p]
    parts = [p for p in parts if p.rstrip(".").casefold() not in TITLES]
    out = [re.escape(" ".join(parts)).replace(r"\ ", r"\s+")]
    words = [p for p in parts if len(p.rstrip(".")) > 1]
    for w in words:
        if w.casefold() not in common_words() or len(words) == 1:
            out.append(re.escape(w.rstrip(".")))
            if "-" in w:
                out.extend(re.escape(x) for x in w.split("-") if len(x) > 2)
    if len(words) >= 2:
        initials = [w[0] for w in words]
        out.append(r"(?-i:" + r"\.?\s?".join(initials) + r"\.?)(?=\W|$)")
    return out


def _value_variants(value: str, label: str) -> list[str]:
    if label in {"PERSON", "CHILD"}:
        return person_variants(value)
    if label in {"PHONE", "ACCOUNT"}:
        digits = re.sub(r"[^0-9A-Za-z]", "", value)
        if len(digits) < 4:
            return [re.escape(value)]
        core = r"[\s().-]*".join(re.escape(c) for c in digits)
        out = [core]
        if label == "PHONE" and len(digits) == 10:
            out[0] = r"(?:\+?1[\s.-]*)?" + core
        return out
    if label == "ADDRESS":
        head = value.split(",")[0]
        out = []
        for part in (value, head):
            tokens = re.findall(r"[A-Za-z0-9#'-]+", part)
            if tokens:
                out.append(_tokens_rx(tokens, r"[\s,.#]*"))
        return out
    if label == "EMPLOYER":
        base = COMPANY_SUFFIX.sub("", value).strip()
        return [_tokens_rx(value.split(), r"[\s,]+"), _tokens_rx(base.split(), r"\s+")]
    return [re.escape(value)]


class CaseRecognizer(EntityRecognizer):
    """Every occurrence of what the case knows, ignoring case, whatever the spacing."""

    def __init__(self, knowledge: CaseKnowledge) -> None:
        super().__init__(
            supported_entities=[
                "PERSON",
                "CHILD",
                "ADDRESS",
                "EMAIL",
                "PHONE",
                "EMPLOYER",
                "ACCOUNT",
            ],
            name="caucus_case",
        )
        variants: dict[str, str] = {}
        for value, label in knowledge.labelled():
            for rx in _value_variants(value, label):
                # a child's label wins over a person's when both share a surname
                # a surname shared by parent and child keeps the first (adult) label
                variants.setdefault(rx, label)
        ordered = sorted(variants, key=len, reverse=True)
        self.labels = [variants[rx] for rx in ordered]
        self.rx = (
            re.compile(
                "|".join(f"(?P<k{i}>{rx})" for i, rx in enumerate(ordered)).join(
                    (r"(?i)(?<![\w@])(?:", r")(?![\w@])")
                )
            )
            if ordered
            else None
        )

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if self.rx is None:
            return []
        out = []
        for m in self.rx.finditer(text):
            label = self.labels[int((m.lastgroup or "k0")[1:])]
            out.append(_result(label, m.start(), m.end(), 1.0))
        return out


# --- names the case does not know ---------------------------------------------------------

WORD = re.compile(r"[^\W\d_][\w'\u2019-]*[^\W\d_]|[A-Z]\.?")
CHILD_CONTEXT = re.compile(
    r"(?i)\b(?:child|children|son|daughter|minor|kids?|stepson|stepdaughter)\b"
)


_AFTER_LOWER = re.compile(r"[a-z,;][ \t]+$")


def _norm(token: str) -> str:
    t = token.rstrip(".")
    for tail in ("'s", "\u2019s", "s'", "'", "\u2019"):
        if t.endswith(tail) and len(t) > len(tail) + 1:
            t = t[: -len(tail)] if tail not in ("s'",) else t[:-1]
            break
    return t.casefold()


def _is_cap(token: str) -> bool:
    return token[0].isupper()


class NameRecognizer(EntityRecognizer):
    """Capitalised runs judged against the name and word lists, then every later mention of
    a name found once: each part, possessive or in capitals."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="caucus_names")

    def load(self) -> None:
        pass

    def _runs(self, text: str) -> Iterator[list[re.Match[str]]]:
        run: list[re.Match[str]] = []
        for m in WORD.finditer(text):
            tok = m.group()
            gap = (
                r"\.?[ \t]+"
                if run and _norm(run[-1].group()) in TITLES | set("abcdefghijklmnopqrstuvwxyz")
                else r"[ \t]+"
            )
            if _is_cap(tok) and (not run or re.fullmatch(gap, text[run[-1].end() : m.start()])):
                run.append(m)
                continue
            if run:
                yield run
            run = [m] if _is_cap(tok) else []
        if run:
            yield run

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        given, family, common = given_names(), surnames(), common_words()
        found: list[tuple[int, int]] = []
        for run in self._runs(text):
            names: list[re.Match[str]] = []
            titled = False
            for m in run:
                key = _norm(m.group())
                if key in TITLES:
                    titled = True
                    names = []
                    continue
                is_initial = len(key) == 1
                if (
                    key in common
                    and not (titled and key not in {"court", "family"})
                    and not is_initial
                ):
                    self._flush(names, found, given, family, titled)
                    names, titled = [], False
                    continue
                names.append(m)
            self._flush(names, found, given, family, titled)
        found = self._propagate(text, found, common)
        return [_result("PERSON", s, e, 0.6) for s, e in found]

    @staticmethod
    def _flush(
        names: list[re.Match[str]],
        found: list[tuple[int, int]],
        given: frozenset[str],
        family: frozenset[str],
        titled: bool,
    ) -> None:
        words = [m for m in names if len(m.group().rstrip(".")) > 1]
        if not words:
            return
        keys = [_norm(m.group()) for m in words]
        listed = sum(k in given or k in family for k in keys)
        # two or three capitalised words that are neither common words nor abbreviations
        # read as a name even when no list knows them (Oluwaseun Adeyemi)
        unlisted_pair = 2 <= len(words) <= 3 and all(len(k) > 2 for k in keys)
        # a capitalised word inside a sentence that is no common word is a proper noun;
        # recall matters more than precision here, so it is taken for a name
        mid_sentence = (
            len(words) == 1
            and len(keys[0]) > 2
            and not words[0].group().isupper()
            and bool(_AFTER_LOWER.search(words[0].string, 0, words[0].start()))
        )
        if (
            titled
            or mid_sentence
            or (len(words) >= 2 and listed >= 1)
            or unlisted_pair
            or (len(words) == 1 and keys[0] in given)
        ):
            first = (
                names[0] if len(names[0].group().rstrip(".")) > 1 or len(names) > 1 else words[0]
            )
            end = words[-1].end()
            token = words[-1].group()
            if token.endswith(("'s", "\u2019s")):
                end -= 2
            found.append((first.start(), end))

    @staticmethod
    def _propagate(
        text: str, found: list[tuple[int, int]], common: frozenset[str]
    ) -> list[tuple[int, int]]:
        parts: set[str] = set()
        for s, e in found:
            for tok in WORD.findall(text[s:e]):
                key = _norm(tok)
                if len(key) > 1 and key not in common and key not in TITLES:
                    parts.add(key)
        if not parts:
            return found
        rx = re.compile(
            r"(?i)(?<![\w])(?:"
            + "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
            + r")(?![\w])"
        )
        extra = [(m.start(), m.end()) for m in rx.finditer(text) if _is_cap(m.group())]
        return found + extra
