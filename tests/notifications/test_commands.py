"""`send_reminders` (one sweep, or what it would send with --dry-run) and
`rebuild_deadlines`, called as an operator would."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from notifications import delivery
from notifications.enums import MailState
from notifications.models import Deadline, Notification, Reminder
from workflows.deadlines import WorkflowDeadline

UTC = datetime.UTC
REVIEW = "Review of “Chapter 3: Digital government”"


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def quiet(assignment):
    """The world of the fixtures, the mails of its making (review assigned) sent."""
    for pk in Notification.objects.filter(state=MailState.PENDING).values_list("pk", flat=True):
        delivery.deliver_notification(pk)
    mail.outbox.clear()
    return assignment


# --- send_reminders --dry-run ---------------------------------------------------------------


def test_dry_run_lists_what_a_sweep_would_send_and_changes_nothing(clock, quiet):
    # given the review 3 days overdue: a reminder to the reviewer, an escalation to the chief
    clock.move_to(datetime.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))

    lines = run("send_reminders", "--dry-run")

    assert lines == [
        f"amina <amina@example.org>: 3 days overdue: {REVIEW}, due 2026-12-11",
        "chief <chief@example.org>: 3 days overdue [escalation: amina is responsible]: "
        f"{REVIEW}, due 2026-12-11",
        "2 reminders would be sent at 2026-12-14 09:00 UTC (dry run: nothing was claimed or sent).",
    ]
    assert Reminder.objects.count() == 0
    assert mail.outbox == []


def test_dry_run_names_the_offsets_before_and_on_the_day(clock, quiet, deliverable):
    clock.move_to(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    assert run("send_reminders", "--dry-run")[0] == (
        f"amina <amina@example.org>: 7 days before: {REVIEW}, due 2026-12-11"
    )
    clock.move_to(datetime.datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    assert run("send_reminders", "--dry-run")[0] == (
        f"amina <amina@example.org>: on the day: {REVIEW}, due 2026-12-11"
    )


def test_dry_run_at_another_instant(clock, quiet):
    # when asked about Friday 4 December, 09:00 (no offset given: UTC), and with an offset
    lines = run("send_reminders", "--dry-run", "--at", "2026-12-04T09:00")
    earlier = run("send_reminders", "--dry-run", "--at", "2026-12-04T09:00+01:00")

    assert lines == [
        f"amina <amina@example.org>: 7 days before: {REVIEW}, due 2026-12-11",
        "1 reminder would be sent at 2026-12-04 09:00 UTC (dry run: nothing was claimed or sent).",
    ]
    assert earlier == [
        "0 reminders would be sent at 2026-12-04 08:00 UTC (dry run: nothing was claimed or sent)."
    ]
    assert Reminder.objects.count() == 0


def test_dry_run_leaves_out_what_was_already_sent(clock, quiet, django_capture_on_commit_callbacks):
    clock.move_to(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        run("send_reminders")

    assert run("send_reminders", "--dry-run") == [
        "0 reminders would be sent at 2026-12-04 09:00 UTC (dry run: nothing was claimed or sent)."
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "2026-12-04T09:00"], "--at only goes with --dry-run: a real sweep runs now."),
        (
            ["--dry-run", "--at", "next friday"],
            "--at 'next friday': give an ISO date and time, e.g. 2027-01-22T09:00+00:00.",
        ),
    ],
)
def test_send_reminders_refuses_bad_options(clock, quiet, args, message):
    with pytest.raises(CommandError) as raised:
        run("send_reminders", *args)

    assert str(raised.value) == message
    assert Reminder.objects.count() == 0


# --- send_reminders --------------------------------------------------------------------------


def test_send_reminders_runs_one_sweep_and_says_what_it_did(
    clock, quiet, django_capture_on_commit_callbacks
):
    # given the review 3 days overdue
    clock.move_to(datetime.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))

    # when an operator runs a sweep by hand, twice
    with django_capture_on_commit_callbacks(execute=True):
        first = run("send_reminders")
    with django_capture_on_commit_callbacks(execute=True):
        second = run("send_reminders")

    # then the first claimed and mailed the two reminders, the second nothing
    assert first == [
        "Claimed 2 reminders, re-enqueued 0, 0 newly reported stuck in sending.",
        "Re-enqueued 0 notifications.",
    ]
    assert second == [
        "Claimed 0 reminders, re-enqueued 0, 0 newly reported stuck in sending.",
        "Re-enqueued 0 notifications.",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "amina@example.org",
        "chief@example.org",
    ]


def test_dry_run_and_sweep_agree(clock, quiet, django_capture_on_commit_callbacks):
    clock.move_to(datetime.datetime(2026, 12, 17, 10, 0, tzinfo=UTC))
    planned = run("send_reminders", "--dry-run")[:-1]

    with django_capture_on_commit_callbacks(execute=True):
        run("send_reminders")

    claimed = Reminder.objects.order_by("escalation").values_list(
        "recipient__username", "offset_days", "escalation"
    )
    assert [line.split(" ")[0] for line in planned] == ["amina", "chief"]
    assert list(claimed) == [("amina", 6, False), ("chief", 6, True)]


# --- rebuild_deadlines -----------------------------------------------------------------------


def test_rebuild_deadlines_recomputes_and_prints_the_open_count(clock, quiet):
    # given the deadline table emptied
    Deadline.objects.all().delete()

    lines = run("rebuild_deadlines")

    assert lines == [
        "contribution: 0 open",
        "deliverable: 1 open",
        "milestone: 0 open",
        "review: 1 open",
        "2 open deadlines in all.",
    ]
    assert sorted(Deadline.objects.values_list("kind", "user__username")) == [
        (WorkflowDeadline.DELIVERABLE, "owner"),
        (WorkflowDeadline.REVIEW, "amina"),
    ]


def test_rebuild_deadlines_of_one_kind(clock, quiet):
    Deadline.objects.filter(kind=WorkflowDeadline.REVIEW).delete()

    lines = run("rebuild_deadlines", "--kind", "review")

    assert lines == ["review: 1 open", "2 open deadlines in all."]


def test_rebuild_deadlines_refuses_an_unknown_kind(clock, quiet):
    with pytest.raises(CommandError) as raised:
        run("rebuild_deadlines", "--kind", "meeting")

    assert str(raised.value) == (
        "Unknown kind(s): meeting. Registered: contribution, deliverable, milestone, review."
    )
