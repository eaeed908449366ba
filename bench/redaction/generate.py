"""Writes the labelled corpus: `python -m bench.redaction.generate` -> corpus.jsonl.

Each document comes from one template filled with one invented case. Entities are
recorded as character spans while the text is built, so the labels are exact. Names are
drawn from pools written here (many are in no name list) so the name lists are not graded
against themselves. Templates 0-4 form the tune part, 5-9 the report part."""

# ruff: noqa: E501
# (the templates are whole document lines; wrapping them would change the documents)
from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("corpus.jsonl")
DOCS_PER_TEMPLATE = 7

_FIRST_TEXT = """
Jonathan Maria Oluwaseun Siobhan Thandiwe Rahul Priya Mateo Ximena Bogdan Agnieszka Kwame
Ifeoma Tomasz Lindiwe Dmitri Yusuf Aaliyah Marguerite Caoimhe Anders Ingrid Keanu Leilani
Nkechi Farhan Svetlana Giovanni Esperanza Hamish Rosalind Tariq Shreya Declan Imogen
Zbigniew Ayodele Cormac Wilhelmina Bartholomew Temperance Desmond Ottoline Lachlan Marisol
Evander Philippa
"""
FIRST = _FIRST_TEXT.split()
_CHILD_TEXT = """
Ethan Noor Kofi Saoirse Mila Arjun Zainab Teodor Elodie Rowan Amara Finnian Ines Ravi
Juniper Tobias Yara Cosmo Isla Dashiell Anouk Bodhi Xiomara Lorcan
"""
CHILD = _CHILD_TEXT.split()
_LAST_TEXT = """
Whitfield Adeyemi NíBhriain Okonkwo Castellanos Wiśniewski Lindqvist Chaudhry Mbeki
Delacroix Fitzgerald Haddad Kowalczyk Nakamura Oyelaran Petrov Quispe Rasmussen Szabo
Tremblay Underhill Vasquez-Moreno Yamamoto Zielinski O'Sullivan McAllister Featherstonehaugh
Abernethy Brightwater Cholmondeley Dunsworth Eberhardt Gallagher Holloway Ibarra Jaworski
Kaczmarek Leatherby Moncrieff Nwachukwu
"""
LAST = _LAST_TEXT.split()
_STREETS_TEXT = """
Elm Maple Harbor View Old Mill Kestrel Juniper Ridge Cedar Hollow Beacon Larkspur Wexford
Quarry Orchard Bluff
"""
STREETS = _STREETS_TEXT.split()
SUFFIX = ["Street", "St.", "Avenue", "Ave", "Road", "Rd.", "Lane", "Drive", "Court", "Way", "Blvd."]
CITIES = [("Springfield", "IL"), ("Dayton", "OH"), ("Bend", "OR"), ("Asheville", "NC"),
          ("Provo", "UT"), ("Duluth", "MN"), ("Savannah", "GA"), ("Boise", "ID")]  # fmt: skip
EMPLOYERS = ["Acme Logistics, Inc.", "Brightwater Dental Group", "Kestrel Systems LLC",
             "Riverside Community Hospital", "Northfield Unified School District",
             "Halvorsen & Pike LLP", "Tri-County Transit Authority", "Meridian Foods Corp."]  # fmt: skip
STATUTES = ["Cal. Fam. Code § 3011", "26 U.S.C. § 71", "750 ILCS 5/602.7", "Ohio Rev. Code § 3109.04",
            "ORS 107.105", "N.C. Gen. Stat. § 50-13.2", "Minn. Stat. § 518.17", "Fed. R. Evid. 408"]  # fmt: skip


