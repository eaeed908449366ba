from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_split_chain")]

    operations = [
        migrations.AlterField(model_name="auditentry", name="chain", field=models.UUIDField()),
        migrations.AlterField(
            model_name="auditentry",
            name="legacy_seq",
            field=models.BigIntegerField(null=True, unique=True),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_entry_chain_seq"
            ),
        ),
        migrations.DeleteModel("LegacyAuditHead"),
    ]
