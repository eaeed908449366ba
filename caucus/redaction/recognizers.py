"""Presidio recognizers of our own: patterns with checksums, the case's own strings, and
names the case does not know. Each returns `RecognizerResult`s; the engine merges them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from caucus.redaction.addresses import PROVINCES, STATE_NAMES, STREET, STREET_TYPE
from caucus.redaction.finding import Finder, finding
from caucus.redaction.knowledge import KNOWLEDGE_KEYS, CaseKnowledge
from caucus.redaction.vocabulary import (
    all_given_names,
    all_surnames,
    common_words,
    given_names,
    places,
    surnames,
)

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
    r"|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    r"|d[ée]cembre)\.?"
)
DATE = (
    rf"(?i:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er)?\s+(?:of\s+|de\s+)?{MONTH},?\s+\d{{4}}"
    rf"|\d{{1,2}}[-/ ]{MONTH}[-/ ](?:\d{{4}}|\d{{2}}))"
)
STREET_SUFFIX = STREET_TYPE
# a date as written anywhere, a line break or a non-breaking space inside it included
_ANY_DATE = re.compile(r"(?<![\w/.-])" + DATE + r"(?![\w/-])")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (("jan", "janv"), ("feb", "fev", "fév"), ("mar",), ("apr", "avr"), ("may", "mai"),
         ("jun", "juin"), ("jul", "juil"), ("aug", "aou", "aoû"), ("sep",), ("oct",),
         ("nov",), ("dec", "déc"))
    )
    for m in names
}  # fmt: skip


def date_readings(value: str) -> set[tuple[int, int, int]]:
    """The days (year, month, day) a written date can mean: 03/04/2015 is both the 3rd of
    April and the 4th of March; a two-digit year is read in either century."""
    words = re.findall(r"[^\W\d_]+", value.casefold())
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    month = next(
        (_MONTHS[w[:n]] for w in words for n in (4, 3) if w[:n] in _MONTHS and len(w) >= 3),
        None,
    )
    out: set[tuple[int, int, int]] = set()
    if month is not None and len(numbers) == 2:
        day, year = numbers if numbers[0] <= 31 and numbers[1] > 31 else numbers[::-1]
        candidates = [(year, month, day)]
    elif month is None and len(numbers) == 3:
        a, b, c = numbers
        candidates = [(a, b, c)] if a > 31 else [(c, a, b), (c, b, a)]
    else:
        return out
    for year, mon, day in candidates:
        years = [year] if year > 99 else [1900 + year, 2000 + year]
        if 1 <= mon <= 12 and 1 <= day <= 31:
            out.update((y, mon, day) for y in years)
    return out


COMPANY = (
    r"(?:Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|Corp|Corporation|Company|Co|PLC|P\.A|P\.C"
    r"|Group|Industries|Holdings|Services|Solutions|Systems|Technologies|Logistics|Foods"
    r"|Motors|Construction|Enterprises|Fisheries|Farms|Studio|Pharmacy|Dentistry|Trucking"
    r"|Primary|Elementary|Academy|Montessori|Nursery|Daycare|Preschool"
    r"|Roofing|Landscaping|Landscape|Laboratories|Labs|Consulting|Contractors|Staffing|Cabinetry|Hospital|Clinic"
    r"|University|College|School|District|Authority|Agency|Council|Institute|Foundation"
    # the trade a small business names itself by: "Bao Nails & Spa", "Otay Mesa Bakery"
    r"|Nails|Spa|Salon|Barbers|Restaurant|Bistro|Cafe|Caf\u00e9|Bakery|Catering|Garage|Auto"
    r"|Dental|Cleaning|Plumbing|Electric|Imports|Engineering|Translation|Fitness|Boutique)"
)

# (label, regex, group holding the value or 0, validator name or "")
PATTERNS: list[tuple[str, str, int, str]] = [
    (
        "SSN",
        r"(?i:\b(?:ssn|social security(?: number| no\.?)?)\s*[:#]?\s*)"
        r"((?:x{3}|\*{3}|\d{3})[- ]?(?:x{2}|\*{2}|\d{2})[- ]?\d{4})\b",
        1,
        "",
    ),
    (
        "DOB",
        rf"(?i:\b(?:born(?:\s+in\s+[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){{0,2}},?)?"
        rf"(?:\s+on|\s+in)?|n[ée]e?\s+le|date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date"
        rf"|birthday|b\.)(?:\s*\([^)\n]{{1,20}}\))?\s*(?:is\s+)?[:,-]?\s*\(?\s*(?:the\s+)?"
        # a few words between the words and the date: "date of birth is given as 30/06/1979"
        rf"|(?:date\s+of\s+birth|birth\s*date|d\.?o\.?b\.?)"
        rf"(?:[ \t\u00a0]+[^\W\d_]+){{1,6}}[ \t\u00a0]*:?[ \t\u00a0]+"
        # or only the month: "born in April 1986"
        rf")({DATE}|{MONTH}[ \t\u00a0]+(?:19|20)\d{{2}}\b)",
        1,
        "",
    ),
    (
        "CASE_NUMBER",
        r"(?i:\b(?:case|docket|cause|file|index|claim|matter|civil action|action|petition|court"
        r"|estate|probate|complaint|grievance|dossier|appeal|tribunal|application)"
        r"\s*(?:numbers?|nos?\.?|#|num|ref(?:erence)?\.?(?:\s*(?:no\.?|number))?)\s*[:.]?\s*)"
        # digits in groups ("1200 4488 1912"); a division after the number ("Div. B")
        r"([A-Z0-9](?:[A-Z0-9]|[-:/.](?=[A-Z0-9])|[ \u00a0](?=[A-Z]{2,4}\b|\d{3,}\b)){3,30}"
        r"(?:,?[ \u00a0]+Div(?:ision)?\.?[ \u00a0]*[A-Z0-9]{1,3}\b)?)",
        1,
        "has_digit",
    ),
    ("CASE_NUMBER", r"\b\d{1,2}:\d{2}-[a-z]{2}-\d{3,6}(?:-[A-Z]{2,4})?\b", 0, ""),
    # a file numbered within its year: "FLD No. 341 of 2024", "Claim No. 12 of 2025"
    (
        "CASE_NUMBER",
        r"(?i:\bno\.?[ \u00a0]*)(\d{1,6}[ \u00a0]+of[ \u00a0]+(?:19|20)\d{2})\b",
        1,
        "",
    ),
]


def _valid(kind: str, value: str, text: str, start: int) -> bool:
    if kind == "has_digit":
        return any(c.isdigit() for c in value)
    return True


COMPILED = [(label, re.compile(rx), group, check) for label, rx, group, check in PATTERNS]


class PatternsRecognizer(Finder):
    LABELS = sorted({p[0] for p in PATTERNS})

    def __init__(self) -> None:
        super().__init__(self.LABELS, "caucus_patterns")

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
                out.append(finding(label, start, end, 0.85))
        return out


# --- employers and businesses tied to a person ----------------------------------------------

_ORG_WORD = r"[A-Z\u00c0-\u017f0-9][\w&'\u2019.\u00c0-\u017f-]*"
_ORG = (
    # "CIUSSS de l'Estrie": an elided article joins the word after it
    rf"{_ORG_WORD}(?:[ \u00a0]+(?:(?:of|and|&|de|du|des|la|le|for|on|at)[ \u00a0]+)?"
    rf"(?:[ldLD]['\u2019])?{_ORG_WORD})"
    rf"{{0,6}}(?:,?[ \u00a0]+(?i:{COMPANY})\b\.?)?"
)
# Words that tie the organisation after them to a person: their job, their business.
ROLES = (
    r"nurse|rn|lpn|teacher|driver|cook|aide|technician|technicien|technicienne|manager"
    r"|engineer|analyst|paralegal|hygienist|pharmacist|supervisor|director|assistant|worker"
    r"|officer|contractor|consultant|lecturer|professor|secretary|clerk|cashier|electrician"
    r"|plumber|mechanic|accountant|administrator|receptionist|coordinator|captain|paramedic"
    r"|doctor|physician|dentist|therapist|counsel+or|developer|programmer|designer"
    r"|labou?rer|foreman|operator|partner|associate|employee|staff|volunteer|intern"
    r"|apprentice|chef|server|bartender|guard|librarian|scientist|researcher|buyer|agent"
    r"|representative|specialist|planner|inspector|firefighter|pilot|attendant|caretaker"
    r"|cleaner|housekeeper|nanny|tutor|instructor|coach|farmer|carpenter|joiner|welder"
    r"|machinist|courier|locum|gp|executive|cfo|ceo|owner|founder|vp|president|editor"
    r"|writer|reporter|salesperson|estimator|dispatcher|surveyor|architect|lawyer|solicitor"
)
# Words that tie the organisation after them to a person: their job, their business.
_TIED = re.compile(
    r"(?i:\b(?:employed\s+(?:[\w-]+\s+){0,5}?(?:by|at|with)|works?\s+(?:\w+\s+){0,2}?(?:for|at|with)"
    r"|(?:on\s+)?(?:the\s+)?payroll\s+(?:of|at)|(?:hired|recruited|employed)\s+by"
    r"|(?:job|position|role|post|contract)\s+(?:at|with)|drives\s+(?:[\w-]+\s+){0,2}?for"
    r"|(?:been|worked|working|started|starts|starting)\s+(?:with|at|for)"
    r"|trading\s+as|t/a|d/b/a|doing\s+business\s+as|joined|quit|resigned\s+from"
    r"|retired\s+from|(?:laid\s+off|fired|dismissed|leave)\s+(?:by|from)"
    r"|(?:earns?|earned|earning|makes)\s+[^.\n]{0,25}?\s+(?:at|with)"
    r"|teaches\s+(?:[\w-]+\s+){0,3}?at"
    r"|working\s+(?:for|at|with)|employee\s+of|employer(?:'s)?\s*(?:is|was|:|,|\(|[-\u2013\u2014])?"
    r"|employment\s*[-\u2013\u2014:]|job\s+(?:at|with)|job\s+offer\s+is\s+from"
    r"|teaches\s+at|drives\s+for|owns|owner\s+of|owner,|runs|chez"
    r"|(?:wages|salary|pay|paycheck|income|earnings)\s+(?:at|from|with|\()|paid\s+by"
    r"|(?:is|was|as|,|'s|\u2019s)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:at|with|for|through|@)"
    rf"|(?:{ROLES})s?\s+(?:at|with|for|through|@)|(?:{ROLES}),"
    r"|(?:business|practice|pharmacy|shop|company|firm|school|studio|outfit|employer),"
    r"|(?:business|practice|pharmacy|shop|company|studio|school)\s+\("
    # "self-employed (Ouellet Drywall)", "self-employed plasterer, LD Plastering"
    r"|self-employed(?:[ \u00a0]+[a-z-]+){0,2}(?:,|[ \u00a0]*\(|[ \u00a0]+(?:as|at|with|through)\b)"
    r"|self-employed,?|self\s+\()(?:\s+|(?<=[(:])\s*))"
    r"(?:the\s+)?"
)
_TIED_ORG = re.compile(_TIED.pattern + rf"({_ORG})")
_LEGAL_FORM = r"Inc|LLC|L\.L\.C|Ltd|Limited|Corp|Co|PLC|P\.A|P\.C"
_SUFFIXED_ORG = re.compile(
    rf"\b((?:[A-Z\u00c0-\u017f][\w&'\u2019.\u00c0-\u017f-]*[ \u00a0]+(?:&[ \u00a0]+)?){{1,5}}"
    rf"(?:(?i:{COMPANY})\b\.?(?:,?[ \u00a0]+(?i:{_LEGAL_FORM})\b\.?)?"
    # the legal form after a comma: "Blue Ridge Home Health, Inc."
    rf"|[A-Z\u00c0-\u017f][\w&'\u2019.\u00c0-\u017f-]*,[ \u00a0]+(?i:{_LEGAL_FORM})\b\.?))"
)
# An organisation named before the words that tie it: "Loughborough School, where Mum is a
# teaching assistant".
_ORG_WHERE = re.compile(
    rf"(?<![\w'\u2019-])({_ORG}),?[ \u00a0]+where[ \u00a0]+(?:[A-Z][\w'-]*|he|she|they)"
    r"[ \u00a0]+(?:is|was|works|worked|teaches|taught)\b"
)
# An organisation named by its workplace: "shifts at the Nissan plant", "the Irving Oil
# refinery".
_ORG_WORKPLACE = re.compile(
    rf"(?i:\b(?:at|for|with|from|in)[ \u00a0]+the[ \u00a0]+)(?-i:({_ORG}))[ \u00a0]+"
    r"(?i:plant|factory|mill|refinery|warehouse|depot|mine|smelter"
    r"|(?:distribution|fulfil+ment|call)[ \u00a0]+cent(?:re|er)|store|branch|site|yard)\b"
)
# A line that lists where wages come from: "Wages (W-2): Duke Energy $94,118; Wake County
# Public Schools $51,760". Each organisation before an amount is an employer.
_WAGES_LINE = re.compile(
    r"(?im)^[ \t\u00a0]*(?:wages|salary|salaries|employers?|employment|earnings|w-2s?)\b"
    # and the indented lines that continue it
    r"[^:\n]{0,20}:[^\n]*(?:\n[ \t\u00a0]{4,}[^\n]*)*"
)
# In such a line, an organisation after a person and a dash: "Colin — Nova Scotia Power".
_AFTER_DASH = re.compile(rf"[\u2013\u2014-][ \u00a0]+({_ORG})")
_BEFORE_AMOUNT = re.compile(rf"({_ORG})[ \u00a0]*[(\u2013-]?[ \u00a0]*[$\u00a3\u20ac][ \u00a0]?\d")
# Kept: the institutions a document names for everyone (banks, courts, insurers, law firms).
_INSTITUTION = re.compile(
    r"(?i)\b(?:bank|banque|court|tribunal|registry|insurance|assurance|credit\s+union|trust"
    r"|financial|mortgage|solicitors|attorneys|law|legal|llp|pllc|chambers|clerk|justice"
    r"|police|government|ministry|department\s+of|service\s+canada|hmrc|irs)\b"
)
_TRAILING = re.compile(r"(?:[ \u00a0]+(?:of|and|&|de|du|des|la|le|for|on|at))+$")


# Where an organisation's name cannot go on: a sentence's end ("Lothian Buses. She"), a
# table's next column (two spaces or a tab), a bracket ("Kessler Topaz (Radnor office)").
_ORG_STOP = re.compile(r"(?<=[a-z]{3})\.[ \u00a0]+(?=[A-Z])|[ \u00a0]{2,}|\t|[ \u00a0]*\(")


def _end_of_org(text: str, start: int, end: int) -> tuple[int, int]:
    for stop in _ORG_STOP.finditer(text, start, end):
        # an abbreviation inside the name goes on: "MacIsaac Bros. Fisheries"
        after = re.match(r"\w+", text[stop.end() : end])
        abbreviation = after and after.group().casefold() not in common_words()
        if stop.group().startswith(".") and abbreviation:
            continue
        if stop.start() > start:
            return (start, stop.start())
    return (start, end)


class EmployerRecognizer(Finder):
    """Organisations tied to a person by the words before them (works at, employed by, a
    nurse at, owns, her pharmacy), and businesses written with a company suffix, in any
    case; every later mention of one found is removed too. Banks, courts, insurers and law
    firms named without such words are kept."""

    def __init__(self) -> None:
        super().__init__(["EMPLOYER"], "caucus_employers")

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        found: list[tuple[int, int]] = []
        for m in _TIED_ORG.finditer(text):
            value = _TRAILING.sub("", m.group(1).rstrip(".,"))
            if value and value[0].isupper():
                found.append((m.start(1), m.start(1) + len(value)))
        for m in _SUFFIXED_ORG.finditer(text):
            # the word after the suffix may make it a court ("County District Court"); a
            # possessive first word is a person's ("Malik's School")
            named = m.group(1) + text[m.end(1) : m.end(1) + 12].split("\n")[0]
            first = m.group(1).split()[0]
            if not _INSTITUTION.search(named) and not first.endswith(("'s", "\u2019s", "'S")):
                found.append(m.span(1))
        for line in _WAGES_LINE.finditer(text):
            head = line.group().index(":") + 1
            for rx in (_BEFORE_AMOUNT, _AFTER_DASH):
                for m in rx.finditer(line.group(), head):
                    value = _TRAILING.sub("", m.group(1).rstrip(".,"))
                    if value[:1].isupper() and not _INSTITUTION.search(value):
                        start = line.start() + m.start(1)
                        found.append((start, start + len(value)))
        for m in _ORG_WORKPLACE.finditer(text):
            value = _TRAILING.sub("", m.group(1))
            key = value.casefold()
            if not _INSTITUTION.search(value) and key not in common_words() and key not in places():
                found.append((m.start(1), m.start(1) + len(value)))
        for m in _ORG_WHERE.finditer(text):
            if not _INSTITUTION.search(m.group(1)):
                found.append(m.span(1))
        found = [_end_of_org(text, s, e) for s, e in found]
        return [finding("EMPLOYER", s, e, 0.7) for s, e in self._propagate(text, found)]

    @staticmethod
    def _propagate(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Later mentions, with or without the company suffix, by the name's first two
        words or more."""
        cores: set[str] = set()
        for s, e in found:
            words = COMPANY_SUFFIX.sub("", text[s:e]).split()
            if len(words) >= 2 and not {w.casefold() for w in words[:2]} <= common_words():
                cores.add(r"[ \u00a0]+".join(re.escape(w) for w in words[:2]))
            elif len(words) == 1 and len(words[0]) > 3:
                cores.add(re.escape(words[0]))
        if not cores:
            return found
        rx = re.compile(r"(?i)(?<![\w])(?:" + "|".join(sorted(cores, key=len, reverse=True)) + ")")
        extra = []
        for m in rx.finditer(text):
            tail = re.match(rf"(?:[ \u00a0]+(?:&[ \u00a0]+)?{_ORG_WORD})*", text[m.end() :])
            end = m.end() + (len(tail.group()) if tail else 0)
            if m.group()[0].isupper():
                extra.append(_end_of_org(text, m.start(), end))
        return found + extra


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
    "rev", "revd", "reverend", "pastor", "fr", "imam", "rabbi", "sheikh",
    "counsel", "grandma", "grandpa", "granny", "gran", "nana", "nanna", "aunt", "auntie",
    "aunty", "uncle",
}  # fmt: skip


