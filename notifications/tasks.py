"""Thin Celery tasks of the notifications app.

Every task is idempotent (the record it carries is claimed before the mail goes),
acknowledged late (a worker killed mid-task leaves the message to another), and
retried with a short countdown on a mail failure; nothing waits on a long ETA. The
sweeps go to a queue of their own (`CELERY_TASK_ROUTES`), never behind mail batches.
"""

from celery import shared_task
from django.utils import timezone

from notifications import delivery, digests, reminders

_TASK = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="notifications.sweep_reminders", **_TASK)
def sweep_reminders() -> int:
    """Beat, every `REMINDER_SWEEP_SECONDS`: claim what fell due and enqueue its mails."""
    now = timezone.now()
    result = reminders.sweep_reminders(now)
    delivery.sweep_notifications(now)
    return len(result.claimed)


@shared_task(name="notifications.sweep_digests", **_TASK)
def sweep_digests() -> int:
    """Beat, every few minutes: send the digests of people whose 08:00 has come."""
    return len(digests.sweep_digests())


@shared_task(name="notifications.deliver_reminders", **_TASK)
def deliver_reminders(*, reminder_ids: list[int]) -> None:
    """Deliver a batch of claimed reminders on one SMTP connection, for a bounded time: the
    rest goes on in a new task, and one that failed is retried on its own."""
    batch = delivery.deliver_reminder_batch(reminder_ids)
    for pk, countdown in batch.retry.items():
        deliver_reminder.apply_async(kwargs={"reminder_id": pk}, countdown=countdown)
    if batch.rest:
        # If this message is lost, the rest stays pending and the sweep enqueues it again.
        deliver_reminders.delay(reminder_ids=batch.rest)


@shared_task(name="notifications.deliver_reminder", bind=True, max_retries=None, **_TASK)
def deliver_reminder(self, *, reminder_id: int) -> None:
    try:
        delivery.deliver_reminder(reminder_id)
    except delivery.RetryLater as exc:
        raise self.retry(countdown=exc.countdown) from exc


@shared_task(name="notifications.deliver_notification", bind=True, max_retries=None, **_TASK)
def deliver_notification(self, *, notification_id: int) -> None:
    try:
        delivery.deliver_notification(notification_id)
    except delivery.RetryLater as exc:
        raise self.retry(countdown=exc.countdown) from exc


@shared_task(name="notifications.deliver_digest", bind=True, max_retries=None, **_TASK)
def deliver_digest(self, *, digest_id: int) -> None:
    try:
        delivery.deliver_digest(digest_id)
    except delivery.RetryLater as exc:
        raise self.retry(countdown=exc.countdown) from exc
