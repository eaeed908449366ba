"""The practice's standard texts. A case starts with a copy the mediator may edit until the
first signature; after that the text is fixed, because signatures bind to its SHA-256."""

from __future__ import annotations

from caucus.cases.models import AgreementKind, Structure

AGREEMENT_TO_MEDIATE = """AGREEMENT TO MEDIATE

1. The participants agree to take part in mediation in good faith, with {practice} providing the mediator.
2. The mediator is neutral. The mediator does not represent, advise or decide for anyone, and may meet each side privately (a caucus).
3. Taking part is voluntary. Any participant, and the mediator, may end the mediation at any time. The mediator may decline or withdraw, giving the parties a neutral reason.
4. Each party is free to seek independent legal or other advice at any time.
5. Nothing is binding until a written settlement is signed by the parties.
6. Caucus keeps the case's records encrypted and deletes them {retention_days} days after the case is closed, leaving only a deletion certificate.
"""

CONFIDENTIALITY = """CONFIDENTIALITY AGREEMENT

1. What is said or written in this mediation is confidential. No participant may disclose it to anyone outside the mediation, except as the law requires.
2. No recording and no transcripts: nobody may record audio or video, or make a transcript, of any meeting. Caucus has no recording or transcript feature; the mediator's notes are the only record of a meeting.
3. What is said in a private meeting (caucus) with one side stays with that side and the mediator, unless that party approves what may be shared and how it is worded.
4. What is said or produced for this mediation is inadmissible and may not be used as evidence in any court, arbitration or other proceeding, to the extent the law allows.
5. The mediator cannot be called to testify, and the mediator's notes cannot be subpoenaed, about anything that happened in the mediation.
6. This confidentiality survives the end of the mediation, whatever its outcome.
"""

LITIGATED_CLAUSES = """
COURT PROCEEDINGS
7. The parties' pending court proceedings remain in place during the mediation unless the parties agree, in writing, to ask the court for a stay.
8. Nothing said in the mediation may be offered to the court, except a settlement the parties sign and agree to file.
9. A court rule or order that requires a report of attendance or of the outcome is met by stating only whether the mediation took place and whether it settled.
"""

STRUCTURE_EXPLANATIONS = {
    Structure.PERMISSION_REQUIRED: (
        "Nothing you say to the mediator in a private meeting is passed to the other side "
        "unless you agree. For each thing you raise, the mediator will ask you whether it must "
        "stay confidential, may be shared, or may be shared only in words you approve, and the "
        "mediator shares nothing until you have approved the exact wording."
    ),
    Structure.SHARED_UNLESS_MARKED: (
        "What you tell the mediator in a private meeting may be shared with the other side "
        "unless you mark it confidential. Before a private meeting ends, the mediator goes "
        "through each thing you raised, and you confirm which ones must stay confidential. "
        "Anything you mark confidential is never shared."
    ),
}

CONFIDENTIALITY_RULE = (
    "What is said in this mediation stays in it.",
    "Everyone can speak openly only if they know their words will not be used against them "
    "later or repeated outside.",
    "The mediator pauses the session and reminds everyone of this rule; a repeated breach "
    "may end the mediation.",
)


def initial_text(kind: str, *, practice: str, retention_days: int, litigated: bool) -> str:
    if kind == AgreementKind.AGREEMENT_TO_MEDIATE:
        return AGREEMENT_TO_MEDIATE.format(practice=practice, retention_days=retention_days)
    text = CONFIDENTIALITY
    if litigated:
        text += LITIGATED_CLAUSES
    return text
