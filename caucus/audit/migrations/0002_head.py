from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    head_model = apps.get_model("audit", "AuditHead")
    head_model.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
