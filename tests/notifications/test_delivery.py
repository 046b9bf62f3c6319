"""Carrying a claimed reminder or notification to SMTP exactly once: a failure is retried
with backoff then given up (and visible), a crash mid-send leaves the record "sending" and
the sweep reports it once without resending, a lost task message is re-enqueued, a
duplicated task sends once, and the person's preferences and account are honoured."""

from __future__ import annotations

import datetime
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from notifications import delivery, digests, reminders, services, tasks
from notifications.enums import MailState, NotificationKind
from notifications.models import Digest, Notification, Reminder
from notifications.services import N_
from notifications.smtp import Uncertain
from workflows.notices import WorkflowNotice

UTC = datetime.UTC
# The review of the fixtures falls due on Friday 11 December 2026, 09:00 in Accra (UTC).
SEVEN_DAYS_BEFORE = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
OVERDUE = datetime.datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
SUBJECT = "Due in 7 days (11 December 2026): Review of “Chapter 3: Digital government”"
BACKEND = "tests.notifications.test_delivery.FlakyBackend"
SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)


class FlakyBackend(locmem.EmailBackend):
    """The in-memory backend, except that the next `failures` sends fail as SMTP would
    (`crash`: the worker dies in the middle of the send instead)."""

    failures = 0
    crash = False
    silent = False  # the message is handed over, and the reply never comes

    def send_messages(self, messages):
        if FlakyBackend.crash:
            raise SystemExit("worker killed")
        if FlakyBackend.silent:
            super().send_messages(messages)  # it went, as far as anyone can tell
            self.last_exchange = "> data\n< 354 Go ahead\n> (the message)\n< no reply"
            try:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out")
            except smtplib.SMTPServerDisconnected as exc:
                raise Uncertain(self.last_exchange) from exc
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = BACKEND
    FlakyBackend.failures, FlakyBackend.crash, FlakyBackend.silent = 0, False, False
    yield FlakyBackend
    FlakyBackend.failures, FlakyBackend.crash, FlakyBackend.silent = 0, False, False


@pytest.fixture
def worker_retries(monkeypatch):
    """Eager Celery as a worker behaves: a task's retry runs again instead of raising."""
    from cepa_collab.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


@pytest.fixture
def claimed(clock, assignment) -> int:
    """The review's "7 days before" reminder, claimed by a sweep whose task has not run."""
    mail.outbox.clear()
    clock.move_to(SEVEN_DAYS_BEFORE)
    (pk,) = reminders.sweep_reminders().claimed
    return pk


def reminder(pk: int) -> Reminder:
    return Reminder.objects.get(pk=pk)


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


# --- failures and retries -------------------------------------------------------------------


def test_mail_failure_puts_the_reminder_back_to_pending_with_backoff(claimed, smtp):
    # given an SMTP server that drops the connection once
    smtp.failures = 1

    # when the reminder is delivered
    with pytest.raises(delivery.RetryLater) as raised:
        delivery.deliver_reminder(claimed)

    # then it waits for a retry in 60 s, with the error, and its notification waits with it
    row = reminder(claimed)
    assert raised.value.countdown == 60
    assert (row.state, row.attempts, row.lease_until) == (MailState.PENDING, 1, None)
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    # the sweep re-enqueues it if the retry's message is lost: backoff + MAIL_REQUEUE_AFTER
    assert row.next_attempt_at == SEVEN_DAYS_BEFORE + 60 * SECOND + 15 * MINUTE
    assert Notification.objects.get(reminder=row).state == MailState.PENDING
    assert mail.outbox == []

    # when the retry comes, then it is delivered, once
    assert delivery.deliver_reminder(claimed) is True
    assert delivery.deliver_reminder(claimed) is False
    row = reminder(claimed)
    assert (row.state, row.attempts, row.sent_at) == (MailState.SENT, 2, SEVEN_DAYS_BEFORE)
    assert Notification.objects.get(reminder=row).state == MailState.SENT
    assert subjects() == [SUBJECT]