_TITLE_BEFORE = r"(?:(?:mr|mrs|ms|mx|miss|dr)\.?[ \t\u00a0]+)?"


def _tokens_rx(tokens: list[str], sep: str) -> str:
    return sep.join(
        f"(?:{SUFFIX_VARIANTS[t.casefold()]})" if t.casefold() in SUFFIX_VARIANTS else re.escape(t)
        for t in tokens
    )


def person_variants(name: str) -> list[str]:
    """The full name, each part that can stand alone, and the initials."""
    parts = [p for p in re.split(r"[\s,]+", name.strip()) if p]
    parts = [p for p in parts if p.rstrip(".").casefold() not in TITLES]
    # the whole name with the title written before it ("MR DECLAN MURTAGH")
    out = [_TITLE_BEFORE + re.escape(" ".join(parts)).replace(r"\ ", r"\s+")]
    words = [p for p in parts if len(p.rstrip(".")) > 1]
    for w in words:
        if w.casefold() not in common_words() or len(words) == 1:
            out.append(re.escape(w.rstrip(".")))
            if "-" in w:
                out.extend(re.escape(x) for x in w.split("-") if len(x) > 2)
    if len(words) >= 2:
        initials = [re.escape(w[0]) for w in words]
        out.append(r"(?-i:" + r"\.?\s?".join(initials) + r"\.?)(?=\W|$)")
    return out


