from django.db import migrations


def forwards(apps, schema_editor):
    from cepa_collab.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("cepa_collab", "0003_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
