"""Writes of the memorandum of understanding (issue 16). Each resolves the caller through the
kernel (what they may not see is not found), checks the action, and changes state in one
transaction with its audit entry. Audit details hold ids, numbers and fingerprints, never
the text."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from caucus.accounts.models import User
from caucus.audit.access import record_read
from caucus.audit.chain import record_action
from caucus.cases.access import access_case, access_in_case, access_visible, requested_audience
from caucus.cases.models import Case, Outcome, Participant, Role
from caucus.cases.onboarding_services import (
    checked_typed_name,
    require_current_text,
    save_signature,
    sha256_text,
)
from caucus.kernel.audience import AudienceKind
from caucus.kernel.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotVisible,
    checked_text,
    required_text,
)
from caucus.kernel.permissions import Action, require
from caucus.portal import notify
from caucus.redaction.models import Redaction
from caucus.redaction.services import propose_redaction
from caucus.settlement.exports import memorandum_docx, structured_pdf
from caucus.settlement.models import (
    RemovalRequest,
    Settlement,
    SettlementComment,
    SettlementPolicy,
    SettlementSignature,
    SettlementStatus,
    SettlementVersion,
)
from caucus.settlement.starting_texts import STARTING_TEXTS, starting_text
from caucus.vault.models import Document
from caucus.vault.services import read_plaintext_for, store_document

TEXT_MAX = 100_000
COMMENT_MAX = 5_000
COMMENT_AUDIENCES = ("own_side", "case")


def _checked_text(text: str) -> str:
    if not text.strip():
        raise Invalid({"text": ["This field is required."]})
    if len(text) > TEXT_MAX:
        raise Invalid({"text": [f"At most {TEXT_MAX} characters."]})
    return text


def attorneys_sign(practice_id: uuid.UUID) -> bool:
    policy = SettlementPolicy.objects.filter(practice_id=practice_id).first()
    return policy is not None and policy.attorneys_sign


def signers(case: Case) -> list[Participant]:
    """Who signs the memorandum: every party and mediator of the case, and each attorney
    when the practice's policy says so."""
    roles = [Role.PARTY, Role.MEDIATOR]
    if attorneys_sign(case.practice_id):
        roles.append(Role.ATTORNEY)
    return list(
        Participant.objects.filter(case_id=case.id, role__in=roles)
        .select_related("user")
        .order_by("created_at", "id")
    )


def _new_version(settlement: Settlement, actor: Participant, text: str) -> SettlementVersion:
    version = SettlementVersion(
        id=uuid.uuid4(),
        case_id=settlement.case_id,
        settlement=settlement,
        number=settlement.version,
        text_sha256=sha256_text(text),
        created_by=actor,
    )
    version.text = text
    version.save()
    return version


def current_version(settlement: Settlement) -> SettlementVersion:
    return SettlementVersion.objects.get(settlement=settlement, number=settlement.version)


def draft(user: User, case_id: uuid.UUID, *, text: str, template: str | None) -> Settlement:
    """The first version, from the text given or else from a starting text."""
    actor = access_case(user, case_id)
    require(actor, Action.DRAFT_SETTLEMENT)
    template = (template or "").strip()
    if template:
        found = starting_text(template)
        if found is None:
            raise Invalid({"template": ["Choose one of: " + ", ".join(STARTING_TEXTS) + "."]})
        text = text if text.strip() else found.text
    text = _checked_text(text)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=actor.case_id)
        if Settlement.objects.filter(case_id=actor.case_id).exists():
            raise Conflict("settlement_exists", "This case has its memorandum: revise it.")
        settlement = Settlement.objects.create(
            id=uuid.uuid4(), case_id=actor.case_id, created_by=actor, template=template
        )
        version = _new_version(settlement, actor, text)
        record_action(
            actor,
            "settlement.drafted",
            "settlement",
            settlement.id,
            version=version.number,
            text_sha256=version.text_sha256,
            template=template,
        )
    return settlement


