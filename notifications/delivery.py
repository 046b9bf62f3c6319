"""Carrying one mail through pending → sending → sent, at most once.

A record (a `Reminder`, a `Notification` or a `Digest`) is claimed by a
conditional update (pending → sending, with a lease) in its own committed
transaction just before the message goes to SMTP, and settled after. A failure
puts it back to pending with a backoff, up to `MAIL_MAX_ATTEMPTS`, then it is
failed. A crash between the SMTP handshake and the settling commit leaves it in
"sending": once its lease ends the sweep reports it (log and admin), and it is
not sent again blindly, because the mail may have gone.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from notifications.enums import Delivery, MailState, NotificationKind
from notifications.models import Digest, MailRecord, Notification, Reminder

logger = logging.getLogger(__name__)

BATCH = 100


class RetryLater(Exception):
    """The mail could not go now; try again after `countdown` seconds."""

    def __init__(self, countdown: int, error: str) -> None:
        super().__init__(error)
        self.countdown = countdown


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failure (doubling, capped)."""
    seconds = settings.MAIL_RETRY_BACKOFF * 2 ** max(attempts - 1, 0)
    return int(min(seconds, settings.MAIL_RETRY_BACKOFF_MAX))


def _unsettled(model: type[MailRecord]) -> models.QuerySet:
    qs = model.objects.all()
    if model is Notification:
        # A reminder's notification travels with its reminder's mail.
        qs = qs.filter(reminder__isnull=True)
    return qs


def requeue_due(model: type[MailRecord], now: datetime.datetime) -> list[int]:
    """Pending records whose message was lost or whose retry time came: enqueue again."""
    ids = list(
        _unsettled(model)
        .filter(state=MailState.PENDING, next_attempt_at__lte=now)
        .order_by()
        .values_list("pk", flat=True)
    )
    if ids:
        model.objects.filter(pk__in=ids, state=MailState.PENDING).update(
            next_attempt_at=now + settings.MAIL_REQUEUE_AFTER
        )
    return ids


def report_stuck(model: type[MailRecord], now: datetime.datetime) -> int:
    """Records left in "sending" past their lease: log them once, leave them for a person."""
    stuck = list(
        _unsettled(model)
        .filter(state=MailState.SENDING, lease_until__lt=now, stuck_reported_at__isnull=True)
        .order_by()
        .values_list("pk", flat=True)
    )
    if stuck:
        model.objects.filter(pk__in=stuck).update(stuck_reported_at=now)
        logger.error(
            "%d %s left in 'sending' past their lease (ids %s): the mail may or may not "
            "have gone; check the SMTP log, then mark them sent or retry them in the admin.",
            len(stuck),
            model._meta.verbose_name_plural,
            ", ".join(map(str, stuck[:20])),
        )
    return len(stuck)