def luhn_complete(prefix: str, rng: random.Random) -> str:
    digits = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
    for check in range(10):
        cand = digits + str(check)
        total = 0
        for i, ch in enumerate(reversed(cand)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return cand
    raise AssertionError


def iban(rng: random.Random) -> str:
    bban = "WEST" + "".join(str(rng.randrange(10)) for _ in range(14))
    moved = bban + "GB00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    raw = f"GB{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_case(rng: random.Random) -> dict[str, Any]:
    last = rng.choice(LAST)
    p1f, p2f, a1f, a2f, xf, yf, mf = rng.sample(FIRST, 7)
    c1, c2 = rng.sample(CHILD, 2)
    p2last = rng.choice([last, rng.choice(LAST)])
    a1l, a2l, xl, yl, ml = rng.sample(LAST, 5)
    city, st = rng.choice(CITIES)
    n1, n2 = rng.randrange(10, 9999), rng.randrange(10, 999)
    s1, s2 = rng.sample(STREETS, 2)
    suf1, suf2 = rng.choice(SUFFIX), rng.choice(SUFFIX)
    zip1 = f"{rng.randrange(10000, 99999)}"
    area = rng.randrange(201, 989)
    ph1 = f"{area}{rng.randrange(200, 999)}{rng.randrange(1000, 9999)}"
    ph2 = f"{rng.randrange(201, 989)}{rng.randrange(200, 999)}{rng.randrange(1000, 9999)}"
    by = rng.randrange(2008, 2021)
    v: dict[str, Any] = {
        "P1": f"{p1f} {rng.choice('ABCDEFGHJKLMRST')}. {last}",
        "P1f": p1f, "P1l": last, "P2": f"{p2f} {p2last}", "P2f": p2f, "P2l": p2last,
        "C1": f"{c1} {last}", "C1f": c1, "C2": f"{c2} {last}", "C2f": c2,
        "A1": f"{a1f} {a1l}", "A2": f"{a2f} {a2l}", "A1l": a1l, "A2l": a2l,
        "X": f"{xf} {xl}", "Xl": xl, "Y": f"{yf} {yl}", "M": f"{mf} {ml}",
        "ADDR1": f"{n1} {s1} {suf1}, Apt {rng.randrange(1, 30)}{rng.choice('ABC')}, {city}, {st} {zip1}",
        "ADDR1s": f"{n1} {s1} {suf1}".upper(),
        "ADDR2": f"{n2}-B {s2} {suf2}, {city}, {st} {rng.randrange(10000, 99999)}",
        "POBOX": f"P.O. Box {rng.randrange(100, 9999)}, {city}, {st} {zip1}",
        "EM1": f"{p1f.lower()}.{last.lower()[:6]}{rng.randrange(1, 99)}@gmail.com",
        "EM2": f"{p2f[0].lower()}{p2last.lower()[:7]}@{rng.choice(['outlook.com', 'proton.me', 'yahoo.co.uk'])}",
        "PH1": f"({ph1[:3]}) {ph1[3:6]}-{ph1[6:]}", "PH1b": f"{ph1[:3]}.{ph1[3:6]}.{ph1[6:]}",
        "PH2": f"+1 {ph2[:3]} {ph2[3:6]} {ph2[6:]}", "ph1": ph1, "ph2": ph2,
        "EMP1": rng.choice(EMPLOYERS), "EMP2": rng.choice(EMPLOYERS),
        "ACC1": f"{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        "ACC2": f"{rng.randrange(10**9, 10**10)}", "IBAN": iban(rng),
        "CARD": " ".join(re.findall("....", luhn_complete("4", rng))),
        "SSN1": f"{rng.randrange(100, 665)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
        "SSN2": f"{rng.randrange(100, 665)} {rng.randrange(10, 99)} {rng.randrange(1000, 9999)}",
        "DOB1": f"{rng.choice(['March', 'July', 'October', 'January'])} {rng.randrange(1, 28)}, {by}",
        "DOB2": f"{rng.randrange(1, 12):02d}/{rng.randrange(1, 28):02d}/{by + 2}",
        "CASENO": rng.choice([f"{rng.randrange(2019, 2026)}-DR-{rng.randrange(1000, 99999):06d}",
                              f"FC-{rng.randrange(19, 26)}-{rng.randrange(1000, 9999)}",
                              f"{rng.randrange(1, 9)}:{rng.randrange(19, 26)}-cv-{rng.randrange(100, 9999):05d}"]),
        "AMT1": f"${rng.randrange(1, 9)},{rng.randrange(100, 999)}.00",
        "AMT2": f"${rng.randrange(10, 99)},{rng.randrange(100, 999)}",
        "STAT": rng.choice(STATUTES), "STAT2": rng.choice(STATUTES),
        "EFF": f"{rng.choice(['January', 'June', 'September'])} {rng.randrange(1, 28)}, {rng.randrange(2024, 2027)}",
        "PCT": f"{rng.randrange(10, 90)}%", "YEAR": str(rng.randrange(2010, 2024)),
        "city": city,
    }  # fmt: skip
    v["P1u"] = f"{p1f} {last}".upper()
    v["P2u"] = v["P2"].upper()
    v["P1typo"] = typo(last, rng)
    v["acc1last4"] = v["ACC1"][-4:]
    return v


# In templates: {KEY:LABEL} is an entity, {KEY} plain text.
TEMPLATES: list[str] = [
    # 0 memorandum of understanding
    """MEMORANDUM OF UNDERSTANDING
In re the Marriage of {P1u:PERSON} and {P2u:PERSON}, Case No. {CASENO:CASE_NUMBER}

This memorandum records what {P1:PERSON} ("Father") and {P2:PERSON} ("Mother") agreed in mediation with {M:PERSON} on {EFF}.

1. Residence. Mother will remain at {ADDR1:ADDRESS}. Father has moved to {ADDR2:ADDRESS}.
2. Children. The parties' children, {C1:CHILD} (born {DOB1:DOB}) and {C2f:CHILD} (DOB: {DOB2:DOB}), will live primarily with {P2f:PERSON}. {P1l:PERSON}'s time follows Schedule A.
3. Support. Father pays {AMT1} per month under {STAT}, from his wages at {EMP1:EMPLOYER}.
4. Accounts. The joint checking account no. {ACC1:ACCOUNT} will be closed; the balance of {AMT2} is split {PCT} / remainder.
5. Contact. Mother: {PH1:PHONE}, {EM2:EMAIL}. Father: {PH2:PHONE}, {EM1:EMAIL}.

Signed: {P1u:PERSON}    {P2u:PERSON}
Counsel: {A1:PERSON}, Esq.; {A2:PERSON}, Esq.
""",
    # 1 parenting plan
    """PARENTING PLAN
Parents: {P1:PERSON} and {P2:PERSON}. Children: {C1:CHILD}, age 9, and {C2:CHILD}.

Weekly schedule. {C1f:CHILD} and {C2f:CHILD} stay with {P1f:PERSON} from Friday at 5 p.m. until Monday school drop-off. Exchanges happen at the library on {ADDR2:ADDRESS}.
Holidays. In even years Thanksgiving is with {P2f:PERSON}; in odd years with {P1f:PERSON}. Winter break is split on December 26.
School. {C1f:CHILD} attends Lincoln Elementary. Either parent may speak with the teacher, {X:PERSON}.
Travel. Neither parent takes {C2f:CHILD} out of state without 14 days' notice. Passports stay with {P2l:PERSON}.
Communication. Messages go through the co-parenting app; urgent calls to {PH1b:PHONE} or {PH2:PHONE}.
Review. The plan is reviewed in {YEAR} or when {C1f:CHILD} turns 13, as {STAT} allows.
""",
    # 2 settlement letter
    """{A1:PERSON}
Attorney at Law
{POBOX:ADDRESS}

{EFF}

Re: {P1:PERSON} v. {P2:PERSON}, Docket No. {CASENO:CASE_NUMBER}

Dear Counsel {A2l:PERSON},

My client, {P1l:PERSON}, accepts the proposal from the session with {M:PERSON}. Mr. {P1typo:PERSON} will pay {AMT2} within 30 days to the account ending in {acc1last4:ACCOUNT}, in full settlement of all claims under {STAT}.
Your client may reach my office at {PH1:PHONE}. Please confirm that Ms. {P2l:PERSON} has withdrawn the complaint filed with {EMP2:EMPLOYER}.
Offers made in mediation remain inadmissible under {STAT2}.

Sincerely,
{A1:PERSON}
cc: {P1u:PERSON}
""",
    # 3 financial summary
    """FINANCIAL SUMMARY — {P1u:PERSON}
Prepared for mediation, {EFF}

Name: {P1:PERSON}    SSN: {SSN1:SSN}    Date of birth: {DOB2:DOB}
Address: {ADDR1:ADDRESS}
Employer: {EMP1:EMPLOYER}    Gross monthly income: {AMT1}

Assets
  Checking, account number {ACC2:ACCOUNT}: {AMT2}
  Savings (IBAN {IBAN:ACCOUNT}): {AMT1}
  Visa card {CARD:CARD}: balance {AMT1}
Liabilities
  Car loan, {PCT} APR, paid through {YEAR}
Spouse: {P2:PERSON}, SSN {SSN2:SSN}, employed by {EMP2:EMPLOYER}.
Tax note: dependency exemptions for {C1f:CHILD} follow {STAT}.
""",
    # 4 intake letter
    """Dear {P2f:PERSON},

Thank you for speaking with me. As agreed, {P1:PERSON} and you will meet with me on {EFF}. I have noted that {C1:CHILD} and {C2:CHILD} live with you at {ADDR1s:ADDRESS}, and that your mother, {Y:PERSON}, helps with school pick-up.
If anything changes, write to {EM2:EMAIL} from your own address, or call {PH2:PHONE}. Mr. {P1l:PERSON} gave {EM1:EMAIL} as his contact.
Your statement that {X:PERSON} should not attend is kept confidential.

Kind regards,
{M:PERSON}, Mediator
""",
    # 5 settlement agreement
    """SETTLEMENT AGREEMENT AND MUTUAL RELEASE
Case No. {CASENO:CASE_NUMBER}

This agreement is made on {EFF} between {P1:PERSON} of {ADDR1:ADDRESS} ("Claimant") and {EMP2:EMPLOYER}, represented by {A2:PERSON}.

1. Payment. The company pays {AMT2} to Claimant's account {ACC2:ACCOUNT} within ten business days, reported under {STAT}.
2. References. Inquiries go to {X:PERSON} only. {P1f:PERSON}'s personnel file will show a voluntary resignation.
3. Benefits. Health coverage for {P1l:PERSON} and the dependent {C1:CHILD} (DOB {DOB2:DOB}) continues for {PCT} of the premium until {YEAR}.
4. Confidentiality. Neither party discloses the terms, except as {STAT2} requires.
5. Notices. To Claimant: {EM1:EMAIL}, {PH1:PHONE}.

{P1u:PERSON}                 for the company: {A2:PERSON}
""",
    # 6 mediator's report of agreement
    """REPORT OF MEDIATED AGREEMENT
Mediator: {M:PERSON}. Session date: {EFF}.
Present: {P1:PERSON} with counsel {A1:PERSON}; {P2:PERSON} with counsel {A2:PERSON}.

The parties agree that {C1f:CHILD}, born on {DOB1:DOB}, will finish the school year in {city}. {P2l:PERSON} will drive {C1f:CHILD} on Wednesdays.
Mr. {P1l:PERSON} keeps the house at {ADDR2:ADDRESS} and refinances it by {EFF}; Mrs. {P2l:PERSON}'s share is {AMT2}.
The parties divide the retirement plan, account {ACC1:ACCOUNT}, under a QDRO ({STAT}).
{P1u:PERSON}'S employer, {EMP1:EMPLOYER}, will be notified of the wage assignment.
The mediator's phone for follow-up questions is {PH2:PHONE}.
""",
    # 7 workplace mediation memo
    """CONFIDENTIAL MEDIATION MEMO
Parties: {P1:PERSON} (employee) and {P2:PERSON} (supervisor), {EMP1:EMPLOYER}.

Background. {P1f:PERSON} reported concerns to HR on {EFF}. {P2l:PERSON} disputes the account. A witness, {X:PERSON}, was not present.
Agreed steps. {P1l:PERSON} moves to the night shift at {PCT} differential. {P2f:PERSON} completes training by {YEAR}. Neither contacts the other outside work; {P1f:PERSON} may be reached at {EM1:EMAIL} or {PH1b:PHONE}.
Payroll will correct the deposit to account no. {ACC2:ACCOUNT}. Social Security number on file: {SSN2:SSN}.
Nothing here waives rights under {STAT} or {STAT2}.
""",
    # 8 child support worksheet
    """CHILD SUPPORT WORKSHEET
Matter: {P2u:PERSON} and {P1u:PERSON}    Cause No. {CASENO:CASE_NUMBER}

Obligor: {P1:PERSON}, {ADDR1:ADDRESS}, SSN {SSN1:SSN}
Obligee: {P2:PERSON}, {POBOX:ADDRESS}
Children: {C1:CHILD} (b. {DOB2:DOB}); {C2:CHILD}
Obligor income ({EMP1:EMPLOYER}): {AMT1}/month. Obligee income: {AMT2}/year.
Basic obligation per {STAT}: {AMT1}. Health insurance ({PCT}) paid by {P1f:PERSON}.
Payments by card {CARD:CARD} or to {IBAN:ACCOUNT}.
Questions: {EM2:EMAIL}.
""",
    # 9 email summary
    """From: {M:PERSON}
To: {EM1:EMAIL}, {EM2:EMAIL}
Subject: Summary of today's joint session

{P1f:PERSON} and {P2f:PERSON},

Thank you both. Today we agreed that {C2f:CHILD} will start counseling with {X:PERSON} in {city}, paid {PCT} by each of you, and that {P2f:PERSON} will share the report cards by {EFF}.
{P1l:PERSON} asked that the spousal support of {AMT1} run through {YEAR}. We return to that on our next call ({PH2:PHONE}).
Please bring the statements for the brokerage account {ACC1:ACCOUNT} and the pay stubs from {EMP2:EMPLOYER}.

{M:PERSON}
""",
]
TUNE = set(range(5))

FIELD = re.compile(r"\{(\w+)(?::(\w+))?\}")


def render(template: str, v: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    out, spans, pos = [], [], 0
    for m in FIELD.finditer(template):
        out.append(template[pos : m.start()])
        value = str(v[m.group(1)])
        start = sum(len(x) for x in out)
        out.append(value)
        if m.group(2):
            spans.append({"start": start, "end": start + len(value), "label": m.group(2)})
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), spans


def knowledge(v: dict[str, Any], rng: random.Random) -> dict[str, list[str]]:
    people = [v["P1"], v["P2"], v["A1"], v["A2"], v["M"]]
    if rng.random() < 0.5:
        people.append(v["Y"])  # sometimes named at intake, sometimes not
    return {
        "people": people,
        "children": [v["C1"], v["C2"]],
        "addresses": [v["ADDR1"], v["ADDR2"]],
        "emails": [v["EM1"], v["EM2"]],
        "phones": [v["ph1"], v["ph2"]],
        "employers": [v["EMP1"], v["EMP2"]],
        "accounts": [v["ACC1"], v["ACC2"]],
    }


def build(seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs = []
    for t, template in enumerate(TEMPLATES):
        for i in range(DOCS_PER_TEMPLATE):
            v = make_case(rng)
            text, spans = render(template, v)
            docs.append(
                {
                    "id": f"t{t}-{i}",
                    "template": t,
                    "part": "tune" if t in TUNE else "report",
                    "text": text,
                    "entities": spans,
                    "knowledge": knowledge(v, rng),
                }
            )
    return docs


def main() -> None:
    docs = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents -> {OUT}")


if __name__ == "__main__":
    main()