def revise(user: User, settlement_id: uuid.UUID, *, text: str) -> Settlement:
    """A new version. Signatures bind to their version's text, so every earlier signature is
    void, and signing waits until the mediator marks this version ready."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.DRAFT_SETTLEMENT)
    text = _checked_text(text)
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        if settlement.status == SettlementStatus.SIGNED:
            raise Conflict("settlement_signed", "Everyone has signed this memorandum.")
        voided = SettlementSignature.objects.filter(
            settlement=settlement, version__number=settlement.version
        ).count()
        settlement.version += 1
        settlement.status = SettlementStatus.DRAFT
        settlement.save(update_fields=["version", "status", "updated_at"])
        version = _new_version(settlement, actor, text)
        record_action(
            actor,
            "settlement.revised",
            "settlement",
            settlement.id,
            version=version.number,
            text_sha256=version.text_sha256,
            voided_signatures=voided,
        )
    return settlement


def mark_ready(user: User, settlement_id: uuid.UUID, *, partial: bool = False) -> Settlement:
    """Opens signing of the current version; `partial` says it settles part of the dispute
    (the outcome its last signature records)."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.DRAFT_SETTLEMENT)
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        if settlement.status != SettlementStatus.DRAFT:
            raise Conflict(
                f"settlement_{settlement.status}", f"This memorandum is {settlement.status}."
            )
        settlement.status = SettlementStatus.READY
        settlement.partial = partial
        settlement.save(update_fields=["status", "partial", "updated_at"])
        version = current_version(settlement)
        record_action(
            actor,
            "settlement.ready",
            "settlement",
            settlement.id,
            version=version.number,
            text_sha256=version.text_sha256,
            partial=partial,
        )
        notify.something_waiting([p for p in signers(actor.case) if p.id != actor.id])
    return settlement


def sign(user: User, settlement_id: uuid.UUID, *, typed_name: str, text_sha256: str) -> Settlement:
    """The agreements' signing flow, on the current version: the exact text (its SHA-256),
    the signer's full name typed. The last signature settles the case."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.SIGN_SETTLEMENT)
    who = signers(actor.case)
    if actor.id not in {p.id for p in who}:
        raise Forbidden("not_a_signer", "Your practice does not ask you to sign this.")
    typed_name = checked_typed_name(typed_name, actor.user.name)
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        if settlement.status != SettlementStatus.READY:
            raise Conflict(
                "settlement_not_ready"
                if settlement.status == SettlementStatus.DRAFT
                else "settlement_signed",
                f"This memorandum is {settlement.status}: it is not open for signing.",
            )
        version = current_version(settlement)
        require_current_text(text_sha256, version.text_sha256, "memorandum")
        signature = SettlementSignature(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            settlement=settlement,
            version=version,
            participant=actor,
            text_sha256=version.text_sha256,
        )
        signature.typed_name = typed_name
        save_signature(signature)
        signed = set(version.signatures.values_list("participant_id", flat=True))
        complete = {p.id for p in who} <= signed
        outcome = Outcome.PARTIAL if settlement.partial else Outcome.SETTLED
        if complete:
            settlement.status = SettlementStatus.SIGNED
            settlement.signed_at = timezone.now()
            settlement.save(update_fields=["status", "signed_at", "updated_at"])
            # The outcome is recorded now; the close keeps whatever outcome the mediator
            # then gives (`caucus.cases.services.close_case`).
            Case.objects.filter(pk=actor.case_id).update(outcome=outcome)
        record_action(
            actor,
            "settlement.signed",
            "settlement",
            settlement.id,
            version=version.number,
            text_sha256=version.text_sha256,
            complete=complete,
            **({"outcome": outcome.value} if complete else {}),
        )
    return settlement


def comment(
    user: User, settlement_id: uuid.UUID, *, body: str, audience: str = "own_side"
) -> SettlementComment:
    """A comment on the current version. `own_side` is the commenter's side and the
    mediators (for someone of no side, the mediators only); `case` is everyone's."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.COMMENT_ON_SETTLEMENT)
    fields: dict[str, list[str]] = {}
    body = required_text(fields, "body", body, COMMENT_MAX)
    if audience not in COMMENT_AUDIENCES:
        fields["audience"] = ["Choose own_side or case."]
    if fields:
        raise Invalid(fields)
    if audience == "own_side" and actor.side_id is None:
        kind, side_id = AudienceKind.MEDIATORS.value, None
    else:
        kind, side_id = requested_audience(actor, audience)
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        row = SettlementComment(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            settlement=settlement,
            version=settlement.version,
            author=actor,
            audience_kind=kind,
            audience_side_id=side_id,
        )
        row.body = body
        row.save()
        record_action(
            actor,
            "settlement.commented",
            "settlement_comment",
            row.id,
            settlement=str(settlement.id),
            audience=row.audience,
        )
    return row


