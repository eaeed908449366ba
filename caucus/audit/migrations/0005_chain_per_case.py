"""One audit chain per case (issue 14, item 6): entries get a row id, their chain and a place
in it; the old place and hash are kept beside them (`legacy_seq`, `legacy_hash`). The old
single head row is kept until 0006 has read it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_access_object_uuid")]

    operations = [
        migrations.RenameModel("AuditHead", "LegacyAuditHead"),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("chain", models.UUIDField(primary_key=True, serialize=False)),
                ("last_seq", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(max_length=64)),
            ],
            options={"db_table": "audit_chainhead"},
        ),
        migrations.CreateModel(
            name="ChainSplit",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
                ("old_entries", models.BigIntegerField()),
                ("old_head_hash", models.CharField(max_length=64)),
                ("old_chain_verdict", models.CharField(max_length=200)),
                ("chains", models.IntegerField()),
            ],
        ),
        migrations.AddField(
            model_name="auditentry", name="chain", field=models.UUIDField(null=True)
        ),
        migrations.AddField(
            model_name="auditentry", name="legacy_seq", field=models.BigIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="auditentry",
            name="legacy_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        # The old primary key first, so PostgreSQL drops its constraint before the new one.
        migrations.AlterField(
            model_name="auditentry", name="seq", field=models.BigIntegerField()
        ),
        migrations.AddField(
            model_name="auditentry",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
    ]
