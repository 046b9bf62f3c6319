"""Telling people what concerns them.

`notify` writes a notification into the person's notification centre, in their
language, inside the caller's transaction, and — as they prefer for its kind —
mails it at once (the task is enqueued after commit), keeps it for the daily
digest, or does not mail it. The reminder sweep lives in `notifications.reminders`,
the daily digest in `notifications.digests`, mail delivery in `notifications.delivery`.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cepa_collab.names import display_name
from notifications import jobs
from notifications.enums import DEFAULT_DELIVERY, Delivery, MailState
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Notification, NotificationPreference

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)

N_ = gettext_noop  # marks a message for translation; `notify` translates it per recipient


@contextmanager
def muted() -> Iterator[None]:
    """Notify nobody from inside this block (used when building the demo world)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


# --- preferences --------------------------------------------------------------------------


def delivery_for(user, kind: str) -> str:
    found = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    return found or DEFAULT_DELIVERY


def preferences_of(user) -> dict[str, str]:
    """Every kind of notification with how it reaches `user`."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY) for kind in NOTIFICATION_KINDS.values()}


@transaction.atomic
def set_preferences(user, choices: Mapping[str, str]) -> dict[str, str]:
    """Record how each named kind reaches `user`; raises ValidationError naming the kind."""
    errors = {}
    for kind, delivery in choices.items():
        if kind not in NOTIFICATION_KINDS:
            errors[kind] = _("Unknown kind of notification.")
        elif delivery not in Delivery.values:
            errors[kind] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(Delivery.values)
            }
    if errors:
        raise ValidationError(errors)
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )
    return preferences_of(user)


# --- writing notifications -------------------------------------------------------------


def language_of(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


_language = language_of


def _zone(user) -> zoneinfo.ZoneInfo | datetime.tzinfo:
    """The user's time zone (UTC when unknown): dates and times in their notifications."""
    profile = getattr(user, "profile", None)
    try:
        return zoneinfo.ZoneInfo(getattr(profile, "time_zone", None) or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


@contextmanager
def as_recipient(user) -> Iterator[None]:
    """Write for `user`: their language and their time zone are active inside the block."""
    with translation.override(_language(user)), timezone.override(_zone(user)):
        yield


def _render(template: str, params: Mapping) -> str:
    if not template:
        return ""
    values = {}
    for key, value in params.items():
        if isinstance(value, AbstractBaseUser):  # a person reads as their name, not a login
            value = display_name(value)
        elif isinstance(value, datetime.datetime):
            value = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        elif isinstance(value, datetime.date):
            value = formats.date_format(value, "DATE_FORMAT")
        values[key] = str(value)  # lazy labels translate in the active language
    return _(template) % values if values else _(template)


def one_line(text: str) -> str:
    """Text on one line: runs of ASCII white space (line breaks) become one space, while
    non-breaking spaces (French typography: « Examen demandé : … ») stay."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def _notification(
    user, kind: str, subject: str, body: str = "", *, link: str = "", reminder=None, **fields
) -> Notification:
    return Notification(
        user=user,
        kind=kind,
        subject=one_line(subject)[:300],
        body=body,
        link=link,
        reminder=reminder,
        state=fields.pop("state", MailState.SKIPPED),
        **fields,
    )


def write(
    user, kind: str, subject: str, body: str = "", *, link: str = "", reminder=None, **fields
) -> Notification:
    """Store an already written notification (state decided by the caller)."""
    notification = _notification(user, kind, subject, body, link=link, reminder=reminder, **fields)
    notification.save(force_insert=True)
    return notification


def notify(
    user,
    kind: str,
    *,
    subject: str,
    body: str = "",
    params: Mapping | None = None,
    link: str = "",
    attachment: tuple[str, str] | None = None,
) -> Notification | None:
    """Tell `user` something: `subject` and `body` are messages marked with `N_` and
    `params` their values (lazy labels, dates, times), written in the user's language,
    times in the user's time zone.

    Call it inside the transaction of the change it reports: the notification is
    part of that change, and its mail is enqueued only once the change commits."""
    written = notify_all(
        [user], kind, subject=subject, body=body, params=params, link=link, attachment=attachment
    )
    return written[0] if written else None


def notify_all(
    users: Iterable,
    kind: str,
    *,
    subject: str,
    body: str = "",
    params: Mapping | None = None,
    link: str = "",
    links: Mapping[int, str] | None = None,
    attachment: tuple[str, str] | None = None,
) -> list[Notification]:
    """`notify` each of `users` (the same message, each in their own language and time
    zone) in a fixed number of queries: their profiles and preferences are read at once
    and the notifications written in one statement. `links` gives a person their own
    link by their id (their item: `mark_read_for` then finds it), `link` the others'.
    Returns the notifications written (none for an inactive person or while muted)."""
    if _muted.get():
        return []
    users = [user for user in dict.fromkeys(users) if user is not None and user.is_active]
    if not users:
        return []
    prefetch_related_objects(users, "profile")
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users, kind=kind)
        .order_by()
        .values_list("user_id", "delivery")
    )
    params = params or {}
    name, content = attachment or ("", "")
    next_attempt_at = timezone.now() + settings.MAIL_REQUEUE_AFTER
    notifications = []
    for user in users:
        with as_recipient(user):
            subject_text = _render(subject, params)
            body_text = _render(body, params)
        state = {
            Delivery.IMMEDIATE: MailState.PENDING,
            Delivery.DIGEST: MailState.DIGEST,
        }.get(chosen.get(user.pk, DEFAULT_DELIVERY), MailState.SKIPPED)
        if not user.email:  # kept in the notification centre, mailed neither now nor in a digest
            state = MailState.SKIPPED
        notifications.append(
            _notification(
                user,
                kind,
                subject_text,
                body_text,
                link=(links or {}).get(user.pk, link),
                state=state,
                attachment_name=name,
                attachment=content,
                next_attempt_at=next_attempt_at,
            )
        )
    Notification.objects.bulk_create(notifications)
    pending = [n.pk for n in notifications if n.state == MailState.PENDING]
    if pending:
        for pk in pending:
            transaction.on_commit(
                lambda pk=pk: jobs.enqueue(jobs.DELIVER_NOTIFICATION, notification_id=pk)
            )
    return notifications


# --- the notification centre ---------------------------------------------------------------


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, notification_ids) -> int:
    """Mark the user's own notifications read; others' ids are ignored. Returns how many."""
    return Notification.objects.filter(
        user=user, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=timezone.now())


def mark_read_for(user, *links: str) -> int:
    """Acting on an item marks read the person's unread notifications about it: those
    whose link is one of `links` (the item's pages). Called by the services of the apps
    when the person acts (answers an invitation, submits a review, decides…); nobody
    else's notifications, nor the person's about other items, change. Returns how many."""
    links = [link for link in links if link]
    if not links or not getattr(user, "pk", None):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True, link__in=links).update(
        read_at=timezone.now()
    )


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
