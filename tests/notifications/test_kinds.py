"""Kinds of notification and of deadline are registered by the apps that own them.

Notifications stores a kind as a plain string and names no app above it: each app
declares its kinds in its own `notices` and `deadlines` modules. A kind registered later
(here by the test, as a new app would) needs no migration, and the pages, the admin and
the API accept it and show its label.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from meetings.notices import MeetingNotice
from notifications import deadlines, reminders, services
from notifications.kinds import DEADLINE_KINDS, NOTIFICATION_KINDS, notification_kinds
from notifications.models import Deadline, Notification, NotificationPreference, ReminderPolicy
from tests.factories import person

PREFERENCES = "/api/v1/me/notification-preferences/"


class CourseNotice(models.TextChoices):
    COURSE = "course_news", "Training courses I run"


class WorkshopDeadline(models.TextChoices):
    REPORT = "workshop_report", "Workshop report"


@pytest.fixture
def workshop_kinds():
    """A kind of notification and one of deadline, registered as a new app would."""
    notification_kinds(CourseNotice)
    deadlines.register(
        WorkshopDeadline.REPORT,
        entries=list,
        describe=lambda title: f"Report of {title}",
        policy={"days_before": "1", "escalate": False},
    )
    yield
    NOTIFICATION_KINDS.remove(CourseNotice.COURSE)
    DEADLINE_KINDS.remove(WorkshopDeadline.REPORT)


def test_every_app_registers_its_own_kinds_notifications_first():
    assert NOTIFICATION_KINDS.values() == [
        "reminder",
        "escalation",
        "review_assigned",
        "review_withdrawn",
        "review_submitted",
        "decision",
        "decision_ready",
        "meeting",
        "advisory",
        "contribution",
        "mention",
    ]
    assert {kind.value: kind.module for kind in NOTIFICATION_KINDS} == {
        "reminder": "notifications.enums",
        "escalation": "notifications.enums",
        "review_assigned": "workflows.notices",
        "review_withdrawn": "workflows.notices",
        "review_submitted": "workflows.notices",
        "decision": "workflows.notices",
        "decision_ready": "workflows.notices",
        "meeting": "meetings.notices",
        "advisory": "advisory.notices",
        "contribution": "contributions.notices",
        "mention": "discussions.notices",
    }
    assert {kind.value: kind.module for kind in DEADLINE_KINDS} == {
        "deliverable": "workflows.deadlines",
        "review": "workflows.deadlines",
        "milestone": "advisory.deadlines",
        "contribution": "contributions.deadlines",
    }
    assert DEADLINE_KINDS.values() == ["deliverable", "review", "milestone", "contribution"]
    assert NOTIFICATION_KINDS.label("meeting") == "Meetings created, changed or cancelled"
    assert DEADLINE_KINDS.label("milestone") == "Advisory milestone"
    assert DEADLINE_KINDS.label("unknown") == "unknown"


def test_a_kind_is_declared_by_one_app_only():
    class Clash(models.TextChoices):
        MEETING = "meeting", "Another app's meetings"

    before = NOTIFICATION_KINDS.values()

    with pytest.raises(ValueError, match=r"declared by meetings\.notices already"):
        notification_kinds(Clash)
    # declared again by its own module (imported twice), a kind keeps its place
    notification_kinds(MeetingNotice)

    assert NOTIFICATION_KINDS["meeting"].module == "meetings.notices"
    assert NOTIFICATION_KINDS.values() == before


@pytest.mark.django_db
def test_a_new_kind_needs_no_migration(workshop_kinds):
    out = io.StringIO()

    # makemigrations --check exits non-zero when a migration is missing
    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()
    assert CourseNotice.COURSE in NOTIFICATION_KINDS.values()
    assert WorkshopDeadline.REPORT in DEADLINE_KINDS.values()


@pytest.mark.django_db
def test_a_new_kind_is_stored_offered_and_labelled(workshop_kinds, client):
    amina = person(Role.CEPA_MEMBER, username="amina")
    api = APIClient()
    api.force_authenticate(amina)

    # the API takes the new kind as a preference, lists it with its label ...
    response = api.patch(PREFERENCES, {"course_news": "digest"}, format="json")
    listed = {row["kind"]: row for row in api.get(PREFERENCES).json()}
    # ... and its schema's enum of kinds is the registry's
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    kinds = [components[name]["properties"]["kind"] for name in ("Notification", "Preference")]
    kinds = [(kind.get("$ref") or kind["allOf"][0]["$ref"]).rsplit("/", 1)[1] for kind in kinds]

    assert response.status_code == 200, response.content
    assert listed["course_news"]["label"] == "Training courses I run"
    assert listed["course_news"]["delivery"] == "digest"
    assert list(listed) == NOTIFICATION_KINDS.values()
    assert kinds[0] == kinds[1]
    assert components[kinds[0]]["enum"] == NOTIFICATION_KINDS.values()
    assert NotificationPreference.objects.get(user=amina, kind="course_news").delivery == "digest"
    # a notification of the new kind is written and labelled
    notice = services.write(amina, CourseNotice.COURSE, "Workshop moved")
    assert Notification.objects.get(pk=notice.pk).get_kind_display() == "Training courses I run"
    # the deadline kind's policy defaults and wording are its app's
    policy = reminders.policies()[WorkshopDeadline.REPORT]
    assert (policy.offsets()[:2], policy.escalate) == ([-1, 3], False)
    deadline = Deadline(kind=WorkshopDeadline.REPORT, title="Accra")
    assert deadline.get_kind_display() == "Workshop report"


@pytest.mark.django_db
def test_the_admin_offers_and_filters_by_a_new_kind(workshop_kinds, client, secretariat_admin):
    client.force_login(secretariat_admin, backend="django.contrib.auth.backends.ModelBackend")

    created = client.post(
        reverse("admin:notifications_reminderpolicy_add"),
        {
            "kind": WorkshopDeadline.REPORT,
            "days_before": "2",
            "overdue_every_days": "7",
            "overdue_max": "1",
        },
    )
    unknown = client.post(
        reverse("admin:notifications_reminderpolicy_add"),
        {"kind": "nonsense", "days_before": "2", "overdue_every_days": "7", "overdue_max": "1"},
    )
    listing = client.get(reverse("admin:notifications_reminderpolicy_changelist")).content
    filters = client.get(reverse("admin:notifications_notification_changelist")).content

    assert created.status_code == 302
    assert list(ReminderPolicy.objects.values_list("kind", flat=True)) == ["workshop_report"]
    assert "kind" in unknown.context["adminform"].form.errors
    assert b"Workshop report" in listing
    assert b"Training courses I run" in filters
