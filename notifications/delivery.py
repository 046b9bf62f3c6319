"""Carrying one mail through pending → sending → sent, exactly once.

A record (a `Reminder`, a `Notification` or a `Digest`) is claimed by a conditional
update (pending → sending, with a lease) in its own committed transaction just before the
message goes to SMTP, and settled after. A failure before the message was handed over
puts it back to pending with a backoff, up to `MAIL_MAX_ATTEMPTS`, then it is failed. A
message handed over whose reply never came (`notifications.smtp.Uncertain`) may have been
delivered: it is recorded as uncertain, with the SMTP exchange, and never sent again
automatically; so is a record left in "sending" past its lease (its worker died between
the SMTP handshake and the settling commit), when the sweep finds it. A person settles an
uncertain mail in the admin: "mark as sent" or "send again". Every message carries a
`Message-ID` derived from its record (`mail.message_id`), the same for a copy.

Reminders go in batches on one SMTP connection, bounded by time (`MAIL_BATCH_SECONDS`):
a batch starts no message after its time is up and hands the rest on, so that it ends
well before the task's soft time limit, which never interrupts an exchange.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import logging
import time
import zoneinfo
from collections.abc import Callable, Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import jobs, mail, services, smtp
from notifications.enums import Delivery, MailState, NotificationKind
from notifications.models import Digest, MailRecord, Notification, Reminder

logger = logging.getLogger(__name__)

# Ids per task message, so that several workers share a large sweep; how many of them one
# task mails is bounded by time (`deliver_reminder_batch`).
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


def stuck(model: type[MailRecord], now: datetime.datetime) -> models.QuerySet:
    """Records left in "sending" past their lease: the mail may or may not have gone."""
    return _unsettled(model).filter(state=MailState.SENDING, lease_until__lt=now)


STUCK = (
    "The worker stopped while handing this mail to SMTP (its lease ended): it may or may "
    "not have gone."
)


def report_stuck(model: type[MailRecord], now: datetime.datetime) -> int:
    """Records left in "sending" past their lease become uncertain: logged once, left for a
    person ("mark as sent" or "send again" in the admin). Returns how many were found now."""
    found = list(stuck(model, now).order_by("pk").values_list("pk", flat=True))
    if not found:
        return 0
    fields = {
        "state": MailState.UNCERTAIN,
        "stuck_reported_at": now,
        "lease_until": None,
        "last_error": STUCK,
    }
    # Conditional: of two sweeps at once, only one reports a record.
    with transaction.atomic():
        reported = model.objects.filter(
            pk__in=found, state=MailState.SENDING, lease_until__lt=now
        ).update(**fields)
        _mirror(model, found, fields)
    if reported:
        logger.error(
            "%d %s left in 'sending' past their lease (ids %s): the mail may or may not "
            "have gone; check the SMTP log, then mark them sent or send them again in the "
            "admin.",
            reported,
            model._meta.verbose_name_plural,
            ", ".join(map(str, found[:20])),
        )
    return reported


def sweep_notifications(now: datetime.datetime | None = None) -> list[int]:
    """Re-enqueue immediate mails whose task was lost or whose retry came; report stuck ones."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = requeue_due(Notification, now)
        report_stuck(Notification, now)
        for pk in ids:
            transaction.on_commit(
                lambda pk=pk: jobs.enqueue(jobs.DELIVER_NOTIFICATION, notification_id=pk)
            )
    return ids


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
        if done:
            _mirror(model, [pk], fields)
        return done