def _export(
    user: User, settlement_id: uuid.UUID
) -> tuple[SettlementVersion, str, list[tuple[str, str, str, str]]]:
    """What an export holds: the current version, its title and its signatures. The read
    is audited."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.READ_RECORD)
    version = current_version(found)
    roles = dict(Participant.objects.filter(case_id=actor.case_id).values_list("id", "role"))
    rows = [
        (
            sig.typed_name,
            str(roles.get(sig.participant_id, "")),
            sig.signed_at.strftime("%Y-%m-%d %H:%M:%S"),
            sig.text_sha256,
        )
        for sig in version.signatures.order_by("signed_at", "id")
    ]
    title = "Memorandum of understanding"
    if found.status != SettlementStatus.SIGNED:
        title += f" (version {version.number}, {found.status}: not signed by everyone)"
    record_read(actor, [version], object_type="settlement_pdf")
    return version, title, rows


def _export_pdf(user: User, settlement_id: uuid.UUID) -> tuple[str, bytes]:
    """The current version and its signatures as a PDF, signed with the practice's key when
    it has one."""
    version, title, rows = _export(user, settlement_id)
    # ReportLab and pyHanko load on the first export, not with every server process.
    from caucus.cases.pdf import agreement_pdf

    body = agreement_pdf(title, version.text, version.text_sha256, rows, footer=SETTLEMENT_FOOTER)
    return f"memorandum-v{version.number}", body


def _export_docx(user: User, settlement_id: uuid.UUID) -> tuple[str, bytes]:
    """The current version and its signatures as a DOCX with its headings and tables."""
    version, title, rows = _export(user, settlement_id)
    body = memorandum_docx(title, version.text, version.text_sha256, rows)
    return f"memorandum-v{version.number}", body


SETTLEMENT_FOOTER = "Signed by the parties and the mediator in a mediation held with Caucus."


def propose_public_record(user: User, settlement_id: uuid.UUID) -> Redaction:
    """The signed text as a document of the case (mediators only), and a redaction proposal
    of it made with the case's knowledge; the mediator reviews it on the redaction page."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.REDACT_DOCUMENT)
    if found.status != SettlementStatus.SIGNED:
        raise Conflict("settlement_not_signed", "Only a signed memorandum goes on the record.")
    version = current_version(found)
    with transaction.atomic():
        doc = store_document(
            actor,
            name=f"memorandum-v{version.number}.txt",
            content_type="text/plain",
            chunks=[version.text.encode()],
            audience_kind=AudienceKind.MEDIATORS,
            audience_side_id=None,
        )
        redaction = propose_redaction(user, doc.id)
        Settlement.objects.filter(pk=found.pk).update(public_record=redaction)
        record_action(
            actor,
            "settlement.public_record_proposed",
            "settlement",
            found.id,
            version=version.number,
            document_id=str(doc.id),
            redaction_id=str(redaction.id),
        )
    return redaction


PASSAGE_MAX = 2_000
# What stands in the public-record copy where a party asked for a passage to be removed.
REMOVED = "[REMOVED]"


def _reviewed_copy(user: User, settlement: Settlement) -> str:
    """The text of the copy the mediator made on the review page (read through the vault,
    audited); not found by whoever may not see that copy."""
    redaction = settlement.public_record
    if redaction is None or redaction.result_document_id is None:
        raise Conflict(
            "public_record_not_reviewed", "Review the proposed removals before showing the copy."
        )
    copy, reader = access_visible(user, Document, redaction.result_document_id)
    return b"".join(read_plaintext_for(reader, copy)).decode()


def show_public_record(user: User, settlement_id: uuid.UUID) -> Settlement:
    """Shows the reviewed public-record copy to everyone in the case, before it is final.
    The copy is the signed memorandum (already everyone's) with passages removed, so
    showing it widens nothing; the mediator decides when."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.REDACT_DOCUMENT)
    text = _reviewed_copy(user, found)
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        if settlement.record_shown_at is not None:
            raise Conflict("public_record_shown", "The copy has been shown to the parties.")
        settlement.record_text = text
        settlement.record_shown_at = timezone.now()
        settlement.save(update_fields=["record_text_sealed", "record_shown_at", "updated_at"])
        record_action(actor, "settlement.public_record_shown", "settlement", settlement.id)
        notify.something_waiting(
            list(Participant.objects.filter(case_id=actor.case_id).exclude(pk=actor.pk))
        )
    return settlement


def _open_record(settlement: Settlement) -> None:
    if settlement.record_shown_at is None:
        raise Conflict("public_record_not_shown", "The public-record copy is not shown yet.")
    if settlement.record_final_at is not None:
        raise Conflict("public_record_final", "The public-record copy is final.")


def request_removal(user: User, settlement_id: uuid.UUID, *, passage: str) -> RemovalRequest:
    """A party's (or their attorney's) request that one more passage of the shown copy be
    removed. Its audience is the requester's side and the mediators."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.COMMENT_ON_SETTLEMENT)
    if actor.side_id is None:
        raise Forbidden("no_side", "Only a party or their attorney asks for a removal.")
    passage = checked_text("passage", passage, PASSAGE_MAX)
    kind, side_id = requested_audience(actor, "own_side")
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        _open_record(settlement)
        if passage not in settlement.record_text:
            raise Invalid({"passage": ["That text is not in the public-record copy."]})
        row = RemovalRequest(
            id=uuid.uuid4(),
            case_id=actor.case_id,
            settlement=settlement,
            author=actor,
            audience_kind=kind,
            audience_side_id=side_id,
        )
        row.passage = passage
        row.save()
        record_action(
            actor,
            "settlement.removal_requested",
            "settlement_removal_request",
            row.id,
            settlement=str(settlement.id),
            audience=row.audience,
        )
        notify.something_waiting(
            list(Participant.objects.filter(case_id=actor.case_id, role=Role.MEDIATOR))
        )
    return row