NUMBER_LABELS = {"PHONE", "ACCOUNT", "SSN", "OTHER_ID", "CASE_NUMBER"}
# what may stand between the characters of a number: spaces, a line break, punctuation
_NUMBER_GAP = re.compile(r"[\s().:/\u00a0-]*")
_ALNUM = re.compile(r"[^\W_]")
_COUNTRY_CODE_BEFORE = re.compile(r"\+?1[\s.\u00a0-]*$")


def _alnum(value: str) -> str:
    return "".join(_ALNUM.findall(value)).casefold()


def _value_variants(value: str, label: str) -> list[str]:
    if label in {"PERSON", "CHILD"}:
        return person_variants(value)
    if label in NUMBER_LABELS:
        # four characters or more are matched by CaseRecognizer._numbers, whatever separates
        # them; shorter ones only as written
        return [re.escape(value)] if len(_alnum(value)) < 4 else []
    if label == "ADDRESS":
        head = value.split(",")[0]
        out = []
        for part in (value, head):
            tokens = re.findall(r"[A-Za-z0-9#'-]+", part)
            if tokens:
                out.append(_tokens_rx(tokens, r"[\s,.#]*"))
        return out
    if label == "DOB":
        # as written; and by the day it names, whatever its format (CaseRecognizer.analyze)
        return [re.escape(value).replace(r"\ ", r"\s+")]
    if label == "EMPLOYER":
        base = COMPANY_SUFFIX.sub("", value).strip()
        return [_tokens_rx(value.split(), r"[\s,]+"), _tokens_rx(base.split(), r"\s+")]
    return [re.escape(value)]


