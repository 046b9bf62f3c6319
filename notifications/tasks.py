"""Thin Celery tasks of the notifications app.

Every task is idempotent (the record it carries is claimed before the mail goes),
acknowledged late (a worker killed mid-task leaves the message to another), and
retried with a short countdown on a mail failure; nothing waits on a long ETA.
"""

import logging

from celery import shared_task
from django.utils import timezone

from notifications import delivery, digests, reminders

logger = logging.getLogger(__name__)

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
    """Deliver a batch of claimed reminders; one that fails is retried on its own."""
    for pk in reminder_ids:
        try:
            delivery.deliver_reminder(pk)
        except delivery.RetryLater as exc:
            deliver_reminder.apply_async(kwargs={"reminder_id": pk}, countdown=exc.countdown)
        except Exception:
            # It stays pending: the sweep enqueues it again after MAIL_REQUEUE_AFTER.
            logger.exception("Delivering reminder %s failed", pk)


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