def test_failed_task_is_retried_and_delivers_once(claimed, smtp, worker_retries):
    # given an SMTP server that fails twice
    smtp.failures = 2

    # when the delivery task runs (Celery eager: its retries run at once)
    tasks.deliver_reminders.apply(kwargs={"reminder_ids": [claimed]})

    # then the third attempt delivers it, once
    row = reminder(claimed)
    assert (row.state, row.attempts) == (MailState.SENT, 3)
    assert subjects() == [SUBJECT]


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.MAIL_RETRY_BACKOFF, settings.MAIL_RETRY_BACKOFF_MAX = 60, 900

    assert [delivery.backoff(n) for n in range(1, 7)] == [60, 120, 240, 480, 900, 900]


def test_reminder_failing_every_attempt_ends_failed_and_visible(
    claimed, smtp, settings, clock, caplog
):
    # given an SMTP server that keeps failing, and three attempts allowed
    settings.MAIL_MAX_ATTEMPTS = 3
    smtp.failures = 99

    # when each attempt is made
    countdowns = []
    for _attempt in range(2):
        with pytest.raises(delivery.RetryLater) as raised:
            delivery.deliver_reminder(claimed)
        countdowns.append(raised.value.countdown)
    with caplog.at_level(logging.ERROR, logger="notifications.delivery"):
        assert delivery.deliver_reminder(claimed) is False

    # then it is given up after the third, with its error, and logged
    row = reminder(claimed)
    assert countdowns == [60, 120]
    assert (row.state, row.attempts) == (MailState.FAILED, 3)
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert Notification.objects.get(reminder=row).state == MailState.FAILED
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        f"Gave up mailing Reminder {claimed}: "
        "SMTPServerDisconnected: Connection unexpectedly closed"
    ]
    # and later sweeps leave it alone
    clock.move_to(SEVEN_DAYS_BEFORE + datetime.timedelta(days=1))
    assert reminders.sweep_reminders().requeued == []
    assert mail.outbox == []


def test_unexpected_error_while_sending_is_retried_not_left_sending(claimed, monkeypatch):
    # given a message that cannot be sent for a reason that is not a network one
    def broken(self, messages):
        raise ValueError("Header values may not contain linefeed or carriage return")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", broken)

    with pytest.raises(delivery.RetryLater):
        delivery.deliver_reminder(claimed)

    row = reminder(claimed)
    assert (row.state, row.attempts) == (MailState.PENDING, 1)
    assert row.last_error.startswith("ValueError: Header values")


# --- crashes, lost and duplicated tasks --------------------------------------------------------


def test_reminder_stuck_in_sending_becomes_uncertain_once_and_is_not_resent(
    claimed, smtp, clock, caplog
):
    # given a worker killed while the mail was with the SMTP server
    smtp.crash = True
    with pytest.raises(SystemExit):
        delivery.deliver_reminder(claimed)
    smtp.crash = False
    assert reminder(claimed).state == MailState.SENDING

    # when sweeps run within the lease (15 minutes), then right after it
    clock.move_to(SEVEN_DAYS_BEFORE + 14 * MINUTE)
    within = reminders.sweep_reminders()
    clock.move_to(SEVEN_DAYS_BEFORE + 16 * MINUTE)
    with caplog.at_level(logging.ERROR, logger="notifications.delivery"):
        after = reminders.sweep_reminders()
        again = reminders.sweep_reminders()

    # then it is marked uncertain once, as an error, for a person, and not sent again
    row = reminder(claimed)
    assert (within.stuck, after.stuck, again.stuck) == (0, 1, 0)
    assert (after.requeued, again.requeued) == ([], [])
    assert (row.state, row.stuck_reported_at, row.lease_until, row.last_error) == (
        MailState.UNCERTAIN,
        SEVEN_DAYS_BEFORE + 16 * MINUTE,
        None,
        delivery.STUCK,
    )
    assert Notification.objects.get(reminder=row).state == MailState.UNCERTAIN
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.ERROR,
            f"1 reminders left in 'sending' past their lease (ids {claimed}): the mail may or "
            "may not have gone; check the SMTP log, then mark them sent or send them again in "
            "the admin.",
        )
    ]
    assert mail.outbox == []


def test_lost_task_message_is_reenqueued_by_the_sweep_and_delivered_once(
    claimed, clock, django_capture_on_commit_callbacks
):
    # given the claimed reminder's task message lost (the fixture's sweep never enqueued it)
    def sweep():
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.sweep_reminders()

    # when sweeps run before and after MAIL_REQUEUE_AFTER (15 minutes)
    clock.move_to(SEVEN_DAYS_BEFORE + 14 * MINUTE)
    early = sweep()
    clock.move_to(SEVEN_DAYS_BEFORE + 15 * MINUTE)
    late = sweep()
    again = sweep()

    # then the second enqueues it again and it is delivered, once
    assert (early.requeued, late.requeued, again.requeued) == ([], [claimed], [])
    assert reminder(claimed).state == MailState.SENT
    assert subjects() == [SUBJECT]