class CaseRecognizer(Finder):
    """Every occurrence of what the case knows, ignoring case, whatever the spacing."""

    def __init__(self, knowledge: CaseKnowledge) -> None:
        super().__init__(sorted(set(KNOWLEDGE_KEYS.values())), "caucus_case")
        variants: dict[str, str] = {}
        for value, label in knowledge.labelled():
            for rx in _value_variants(value, label):
                # a child's label wins over a person's when both share a surname
                # a surname shared by parent and child keeps the first (adult) label
                variants.setdefault(rx, label)
        self.numbers: dict[str, str] = {}
        for value, label in knowledge.labelled():
            norm = _alnum(value)
            if label in NUMBER_LABELS and len(norm) >= 4:
                self.numbers.setdefault(norm, label)
                # a North American number known with its country code is found without it
                if label == "PHONE" and len(norm) == 11 and norm.startswith("1"):
                    self.numbers.setdefault(norm[1:], label)
        self.births = set().union(
            *(date_readings(v) for v, lab in knowledge.labelled() if lab == "DOB")
        )
        # one pattern per kind of knowledge: in one alternation a person's initials ("LD")
        # would win over the employer that starts with the same letters ("LD Plastering")
        self.patterns: list[tuple[re.Pattern[str], list[str]]] = []
        for kind in ({"PERSON", "CHILD"}, *({lab} for lab in KNOWLEDGE_KEYS.values())):
            if kind == {"CHILD"} or kind == {"PERSON"}:
                continue
            ordered = sorted((rx for rx in variants if variants[rx] in kind), key=len, reverse=True)
            if ordered:
                alternation = "|".join(f"(?P<k{i}>{rx})" for i, rx in enumerate(ordered))
                self.patterns.append(
                    (
                        re.compile(rf"(?i)(?<![\w@])(?:{alternation})(?![\w@])"),
                        [variants[rx] for rx in ordered],
                    )
                )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        if self.births:
            for m in _ANY_DATE.finditer(text):
                if date_readings(m.group()) & self.births:
                    out.append(finding("DOB", m.start(), m.end(), 1.0))
        if self.numbers:
            out += self._numbers(text)
        for rx, labels in self.patterns:
            for m in rx.finditer(text):
                label = labels[int((m.lastgroup or "k0")[1:])]
                out.append(finding(label, m.start(), m.end(), 1.0))
        return out

    def _numbers(self, text: str) -> list[RecognizerResult]:
        """Each known number in the text's letters and digits read as one string, where
        only spaces, line breaks and punctuation stand between its characters and no
        letter or digit touches its ends: one pass for all of them, no pattern to build."""
        where = [m.start() for m in _ALNUM.finditer(text)]
        stream = "".join(text[i] for i in where).casefold()
        out = []
        for norm, label in self.numbers.items():
            k = stream.find(norm)
            while k >= 0:
                start, end = where[k], where[k + len(norm) - 1] + 1
                inside = all(
                    _NUMBER_GAP.fullmatch(text, where[j] + 1, where[j + 1])
                    for j in range(k, k + len(norm) - 1)
                    if where[j + 1] - where[j] > 1
                )
                touching = (start > 0 and text[start - 1].isalnum()) or (
                    end < len(text) and text[end].isalnum()
                )
                if inside and not touching:
                    if label == "PHONE":
                        prefix = _COUNTRY_CODE_BEFORE.search(text, max(0, start - 4), start)
                        start = prefix.start() if prefix else start
                    out.append(finding(label, start, end, 1.0))
                k = stream.find(norm, k + 1)
        return out


# --- names the case does not know ---------------------------------------------------------

WORD = re.compile(r"[^\W\d_][\w'\u2019-]*[^\W\d_]|[A-Z]\.?")
CHILD_CONTEXT = re.compile(
    r"(?i)\b(?:child|children|son|daughter|minor|kids?|stepson|stepdaughter)\b"
)


_AFTER_LOWER = re.compile(r"[a-z,;][ \t]+$")
_CAPS_LINE = re.compile(r"(?m)^[^a-z\n]*[A-Z]{2}[^a-z\n]*$")
_AFTER_NUMBER = re.compile(r"\d[ \t\u00a0]*$")
# Latin Extended-A holds both cases; its capitals start names too (Żaneta, Łukasz)
_CAP_NAME = r"[A-Z\u00c0-\u00de\u0100-\u017f][\w'\u2019\u00c0-\u017f-]*[^\W\d_]"
# Names the words around them give away: a child's age or birth in brackets after the
# name ("Cerys (12)", "Eli (born ..."), the parties of a case ("Fehr v. Fehr"), a party
# named with their side ("Harpreet Sandhu (claimant)").
NAMED_BY_CONTEXT = re.compile(
    rf"(?<![\w.])({_CAP_NAME})(?=[ \u00a0]*\((?:\d{{1,2}}\)|(?i:age|aged|born|dob|n[ée]e?)\b"
    rf"|(?i:b\.|d\.o\.b\.?)(?!\w)|\d{{1,2}}\s*(?:yrs?|years?)))"
    rf"|(?<![\w.])({_CAP_NAME})(?=[ \u00a0]+v\.?[ \u00a0]+[A-Z])"
    # a child's birth year in brackets ("Lindiwe (2012)")
    rf"|(?<![\w.])({_CAP_NAME})(?=[ \u00a0]*\((?:19|20)\d{{2}}\))"
    rf"|(?<=[ \u00a0]v\.[ \u00a0])({_CAP_NAME})"
    rf"|(?<=[ \u00a0]v[ \u00a0])({_CAP_NAME})"
)
# A single word after a line's role label is a person's name when it is no common word
# and no place ("Witness: Corin", "cc: Okafor").
NAMED_AFTER_ROLE = re.compile(
    r"(?i:\b(?:witness|witnessed\s+by|signed|signature|cc|attended|present|caller|prepared\s+by"
    r"|attn|attention|mediator|counsel)\b)[ \t\u00a0]*:?[ \t\u00a0]+"
    rf"({_CAP_NAME})(?![\w'\u2019-])"
    # a memo's or a form's field that holds a person: "To: Whitlock", "Client: Pettigrew"
    r"|(?im:^[ \t\u00a0]*(?:to|from|client|clients|prepared\s+for|guardian(?:\s+ad\s+litem)?"
    r"|applicant|respondent|petitioner|claimant|husband|wife|mother|father|party\s+[ab12]"
    r"|name|surname|family\s+name|tenant|landlord|employee|referred\s+by|referral|contact"
    r"|c\.c\.|judge)[ \t\u00a0]*:[ \t\u00a0]*)"
    rf"({_CAP_NAME})(?=[ \t\u00a0]*(?:\n|$|[(,;]))"
)
# A name alone on the line after a letter's closing: "Best,\nOluwadamilola".
NAMED_AFTER_CLOSING = re.compile(
    r"(?im:^[ \t\u00a0]*(?:best|best\s+regards|kind\s+regards|regards|thanks|thank\s+you"
    r"|sincerely|yours(?:\s+(?:truly|sincerely|faithfully))?|cheers|warmly|respectfully)"
    r"[,.!]?[ \t\u00a0]*\n[ \t\u00a0]*)"
    rf"({_CAP_NAME})(?=[ \t\u00a0]*(?:\n|$))"
)
# A name in brackets after the party's side or role: "Applicant (Ngozi)", "Dad (Trevor)".
NAMED_BY_SIDE = re.compile(
    r"(?i:\b(?:applicant|respondent|petitioner|co-petitioner|claimant|plaintiff|defendant"
    r"|pursuer|defender|husband|wife|mother|father|mum|mom|dad|party[ \u00a0]+[ab12]|p[12])"
    r")[ \u00a0]*\([ \u00a0]*"
    rf"({_CAP_NAME})[ \u00a0]*\)"
)
# Initials standing for a person: a child named by initials ("the minor child J.G.", "In
# the interest of L.M.R."), or initials alone on a signature line ("- M.L.").
_INITIALS = r"(?:[A-Z]\.[ \u00a0]?){1,2}[A-Z]\.?(?![\w.])"
NAMED_BY_INITIALS = re.compile(
    r"(?i:\b(?:child|children|son|daughter|minor|interest[ \u00a0]+of|concerning"
    r"|in[ \u00a0]+re)[ \u00a0]+)"
    rf"(?-i:({_INITIALS}))"
    rf"|(?m:^[ \t\u00a0]*(?:[-\u2013\u2014/][ \t\u00a0]*)?({_INITIALS})[ \t\u00a0]*$)"
    # initials signing a note for a role at a line's end: "GL/mediator", "A.B., mediator"
    rf"|(?m:^[ \t\u00a0]*(?:[-\u2013\u2014][ \t\u00a0]*)?"
    rf"({_INITIALS}|[A-Z]{{2,3}}|[A-Z][a-z]?[A-Z]{{1,2}})[ \t\u00a0]*(?:/|,)[ \t\u00a0]*"
    r"(?i:mediator|co-mediator|notes?|note-taker|screener|intake|author)"
    r"[ \t\u00a0]*$)"
)
_ABBREVIATIONS = {
    "us", "uk", "po", "dc", "bc", "nb", "ps", "qc", "kc", "am", "pm", "nw", "ne", "sw", "se",
    "eu", "un", "rn", "md", "jd", "ca", "la", "ny", "id", "tv", "ok", "ie", "eg", "na", "usa",
    "pei", "ns", "cpa", "phd", "ba", "bs", "ma", "ms", "llb", "llm",
}  # fmt: skip
# A short name a document gives a person in brackets right after the full one: ("Tom"),
# ("WZ"), (SAH).
_ALIAS_AFTER = re.compile(
    r"[ \t\u00a0]*\([ \t\u00a0]*(?:[\"\u201c]([A-Z][\w'\u2019.-]{1,20})[\"\u201d]|([A-Z]{2,4}))"
    r"[ \t\u00a0]*\)"
)
# a state or province after a town, an hour's am/pm: not a person's initials
_NOT_INITIALS_BEFORE = re.compile(r"[,\d][ \t\u00a0]*$")