def remove_passages(text: str, passages: list[str]) -> str:
    """Every occurrence of each passage replaced by `REMOVED`, longest first (a passage
    inside a longer one goes with it). It only ever removes: what it returns is the text
    with parts replaced by the marker."""
    for passage in sorted(set(passages), key=len, reverse=True):
        if passage:
            text = text.replace(passage, REMOVED)
    return text


def finalize_public_record(user: User, settlement_id: uuid.UUID) -> Settlement:
    """Applies every removal the parties asked for, then makes the copy final: from then
    on it takes no request, and it is what the public-record exports hold."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.REDACT_DOCUMENT)
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=found.pk)
        _open_record(settlement)
        pending = list(
            RemovalRequest.objects.filter(settlement=settlement, applied_at__isnull=True)
        )
        now = timezone.now()
        settlement.record_text = remove_passages(
            settlement.record_text, [r.passage for r in pending]
        )
        settlement.record_final_at = now
        settlement.save(update_fields=["record_text_sealed", "record_final_at", "updated_at"])
        RemovalRequest.objects.filter(pk__in=[r.pk for r in pending]).update(applied_at=now)
        record_action(
            actor,
            "settlement.public_record_finalized",
            "settlement",
            settlement.id,
            applied=len(pending),
        )
    return settlement


PUBLIC_RECORD_TITLE = "Memorandum of understanding (public-record copy)"


def _export_public_record(user: User, settlement_id: uuid.UUID, kind: str) -> tuple[str, bytes]:
    """The final public-record copy as `docx` or `pdf`, with the memorandum's structure: the
    reviewed redaction with every removal the parties asked for; it names no signer. Not
    found before the review, nor by whoever may not see the reviewed copy (its audience is
    the mediators'); 409 until the mediator has made it final."""
    found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.READ_RECORD)
    redaction = found.public_record
    if redaction is None or redaction.result_document_id is None:
        raise NotVisible()
    _copy, reader = access_visible(user, Document, redaction.result_document_id)
    if found.record_final_at is None:
        # Each party reads the copy, and may ask for more to go, before anything is filed.
        raise Conflict(
            "public_record_not_final",
            "Show the copy to the parties and make it final before downloading it.",
        )
    record_read(reader, [current_version(found)], object_type="settlement_public_record")
    text = found.record_text
    date = found.signed_at.strftime("%d %B %Y") if found.signed_at else ""
    closing = f"Signed by each party and the mediator on {date}.".replace(" on .", ".")
    if kind == "docx":
        return "memorandum.public-record", memorandum_docx(
            PUBLIC_RECORD_TITLE, text, "", [], closing
        )
    return "memorandum.public-record", structured_pdf(PUBLIC_RECORD_TITLE, text, closing)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What a memorandum exports: the signed text, and the finalized public-record copy.
EXPORTS: dict[str, Callable[[User, uuid.UUID], tuple[str, bytes]]] = {
    "pdf": _export_pdf,
    "docx": _export_docx,
    "public-record.pdf": lambda user, sid: _export_public_record(user, sid, "pdf"),
    "public-record.docx": lambda user, sid: _export_public_record(user, sid, "docx"),
}


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    body: bytes


def export(user: User, settlement_id: uuid.UUID, what: str) -> Export:
    """One of `EXPORTS`, as a file to download. Reading it is audited."""
    _found, actor = access_in_case(user, Settlement, settlement_id)
    require(actor, Action.READ_RECORD)
    make = EXPORTS.get(what)
    if make is None:
        raise NotVisible()
    name, body = make(user, settlement_id)
    kind = what.rsplit(".", 1)[-1]
    return Export(f"{name}.{kind}", DOCX if kind == "docx" else "application/pdf", body)
