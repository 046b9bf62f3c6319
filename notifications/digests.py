"""The daily digest: what waited for it, gathered at 08:00 in each person's time zone.

A notification a person prefers by digest waits (state digest) until their next local
08:00; the sweep (Celery beat, every few minutes) makes that day's `Digest` and enqueues
its mail, which `notifications.delivery` carries like any other.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import delivery, jobs
from notifications.enums import MailState
from notifications.models import Digest, Notification

DIGEST_HOUR = datetime.time(8)


def _local_now(now: datetime.datetime, zone: str | None) -> datetime.datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(datetime.UTC)


def digest_moment(
    now: datetime.datetime, zone: str | None
) -> tuple[datetime.date, datetime.datetime]:
    """The local date of the latest digest due for someone in `zone` at `now`, and its moment:
    08:00 today once that has passed, else 08:00 yesterday. What arrived before that moment
    belongs in that digest; what came after waits for the next one."""
    local = _local_now(now, zone)
    day = local.date()
    if local.time() < DIGEST_HOUR:
        day -= datetime.timedelta(days=1)
    moment = datetime.datetime.combine(day, DIGEST_HOUR, tzinfo=local.tzinfo)
    return day, moment.astimezone(datetime.UTC)


def sweep_digests(now: datetime.datetime | None = None) -> list[int]:
    """Gather, for each person, what waited for the digest until their last 08:00 (local
    time) into that day's digest, unless it was made already; returns the new digests' ids.

    A digest is claimed by its unique (user, local date) row, so two sweeps at once make
    one digest; the mails are enqueued after commit. A sweep that comes late (the worker
    was down) still makes the day's digest, from what arrived before 08:00."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(state=MailState.DIGEST, digest__isnull=True, created_at__lt=now)
        .order_by()
        .values_list("user_id", "user__profile__time_zone")
        .distinct()
    )
    created = []
    for user_id, zone in waiting:
        day, moment = digest_moment(now, zone)
        try:
            with transaction.atomic():
                if Digest.objects.filter(user_id=user_id, local_date=day).exists():
                    continue  # made already: what came after it waits for tomorrow's
                items = list(
                    Notification.objects.filter(
                        user_id=user_id,
                        state=MailState.DIGEST,
                        digest__isnull=True,
                        created_at__lt=moment,
                    ).values_list("pk", flat=True)
                )
                if not items:
                    continue  # all of it arrived after this day's 08:00
                digest = Digest.objects.create(
                    user_id=user_id,
                    local_date=day,
                    created_at=now,
                    next_attempt_at=now + settings.MAIL_REQUEUE_AFTER,
                )
                Notification.objects.filter(pk__in=items, digest__isnull=True).update(digest=digest)
        except IntegrityError:
            continue  # another sweep made it a moment ago
        created.append(digest.pk)
    with transaction.atomic():
        requeued = delivery.requeue_due(Digest, now)
        delivery.report_stuck(Digest, now)
        ids = created + [pk for pk in requeued if pk not in created]
        if ids:
            transaction.on_commit(lambda: _enqueue_digests(ids))
    return created


def _enqueue_digests(ids: list[int]) -> None:
    for pk in ids:
        jobs.enqueue(jobs.DELIVER_DIGEST, digest_id=pk)
