"""One shredder per category of a case's data, in the style of pretix's data shredders.

Each shredder deletes one category of a case's rows (or blobs) and returns what it deleted,
as counts per model label, for the deletion certificate. They run in the order of
`SHREDDERS`, inside one transaction per case (blobs excepted: files are not transactional,
so the blob shredder runs first, before the rows that name the blobs, and must be
idempotent).

To add a domain: write a shredder and `register()` it (before "participants"). A domain
that forgets is still covered: `RemainingContent` deletes the rows of every model with a
foreign key to Case that no other shredder claims, so nothing of a case survives a purge
because nobody wrote its shredder. Participants and sides go last because content rows
point at them with PROTECT.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections import Counter
from collections.abc import Iterable

from django.apps import apps
from django.db import connection, models

from caucus.cases.models import Case

log = logging.getLogger(__name__)

Counts = dict[str, int]


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def delete_rows(labels: Iterable[str], case_id: uuid.UUID) -> Counts:
    """Deletes the rows of each model (by its `case` foreign key), children first as
    listed; cascades are counted under the model they deleted."""
    counts: Counter[str] = Counter()
    for label in labels:
        model = _model(label)
        if model is None:
            continue
        _total, per_model = model._default_manager.filter(case_id=case_id).delete()
        counts.update({k: v for k, v in per_model.items() if v})
    return dict(counts)


class Shredder:
    identifier = ""
    verbose_name = ""
    models: tuple[str, ...] = ()
    in_transaction = True

    def shred(self, case_id: uuid.UUID) -> Counts:
        return delete_rows(self.models, case_id)


class Blobs(Shredder):
    """Document blobs, through the vault's storage (files or S3)."""

    identifier = "blobs"
    verbose_name = "Stored files"
    in_transaction = False

    def shred(self, case_id: uuid.UUID) -> Counts:
        try:
            storage = importlib.import_module("caucus.vault.storage")
        except ModuleNotFoundError:
            log.info("retention: no document vault installed, no blobs to delete")
            return {}
        deleted = storage.delete_case_blobs(case_id)
        return {"blobs": int(deleted) if isinstance(deleted, int) else 0}


class Meetings(Shredder):
    identifier = "meetings"
    verbose_name = "Meetings, attendance, items, notes and feedback"
    models = (
        "meetings.Feedback",
        "meetings.NoteVersion",
        "meetings.Note",
        "meetings.Item",
        "meetings.Attendance",
        "meetings.Meeting",
    )


class Onboarding(Shredder):
    identifier = "onboarding"
    verbose_name = "Agreements, signatures, ground rules, acknowledgements and intake"
    models = (
        "cases.RuleResponse",
        "cases.GroundRule",
        "cases.Signature",
        "cases.Agreement",
        "cases.StructureAcknowledgement",
        "cases.IntakeAnswers",
    )


class Invitations(Shredder):
    identifier = "invitations"
    verbose_name = "Invitations (with the invitees' names and emails)"
    models = ("cases.Invitation",)


class Participants(Shredder):
    identifier = "participants"
    verbose_name = "Participants and sides"
    models = ("cases.Participant", "cases.Side")


# Rows that stay: the tombstone's own bookkeeping.
KEPT_APPS = frozenset({"retention"})


class RemainingContent(Shredder):
    """Every other model with a foreign key to Case: the safety net for new domains."""

    identifier = "other"
    verbose_name = "Other case content"

    def claimed(self) -> set[str]:
        return {label for s in SHREDDERS for label in s.models}

    def shred(self, case_id: uuid.UUID) -> Counts:
        claimed = self.claimed()
        # A model whose migration has not been applied yet has no rows to delete.
        tables = set(connection.introspection.table_names())
        labels = []
        for rel in Case._meta.related_objects:
            model = rel.related_model
            if not isinstance(model, type) or not issubclass(model, models.Model):
                continue
            label = model._meta.label
            if label in claimed or model._meta.app_label in KEPT_APPS:
                continue
            if rel.field.name != "case" or model._meta.db_table not in tables:
                continue
            labels.append(label)
        return delete_rows(sorted(set(labels)), case_id)


SHREDDERS: list[Shredder] = [
    Blobs(),
    Meetings(),
    Onboarding(),
    Invitations(),
    RemainingContent(),
    Participants(),
]


def register(shredder: Shredder, *, before: str = "other") -> None:
    """Adds a domain's shredder ahead of the safety net and of the participants."""
    if any(s.identifier == shredder.identifier for s in SHREDDERS):
        return
    index = next(i for i, s in enumerate(SHREDDERS) if s.identifier == before)
    SHREDDERS.insert(index, shredder)