def _mirror(model: type[MailRecord], pks: list[int], fields: dict) -> None:
    """What a reminder's or a digest's mail became is also what became of the notifications
    it carries (and, for a digest, of the reminders waiting for it)."""
    if model is Reminder:
        Notification.objects.filter(reminder_id__in=pks).update(
            **{k: v for k, v in fields.items() if k in {"state", "sent_at", "last_error"}}
        )
    elif model is Digest and fields.get("state") == MailState.SENT:
        sent_at = fields.get("sent_at") or timezone.now()
        Reminder.objects.filter(notification__digest_id__in=pks, state=MailState.DIGEST).update(
            state=MailState.SENT, sent_at=sent_at
        )
        Notification.objects.filter(digest_id__in=pks, state=MailState.DIGEST).update(
            state=MailState.SENT, sent_at=sent_at
        )


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def send_claimed(
    model: type[MailRecord],
    record: MailRecord,
    build: Callable[[], EmailMessage],
    connection=None,
) -> bool:
    """Claim `record`, send what `build` returns (on `connection`, left open, or on a
    connection of its own), settle. Raises `RetryLater` when the mail surely did not go;
    records it uncertain, never to be resent automatically, when it was handed over and
    its reply never came."""
    now = timezone.now()
    message = build()
    message.extra_headers["Message-ID"] = mail.message_id(record)
    if not _claim(model, record.pk, now):
        return False
    own = connection is None
    if own:
        connection = get_connection()
    try:
        connection.open()
        connection.send_messages([message])
    except smtp.Uncertain as exc:
        cause = exc.__cause__ or exc
        _settle(
            model,
            record.pk,
            state=MailState.UNCERTAIN,
            lease_until=None,
            last_error=f"{exc} {_error(cause)}"[:1000],
            smtp_exchange=exc.transcript,
        )
        logger.error(
            "Mailing %s %s is uncertain: it was handed to SMTP and no reply came (%s). It is "
            "not sent again automatically: check the SMTP log, then mark it as sent or send "
            "it again in the admin.",
            model.__name__,
            record.pk,
            _error(cause),
        )
        if isinstance(cause, SoftTimeLimitExceeded):
            raise cause from None
        return False
    except Exception as exc:
        # smtplib.SMTPException and socket errors are OSErrors; anything else (a bad
        # address, an encoding error) is retried the same way and ends up failed and
        # visible, rather than left in "sending" as if it might have gone.
        attempts = record.attempts + 1
        error = _error(exc)
        exchange = getattr(connection, "last_exchange", "")
        if not isinstance(exc, OSError | SoftTimeLimitExceeded):
            logger.exception("Mailing %s %s raised", model.__name__, record.pk)
        if attempts >= settings.MAIL_MAX_ATTEMPTS:
            _settle(
                model,
                record.pk,
                state=MailState.FAILED,
                lease_until=None,
                last_error=error,
                smtp_exchange=exchange,
            )
            logger.error("Gave up mailing %s %s: %s", model.__name__, record.pk, error)
            if isinstance(exc, SoftTimeLimitExceeded):
                raise
            return False
        wait = backoff(attempts)
        _settle(
            model,
            record.pk,
            state=MailState.PENDING,
            lease_until=None,
            last_error=error,
            smtp_exchange=exchange,
            next_attempt_at=now + datetime.timedelta(seconds=wait) + settings.MAIL_REQUEUE_AFTER,
        )
        logger.warning(
            "Mailing %s %s failed (%s); retry in %d s", model.__name__, record.pk, error, wait
        )
        if isinstance(exc, SoftTimeLimitExceeded):
            raise
        raise RetryLater(wait, error) from exc
    finally:
        if own:
            connection.close()
    _settle(
        model,
        record.pk,
        state=MailState.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        last_error="",
        smtp_exchange=getattr(connection, "last_exchange", ""),
    )
    logger.info("Mailed %s %s to %s: %s", model.__name__, record.pk, message.to, message.subject)
    return True


def skip(model: type[MailRecord], pk: int, reason: str) -> None:
    with transaction.atomic():
        done = model.objects.filter(pk=pk, state=MailState.PENDING).update(
            state=MailState.SKIPPED, last_error=reason
        )
        if done and model is Reminder:
            Notification.objects.filter(reminder_id=pk).update(state=MailState.SKIPPED)


# --- reminders -------------------------------------------------------------------------


def _local_today(now: datetime.datetime, zone: str | None) -> datetime.date:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone or "UTC")).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(datetime.UTC).date()


def _as_worded(reminder: Reminder, now: datetime.datetime) -> Reminder:
    """The reminder as its mail words it: "due in N days" counts from today where the
    person responsible is, so a reminder caught up late, or for a deadline created inside
    a window (a review due tomorrow gets the "2 days before" reminder), says the truth."""
    deadline = reminder.deadline
    profile = getattr(deadline.user, "profile", None)
    today = _local_today(now, getattr(profile, "time_zone", None))
    worded = copy.copy(reminder)
    worded.offset_days = (today - deadline.due_date).days
    return worded