def _aliases_and_initials(
    text: str, found: list[tuple[int, int]], common: frozenset[str]
) -> list[tuple[int, int]]:
    """A name's alias in brackets, and the initials of a full name wherever they stand for
    the person ("Niamh Brennan" ... "NB accepted"), in capitals, with or without stops."""
    aliases: list[tuple[int, int]] = []
    initials: set[str] = set()
    for s, e in found:
        m = _ALIAS_AFTER.match(text, e)
        if m:
            group = 1 if m.group(1) else 2
            if _norm(m.group(group)) not in common or m.group(group).isupper():
                aliases.append(m.span(group))
        words = [w for w in WORD.findall(text[s:e]) if len(w.rstrip(".")) > 1 or w.isupper()]
        words = [w for w in words if _norm(w) not in TITLES]
        # a double-barrelled name gives an initial per part too ("SJB", "OVB")
        parts = [part for w in words for part in w.split("-") if part]
        for these in (words, parts):
            if 2 <= len(these) <= 3:
                initials.add("".join(w[0].upper() for w in these))
    if initials:
        rx = re.compile(
            r"(?<![\w.'\u2019-])(?:"
            + "|".join(r"\.?[ \u00a0]?".join(i) + r"\.?" for i in sorted(initials))
            + r")(?![\w'\u2019-])"
        )
        for m in rx.finditer(text):
            if not _NOT_INITIALS_BEFORE.search(text, max(0, m.start() - 3), m.start()):
                aliases.append(m.span())
    return aliases


