from django.db import migrations


def forwards(apps, schema_editor):
    from cepa_collab.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("advisory", "0001_initial"),
        ("contributions", "0001_initial"),
        ("notifications", "0004_notification_kind_advisory"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
