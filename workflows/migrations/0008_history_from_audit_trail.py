"""Copy every line of the deliverables' audit trail (AuditEntry) into their history
(DeliverableHistory), keeping when, who, what, the states, the due dates and the comments.

- `kind` becomes `action` (same values); a missing actor (a person since removed, or the
  system) stays missing.
- A due date change keeps its old and new dates in `params` (ISO dates) with the note
  the services write, so that each reader reads it in their own language.
- A version upload's text ("Version 2 uploaded.", stored in the uploader's language)
  becomes the same note with the version's number, when it is recognised in one of the
  site's languages; any other text stays the line's comment, untouched.

Backwards, the lines go back to the audit trail, each note written out in the default
language after the comment.
"""

import datetime
import re

from django.conf import settings
from django.db import migrations
from django.utils import translation

# The notes of workflows.models.DeliverableHistory (UPLOADED, DUE_DATE_MOVED, WAIVED).
UPLOADED = "Version %(n)d uploaded."
DUE_DATE_MOVED = "Due date moved from %(old)s to %(new)s."
BATCH = 1000


def _uploaded_patterns() -> list[re.Pattern]:
    """The upload text as each of the site's languages wrote it, with the number caught."""
    patterns = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = translation.gettext(UPLOADED)
        pattern = re.escape(text).replace(re.escape("%(n)d"), r"(\d+)")
        patterns[pattern] = re.compile(pattern)
    return list(patterns.values())


def _line(entry, uploaded: list[re.Pattern]) -> dict:
    line = {
        "deliverable_id": entry.deliverable_id,
        "assignment_id": entry.assignment_id,
        "actor_id": entry.actor_id,
        "at": entry.at,
        "action": entry.kind,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "comment": entry.comment,
        "note": "",
        "params": {},
    }
    if entry.kind == "due_date" and (entry.old_due_date or entry.new_due_date):
        line["note"] = DUE_DATE_MOVED
        line["params"] = {
            "old": entry.old_due_date.isoformat() if entry.old_due_date else "",
            "new": entry.new_due_date.isoformat() if entry.new_due_date else "",
        }
    elif entry.kind == "version":
        for pattern in uploaded:
            found = pattern.fullmatch(entry.comment.strip())
            if found:
                line["comment"] = ""
                line["note"] = UPLOADED
                line["params"] = {"n": int(found.group(1))}
                break
    return line


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("workflows", "AuditEntry")
    History = apps.get_model("workflows", "DeliverableHistory")
    uploaded = _uploaded_patterns()
    batch = []
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(History(**_line(entry, uploaded)))
        if len(batch) == BATCH:
            History.objects.bulk_create(batch)
            batch = []
    History.objects.bulk_create(batch)


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def backwards(apps, schema_editor):
    AuditEntry = apps.get_model("workflows", "AuditEntry")
    History = apps.get_model("workflows", "DeliverableHistory")
    batch = []
    for line in History.objects.order_by("at", "pk").iterator(chunk_size=BATCH):
        note = ""
        if line.note:
            try:
                note = translation.gettext(line.note) % line.params
            except (KeyError, TypeError, ValueError):
                note = line.note
        due_date = line.action == "due_date"
        batch.append(
            AuditEntry(
                deliverable_id=line.deliverable_id,
                assignment_id=line.assignment_id,
                actor_id=line.actor_id,
                at=line.at,
                kind=line.action,
                from_state=line.from_state,
                to_state=line.to_state,
                old_due_date=_date(line.params.get("old")) if due_date else None,
                new_due_date=_date(line.params.get("new")) if due_date else None,
                comment=line.comment if due_date else "\n".join(filter(None, [line.comment, note])),
            )
        )
        if len(batch) == BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)
    History.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workflows", "0007_deliverable_history")]

    operations = [migrations.RunPython(forwards, backwards)]
