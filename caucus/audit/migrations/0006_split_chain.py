"""Splits the single audit chain into one chain per case and one for practice events.

Before the split, the old chain is verified and its head noted in a `ChainSplit` row, with
the verdict. Every entry keeps its old place and hash (`legacy_seq`, `legacy_hash`: the old
chain can be recomputed from them at any time, and `caucus audit verify` does), and is
re-linked in its case's chain in its original order, under a new hash that covers the old
ones. The first entry of every chain the split creates links to the old head hash, so each
new chain starts where the old one ended. Details stay sealed as they were (a purged case's
key cannot re-seal them). An old chain that does not verify is split all the same: its
verdict is recorded and `verify` keeps reporting the old break, so the split launders
nothing."""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

from caucus.audit.chain import GENESIS, chain_hash, chain_of, legacy_break

BATCH = 500


def split(apps, schema_editor):  # type: ignore[no-untyped-def]
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditHead")
    old_head_model = apps.get_model("audit", "LegacyAuditHead")
    split_model = apps.get_model("audit", "ChainSplit")
    old_head = old_head_model.objects.filter(pk=1).first()
    if not entry_model.objects.exists() and (old_head is None or old_head.last_seq == 0):
        return
    entry_model.objects.update(legacy_seq=F("seq"), legacy_hash=F("hash"))
    ordered = entry_model.objects.order_by("legacy_seq")
    if old_head is not None:
        old_entries, old_head_hash = old_head.last_seq, old_head.last_hash
    else:  # a flushed head row: the old code trusted the entries themselves
        last = ordered.last()
        old_entries = last.legacy_seq if last else 0
        old_head_hash = last.legacy_hash if last else GENESIS
    broken = legacy_break(
        ordered.iterator(chunk_size=2000), old_entries=old_entries, old_head_hash=old_head_hash
    )
    verdict = (
        f"intact: {old_entries} entries"
        if broken is None
        else f"broken at entry {broken.seq}: {broken.reason}"
    )
    case_ids = list(entry_model.objects.order_by().values_list("case_id", flat=True).distinct())
    for case_id in case_ids:
        chain = chain_of(case_id)
        rows = list(
            entry_model.objects.filter(case_id=case_id)
            if case_id is not None
            else entry_model.objects.filter(case_id__isnull=True)
        )
        rows.sort(key=lambda row: row.legacy_seq)
        prev = old_head_hash
        for place, row in enumerate(rows, start=1):
            row.chain, row.seq, row.prev_hash = chain, place, prev
            row.hash = chain_hash(row, prev)
            prev = row.hash
        entry_model.objects.bulk_update(
            rows, ["chain", "seq", "prev_hash", "hash"], batch_size=BATCH
        )
        head_model.objects.create(chain=chain, last_seq=len(rows), last_hash=prev)
    split_model.objects.create(
        at=timezone.now(),
        old_entries=old_entries,
        old_head_hash=old_head_hash,
        old_chain_verdict=verdict[:200],
        chains=len(case_ids),
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_per_case")]

    # Going back needs an empty log: the old single chain is not rebuilt.
    operations = [migrations.RunPython(split, migrations.RunPython.noop)]
