"""The starting texts a memorandum may be drafted from, one per kind of case. Each has the
same sections (parties, terms, a schedule, conditions, signatures) so that a memorandum reads
the same way whatever the case; the mediator fills in the blanks in square brackets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StartingText:
    key: str
    label: str
    text: str


_PARTIES = """1. PARTIES

This memorandum of understanding is made between [name of the first party] and [name of the
second party] (the parties), with the assistance of [name of the mediator] (the mediator).
"""

_CONDITIONS = """4. CONDITIONS

4.1 Each party has had the chance to take independent legal advice on this memorandum.
4.2 [Conditions that must be met before the terms take effect.]
4.3 Anything said in the mediation remains confidential, as the agreement to mediate says.
"""

_SIGNATURES = """5. SIGNATURES

Each party and the mediator sign below. Each signature binds to the exact text above.
"""

_SCHEDULES = {
    "payments": """3. SCHEDULE OF PAYMENTS

| Payer | Payee | Amount | Due date |
| [party] | [party] | [amount] | [date] |
""",
    "parenting": """3. SCHEDULE OF PARENTING TIME

| Child | With | From | To |
| [child] | [parent] | [day and time] | [day and time] |
""",
}


def _text(terms: str, schedule: str) -> str:
    return "\n".join(
        [
            "MEMORANDUM OF UNDERSTANDING",
            "",
            _PARTIES,
            "2. TERMS",
            "",
            terms,
            _SCHEDULES[schedule],
            _CONDITIONS,
            _SIGNATURES,
        ]
    )


STARTING_TEXTS: dict[str, StartingText] = {
    t.key: t
    for t in (
        StartingText(
            "family",
            "Family: parenting and property",
            _text(
                "2.1 The parties share parental responsibility for [children].\n"
                "2.2 The children live with each parent as the schedule of parenting time says.\n"
                "2.3 The family home at [address] is [kept / sold / transferred] as follows: "
                "[terms].\n",
                "parenting",
            ),
        ),
        StartingText(
            "workplace",
            "Workplace: working relationship and payment",
            _text(
                "2.1 [The employer] pays [the employee] the sums in the schedule of payments.\n"
                "2.2 The parties agree on a reference in these words: [reference].\n"
                "2.3 [Terms of the continued or ended working relationship.]\n",
                "payments",
            ),
        ),
        StartingText(
            "civil",
            "Civil dispute: payment and release",
            _text(
                "2.1 [The paying party] pays [the receiving party] the sums in the schedule of "
                "payments, in full settlement of the dispute about [subject].\n"
                "2.2 On the last payment, each party releases the other from the claims in "
                "[proceeding].\n",
                "payments",
            ),
        ),
        StartingText(
            "commercial",
            "Commercial dispute: payment and future dealings",
            _text(
                "2.1 [The paying party] pays [the receiving party] the sums in the schedule of "
                "payments.\n"
                "2.2 The parties continue to deal with each other on these terms: [terms].\n",
                "payments",
            ),
        ),
    )
}


def starting_text(key: str) -> StartingText | None:
    return STARTING_TEXTS.get(key)
