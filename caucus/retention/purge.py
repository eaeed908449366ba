"""The purge: every closed case past its `purge_after` loses its data for good.

One case is purged in six steps, each recorded in its `CasePurge` row as it completes, so a
purge killed at any point and run again continues where it stopped (every step is safe to
repeat, and each transactional step re-checks the recorded step under a row lock, so two
purges running at once do each step once):

a. mark: the case becomes `purging` (hidden from everyone from then on) and the accounts to
   consider are noted (their participant rows are about to go);
b. destroy the case's data key in the key store (crypto-shredding): from here on every
   copy of the content, database backups included, is ciphertext without a key;
c. delete the content: blobs first (files are not transactional), then the rows, category
   by category (`caucus.retention.shredders`), and the sealed fields of the case row;
d. delete the accounts of people with no other live case (mediators keep theirs), with
   their API tokens, TOTP devices, lockout records and the mails stored for them;
e. write the signed deletion certificate;
f. mark the case `purged`; the row stays as a tombstone (ids, dates and codes only), so the
   case answers 410 with its certificate.

After the cases, sessions of deleted accounts are removed and, on SQLite, the WAL is
checkpointed and truncated; with `secure_delete` on, freed pages were already overwritten,
so no personal data is left in the database file or its WAL. Audit entries stay: their
details were sealed under the destroyed key, and the chain still verifies.

The cost of a case is a fixed number of queries plus one per row: it does not grow with the
bytes the case holds beyond what the database needs to free its pages (bench/purge.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from caucus.accounts.models import User
from caucus.audit.chain import record
from caucus.cases import lifecycle
from caucus.cases.models import Case, Invitation, Participant, Status
from caucus.crypto import keyring
from caucus.portal import mailbox
from caucus.retention import shredders, signing
from caucus.retention.models import CasePurge, DeletionCertificate, PurgeStep

log = logging.getLogger(__name__)

# A test harness may set this to stop the process between steps ("killed at each step").
# Nothing in the product sets it, and it cannot be set from the environment.
fault_hook: Callable[[str], None] | None = None

CERTIFICATE_TYPE = "caucus-deletion-certificate"


def _reached(step: str) -> None:
    if fault_hook is not None:
        fault_hook(step)


@dataclass
class PurgeReport:
    purged: list[uuid.UUID] = field(default_factory=list)
    sessions_deleted: int = 0
    wal_checkpointed: bool | None = None


def due(as_of: datetime) -> list[uuid.UUID]:
    """Cases to purge: closed (or declined) and past purge_after, or a purge left half-done."""
    return list(
        Case.objects.filter(
            Q(status__in=[Status.CLOSED, Status.DECLINED], purge_after__lte=as_of)
            | Q(status=Status.PURGING)
        )
        .order_by("purge_after", "id")
        .values_list("id", flat=True)
    )


def run_purge(as_of: datetime | None = None) -> PurgeReport:
    as_of = as_of or timezone.now()
    report = PurgeReport()
    for case_id in due(as_of):
        if purge_case(case_id):
            report.purged.append(case_id)
    report.sessions_deleted = delete_orphan_sessions()
    report.wal_checkpointed = checkpoint_wal()
    return report


def purge_case(case_id: uuid.UUID) -> bool:
    """Purges one case, or finishes a purge that was interrupted. Returns whether the case
    is purged now."""
    progress = _mark(case_id)
    if progress is None:
        return False
    if progress.step == PurgeStep.MARKED:
        _destroy_key(progress)
    if progress.step == PurgeStep.KEY_DESTROYED:
        _delete_content(progress)
    if progress.step == PurgeStep.CONTENT_DELETED:
        _delete_accounts(progress)
    if progress.step == PurgeStep.ACCOUNTS_DONE:
        _certify(progress)
    if progress.step == PurgeStep.CERTIFIED:
        _finish(progress)
    done = progress.step == PurgeStep.DONE
    if done:
        log.info("retention: purged case %s", case_id)
    return done


def _locked(progress: CasePurge, expected: str) -> CasePurge | None:
    """The progress row, locked; None when another purge has moved past `expected`."""
    fresh = CasePurge.objects.select_for_update().get(pk=progress.pk)
    if fresh.step != expected:
        progress.refresh_from_db()
        return None
    return fresh


def _mark(case_id: uuid.UUID) -> CasePurge | None:
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            return None
        existing = CasePurge.objects.filter(case_id=case_id).first()
        if case.status == Status.PURGED:
            return existing if existing is not None and existing.step == PurgeStep.DONE else None
        if case.status != Status.PURGING:
            lifecycle.move(case, Status.PURGING)
            case.save(update_fields=["status"])
        if existing is not None:
            return existing
        user_ids = sorted(
            {
                str(u)
                for u in Participant.all_participations.filter(case_id=case_id).values_list(
                    "user_id", flat=True
                )
            }
        )
        progress = CasePurge.objects.create(case=case, started_at=timezone.now(), user_ids=user_ids)
        record("case.purge_started", object_type="case", object_id=case_id)
    _reached(PurgeStep.MARKED)
    return progress


def _invited_strangers(case_id: uuid.UUID) -> list[str]:
    """The addresses of invitations nobody accepted, for which no account exists: their
    invitation emails are the only trace of them, and their addresses are sealed under the case
    key, so they are read before the key is destroyed."""
    with keyring.key_scope():
        addresses = {
            invitation.email.strip().lower()
            for invitation in Invitation.objects.filter(case_id=case_id, used_at__isnull=True)
        }
    accounts = {
        email.lower()
        for email in User.objects.filter(email__in=addresses).values_list("email", flat=True)
    }
    return sorted(a for a in addresses if a and a not in accounts)


def _destroy_key(progress: CasePurge) -> None:
    # Mail files first (files are not transactional; repeating this is harmless).
    mailbox.forget(_invited_strangers(progress.case_id))
    keyring.destroy(progress.case_id)
    with transaction.atomic():
        fresh = _locked(progress, PurgeStep.MARKED)
        if fresh is None:
            return
        fresh.step = PurgeStep.KEY_DESTROYED
        fresh.key_destroyed_at = timezone.now()
        fresh.save(update_fields=["step", "key_destroyed_at"])
    progress.refresh_from_db()
    _reached(PurgeStep.KEY_DESTROYED)


def _delete_content(progress: CasePurge) -> None:
    case_id = progress.case_id
    blobs = 0
    for shredder in shredders.SHREDDERS:
        if not shredder.in_transaction:
            blobs += sum(shredder.shred(case_id).values())
    with transaction.atomic():
        fresh = _locked(progress, PurgeStep.KEY_DESTROYED)
        if fresh is None:
            return
        counts: Counter[str] = Counter()
        for shredder in shredders.SHREDDERS:
            if shredder.in_transaction:
                counts.update(shredder.shred(case_id))
        # The tombstone keeps ids, dates and codes; the sealed title and notes go.
        Case.objects.filter(pk=case_id).update(**_emptied_sealed_fields())
        fresh.step = PurgeStep.CONTENT_DELETED
        fresh.blobs_deleted = max(fresh.blobs_deleted, blobs)
        fresh.deleted = dict(sorted(counts.items()))
        fresh.save(update_fields=["step", "blobs_deleted", "deleted"])
    progress.refresh_from_db()
    _reached(PurgeStep.CONTENT_DELETED)


def _emptied_sealed_fields() -> dict[str, bytes | None]:
    """Every sealed column of the case row, emptied: whatever sealed field a later change
    adds to Case goes too."""
    return {
        f.name: (None if f.null else b"")
        for f in Case._meta.concrete_fields
        if f.name.endswith("_sealed")
    }


def _accounts_to_delete(user_ids: list[str]) -> list[User]:
    return [
        user
        for user in User.objects.filter(pk__in=user_ids, practice__isnull=True)
        # Live: any case not yet purged, this run's other purging cases included (their
        # own purge deletes the account once their participant rows are gone).
        if not Participant.all_participations.filter(user=user)
        .exclude(case__status=Status.PURGED)
        .exists()
    ]


def _delete_accounts(progress: CasePurge) -> None:
    from axes.models import AccessAttempt

    # Mail files first (files are not transactional): a purge killed after this step finds
    # the same accounts again and repeats it.
    mailbox.forget(user.email for user in _accounts_to_delete(progress.user_ids))
    with transaction.atomic():
        fresh = _locked(progress, PurgeStep.CONTENT_DELETED)
        if fresh is None:
            return
        deleted = 0
        for user in _accounts_to_delete(fresh.user_ids):
            AccessAttempt.objects.filter(username__iexact=user.email).delete()
            user.delete()
            deleted += 1
        fresh.step = PurgeStep.ACCOUNTS_DONE
        fresh.accounts_deleted = deleted
        fresh.user_ids = []
        fresh.save(update_fields=["step", "accounts_deleted", "user_ids"])
    progress.refresh_from_db()
    _reached(PurgeStep.ACCOUNTS_DONE)


def certificate_payload(case: Case, progress: CasePurge, purged_at: datetime) -> dict[str, Any]:
    categories: Counter[str] = Counter()
    for label, count in progress.deleted.items():
        categories[label.split(".", 1)[0]] += count
    return {
        "type": CERTIFICATE_TYPE,
        "version": 1,
        "case_id": str(case.id),
        "practice_id": str(case.practice_id),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "purge_after": case.purge_after.isoformat() if case.purge_after else None,
        "purge_started_at": progress.started_at.isoformat(),
        "key_destroyed": keyring.is_destroyed(case.id),
        "key_destroyed_at": (
            progress.key_destroyed_at.isoformat() if progress.key_destroyed_at else None
        ),
        "blobs_deleted": progress.blobs_deleted,
        "rows_deleted": dict(progress.deleted),
        "rows_deleted_by_category": dict(sorted(categories.items())),
        "accounts_deleted": progress.accounts_deleted,
        "purged_at": purged_at.isoformat(),
    }


def _certify(progress: CasePurge) -> None:
    with transaction.atomic():
        fresh = _locked(progress, PurgeStep.ACCOUNTS_DONE)
        if fresh is None:
            return
        case = Case.objects.get(pk=fresh.case_id)
        payload = certificate_payload(case, fresh, timezone.now())
        body, signature = signing.sign(case.practice_id, payload)
        DeletionCertificate.objects.filter(case_id=case.id).delete()
        DeletionCertificate.objects.create(case=case, body=body, signature=signature)
        fresh.step = PurgeStep.CERTIFIED
        fresh.save(update_fields=["step"])
    progress.refresh_from_db()
    _reached(PurgeStep.CERTIFIED)


def _finish(progress: CasePurge) -> None:
    with transaction.atomic():
        fresh = _locked(progress, PurgeStep.CERTIFIED)
        if fresh is None:
            return
        case = Case.objects.select_for_update().get(pk=fresh.case_id)
        cert = DeletionCertificate.objects.get(case_id=case.id)
        purged_at = datetime.fromisoformat(json.loads(cert.body)["purged_at"])
        lifecycle.move(case, Status.PURGED)
        case.purged_at = purged_at
        case.save(update_fields=["status", "purged_at"])
        fresh.step = PurgeStep.DONE
        fresh.finished_at = timezone.now()
        fresh.save(update_fields=["step", "finished_at"])
        # Under the system key: the case's key no longer exists.
        record(
            "case.purged",
            object_type="case",
            object_id=case.id,
            details={"certificate_id": str(cert.id)},
        )
    progress.refresh_from_db()
    _reached(PurgeStep.DONE)


def delete_orphan_sessions() -> int:
    """Sessions of accounts that no longer exist. One pass per run, not per case: a
    session row holds only the user id, and finding them means decoding every session."""
    from django.contrib.sessions.models import Session

    sessions: list[tuple[str, str]] = []
    for session in Session.objects.iterator(chunk_size=1000):
        user_id = session.get_decoded().get("_auth_user_id")
        if user_id:
            sessions.append((session.session_key, str(user_id)))
    existing = {
        str(pk)
        for pk in User.objects.filter(pk__in={u for _, u in sessions}).values_list("pk", flat=True)
    }
    stale = [key for key, user_id in sessions if user_id not in existing]
    Session.objects.filter(session_key__in=stale).delete()
    return len(stale)


def checkpoint_wal() -> bool | None:
    """On SQLite, copies the WAL into the database and truncates it, so deleted rows' old
    pages do not linger there. Returns whether it completed (another process reading at the
    moment makes SQLite report busy; the next run tries again)."""
    if connection.vendor != "sqlite":
        return None
    if connection.in_atomic_block:
        # Inside a caller's transaction SQLite cannot checkpoint; the next run will.
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
    except OperationalError:
        row = (1,)
    busy = bool(row and row[0])
    if busy:
        log.warning("retention: WAL checkpoint was busy; it will be retried on the next run")
    return not busy
