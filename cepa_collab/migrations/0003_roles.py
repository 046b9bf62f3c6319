from django.db import migrations


def forwards(apps, schema_editor):
    from cepa_collab.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cepa_collab", "0002_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0001_initial"),
        ("authtoken", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
