from django.db import migrations


def forwards(apps, schema_editor):
    from cepa_collab.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("workflows", "0003_deliverable_due_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