# "Surname, Given" as lists and tables write a person: at the start of a line or after a
# separator, the comma, then a given name (and an initial) ending the entry.
SURNAME_FIRST = re.compile(
    rf"(?m:(?:^|(?<=[:;/&\t])|(?<=\band[ ]))[ \t\u00a0]*({_CAP_NAME}),[ \t\u00a0]+"
    rf"({_CAP_NAME}(?:[ \t\u00a0]+[A-Z]\.?)?))"
    r"(?=[ \t\u00a0]*(?:\n|$|\t|[ \u00a0]{2}|\(|/|&|;|[ \u00a0]and\b|[ \u00a0]+(?i:dob|born|b\.)))"
)
_WEEKDAY = re.compile(r"(?i)(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day)?")
# A heading line naming the two sides by family name: "Ferreira-Mbeki / Mbeki".
NAMED_PAIR = re.compile(
    rf"(?m:^[ \t\u00a0]*({_CAP_NAME})[ \t\u00a0]*(?:/|&|and)[ \t\u00a0]*({_CAP_NAME})[ \t\u00a0]*$)"
)
# A lone unknown word after these is a place or a business, not a person ("in Karachi",
# "near Rosthern", "at Natomas"); a person's name seen elsewhere is still removed there.
_PLACE_BEFORE = re.compile(r"\b(?:in|near|at)[ \t\u00a0]+$")
# "at" may name a workplace ("works at Ashcroft Farm"), "in" and "near" a place only
_IN_PLACE_BEFORE = re.compile(r"\b(?:in|near)[ \t\u00a0]+$")
# An institution named by what it holds for a person: "pension with Aviva", "mortgage with
# Nationwide", "deposit held by Royal LePage".
INSTITUTION_BY_ROLE = re.compile(
    r"(?i:\b(?:pension|mortgage|policy|insurance|insured|loan|account|savings|deposit|escrow"
    r"|isa|rrsp|tfsa|401\(k\)|ira|annuity|shares|broker|brokerage)[ \u00a0]+(?:is[ \u00a0]+)?"
    r"(?:with|at|from|held[ \u00a0]+by|by)[ \u00a0]+)"
    r"((?:[A-Z][\w'\u2019&.-]*[ \u00a0]?){1,3})"
)
# Banks, insurers, brokerages and pension schemes of the US, Canada and the UK that
# documents name for everyone to read; a word that is also a common given or family name
# (Chase, Ally, Phoenix) is listed only with the word that makes it the institution.
_INSTITUTION_NAMES = (
    "Bank of America", "Wells Fargo", "Citibank", "Citi", "JPMorgan", "U.S. Bank", "PNC",
    "Truist", "Capital One", "Fifth Third", "KeyBank", "Navy Federal", "USAA", "BECU",
    "Synchrony", "American Express", "Amex", "Vanguard", "Fidelity", "Schwab", "Charles Schwab",
    "E*Trade", "Merrill", "Merrill Lynch", "Morgan Stanley", "Edward Jones", "TIAA",
    "T. Rowe Price", "Prudential", "MetLife", "New York Life", "Northwestern Mutual",
    "State Farm", "Allstate", "Geico", "GEICO", "Liberty Mutual", "Aetna", "Cigna", "Humana",
    "Blue Cross", "Blue Cross Blue Shield", "CalPERS", "CalSTRS", "Scotiabank", "Royal Bank",
    "Desjardins", "Tangerine", "Simplii", "Wealthsimple", "Questrade", "Sun Life", "Manulife",
    "Canada Life", "Great-West Life", "Co-operators", "Vancity", "OMERS", "HOOPP", "Barclays",
    "Lloyds", "Halifax", "NatWest", "Santander", "Nationwide", "Monzo", "Starling", "Revolut",
    "TSB", "Virgin Money", "First Direct", "Aviva", "Legal & General", "Scottish Widows",
    "Standard Life", "Royal London", "Hargreaves Lansdown", "AJ Bell", "Rocket Mortgage",
    "Quicken Loans", "Mr. Cooper",
)  # fmt: skip
KNOWN_INSTITUTION = re.compile(
    r"(?<![\w'\u2019-])(?:"
    + "|".join(
        re.escape(name).replace(r"\ ", "[ \u00a0]")
        for name in sorted(_INSTITUTION_NAMES, key=len, reverse=True)
    )
    + r"|Chase(?=[ \u00a0]+(?i:bank|visa|checking|savings|sapphire|freedom|card|account))"
    + r"|Roth(?=[ \u00a0]+(?:IRA|401)))(?![\w'\u2019-])"
)
# Regions of more than one word, whose first word may be a given name (Nova, Prince).
REGION = re.compile(
    r"(?i)\b(?:Nova[ \u00a0]Scotia|New[ \u00a0]Brunswick|Prince[ \u00a0]Edward[ \u00a0]Island"
    r"|British[ \u00a0]Columbia|Newfoundland(?:[ \u00a0]and[ \u00a0]Labrador)?"
    r"|Northwest[ \u00a0]Territories|New[ \u00a0](?:York|Jersey|Mexico|Hampshire)"
    r"|(?:North|South)[ \u00a0](?:Carolina|Dakota)|West[ \u00a0]Virginia|Rhode[ \u00a0]Island"
    r"|District[ \u00a0]of[ \u00a0]Columbia|Northern[ \u00a0]Ireland"
    r"|Isle[ \u00a0]of[ \u00a0](?:Man|Wight)|Greater[ \u00a0](?:London|Manchester)"
    r"|(?:West|South|North|East)[ \u00a0](?:Midlands|Yorkshire|Sussex|Lothian|Ayrshire|Riding))\b"
)
# A state or province after its town ("Calgary, Alberta") and the countries documents name
# for travel or origin: places, though some are given names too (Alberta, India, Georgia).
PLACE_NAMES = re.compile(
    rf"(?<=[a-z\u00e0-\u00ff],[ \u00a0])(?:{STATE_NAMES}|{PROVINCES})\b"
    r"|(?<![\w'\u2019-])(?:India|Pakistan|Bangladesh|Sri[ \u00a0]Lanka|China|Taiwan|Japan|Korea"
    r"|Vietnam|Viet[ \u00a0]Nam|Philippines|Thailand|Indonesia|Malaysia|Nigeria|Ghana|Kenya"
    r"|Ethiopia|Somalia|Uganda|Zimbabwe|South[ \u00a0]Africa|Egypt|Morocco|Algeria|Tunisia"
    r"|Lebanon|Syria|Iraq|Iran|Turkey|Poland|Ukraine|Russia|Romania|Germany"
    r"|France|Spain|Portugal|Italy|Greece|Ireland|Scotland|England|Wales|Mexico|Jamaica|Haiti"
    r"|Brazil|Colombia|Peru|Chile|Argentina|Cuba|Guatemala|El[ \u00a0]Salvador|Honduras"
    r"|Dominican[ \u00a0]Republic|Puerto[ \u00a0]Rico|Canada|Australia|New[ \u00a0]Zealand"
    r"|Dubai|Qatar|Saudi[ \u00a0]Arabia)(?![\w'\u2019-])"
)
# A statute cited by abbreviations: "N.Y. Dom. Rel. Law", "Md. Fam. Law".
ABBREVIATED_LAW = re.compile(
    r"(?<![\w.])(?:[A-Z][A-Za-z]{0,5}\.[ \u00a0]?){2,5}(?:Law|Code|Act|Stat)\b"
)
# A make and model after a model year are a vehicle: "2018 Honda Pilot".
_MODEL_YEAR = re.compile(r"\b(?:19|20)\d{2}[ \u00a0]+$")
# Names judged by the word next to them, once the word itself is no common word and no
# place: a family's household ("MBEKI HOUSEHOLD", "the Okafor family") and a child's age
# in a list ("(Tobi 10, Ife 7)").
NAMED_BY_NEIGHBOUR = re.compile(
    rf"(?<![\w.'\u2019-])({_CAP_NAME})(?=[ \u00a0]+(?i:household|family|famille)\b)"
    # a name followed by its date in a list ("Birthdates: Naledi 13/02/2012; Sipho ...")
    rf"|(?<=[,;:][ \u00a0])({_CAP_NAME})(?=[ \u00a0]+{DATE})"
    rf"|(?:(?<=\()|(?<=[(,;:][ \u00a0]))({_CAP_NAME})"
    r"(?=[ \u00a0]+\d{1,2}(?:[,;)]|[ \u00a0]+and\b|\.?[ \t\u00a0]*(?:\n|$)))"
)
# Courts, statutes, agencies and the like: their capitalised words are no one's name.
INSTITUTION_PHRASE = re.compile(
    r"(?<![\w'\u2019.-])"
    # one space between its words: a table's columns or a possessive ("Tobias's NHS
    # Pension") are no part of an institution's name
    r"(?:[A-Z][\w'\u2019.-]*(?<!'s)(?<!\u2019s)[ \u00a0](?:(?:of|for|and|the|at|upon|de|du|on)"
    r"[ \u00a0])*){0,6}"
    r"(?:Act|Acts|Code|Court|Courts|Bench|Registry|Centre|Center|Service|Services|Trust|Plan"
    r"|Pension|Guidelines|Council|Clerk|Circuit|County|Parish|Province|Society|Agency"
    r"|Department|Ministry|Tribunal|Commission|Board|Authority|Bank|Insurance|Union|Rules"
    r"|Regulations|Division|District|Justice|Registrar|Office|Fund|Benefit|Credit|Scheme"
    r"|Reform|Program|Programme|Association|Institute|Foundation|Committee|Police|Solicitors"
    r"|LLP|Title|Realty|Lending|Loi|R[èe]glement|Cour)\b"
    r"(?:[ \u00a0]+(?:of|for|at|upon|in)[ \u00a0]+(?:the[ \u00a0]+)?"
    r"(?:[A-Z][\w'\u2019.-]*[ \u00a0]*){1,4})?"
)


# A name written in lower case after a word that announces a person ("present: nguyen van
# thanh", "his friend piotr zielinski"): judged word by word against the name lists.
LOWER_NAMED = re.compile(
    r"(?i:\b(?:present|attended|attending|friend|brother|sister|cousin|mother|father|uncle|aunt"
    r"|client|husband|wife|partner|son|daughter|nephew|niece|boyfriend|girlfriend|named|called"
    r"|caller|colleague|neighbour|neighbor|landlord|tenant|employer|boss)\b)[:,]?[ \t\u00a0]+"
    r"((?:[a-z\u00df-\u017f][\w'\u2019-]*[ \t\u00a0]+){1,3}[a-z\u00df-\u017f][\w'\u2019-]*)"
)


PARTICLES = {
    "de", "del", "della", "di", "da", "dos", "das", "do", "du", "la", "le", "van", "von", "der",
    "den", "ter", "ten", "bin", "binti", "ibn", "al", "el", "ní", "nic", "mac", "ó", "st",
    "ap", "ferch", "verch", "y", "dela", "degli", "zu",
}  # fmt: skip


def _without_trailing_particles(run: list[re.Match[str]]) -> list[re.Match[str]]:
    while run and run[-1].group().casefold() in PARTICLES and not _is_cap(run[-1].group()):
        run = run[:-1]
    return run


# letters that Unicode does not decompose into a base and an accent
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"}
)