def deliver_reminder(pk: int, connection=None) -> bool:
    """Write the reminder into the recipient's notifications and mail it (once).

    Skipped when the deadline was met or moved since it was claimed, or the recipient is
    inactive; written but not mailed as the recipient prefers (digest: it waits for the
    next digest, and the reminder is settled when that digest goes; none: skipped)."""
    reminder = (
        Reminder.objects.select_related("deadline__user__profile", "recipient__profile")
        .filter(pk=pk)
        .first()
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
    state = {
        Delivery.IMMEDIATE: MailState.PENDING,
        Delivery.DIGEST: MailState.DIGEST,
    }.get(delivery, MailState.SKIPPED)
    with transaction.atomic():
        notification = Notification.objects.filter(reminder=reminder).first()
        if notification is None:
            try:
                with transaction.atomic():
                    notification = services.write(
                        recipient,
                        kind,
                        *mail.reminder_text(_as_worded(reminder, timezone.now())),
                        link=deadline.link,
                        reminder=reminder,
                        state=state,
                    )
            except IntegrityError:  # another worker wrote it a moment ago
                notification = Notification.objects.get(reminder=reminder)
        if state != MailState.PENDING:
            done = Reminder.objects.filter(pk=pk, state=MailState.PENDING).update(
                state=state,
                last_error="" if state == MailState.DIGEST else "Not mailed, as preferred.",
            )
            if done:
                Notification.objects.filter(pk=notification.pk).update(state=state)
            return False
    return send_claimed(
        Reminder, reminder, lambda: mail.notification_message(notification), connection
    )


@dataclasses.dataclass
class Batch:
    """What a batch did: mailed, to retry on their own after a countdown, handed on."""

    sent: list[int] = dataclasses.field(default_factory=list)
    retry: dict[int, int] = dataclasses.field(default_factory=dict)
    rest: list[int] = dataclasses.field(default_factory=list)


def deliver_reminder_batch(ids: list[int], clock: Callable[[], float] = time.monotonic) -> Batch:
    """Deliver claimed reminders on one SMTP connection for at most `MAIL_BATCH_SECONDS`:
    no message starts after that, and the ids left are returned as `rest` for a new task,
    so that the batch ends well before the soft time limit (a soft limit that came anyway
    stops the batch the same way). A reminder that failed is returned in `retry` with its
    countdown; one that raised otherwise stays pending, for the sweep to enqueue again."""
    batch = Batch()
    start = clock()
    connection = get_connection()
    try:
        for index, pk in enumerate(ids):
            if clock() - start >= settings.MAIL_BATCH_SECONDS:
                batch.rest = list(ids[index:])
                break
            try:
                if deliver_reminder(pk, connection):
                    batch.sent.append(pk)
            except RetryLater as exc:
                batch.retry[pk] = exc.countdown
            except SoftTimeLimitExceeded:
                batch.rest = list(ids[index:])
                break
            except Exception:
                logger.exception("Delivering reminder %s failed", pk)
    finally:
        connection.close()
    if batch.rest:
        logger.info(
            "Mail batch: %d sent in %.1f s; %d handed on to a new task",
            len(batch.sent),
            clock() - start,
            len(batch.rest),
        )
    return batch


def enqueue_reminders(ids: Iterable[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        jobs.enqueue(jobs.DELIVER_REMINDERS, reminder_ids=ids[start : start + BATCH])


# --- notifications and digests ------------------------------------------------------------


def deliver_notification(pk: int) -> bool:
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
    """Mail a digest; its notifications (and the reminders among them) are settled with it."""
    digest = Digest.objects.select_related("user__profile").filter(pk=pk).first()
    if digest is None or digest.state != MailState.PENDING:
        return False
    items = list(digest.notifications.order_by("created_at", "pk"))
    if not items or not digest.user.is_active or not digest.user.email:
        skip(Digest, pk, "Nothing to send, or the recipient is inactive.")
        return False
    return send_claimed(Digest, digest, lambda: mail.digest_message(digest, items))


# --- what a person does in the admin -------------------------------------------------------


def needs_a_person(model: type[MailRecord], now: datetime.datetime) -> Q:
    """Uncertain records, and records stuck in "sending" past their lease that no sweep
    has marked uncertain yet: their mail may have gone."""
    return Q(state=MailState.UNCERTAIN) | Q(state=MailState.SENDING, lease_until__lt=now)


def send_again(model: type[MailRecord], ids: Iterable[int]) -> list[int]:
    """Put failed and uncertain records (and records stuck in "sending" past their lease)
    back to pending for a fresh series of attempts, and enqueue them at once; returns their
    ids. The message keeps its `Message-ID`, so a copy can be recognised.

    An uncertain mail may have gone: sending it again is a person's decision (the admin
    asks for a tick). Records still within their lease, or settled otherwise, are left."""
    now = timezone.now()
    with transaction.atomic():
        chosen = (
            _unsettled(model)
            .filter(pk__in=list(ids))
            .filter(Q(state=MailState.FAILED) | needs_a_person(model, now))
        )
        pks = list(chosen.order_by("pk").values_list("pk", flat=True))
        fields = {
            "state": MailState.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "lease_until": None,
            "stuck_reported_at": None,
        }
        model.objects.filter(pk__in=pks).update(**fields)
        _mirror(model, pks, fields)
        if pks:
            transaction.on_commit(lambda: _enqueue(model, pks))
    return pks


def mark_sent(model: type[MailRecord], ids: Iterable[int]) -> list[int]:
    """Record as sent what a person found delivered (the SMTP log or the recipient shows an
    uncertain mail went), or decided not to send after all: pending, sending, uncertain or
    failed records; returns their ids."""
    now = timezone.now()
    with transaction.atomic():
        chosen = _unsettled(model).filter(
            pk__in=list(ids),
            state__in=[
                MailState.PENDING,
                MailState.SENDING,
                MailState.UNCERTAIN,
                MailState.FAILED,
            ],
        )
        pks = list(chosen.order_by("pk").values_list("pk", flat=True))
        fields = {"state": MailState.SENT, "sent_at": now, "lease_until": None}
        model.objects.filter(pk__in=pks).update(**fields)
        _mirror(model, pks, fields)
    return pks


def _enqueue(model: type[MailRecord], pks: list[int]) -> None:
    if model is Reminder:
        enqueue_reminders(pks)
    elif model is Notification:
        for pk in pks:
            jobs.enqueue(jobs.DELIVER_NOTIFICATION, notification_id=pk)
    elif model is Digest:
        for pk in pks:
            jobs.enqueue(jobs.DELIVER_DIGEST, digest_id=pk)
