"""Word lists the name heuristics judge by. Given names and surnames are data shipped in
`data/` (taken from Faker's person providers, MIT; `data/SOURCES.md` says which and how);
common words are an English word list from the same source plus the vocabulary of
mediation documents, so that capitalised headings and legal terms are not taken for names."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")

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
wednesday thursday friday saturday sunday mon tues weds thurs fri january february march april
may june july august
september october november december jan feb mar apr jun jul aug sep sept oct nov dec alabama
alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york carolina
dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah vermont virginia
washington wisconsin wyoming alberta ontario quebec québec manitoba saskatchewan
columbia scotia brunswick newfoundland labrador yukon nunavut england scotland wales
ireland britain canada united states america usa us uk english spanish employer's
addendum appendix attachment background purpose agreed acknowledged understood general
further amended restated memorandum's plan's summary's u.s.c c.f.r fed minn mich calif ariz
colo conn fla ill ind kan mass miss mont neb nev okla ore penn tenn tex wash wis wyo cal fam
ilcs ors rcw stat esq hr apr qdro visa mastercard amex rev gen laws fam div pen bus prof
civ proc evid gov lab ins veh
applicant applicants claimant claimants appellant appellants pursuer defender intervenor
solicitor solicitors barrister registrar orders consent undertaking undertakings recital
recitals annex tribunal sheriff coordinator guardian litem commissioner affidavit
declaration stipulation judgment judgement decree dissolution divorce separation annulment
access contact arrangements conductor nurse driver manager engineer grandmother grandfather
grandparent grandparents stepfather stepmother stepparent aunt uncle fiance fiancee spouse
spouses ex mum dad mom grandma grandpa nan gran granny infant toddler teen teenager pupil
landlord tenant contractor trustee executor beneficiary estate probate testator deceased
heir guarantor borrower lender creditor debtor payor payee recipient obligor obligee sponsor
caller client arbitrator evaluator assessor inspector principal headteacher counsellor
counselor caseworker cafcass facilitator interpreter translator applicant's respondent's
petitioner's claimant's mother's father's husband's wife's parenting co-parenting
decision-making transportation education religion relocation residential arrangements
exchange communication reimbursement reimbursements contributions contribution
extraordinary special expenses guidelines table shared split primary secondary
equalization equalisation valuation division distribution lump sum periodic interim
temporary permanent final consent minutes heads terms recitals undertakings declaration
statement statements disclosure sworn affirmed financial form forms schedule schedules
attachment attachments enclosure exhibit exhibits tab tabs appendix annexure particulars
overview introduction conclusion conclusions recommendation recommendations summary
background history chronology timeline position positions proposal agreement agreements
outstanding resolved unresolved pending status notes note memo file intake screening
assessment safety concerns allegations allegation domestic abuse violence protection
restraining pension pensions benefits benefit credit credits allowance universal housing
council tax utilities utility insurance deductible premiums medical dental optical
orthodontic prescription counselling tutoring sports music lessons uniforms fees
registration tuition post-secondary university college apprenticeship employment
self-employment unemployment disability retirement severance bonus overtime commission
commissions dividends rental interest capital gains losses deductions gross net annual
monthly weekly biweekly fortnightly quarterly yearly income assets liabilities debts
equity mortgage remortgage refinance refinancing sale purchase transfer title deeds land
registry conveyancing completion exchange contracts survey valuation marketing estate
agent agents realtor listing offer acceptance buyer seller vendor purchaser chattels
contents furniture vehicles vehicle boat trailer motorcycle pets pet dog cat
birth birthdate names occupation addresses dates surname forename forenames given maiden
nickname alias sex gender male female nationality citizenship relation married divorced
widowed separated common-law cohabiting dependants dependents household members occupant
occupants tel details grade gp reference ref id identification licence license driving
sin nino utr
hi hello hey thanks thank cheers best regards kind warmly mondays tuesdays wednesdays
thursdays fridays saturdays sundays weekdays evenings mornings afternoons nights
"""
DOCUMENT_WORDS = _DOCUMENT_WORDS_TEXT.split()


@cache
def _load(name: str) -> frozenset[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


@cache
def common_words() -> frozenset[str]:
    return _load("english_words.txt") | {w.casefold() for w in DOCUMENT_WORDS}


@cache
def given_names() -> frozenset[str]:
    return _load("given_names.txt") - common_words()


@cache
def surnames() -> frozenset[str]:
    return _load("surnames.txt") - common_words()


def all_given_names() -> frozenset[str]:
    """Given names, with those that are also common words (Ira, Will, Grant)."""
    return _load("given_names.txt")


def all_surnames() -> frozenset[str]:
    """Surnames, with those that are also common words (Price, Baker, Young)."""
    return _load("surnames.txt")


@cache
def places() -> frozenset[str]:
    """Towns and cities of the US, Canada and the UK, as `phonenumbers` names the places
    of its area codes (see data/SOURCES.md)."""
    return _load("places.txt") - given_names()