def _fold(token: str) -> str:
    """The word without its accents, as the name lists hold it (Sofía, Zieliński, Thành)."""
    if token.isascii():
        return token
    decomposed = unicodedata.normalize("NFKD", token.translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# the word or the initial right before a name: "Venkatesh Raghunathan", "T. Kowalczyk"
_WORD_BEFORE = re.compile(
    r"(?<![\w'\u2019.-])(?:([A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u017f-]*[^\W\d_])|([A-Z])\.)"
    r"[ \t\u00a0]+$"
)


def _norm(token: str, fold: bool = True) -> str:
    t = _fold(token.rstrip(".")) if fold else token.rstrip(".")
    for tail in ("'s", "\u2019s", "s'", "'", "\u2019"):
        if t.endswith(tail) and len(t) > len(tail) + 1:
            t = t[: -len(tail)] if tail not in ("s'",) else t[:-1]
            break
    return t.casefold()


def _is_cap(token: str) -> bool:
    return token[0].isupper()


class NameRecognizer(Finder):
    """Capitalised runs judged against the name and word lists, then every later mention of
    a name found once: each part, possessive or in capitals."""

    def __init__(self) -> None:
        super().__init__(["PERSON"], "caucus_names")

    def _runs(self, text: str) -> Iterator[list[re.Match[str]]]:
        run: list[re.Match[str]] = []
        for m in WORD.finditer(text):
            tok = m.group()
            previous = _norm(run[-1].group()) if run else ""
            if previous in TITLES or len(previous) == 1:
                gap = r"\.?[ \t\u00a0]+"
            elif previous in given_names():
                # a name broken across lines: a given name at the end of one line and the
                # family name at the start of the next
                gap = r"[ \t\u00a0]+|[ \t\u00a0]*\n[ \t\u00a0]*"
            else:
                # a nickname in quotes stands inside a name: CHRISTOPHER "KIT" DALRYMPLE
                gap = r"[ \t\u00a0]+\(?[\"\u201c]?|[\"\u201d]\)?[ \t\u00a0]+"
            # a possessive ends a name: "Tobias's NHS Pension"
            # the particles inside a family name join it: "Ana de la Cruz", "Ní Bhriain"
            particle = tok.casefold() in PARTICLES
            if (_is_cap(tok) or (particle and run)) and (
                not run
                or (
                    re.fullmatch(gap, text[run[-1].end() : m.start()])
                    and not run[-1].group().endswith(("'s", "\u2019s"))
                )
            ):
                run.append(m)
                continue
            if run:
                yield _without_trailing_particles(run)
            run = [m] if _is_cap(tok) else []
        if run:
            yield _without_trailing_particles(run)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        given, family, common = given_names(), surnames(), common_words()
        kept = bytearray(len(text))
        for m in INSTITUTION_PHRASE.finditer(text):
            kept[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        # a court's heading in capitals: "SUPERIOR COURT OF JUSTICE", "COURT OF KING'S BENCH"
        for line in _CAPS_LINE.finditer(text):
            titled_line = line.group().title()
            if len(titled_line) == len(line.group()):
                for m in INSTITUTION_PHRASE.finditer(titled_line):
                    a, b = line.start() + m.start(), line.start() + m.end()
                    kept[a:b] = b"\x01" * (b - a)
        for rx in (REGION, PLACE_NAMES, ABBREVIATED_LAW):
            for m in rx.finditer(text):
                kept[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        # a street's words name no one, whether the address is removed or a court's kept
        for m in STREET.finditer(text):
            kept[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        for m in KNOWN_INSTITUTION.finditer(text):
            kept[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        for m in INSTITUTION_BY_ROLE.finditer(text):
            # a loan from a person is no institution: "Loan from Venkatesh Raghunathan"
            # (a person when the family name stands elsewhere in the document too)
            words = m.group(1).split()
            if (
                len(words) >= 2
                and _norm(words[0]) in given | family
                and _norm(words[-1]) not in common
                and not KNOWN_INSTITUTION.search(m.group(1))
                and not INSTITUTION_PHRASE.search(m.group(1))
                and len(re.findall(rf"(?<![\w-]){re.escape(words[-1])}(?![\w-])", text)) > 1
            ):
                continue
            kept[m.start(1) : m.end(1)] = b"\x01" * (m.end(1) - m.start(1))
        raw_given = all_given_names()
        found: list[tuple[int, int]] = []
        for run in self._runs(text):
            names: list[re.Match[str]] = []
            titled = False
            for i, m in enumerate(run):
                key = _norm(m.group())
                if i and kept[m.start()] and "\n" in text[run[i - 1].end() : m.start()]:
                    # a court or an institution on the next line starts afresh: "Nguyen,
                    # Bao\nKing County Superior Court"
                    self._flush(names, found, given, family, titled, kept)
                    names, titled = [], False
                    continue
                if key in PARTICLES and names:
                    names.append(m)
                    continue
                if key in TITLES:
                    # the words before a title are judged on their own ("Saoirse Ní
                    # Bhriain      Counsel for the wife: ...")
                    self._flush(names, found, given, family, titled, kept)
                    titled = True
                    names = []
                    continue
                is_initial = len(key) == 1
                # a common word that is also a surname, right after a given name, is the
                # surname (Jocelyn Price, Grace Baker)
                surname_after_given = (
                    bool(names) and _norm(names[-1].group()) in given and key in all_surnames()
                )
                # a given name that is also a common word, written as a name right before
                # a family name, is the given name (Ira Rosenthal, Will Okafor)
                given_before_surname = (
                    key in raw_given
                    and m.group().istitle()
                    and i + 1 < len(run)
                    and run[i + 1].group().istitle()
                    and _norm(run[i + 1].group()) not in common
                )
                if (
                    key in common
                    and not (titled and key not in {"court", "family"})
                    and not is_initial
                    and not surname_after_given
                    and not given_before_surname
                ):
                    self._flush(names, found, given, family, titled, kept)
                    names, titled = [], False
                    continue
                names.append(m)
            self._flush(names, found, given, family, titled, kept)
        for m in NAMED_BY_CONTEXT.finditer(text):
            if not kept[m.start()]:
                found.append(m.span())
        for rx in (NAMED_AFTER_ROLE, NAMED_BY_SIDE, NAMED_AFTER_CLOSING):
            for m in rx.finditer(text):
                group = 2 if m.lastindex == 2 and m.group(2) else 1
                key = _norm(m.group(group))
                if key not in common and key not in places() and not kept[m.start(group)]:
                    found.append(m.span(group))
        for m in NAMED_BY_NEIGHBOUR.finditer(text):
            group = next(g for g in (1, 2, 3) if m.group(g))
            key = _norm(m.group(group))
            # a word beside an age in a list is a name even when a town shares it (Ava 4)
            if not _WEEKDAY.fullmatch(m.group(group)) and (
                (key not in common and (key not in places() or group > 1))
                and not kept[m.start(group)]
            ):
                found.append(m.span(group))
        for m in NAMED_PAIR.finditer(text):
            keys = [_norm(m.group(g)) for g in (1, 2)]
            if all(k not in common and k not in places() for k in keys) and not kept[m.start(1)]:
                found += [m.span(1), m.span(2)]
        for m in LOWER_NAMED.finditer(text):
            span = self._lower_name(m, given, family, common)
            if span:
                found.append(span)
        for m in NAMED_BY_INITIALS.finditer(text):
            group = next(g for g in (1, 2, 3) if m.group(g))
            if re.sub(r"\W", "", m.group(group)).casefold() not in _ABBREVIATIONS:
                found.append(m.span(group))
        for m in SURNAME_FIRST.finditer(text):
            family_key, given_key = _norm(m.group(1)), _norm(m.group(2).split()[0])
            # an unlisted family name before a listed given name ("MacIsaac, Colin")
            family_ok = (
                family_key in all_surnames()
                or (m.group(1).isupper() and family_key not in common)
                or (given_key in given and family_key not in common)
            )
            # a short given name may be a common word (Nguyen, An) when it ends the entry
            short_at_end = len(given_key) <= 3 and text[m.end() : m.end() + 1] in ("\t", "\n")
            given_ok = (
                given_key not in places()
                and family_key not in places()
                and (given_key not in common or given_key in raw_given or short_at_end)
            )
            if family_ok and given_ok and not kept[m.start(1)]:
                found.append(m.span(1))
                found.append(m.span(2))
        found += _aliases_and_initials(text, found, common)
        found = self._propagate(text, found, common, kept)
        return [finding("PERSON", s, e, 0.6) for s, e in found]

    @staticmethod
    def _flush(
        names: list[re.Match[str]],
        found: list[tuple[int, int]],
        given: frozenset[str],
        family: frozenset[str],
        titled: bool,
        kept: bytearray,
    ) -> None:
        words = [m for m in names if len(m.group().rstrip(".")) > 1]
        if not words:
            return
        if not titled and all(kept[m.start()] for m in words):
            return
        keys = [_norm(m.group()) for m in words]
        start = words[0].start()
        if not titled and _MODEL_YEAR.search(words[0].string, max(0, start - 8), start):
            return
        listed = sum(k in given or k in family for k in keys)
        before = words[0].string[max(0, start - 16) : start]
        # unknown capitalised words after "in", "near", "at" are a place ("in Sutton
        # Coldfield"); a listed name there is still a person ("at Maria Lopez's")
        place = " ".join(keys) in places() or (
            not any(k in given for k in keys) and bool(_IN_PLACE_BEFORE.search(before))
        )
        if place and not titled:
            return
        # two or three capitalised words that are neither common words nor abbreviations
        # read as a name even when no list knows them (Oluwaseun Adeyemi)
        unlisted_pair = (
            2 <= len(words) <= 3 and all(len(k) > 2 or k in PARTICLES for k in keys) and not place
        )
        # a capitalised word inside a sentence that is no common word and no place is a
        # proper noun; recall matters more than precision here, so it is taken for a name
        mid_sentence = (
            len(words) == 1
            and len(keys[0]) > 2
            and not words[0].group().isupper()
            and bool(_AFTER_LOWER.search(before))
            and not _PLACE_BEFORE.search(before)
        )
        # an initial with a full stop before a family name: "H. Gallacher", not the
        # direction of a street after its house number ("1934 S. Kedzie")
        initialed = (
            len(words) == 1
            and len(names) >= 2
            and names[0] is not words[0]
            and names[0].group().endswith(".")
            and len(keys[0]) > 2
            and not _AFTER_NUMBER.search(
                names[0].string, max(0, names[0].start() - 8), names[0].start()
            )
            # the last letter of an abbreviation ("N.Y. Dom. Rel. Law") is no initial
            and names[0].string[names[0].start() - 1 : names[0].start()] != "."
        )
        if (
            titled
            or mid_sentence
            or initialed
            or (len(words) >= 2 and listed >= 1)
            or unlisted_pair
            or (len(words) == 1 and keys[0] in given)
        ):
            first = (
                names[0] if len(names[0].group().rstrip(".")) > 1 or len(names) > 1 else words[0]
            )
            last = names[-1] if names[-1].start() > words[-1].start() else words[-1]
            end = last.end()
            token = last.group()
            if token.endswith(("'s", "\u2019s")):
                end -= 2
            found.append((first.start(), end))

    @staticmethod
    def _lower_name(
        m: re.Match[str], given: frozenset[str], family: frozenset[str], common: frozenset[str]
    ) -> tuple[int, int] | None:
        """The words of a lower-case name after its cue, while the lists know them; the word
        after a listed given name may be a family name no list knows (piotr zielinski)."""
        words = list(re.finditer(r"\S+", m.group(1)))
        taken: list[re.Match[str]] = []
        named = 0
        for i, w in enumerate(words):
            key = _norm(w.group())
            if key in PARTICLES and taken:
                taken.append(w)
                continue
            if key in common or key in places():
                break
            listed = (key in given or key in family) and not re.fullmatch(f"(?:{ROLES})s?", key)
            unlisted_family = (
                i == 1 and named == 1 and len(key) >= 4 and _norm(words[0].group()) in given
            )
            if not (listed or unlisted_family):
                break
            taken.append(w)
            named += 1
        while taken and _norm(taken[-1].group()) in PARTICLES:
            taken.pop()
        if named < 2 or not taken:
            return None
        return (m.start(1) + taken[0].start(), m.start(1) + taken[-1].end())

    @staticmethod
    def _propagate(
        text: str, found: list[tuple[int, int]], common: frozenset[str], kept: bytearray
    ) -> list[tuple[int, int]]:
        parts: set[str] = set()
        # a given name that is also a common word (Ira) is followed only where it is
        # written as a name, with one capital
        as_names: set[str] = set()
        for s, e in found:
            for tok in WORD.findall(text[s:e]):
                key = _norm(tok)
                if len(key) > 1 and key not in TITLES:
                    if key not in common:
                        # the name as written, accents and all: the text is searched for it
                        written = _norm(tok, fold=False)
                        parts.add(written)
                        # each half of a double-barrelled name stands alone too
                        parts.update(
                            half
                            for half in written.split("-")
                            if len(half) > 2 and _fold(half) not in common
                        )
                    elif key in all_given_names() and tok.istitle():
                        as_names.add(key)
        parts |= as_names
        if not parts:
            return found
        # a name seen once is removed where it is written in lower case too ("deepika's
        # brother"), unless the word is a common word or a place
        # (only the words of a full name, never a role: a capitalised "Mediator" taken for
        # a name must not take every "mediator" with it)
        lower: set[str] = set()
        for s, e in found:
            toks = WORD.findall(text[s:e])
            if len(toks) >= 2:
                lower.update(_norm(t, fold=False) for t in toks if len(t) >= 4)
        lower = {
            p
            for p in lower & parts
            if _fold(p) not in places() and not re.fullmatch(f"(?:{ROLES})s?", p)
        }
        rx = re.compile(
            r"(?i)(?<![\w])(?:"
            + "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
            # a possessive typed without its apostrophe: "Heathers cell"
            + r")(?:s(?=[ \t\u00a0]))?(?![\w])"
        )
        # the family name of a full name, met again after an unknown capitalised word or an
        # initial, takes that word with it ("Venkatesh Raghunathan", "T. Kowalczyk")
        families = set()
        for s, e in found:
            toks = WORD.findall(text[s:e])
            if len(toks) >= 2 and len(toks[-1]) > 2:
                families.add(_norm(toks[-1], fold=False))
        # a court's or a statute's words are kept even when a person shares one of them
        extra = [
            (m.start(), m.end())
            for m in rx.finditer(text)
            if (_is_cap(m.group()) or (m.group().islower() and m.group() in lower))
            and not kept[m.start()]
            and (m.group().casefold() not in as_names or m.group().istitle())
        ]
        extended = []
        for s, e in extra:
            if text[s:e].casefold() not in families:
                continue
            m = _WORD_BEFORE.search(text, max(0, s - 30), s)
            if not m or kept[m.start()]:
                continue
            key = _norm(m.group(1) or m.group(2))
            if m.group(2) or (key not in common and key not in places() and key not in TITLES):
                extended.append((m.start(), e))
        return found + extra + extended
