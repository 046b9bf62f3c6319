"""The data migration that turns the deliverables' audit trail into their history keeps
every line: when, who (or nobody), what, the states, the due dates and the comments.

Run with Django's migration executor: the database is taken back to the audit trail,
lines are written as the old code wrote them, and the migrations are applied again.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from cepa_collab.enums import Role
from workflows.models import DeliverableHistory

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT_TRAIL = [("workflows", "0006_audit_kind_edited")]
AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def migrate(targets=None):
    """Bring the database to `targets` (default: every app's latest) and return the
    models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def audit_trail():
    """The database as it was with the audit trail; migrated to the latest again after."""
    apps = migrate(AUDIT_TRAIL)
    yield apps
    migrate()


def at(minutes: int) -> datetime.datetime:
    return AT + datetime.timedelta(minutes=minutes)


def test_every_audit_line_is_copied_into_the_history_and_back(audit_trail):
    # given a deliverable's audit trail as the old code wrote it: a state change, uploads in
    # English, in French and one whose text is not the usual one, a due date moved by a person
    # since removed, an assignment, its review's due date moved, and an approval with a waiver
    apps = audit_trail
    User = apps.get_model("auth", "User")
    owner = User.objects.create(username="owner", first_name="Olu", last_name="Owner")
    chief = User.objects.create(username="chief", first_name="Chi", last_name="Chief")
    amina = User.objects.create(username="amina", first_name="Amina", last_name="Diallo")
    branch = apps.get_model("cepa_collab", "Branch").objects.get(code="e-govb")
    product = apps.get_model("workflows", "Product").objects.create(
        branch=branch, kind="survey", title="Survey", edition="2026"
    )
    deliverable = apps.get_model("workflows", "Deliverable").objects.create(
        product=product,
        title="Chapter 1",
        kind="chapter",
        owner=owner,
        due_date=datetime.date(2026, 6, 30),
        state="approved",
    )
    version = apps.get_model("workflows", "Version").objects.create(
        deliverable=deliverable,
        number=1,
        file="deliverables/1/v1/d.pdf",
        original_name="d.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=owner,
    )
    round_ = apps.get_model("workflows", "ReviewRound").objects.create(
        deliverable=deliverable, version=version, number=1, opened_by=owner
    )
    assignment = apps.get_model("workflows", "ReviewAssignment").objects.create(
        round=round_,
        deliverable=deliverable,
        reviewer=amina,
        due_date=datetime.date(2026, 4, 1),
        assigned_by=owner,
        state="submitted",
    )
    AuditEntry = apps.get_model("workflows", "AuditEntry")
    old = [
        AuditEntry(kind="transition", from_state="planned", to_state="drafting", actor=owner),
        AuditEntry(kind="version", comment="Version 1 uploaded.", actor=owner),
        AuditEntry(kind="version", comment="Version 2 téléversée.", actor=owner),
        AuditEntry(kind="version", comment="Uploaded by the secretariat.", actor=owner),
        AuditEntry(
            kind="due_date",
            old_due_date=datetime.date(2026, 5, 1),
            new_due_date=datetime.date(2026, 6, 30),
            comment="Data late",
            actor=None,
        ),
        AuditEntry(kind="assignment", assignment=assignment, to_state="invited", actor=owner),
        AuditEntry(
            kind="due_date",
            assignment=assignment,
            old_due_date=datetime.date(2026, 3, 20),
            new_due_date=datetime.date(2026, 4, 1),
            comment="Annex late.",
            actor=owner,
        ),
        AuditEntry(
            kind="transition",
            from_state="in_review",
            to_state="approved",
            comment="Good\nWaiver: Fixed date",
            actor=chief,
        ),
    ]
    for minutes, entry in enumerate(old):
        entry.deliverable = deliverable
        entry.at = at(minutes)
    AuditEntry.objects.bulk_create(old)

    # when the migrations run
    migrate()

    # then each line is in the deliverable's history, in order, nothing lost
    lines = list(
        DeliverableHistory.objects.filter(deliverable_id=deliverable.pk)
        .order_by("at", "pk")
        .values_list(
            "at",
            "actor__username",
            "action",
            "assignment_id",
            "from_state",
            "to_state",
            "note",
            "params",
            "comment",
        )
    )
    moved = "Due date moved from %(old)s to %(new)s."
    uploaded = "Version %(n)d uploaded."
    assert lines == [
        (at(0), "owner", "transition", None, "planned", "drafting", "", {}, ""),
        (at(1), "owner", "version", None, "", "", uploaded, {"n": 1}, ""),
        (at(2), "owner", "version", None, "", "", uploaded, {"n": 2}, ""),
        (at(3), "owner", "version", None, "", "", "", {}, "Uploaded by the secretariat."),
        (
            at(4),
            None,
            "due_date",
            None,
            "",
            "",
            moved,
            {"old": "2026-05-01", "new": "2026-06-30"},
            "Data late",
        ),
        (at(5), "owner", "assignment", assignment.pk, "", "invited", "", {}, ""),
        (
            at(6),
            "owner",
            "due_date",
            assignment.pk,
            "",
            "",
            moved,
            {"old": "2026-03-20", "new": "2026-04-01"},
            "Annex late.",
        ),
        (
            at(7),
            "chief",
            "transition",
            None,
            "in_review",
            "approved",
            "",
            {},
            "Good\nWaiver: Fixed date",
        ),
    ]
    # the notes are the ones the services write, read in each reader's language
    assert (uploaded, moved) == (DeliverableHistory.UPLOADED, DeliverableHistory.DUE_DATE_MOVED)
    history = list(
        DeliverableHistory.objects.filter(deliverable_id=deliverable.pk)
        .select_related("actor", "assignment__reviewer")
        .order_by("at", "pk")
    )
    with translation.override("en"):
        english = [(line.actor_name, line.summary) for line in history]
    with translation.override("fr"):
        french = history[2].summary
    assert english == [
        ("Olu Owner", ""),
        ("Olu Owner", "Version 1 uploaded."),
        ("Olu Owner", "Version 2 uploaded."),
        ("Olu Owner", ""),
        ("System", "Due date moved from 2026-05-01 to 2026-06-30."),
        ("Olu Owner", "Review by Amina Diallo."),
        ("Olu Owner", "Review by Amina Diallo. Due date moved from 2026-03-20 to 2026-04-01."),
        ("Chi Chief", ""),
    ]
    assert french == "Version 2 téléversée."
    assert (history[4].old_due_date, history[4].new_due_date) == (
        datetime.date(2026, 5, 1),
        datetime.date(2026, 6, 30),
    )
    # and the audit trail is gone, its permission to view now the history's
    assert "workflows_auditentry" not in connection.introspection.table_names()
    staff = Group.objects.get(name=Role.BRANCH_STAFF)
    assert list(
        staff.permissions.filter(codename__endswith="history").values_list("codename", flat=True)
    ) == ["view_deliverablehistory"]
    assert not staff.permissions.filter(codename="view_auditentry").exists()

    # and back: the audit trail again, each note written out after the comment
    apps = migrate(AUDIT_TRAIL)
    restored = list(
        apps.get_model("workflows", "AuditEntry")
        .objects.order_by("at", "pk")
        .values_list(
            "at",
            "actor__username",
            "kind",
            "assignment_id",
            "from_state",
            "to_state",
            "old_due_date",
            "new_due_date",
            "comment",
        )
    )
    assert restored == [
        (at(0), "owner", "transition", None, "planned", "drafting", None, None, ""),
        (at(1), "owner", "version", None, "", "", None, None, "Version 1 uploaded."),
        (at(2), "owner", "version", None, "", "", None, None, "Version 2 uploaded."),
        (at(3), "owner", "version", None, "", "", None, None, "Uploaded by the secretariat."),
        (
            at(4),
            None,
            "due_date",
            None,
            "",
            "",
            datetime.date(2026, 5, 1),
            datetime.date(2026, 6, 30),
            "Data late",
        ),
        (at(5), "owner", "assignment", assignment.pk, "", "invited", None, None, ""),
        (
            at(6),
            "owner",
            "due_date",
            assignment.pk,
            "",
            "",
            datetime.date(2026, 3, 20),
            datetime.date(2026, 4, 1),
            "Annex late.",
        ),
        (
            at(7),
            "chief",
            "transition",
            None,
            "in_review",
            "approved",
            None,
            None,
            "Good\nWaiver: Fixed date",
        ),
    ]