def _claim(model: type[MailRecord], pk: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        return (
            model.objects.filter(pk=pk, state=MailState.PENDING).update(
                state=MailState.SENDING,
                lease_until=now + settings.MAIL_LEASE,
                attempts=F("attempts") + 1,
            )
            == 1
        )


def _settle(model: type[MailRecord], pk: int, **fields) -> int:
    with transaction.atomic():
        done = model.objects.filter(pk=pk, state=MailState.SENDING).update(**fields)
        if model is Reminder and done:
            Notification.objects.filter(reminder_id=pk).update(
                **{k: v for k, v in fields.items() if k in {"state", "sent_at", "last_error"}}
            )
        return done


def send_claimed(
    model: type[MailRecord], record: MailRecord, build: Callable[[], EmailMessage]
) -> bool:
    """Claim `record`, send what `build` returns, settle. Raises `RetryLater` on failure."""
    now = timezone.now()
    message = build()
    if not _claim(model, record.pk, now):
        return False
    try:
        message.send()
    except OSError as exc:  # smtplib.SMTPException and socket errors are OSErrors
        attempts = record.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if attempts >= settings.MAIL_MAX_ATTEMPTS:
            _settle(model, record.pk, state=MailState.FAILED, lease_until=None, last_error=error)
            logger.error("Gave up mailing %s %s: %s", model.__name__, record.pk, error)
            return False
        wait = backoff(attempts)
        _settle(
            model,
            record.pk,
            state=MailState.PENDING,
            lease_until=None,
            last_error=error,
            next_attempt_at=now + datetime.timedelta(seconds=wait) + settings.MAIL_REQUEUE_AFTER,
        )
        logger.warning(
            "Mailing %s %s failed (%s); retry in %d s", model.__name__, record.pk, error, wait
        )
        raise RetryLater(wait, error) from exc
    _settle(
        model,
        record.pk,
        state=MailState.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        last_error="",
    )
    logger.info("Mailed %s %s to %s: %s", model.__name__, record.pk, message.to, message.subject)
    return True


def skip(model: type[MailRecord], pk: int, reason: str) -> None:
    model.objects.filter(pk=pk, state=MailState.PENDING).update(
        state=MailState.SKIPPED, last_error=reason
    )
    if model is Reminder:
        Notification.objects.filter(reminder_id=pk).update(state=MailState.SKIPPED)


# --- reminders -------------------------------------------------------------------------


def deliver_reminder(pk: int) -> bool:
    """Write the reminder into the recipient's notifications and mail it (once)."""
    from notifications import mail, services

    reminder = (
        Reminder.objects.select_related("deadline", "recipient__profile").filter(pk=pk).first()
    )
    if reminder is None or reminder.state != MailState.PENDING:
        return False
    deadline, recipient = reminder.deadline, reminder.recipient
    if deadline.done_at is not None or deadline.due_date != reminder.due_date:
        skip(Reminder, pk, "The deadline was met or moved before the reminder went.")
        return False
    if not recipient.is_active or not recipient.email:
        skip(Reminder, pk, "The recipient is inactive or has no address.")
        return False
    kind = NotificationKind.ESCALATION if reminder.escalation else NotificationKind.REMINDER
    delivery = services.delivery_for(recipient, kind)
    with transaction.atomic():
        notification = Notification.objects.filter(reminder=reminder).first()
        if notification is None:
            try:
                with transaction.atomic():
                    notification = services.write(
                        recipient,
                        kind,
                        *mail.reminder_text(reminder),
                        link=deadline.link,
                        reminder=reminder,
                    )
            except IntegrityError:  # another worker wrote it a moment ago
                notification = Notification.objects.get(reminder=reminder)
        if delivery != Delivery.IMMEDIATE:
            state = MailState.DIGEST if delivery == Delivery.DIGEST else MailState.SKIPPED
            Notification.objects.filter(pk=notification.pk).update(state=state)
            Reminder.objects.filter(pk=pk, state=MailState.PENDING).update(
                state=MailState.SENT if state == MailState.DIGEST else MailState.SKIPPED,
                last_error="" if state == MailState.DIGEST else "Not mailed, as preferred.",
                sent_at=timezone.now(),
            )
            return False
    return send_claimed(Reminder, reminder, lambda: mail.notification_message(notification))


def enqueue_reminders(ids: Iterable[int]) -> None:
    from notifications.tasks import deliver_reminders

    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        deliver_reminders.delay(reminder_ids=ids[start : start + BATCH])


# --- notifications and digests ------------------------------------------------------------


def deliver_notification(pk: int) -> bool:
    from notifications import mail

    notification = (
        Notification.objects.select_related("user__profile")
        .filter(pk=pk, reminder__isnull=True)
        .first()
    )
    if notification is None or notification.state != MailState.PENDING:
        return False
    if not notification.user.is_active or not notification.user.email:
        skip(Notification, pk, "The recipient is inactive or has no address.")
        return False
    return send_claimed(Notification, notification, lambda: mail.notification_message(notification))


def deliver_digest(pk: int) -> bool:
    from notifications import mail

    digest = Digest.objects.select_related("user__profile").filter(pk=pk).first()
    if digest is None or digest.state != MailState.PENDING:
        return False
    items = list(digest.notifications.order_by("created_at", "pk"))
    if not items or not digest.user.is_active or not digest.user.email:
        skip(Digest, pk, "Nothing to send, or the recipient is inactive.")
        return False
    sent = send_claimed(Digest, digest, lambda: mail.digest_message(digest, items))
    if sent:
        digest.notifications.filter(state=MailState.DIGEST).update(
            state=MailState.SENT, sent_at=timezone.now()
        )
    return sent
