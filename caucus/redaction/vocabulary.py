"""Word lists the name heuristics judge by. Given names and surnames come from Faker's
person providers (a maintained PyPI package, hash-pinned; read from the installed package,
never fetched); common words are Faker's English word list plus the vocabulary of
mediation documents, so that capitalised headings and legal terms are not taken for names."""

from __future__ import annotations

import importlib
from functools import cache

NAME_LOCALES = (
    "en_US", "en_GB", "en_IE", "en_CA", "en_AU", "en_IN", "es_ES", "es_MX", "fr_FR",
    "de_DE", "it_IT", "pt_BR", "pl_PL", "nl_NL", "tr_TR", "sv_SE", "da_DK", "fi_FI",
    "cs_CZ", "ro_RO", "hu_HU",
)  # fmt: skip

_DOCUMENT_WORDS_TEXT = """
mediation mediator mediated memorandum understanding parenting plan settlement agreement
party parties petitioner respondent plaintiff defendant husband wife mother father parent
parents child children minor minors son daughter court family superior district county state
circuit judge honorable re regarding subject date dated attorney attorneys counsel esq law
office offices firm financial summary schedule exhibit section article paragraph clause code
statute statutes title chapter rule rules federal civil procedure procedures evidence
confidential confidentiality privileged draft final signed signature signatures witness
notary public record records custody legal physical joint sole visitation holiday holidays
summer winter spring fall break vacation weekend weekends weekday weekdays school schools
elementary middle high academy thanksgiving christmas easter passover hanukkah eid new year
years day days birthday birthdays support alimony maintenance spousal assets asset debts
debt liabilities income expenses expense account accounts checking savings retirement
pension ira brokerage mortgage property properties residence home house marital separate
community equalization payment payments monthly annual total balance net gross amount
amounts tax taxes irs return returns dependency exemption insurance health dental medical
vision life premium premiums coverage provider employer employment employee salary wages
bonus bank credit card loan vehicle vehicles car truck lease transfer deed quitclaim title
escrow closing sale sell listing agent realtor appraisal value valuation business interest
shares stock options owner company corporation inc llc ltd corp co group partners llp pllc
street avenue road lane drive boulevard way place suite apt unit apartment floor box po city
town north south east west mr mrs ms mx miss dr hon judge sir madam dear sincerely
respectfully yours regards cc enclosure enclosures via email mail fax phone telephone mobile
cell page pages copy copies original notice notices terms term condition conditions
provision provisions default breach remedy remedies dispute disputes resolution review
modification termination effective governing entire severability counterparts acknowledgment
acknowledgement recitals whereas now therefore hereby herein hereto hereof thereof pursuant
accordance respect including without limitation ssn dob case no number docket cause file
index matter mediation session sessions caucus joint neutral impasse outcome items item
issue issues decision decisions proposal proposals offer offers counteroffer draft step
steps phase transition exchange exchanges pickup drop off location locations counseling
therapy therapist teacher doctor pediatrician dentist coach tuition extracurricular
activities activity camp daycare childcare travel passport passports communication
communications app calendar holidays mothers fathers week weeks month months monday tuesday
wednesday thursday friday saturday sunday january february march april may june july august
september october november december jan feb mar apr jun jul aug sep sept oct nov dec alabama
alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york carolina
dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah vermont virginia
washington wisconsin wyoming united states america usa us uk english spanish employer's
addendum appendix attachment background purpose agreed acknowledged understood general
further amended restated memorandum's plan's summary's u.s.c c.f.r fed minn mich calif ariz
colo conn fla ill ind kan mass miss mont neb nev okla ore penn tenn tex wash wis wyo cal fam
ilcs ors rcw stat ann esq hr apr qdro visa mastercard amex rev gen laws fam div pen bus prof
civ proc evid gov lab ins veh
"""
DOCUMENT_WORDS = _DOCUMENT_WORDS_TEXT.split()


@cache
def _load(attr: str) -> frozenset[str]:
    names: set[str] = set()
    for locale in NAME_LOCALES:
        try:
            module = importlib.import_module(f"faker.providers.person.{locale}")
        except ImportError:
            continue
        provider = module.Provider
        for a in (attr, f"{attr}_male", f"{attr}_female", f"{attr}_nonbinary"):
            for name in getattr(provider, a, ()) or ():
                if isinstance(name, str) and name.isascii() and name.isalpha() and len(name) > 1:
                    names.add(name.casefold())
    return frozenset(names)


@cache
def common_words() -> frozenset[str]:
    from faker.providers.lorem.en_US import Provider as Lorem

    return frozenset(w.casefold() for w in (*Lorem.word_list, *DOCUMENT_WORDS))


@cache
def given_names() -> frozenset[str]:
    return _load("first_names") - common_words()


@cache
def surnames() -> frozenset[str]:
    return _load("last_names") - common_words()