def test_duplicated_delivery_sends_once(claimed):
    # when the same reminder is delivered twice (a retried or duplicated task message)
    first = delivery.deliver_reminder(claimed)
    second = delivery.deliver_reminder(claimed)
    tasks.deliver_reminders.apply(kwargs={"reminder_ids": [claimed, claimed]})

    # then one mail went
    assert (first, second) == (True, False)
    assert subjects() == [SUBJECT]
    assert Notification.objects.filter(reminder_id=claimed).count() == 1


# --- preferences and accounts ------------------------------------------------------------------


def test_reminder_preferred_in_the_digest_waits_for_it(claimed, reviewer, clock):
    # given the reviewer wants reminders in the daily digest
    services.set_preferences(reviewer, {NotificationKind.REMINDER: "digest"})

    # when the reminder is delivered
    assert delivery.deliver_reminder(claimed) is False

    # then it is in their notifications, waiting for the digest, and not mailed
    notification = Notification.objects.get(reminder_id=claimed)
    assert (notification.state, notification.subject) == (MailState.DIGEST, SUBJECT)
    assert reminder(claimed).state == MailState.DIGEST
    assert mail.outbox == []

    # when the next digest goes, at 08:00 the next day in Accra
    clock.move_to(datetime.datetime(2026, 12, 5, 8, 0, tzinfo=UTC))
    (digest,) = digests.sweep_digests()
    assert delivery.deliver_digest(digest) is True

    # then the reminder went with it
    assert len(mail.outbox) == 1
    assert (reminder(claimed).state, Notification.objects.get(reminder_id=claimed).state) == (
        MailState.SENT,
        MailState.SENT,
    )
    assert Digest.objects.get(pk=digest).state == MailState.SENT


def test_reminder_not_to_be_mailed_is_written_and_skipped(claimed, reviewer):
    services.set_preferences(reviewer, {NotificationKind.REMINDER: "none"})

    assert delivery.deliver_reminder(claimed) is False

    row = reminder(claimed)
    assert (row.state, row.last_error) == (MailState.SKIPPED, "Not mailed, as preferred.")
    assert Notification.objects.get(reminder=row).state == MailState.SKIPPED
    assert mail.outbox == []


def test_escalation_follows_the_chief_preference_for_escalations(clock, assignment, chief):
    # given the chief wants no mail about overdue items, but reminders of their own
    services.set_preferences(chief, {NotificationKind.ESCALATION: "none"})
    mail.outbox.clear()
    clock.move_to(OVERDUE)
    ids = reminders.sweep_reminders().claimed

    for pk in ids:
        delivery.deliver_reminder(pk)

    assert [message.to for message in mail.outbox] == [["amina@example.org"]]
    escalation = Reminder.objects.get(escalation=True)
    assert (escalation.recipient, escalation.state) == (chief, MailState.SKIPPED)
    assert Notification.objects.get(reminder=escalation).kind == NotificationKind.ESCALATION


def test_reminder_to_a_recipient_deactivated_since_the_claim_is_skipped(claimed, reviewer):
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    assert delivery.deliver_reminder(claimed) is False

    row = reminder(claimed)
    assert (row.state, row.last_error) == (
        MailState.SKIPPED,
        "The recipient is inactive or has no address.",
    )
    assert not Notification.objects.filter(reminder=row).exists()
    assert mail.outbox == []


# --- notifications -----------------------------------------------------------------------------


@pytest.fixture
def notice(clock, reviewer) -> Notification:
    """A decision notification to the reviewer, mailed at once (its task not run yet)."""
    mail.outbox.clear()
    return services.notify(
        reviewer,
        WorkflowNotice.DECISION,
        subject=N_("%(title)s: approved"),
        params={"title": "Chapter 3"},
        link="/deliverables/1/",
    )


