from django.db import migrations


def forwards(apps, schema_editor):
    from cepa_collab.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The secretariat admin may reset a person's second factor (django-otp's devices)."""

    dependencies = [
        ("cepa_collab", "0005_invitations"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
