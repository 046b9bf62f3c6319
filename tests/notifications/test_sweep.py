"""The reminder sweep, with time under control: each reminder goes out once, at its moment
(09:00 where the person responsible is), a missed sweep catches up with the latest offset
only, completed items stop, moved ones re-arm, overdue ones escalate to the branch chief
once per step, and a sweep costs the same number of queries however much is due."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core import mail

from cepa_collab.enums import Role
from notifications import delivery, reminders
from notifications.enums import MailState
from notifications.kinds import DEADLINE_KINDS
from notifications.models import Deadline, Reminder, ReminderPolicy
from tests.factories import person
from workflows import services
from workflows.deadlines import WorkflowDeadline
from workflows.enums import DeliverableKind, Recommendation

UTC = datetime.UTC
REVIEW = "Review of “Chapter 3: Digital government”"
CHAPTER = "Chapter 3: Digital government"
# The review assignment of the fixtures: due Friday 11 December 2026, 09:00 in Accra (UTC).
REVIEW_DUE = datetime.datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
# The deliverable: due Friday 29 January 2027, 09:00 for its owner (UTC).
CHAPTER_DUE = datetime.datetime(2027, 1, 29, 9, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """One beat: the sweep, then the mails it enqueued after commit (Celery is eager)."""

    def run() -> list[tuple[str, str]]:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminders.sweep_reminders()
        return [(message.to[0], message.subject) for message in mail.outbox[before:]]

    return run


@pytest.fixture
def quiet(assignment):
    """The world of the fixtures, its assignment mails left behind."""
    mail.outbox.clear()
    return assignment


def full_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- a review walks through every offset ----------------------------------------------------


def test_review_walks_through_every_offset_each_reminder_once(clock, quiet, reviewer, chief, sweep):
    # given the default policy: 7 and 2 days before, on the day, every 3 days while overdue
    seen = []
    for offset in [-7, -2, 0, 3, 6, 9, 12, 15]:
        # when beat sweeps a minute before the offset's moment, then at it, then again
        clock.move_to(REVIEW_DUE + offset * DAY - MINUTE)
        assert sweep() == [], offset
        clock.move_to(REVIEW_DUE + offset * DAY)
        seen += sweep()
        assert sweep() == [], offset

    # then every reminder went once, in order, and the chief had one mail per overdue step
    late = f" — {full_name(reviewer)}"
    assert seen == [
        ("amina@example.org", f"Due in 7 days (11 December 2026): {REVIEW}"),
        ("amina@example.org", f"Due in 2 days (11 December 2026): {REVIEW}"),
        ("amina@example.org", f"Due today (11 December 2026): {REVIEW}"),
        ("amina@example.org", f"Overdue by 3 days (due 11 December 2026): {REVIEW}"),
        ("chief@example.org", f"Overdue by 3 days (due 11 December 2026): {REVIEW}{late}"),
        ("amina@example.org", f"Overdue by 6 days (due 11 December 2026): {REVIEW}"),
        ("chief@example.org", f"Overdue by 6 days (due 11 December 2026): {REVIEW}{late}"),
        ("amina@example.org", f"Overdue by 9 days (due 11 December 2026): {REVIEW}"),
        ("chief@example.org", f"Overdue by 9 days (due 11 December 2026): {REVIEW}{late}"),
        ("amina@example.org", f"Overdue by 12 days (due 11 December 2026): {REVIEW}"),
        ("chief@example.org", f"Overdue by 12 days (due 11 December 2026): {REVIEW}{late}"),
        ("amina@example.org", f"Overdue by 15 days (due 11 December 2026): {REVIEW}"),
        ("chief@example.org", f"Overdue by 15 days (due 11 December 2026): {REVIEW}{late}"),
    ]
    rows = Reminder.objects.order_by("created_at", "escalation")
    assert list(rows.values_list("offset_days", "recipient__username", "escalation", "state")) == [
        (-7, "amina", False, MailState.SENT),
        (-2, "amina", False, MailState.SENT),
        (0, "amina", False, MailState.SENT),
        (3, "amina", False, MailState.SENT),
        (3, "chief", True, MailState.SENT),
        (6, "amina", False, MailState.SENT),
        (6, "chief", True, MailState.SENT),
        (9, "amina", False, MailState.SENT),
        (9, "chief", True, MailState.SENT),
        (12, "amina", False, MailState.SENT),
        (12, "chief", True, MailState.SENT),
        (15, "amina", False, MailState.SENT),
        (15, "chief", True, MailState.SENT),
    ]


def test_sweep_after_the_last_offset_sends_nothing_more(clock, quiet, sweep):
    # given every reminder of the review sent
    for offset in [-7, -2, 0, 3, 6, 9, 12, 15]:
        clock.move_to(REVIEW_DUE + offset * DAY)
        sweep()

    # when beat keeps sweeping daily for three more weeks (the deliverable's own first
    # reminder comes on 22 January, 42 days after the review's due date)
    sent = []
    for days in range(16, 40):
        clock.move_to(REVIEW_DUE + days * DAY)
        sent += sweep()

    # then nobody is told again
    assert sent == []
    assert Reminder.objects.count() == 13


def test_sweep_twice_at_the_same_instant_claims_nothing_more(clock, quiet):
    # given the review's "7 days before" moment
    clock.move_to(REVIEW_DUE - 7 * DAY)

    # when two sweeps run at the same instant
    first = reminders.sweep_reminders()
    second = reminders.sweep_reminders()

    # then the first claims the reminder and the second nothing
    assert len(first.claimed) == 1
    assert (second.claimed, second.requeued, second.stuck) == ([], [], 0)
    assert Reminder.objects.count() == 1


# --- completed items stop ----------------------------------------------------------------------


def test_submitted_review_stops_its_reminders(clock, quiet, reviewer, sweep):
    # given the "7 days before" reminder sent
    clock.move_to(REVIEW_DUE - 7 * DAY)
    assert len(sweep()) == 1

    # when the reviewer submits the review
    services.save_review(
        reviewer, quiet, recommendation=Recommendation.READY, comments="Fine.", submit=True
    )
    mail.outbox.clear()

    # then no later offset reminds anyone
    sent = []
    for offset in [-2, 0, 3, 6]:
        clock.move_to(REVIEW_DUE + offset * DAY)
        sent += sweep()
    assert sent == []
    assert Deadline.objects.get(kind=WorkflowDeadline.REVIEW).done_at is not None


def test_withdrawn_assignment_stops_its_reminders(clock, quiet, owner, sweep):
    clock.move_to(REVIEW_DUE - 7 * DAY)
    sweep()

    services.withdraw_assignment(owner, quiet, reason="Not needed.")
    mail.outbox.clear()

    clock.move_to(REVIEW_DUE - 2 * DAY)
    assert sweep() == []


@pytest.mark.parametrize(
    ("transition", "comment"),
    [("approve", ""), ("cancel", "Dropped from the survey.")],
)
def test_approved_or_cancelled_deliverable_stops_the_owner_reminders(
    clock, in_review, owner, chief, sweep, transition, comment
):
    # given the owner's "7 days before" reminder sent for the deliverable
    clock.move_to(CHAPTER_DUE - 7 * DAY)
    assert sweep() == [("owner@example.org", f"Due in 7 days (29 January 2027): {CHAPTER}")]

    # when the chief approves or cancels it
    services.fire_transition(chief, in_review, transition, comment=comment)
    mail.outbox.clear()

    # then the owner hears nothing more
    sent = []
    for offset in [-2, 0, 3]:
        clock.move_to(CHAPTER_DUE + offset * DAY)
        sent += sweep()
    assert sent == []


def test_reminder_claimed_but_not_delivered_is_skipped_once_the_review_is_in(
    clock, quiet, reviewer
):
    # given the "2 days before" reminder claimed by a sweep whose mail task has not run yet
    clock.move_to(REVIEW_DUE - 2 * DAY)
    (claimed,) = reminders.sweep_reminders().claimed

    # when the reviewer submits before the task runs
    services.save_review(
        reviewer, quiet, recommendation=Recommendation.READY, comments="Fine.", submit=True
    )
    mail.outbox.clear()
    delivered = delivery.deliver_reminder(claimed)

    # then the reminder is skipped, with the reason, and no mail goes
    reminder = Reminder.objects.get(pk=claimed)
    assert delivered is False
    assert (reminder.state, reminder.last_error) == (
        MailState.SKIPPED,
        "The deadline was met or moved before the reminder went.",
    )
    assert mail.outbox == []


# --- moved due dates re-arm -------------------------------------------------------------------


def test_moved_due_date_rearms_the_reminders_for_the_new_date(clock, deliverable, owner, sweep):
    # given the owner's "7 days before" reminder sent
    clock.move_to(CHAPTER_DUE - 7 * DAY)
    assert len(sweep()) == 1

    # when the due date moves two weeks later
    services.change_due_date(owner, deliverable, datetime.date(2027, 2, 12), "Data arrive late.")
    mail.outbox.clear()

    # then nothing goes at the old date's offsets, and the new date's reminders go from the start
    sent = []
    for offset in [-2, 0]:
        clock.move_to(CHAPTER_DUE + offset * DAY)
        sent += sweep()
    assert sent == []
    clock.move_to(datetime.datetime(2027, 2, 5, 9, 0, tzinfo=UTC))
    assert sweep() == [("owner@example.org", f"Due in 7 days (12 February 2027): {CHAPTER}")]
    clock.move_to(datetime.datetime(2027, 2, 10, 9, 0, tzinfo=UTC))
    assert sweep() == [("owner@example.org", f"Due in 2 days (12 February 2027): {CHAPTER}")]
    assert list(Reminder.objects.order_by("pk").values_list("offset_days", "due_date")) == [
        (-7, datetime.date(2027, 1, 29)),
        (-7, datetime.date(2027, 2, 12)),
        (-2, datetime.date(2027, 2, 12)),
    ]


def test_due_date_moved_into_a_window_gets_that_window_reminder(clock, deliverable, owner, sweep):
    # given the "7 days before" reminder sent, on Friday 22 January
    clock.move_to(CHAPTER_DUE - 7 * DAY)
    sweep()

    # when, an hour later, the due date moves forward to Sunday 24 January
    clock.move_to(CHAPTER_DUE - 7 * DAY + 60 * MINUTE)
    services.change_due_date(owner, deliverable, datetime.date(2027, 1, 24), "Needed earlier.")
    mail.outbox.clear()

    # then the next sweep sends the reminder of the window the new date is in, once
    assert sweep() == [("owner@example.org", f"Due in 2 days (24 January 2027): {CHAPTER}")]
    assert sweep() == []


def test_reminder_claimed_for_the_old_date_is_skipped_once_the_date_moved(
    clock, deliverable, owner
):
    clock.move_to(CHAPTER_DUE - 7 * DAY)
    (claimed,) = reminders.sweep_reminders().claimed

    services.change_due_date(owner, deliverable, datetime.date(2027, 3, 1), "Later.")
    mail.outbox.clear()

    assert delivery.deliver_reminder(claimed) is False
    assert Reminder.objects.get(pk=claimed).state == MailState.SKIPPED
    assert mail.outbox == []


# --- escalation -------------------------------------------------------------------------------


def test_escalation_reaches_only_active_chiefs_of_the_branch(clock, quiet, reviewer, sweep):
    # given a chief of another branch and an inactive chief of the same branch
    person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb")
    person(Role.BRANCH_CHIEF, username="former", branch_code="e-govb", is_active=False)

    # when the review is 3 days overdue
    clock.move_to(REVIEW_DUE + 3 * DAY)
    sent = sweep()

    # then the reviewer and the active chief of e-govb are told, nobody else
    assert [to for to, _subject in sent] == ["amina@example.org", "chief@example.org"]


def test_chief_responsible_is_reminded_once_not_escalated_to(clock, product, chief, sweep):
    # given a deliverable owned by the branch chief
    services.create_deliverable(
        chief,
        product=product,
        owner=chief,
        title="Foreword",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2026, 12, 4),
    )
    mail.outbox.clear()

    # when it is 3 days overdue
    clock.move_to(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    sent = sweep()

    # then the chief has one reminder, as the owner
    assert sent == [("chief@example.org", "Overdue by 3 days (due 4 December 2026): Foreword")]
    assert list(Reminder.objects.values_list("recipient__username", "escalation")) == [
        ("chief", False)
    ]


# --- catching up -----------------------------------------------------------------------------


def test_missed_sweeps_catch_up_with_the_latest_offset_only(clock, quiet, sweep):
    # given beat down from before the "7 days before" moment until the due day, 10:00
    clock.move_to(REVIEW_DUE + 60 * MINUTE)

    # when it sweeps again
    sent = sweep()

    # then only "due today" goes: the 7- and 2-day reminders are superseded, never sent late
    assert sent == [("amina@example.org", f"Due today (11 December 2026): {REVIEW}")]
    assert list(Reminder.objects.values_list("offset_days", flat=True)) == [0]
    clock.move_to(REVIEW_DUE + 2 * DAY)
    assert sweep() == []


def test_missed_overdue_step_catches_up_and_says_how_late(clock, quiet, reviewer, sweep):
    # given the due-day reminder sent, then beat down until 4 days after the due date
    clock.move_to(REVIEW_DUE)
    sweep()
    clock.move_to(REVIEW_DUE + 4 * DAY)

    sent = sweep()

    # then the "3 days overdue" step goes now, to both, saying how late it really is
    late = f" — {full_name(reviewer)}"
    assert sent == [
        ("amina@example.org", f"Overdue by 4 days (due 11 December 2026): {REVIEW}"),
        ("chief@example.org", f"Overdue by 4 days (due 11 December 2026): {REVIEW}{late}"),
    ]
    assert set(Reminder.objects.values_list("offset_days", flat=True)) == {0, 3}


def test_deadline_created_inside_a_window_gets_the_current_offset(
    clock, in_review, owner, reviewer, sweep
):
    # given, on Wednesday 2 December at 06:00, a review due the next day
    services.assign_reviewers(owner, in_review, [reviewer], datetime.date(2026, 12, 3))
    mail.outbox.clear()

    # when beat sweeps
    sent = sweep()

    # then the "2 days before" reminder goes at once, saying it is due tomorrow; then on the day
    assert sent == [("amina@example.org", f"Due in 1 day (3 December 2026): {REVIEW}")]
    assert Reminder.objects.get().offset_days == -2
    clock.move_to(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert sweep() == [("amina@example.org", f"Due today (3 December 2026): {REVIEW}")]


# --- time zones ------------------------------------------------------------------------------


def test_reminders_go_at_nine_local_in_auckland_and_los_angeles(clock, in_review, owner, sweep):
    # given two reviewers, in Auckland (UTC+13 in December) and Los Angeles (UTC-8), with
    # reviews due the same day, Friday 11 December 2026
    kiri = person(Role.CEPA_MEMBER, username="kiri", time_zone="Pacific/Auckland")
    lucy = person(Role.CEPA_MEMBER, username="lucy", time_zone="America/Los_Angeles")
    services.assign_reviewers(owner, in_review, [kiri, lucy], datetime.date(2026, 12, 11))
    mail.outbox.clear()

    # when beat sweeps every 5 minutes from 3 December 18:00 to 4 December 19:00 UTC
    moment = datetime.datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    received = []
    while moment <= datetime.datetime(2026, 12, 4, 19, 0, tzinfo=UTC):
        clock.move_to(moment)
        received += [(to, moment) for to, _subject in sweep()]
        moment += 5 * MINUTE

    # then each got the "7 days before" reminder at 09:00 on Friday 4 December, local time
    local = [
        (to, when.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None))
        for (to, when), zone in zip(
            received, ["Pacific/Auckland", "America/Los_Angeles"], strict=True
        )
    ]
    assert local == [
        ("kiri@example.org", datetime.datetime(2026, 12, 4, 9, 0)),
        ("lucy@example.org", datetime.datetime(2026, 12, 4, 9, 0)),
    ]
    assert [when for _to, when in received] == [
        datetime.datetime(2026, 12, 3, 20, 0, tzinfo=UTC),
        datetime.datetime(2026, 12, 4, 17, 0, tzinfo=UTC),
    ]


# --- the policy --------------------------------------------------------------------------------


def test_edited_policy_changes_the_offsets_and_stops_escalation(clock, quiet, sweep):
    # given the review policy edited: 3 days before only, no escalation to the chief
    ReminderPolicy.objects.create(
        kind=WorkflowDeadline.REVIEW,
        days_before="3",
        overdue_every_days=3,
        overdue_max=2,
        escalate=False,
    )

    # when beat sweeps at each default offset and at the new ones
    sent = []
    for offset in [-7, -3, -2, 0, 3, 6, 9]:
        clock.move_to(REVIEW_DUE + offset * DAY)
        sent += sweep()

    # then the reviewer hears 3 days before, then twice while overdue, and the chief never
    assert sent == [
        ("amina@example.org", f"Due in 3 days (11 December 2026): {REVIEW}"),
        ("amina@example.org", f"Overdue by 3 days (due 11 December 2026): {REVIEW}"),
        ("amina@example.org", f"Overdue by 6 days (due 11 December 2026): {REVIEW}"),
    ]


def test_policy_with_no_offset_at_all_sweeps_without_error(clock, quiet):
    for kind in DEADLINE_KINDS.values():
        ReminderPolicy.objects.create(kind=kind, days_before="", overdue_max=0)
    clock.move_to(REVIEW_DUE)

    result = reminders.sweep_reminders()

    assert (result.claimed, reminders.due_now()) == ([], [])


def test_inactive_reviewer_gets_nothing(clock, quiet, reviewer, sweep):
    # given the reviewer's account deactivated
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    # when the review's offsets pass
    sent = []
    for offset in [-7, -2, 0, 3]:
        clock.move_to(REVIEW_DUE + offset * DAY)
        sent += sweep()

    # then nothing is claimed for them; the chief is still told the review is overdue
    assert [to for to, _subject in sent] == ["chief@example.org"]
    assert not Reminder.objects.filter(recipient=reviewer).exists()


# --- the cost of a sweep ---------------------------------------------------------------------


def _due_deadlines(user, count: int) -> None:
    """`count` open review deadlines of `user`, each due a "7 days before" reminder now,
    and as many 3 days overdue (a reminder to `user` and an escalation each)."""
    from notifications import deadlines

    entries = []
    for i in range(count):
        for days, base in ((7, 10_000), (-3, 20_000)):
            entries.append(
                deadlines.Entry(
                    object_id=base + i,
                    user_id=user.pk,
                    due_date=datetime.date(2026, 12, 2) + days * DAY,
                    title=f"Chapter {i}",
                    link=f"/reviews/{base + i}/",
                    branch_id=user.profile.branch_id,
                )
            )
    deadlines.sync(WorkflowDeadline.REVIEW, [e.object_id for e in entries], entries)


@pytest.mark.parametrize("count", [3, 30])
def test_sweep_runs_a_fixed_number_of_queries(
    clock, owner, chief, count, django_assert_num_queries
):
    # given `count` deadlines due a reminder, as many overdue ones, each with a chief to tell
    _due_deadlines(owner, count)
    clock.move_to(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=UTC))

    # when the sweep runs: savepoint, policies, two claims, requeue, stuck, release
    with django_assert_num_queries(7):
        result = reminders.sweep_reminders()

    # then it claimed every one of them, whatever their number
    assert len(result.claimed) == 3 * count
    # and the next sweep, finding nothing, costs the same
    with django_assert_num_queries(7):
        again = reminders.sweep_reminders()
    assert again.claimed == []