def test_notification_failure_is_retried_and_delivered_once(notice, smtp):
    smtp.failures = 1

    with pytest.raises(delivery.RetryLater) as raised:
        delivery.deliver_notification(notice.pk)
    notice.refresh_from_db()
    assert raised.value.countdown == 60
    assert (notice.state, notice.attempts) == (MailState.PENDING, 1)
    assert notice.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"

    assert delivery.deliver_notification(notice.pk) is True
    assert delivery.deliver_notification(notice.pk) is False
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (MailState.SENT, 2)
    assert subjects() == ["Chapter 3: approved"]


def test_notification_task_retried_delivers_once(notice, smtp, worker_retries):
    smtp.failures = 1

    tasks.deliver_notification.apply(kwargs={"notification_id": notice.pk})
    tasks.deliver_notification.apply(kwargs={"notification_id": notice.pk})

    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (MailState.SENT, 2)
    assert subjects() == ["Chapter 3: approved"]


def test_notification_failing_every_attempt_ends_failed(notice, smtp, settings):
    settings.MAIL_MAX_ATTEMPTS = 2
    smtp.failures = 99

    with pytest.raises(delivery.RetryLater):
        delivery.deliver_notification(notice.pk)
    assert delivery.deliver_notification(notice.pk) is False

    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (MailState.FAILED, 2)
    assert mail.outbox == []


def test_notification_stuck_in_sending_becomes_uncertain_once_and_is_not_resent(
    notice, smtp, clock, caplog
):
    smtp.crash = True
    with pytest.raises(SystemExit):
        delivery.deliver_notification(notice.pk)
    smtp.crash = False

    clock.move_to(datetime.datetime(2026, 12, 2, 6, 16, tzinfo=UTC))
    with caplog.at_level(logging.ERROR, logger="notifications.delivery"):
        first = delivery.sweep_notifications()
        second = delivery.sweep_notifications()

    notice.refresh_from_db()
    assert (first, second) == ([], [])
    assert notice.state == MailState.UNCERTAIN
    assert notice.stuck_reported_at == datetime.datetime(2026, 12, 2, 6, 16, tzinfo=UTC)
    assert len(caplog.records) == 1
    assert (
        caplog.records[0]
        .getMessage()
        .startswith(f"1 notifications left in 'sending' past their lease (ids {notice.pk})")
    )
    assert mail.outbox == []


def test_notification_lost_task_is_reenqueued_and_delivered_once(
    notice, clock, django_capture_on_commit_callbacks
):
    clock.move_to(datetime.datetime(2026, 12, 2, 6, 15, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        requeued = delivery.sweep_notifications()
    with django_capture_on_commit_callbacks(execute=True):
        again = delivery.sweep_notifications()

    notice.refresh_from_db()
    assert (requeued, again) == ([notice.pk], [])
    assert notice.state == MailState.SENT
    assert subjects() == ["Chapter 3: approved"]


@pytest.mark.parametrize(
    ("preference", "state"), [("digest", MailState.DIGEST), ("none", MailState.SKIPPED)]
)
def test_notification_follows_the_preference(clock, reviewer, preference, state):
    services.set_preferences(reviewer, {WorkflowNotice.DECISION: preference})
    mail.outbox.clear()

    notification = services.notify(
        reviewer, WorkflowNotice.DECISION, subject=N_("Approved"), link="/deliverables/1/"
    )

    assert notification.state == state
    assert delivery.deliver_notification(notification.pk) is False
    assert mail.outbox == []


def test_notification_to_a_recipient_deactivated_since_is_skipped(notice, reviewer):
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    assert delivery.deliver_notification(notice.pk) is False

    notice.refresh_from_db()
    assert (notice.state, notice.last_error) == (
        MailState.SKIPPED,
        "The recipient is inactive or has no address.",
    )
    assert mail.outbox == []


def test_notification_handed_over_without_a_reply_is_uncertain_and_not_retried(
    notice, smtp, worker_retries
):
    # given an SMTP server that takes the message and never answers
    smtp.silent = True

    # when its task runs twice (a duplicated message; eager Celery runs retries at once)
    tasks.deliver_notification.apply(kwargs={"notification_id": notice.pk})
    tasks.deliver_notification.apply(kwargs={"notification_id": notice.pk})

    # then it was handed over once and waits for a person, with the exchange
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.lease_until) == (MailState.UNCERTAIN, 1, None)
    assert notice.smtp_exchange.endswith("> (the message)\n< no reply")
    assert subjects() == ["Chapter 3: approved"]
    assert delivery.sweep_notifications() == []
