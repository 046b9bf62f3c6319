"""The audit trail is now the deliverables' history: remove it, and give the roles the
permission to view the history that they had on the audit trail."""

from django.db import migrations


def roles(apps, schema_editor):
    from cepa_collab.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0008_history_from_audit_trail")]

    operations = [
        migrations.DeleteModel(name="AuditEntry"),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
