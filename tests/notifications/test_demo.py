"""The reminders of the demo world: what `seed_demo` leaves for the first sweeps, and that
seeding itself mails nobody."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail

from advisory.deadlines import AdvisoryDeadline
from demo.world import seed_demo
from notifications import reminders
from notifications.digests import sweep_digests
from notifications.enums import Delivery, MailState, NotificationKind
from notifications.kinds import DEADLINE_KINDS
from notifications.models import Deadline, Notification, NotificationPreference, Reminder
from notifications.services import preferences_of
from workflows.deadlines import WorkflowDeadline
from workflows.models import ReviewAssignment
from workflows.notices import WorkflowNotice

# Monday 2 March 2026, 12:00 UTC: 09:00 has passed from Sao Paulo eastwards, not in the
# Americas further west; Bogotá's 09:00 (14:00 UTC) is the next one to come.
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


WORKFLOW_KINDS = (WorkflowDeadline.DELIVERABLE, WorkflowDeadline.REVIEW)


def _claimed(ids, kinds=WORKFLOW_KINDS) -> list[tuple[str, str, int, bool]]:
    rows = Reminder.objects.filter(pk__in=ids, deadline__kind__in=kinds).select_related(
        "recipient", "deadline__user"
    )
    return sorted(
        (r.recipient.username, r.deadline.user.username, r.offset_days, r.escalation) for r in rows
    )


def test_first_sweep_after_seeding_sends_reminders_and_escalations(
    demo, django_capture_on_commit_callbacks
):
    # when beat's first sweep runs just after seeding
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = reminders.sweep_reminders()

    # then reminders go on the day, two days before and while overdue, and the
    # e-Government Branch's chief hears of the overdue reviews
    assert _claimed(result.claimed) == [
        ("arjun", "arjun", 3, False),
        ("chief", "arjun", 3, True),
        ("chief", "joao", 3, True),
        ("chief", "leila", 3, True),
        ("chief", "marisol", 3, True),
        ("joao", "joao", 3, False),
        ("leila", "leila", 3, False),
        ("marisol", "marisol", 3, False),
        ("palesa", "palesa", -2, False),
        ("staff", "staff", -7, False),
        ("staff", "staff", 0, False),
        ("staff", "staff", 0, False),
        ("tesfaye", "tesfaye", 0, False),
    ]
    # and the advisory milestones of the technical cooperation demo are reminded to their
    # leads, the overdue one escalated to the chief
    assert _claimed(result.claimed, [AdvisoryDeadline.MILESTONE]) == [
        ("chief", "ira3", 3, True),
        ("ira", "ira", -7, False),
        ("ira", "ira", -7, False),
        ("ira2", "ira2", -7, False),
        ("ira3", "ira3", -7, False),
        ("ira3", "ira3", -7, False),
        ("ira3", "ira3", -7, False),
        ("ira3", "ira3", -2, False),
        ("ira3", "ira3", 3, False),
    ]
    assert len(mail.outbox) == len(result.claimed) == 22
    subjects = {message.to[0].split("@")[0]: message.subject for message in mail.outbox}
    assert subjects["tesfaye"] == (
        "Due today (2 March 2026): Review of “Chapter 4: Telecommunication infrastructure”"
    )
    assert subjects["palesa"] == (
        "Due in 2 days (4 March 2026): Review of “Chapter 4: Telecommunication infrastructure”"
    )


def test_a_reminder_crosses_its_offset_within_hours_of_seeding(
    demo, django_capture_on_commit_callbacks
):
    # given the first sweep done
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep_reminders()

    # when the sweeps run on until 09:00 in Bogotá (14:00 UTC)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        before = reminders.sweep_reminders().claimed
    later = NOW + datetime.timedelta(hours=2, minutes=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        crossed = reminders.sweep_reminders().claimed

    # then camila's review, due in 7 days, is reminded at her 09:00, and the chapter that
    # was due three days ago in New York (09:00 there is 14:00 UTC too) goes to its owner
    # and, overdue, to the chief
    assert before == []
    assert _claimed(crossed, [*WORKFLOW_KINDS, AdvisoryDeadline.MILESTONE]) == [
        ("camila", "camila", -7, False),
        ("chief", "staff", 3, True),
        ("ira", "ira", -2, False),
        ("staff", "staff", 3, False),
    ]
    (to_camila,) = [m for m in mail.outbox if m.to == ["camila@cepa-collab.example.org"]]
    assert to_camila.subject == (
        "Due in 7 days (9 March 2026): Review of “Chapter 4: Telecommunication infrastructure”"
    )


def test_seed_demo_mails_nobody_and_fills_notification_centres_and_one_digest(
    demo, django_capture_on_commit_callbacks
):
    # nothing was mailed or enqueued while seeding
    assert mail.outbox == []
    assert Reminder.objects.count() == 0
    assert not Notification.objects.filter(state=MailState.PENDING).exists()
    # the deadlines are those of the workflow demo, rebuilt (back-dated reviews included),
    # and those of the technical cooperation and contributions demo
    open_rows = Deadline.objects.filter(done_at__isnull=True)
    assert {kind: open_rows.filter(kind=kind).count() for kind in DEADLINE_KINDS.values()} == {
        "deliverable": 17,
        "review": 12,
        "milestone": 10,
        "contribution": 14,
    }
    late = Deadline.objects.get(user__username="marisol", done_at__isnull=True)
    assert late.due_date == datetime.date(2026, 2, 26)
    # the centres hold read and unread notifications of what the demo did
    by_user = {
        user: (read, unread)
        for user, read, unread in [
            (
                username,
                Notification.objects.filter(user__username=username, read_at__isnull=False).count(),
                Notification.objects.filter(user__username=username, read_at__isnull=True).count(),
            )
            for username in ("staff", "camila", "aissatou", "claire")
        ]
    }
    assert by_user == {"staff": (3, 1), "camila": (0, 1), "aissatou": (1, 0), "claire": (1, 1)}
    assert Notification.objects.count() == 21
    # one person prefers the daily digest, and a notification waits for it
    claire = preferences_of(NotificationPreference.objects.get(kind="reminder").user)
    assert claire[NotificationKind.REMINDER] == Delivery.DIGEST
    assert claire[NotificationKind.ESCALATION] == Delivery.IMMEDIATE

    # when 08:00 comes in Toronto (13:00 UTC) and the digest sweep runs
    with (
        time_machine.travel(datetime.datetime(2026, 3, 3, 13, 5, tzinfo=datetime.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        digests = sweep_digests()

    # then claire gets one digest mail, with the decision that waited for it
    assert len(digests) == 1
    (message,) = mail.outbox
    assert message.to == ["claire@cepa-collab.example.org"]
    (waited,) = Notification.objects.filter(digest_id=digests[0])
    assert (waited.user.username, waited.kind, waited.state, waited.read_at) == (
        "claire",
        WorkflowNotice.DECISION,
        MailState.SENT,
        None,
    )


def test_seed_demo_twice_adds_no_reminder_data(demo):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values_list())
            for model in (Deadline, Notification, NotificationPreference, ReviewAssignment)
        ]

    before = snapshot()

    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        again = seed_demo()

    assert snapshot() == before
    assert again.notifications.already_there
    assert again.notifications.summary() == (
        "Reminders: already there; 53 open deadlines (the first sweep sends what has fallen due)."
    )
