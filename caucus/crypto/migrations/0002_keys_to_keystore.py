"""Moves the wrapped data keys out of the database into the key store, then drops the table.

Dropped rather than kept empty: a table that exists invites a write that puts keys back into
the database, and an empty table protects nothing. Database backups taken before this
migration still hold the wrapped keys; README ("Backups") says to let them expire.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    from caucus.crypto import keystore

    DataKey = apps.get_model("crypto", "DataKey")
    for row in DataKey.objects.using(schema_editor.connection.alias).all():
        name = f"{row.owner_id}.dek"
        if row.wrapped is None or row.destroyed_at is not None:
            keystore.destroy(name)
            continue
        keystore.put(
            name,
            keystore.StoredKey(
                wrapped=bytes(row.wrapped),
                master_key_id=row.master_key_id,
                created_at=row.created_at.isoformat(),
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("crypto", "0001_initial")]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="DataKey"),
    ]
