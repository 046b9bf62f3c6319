"""The mails: multipart (plain text and HTML), in the recipient's language, with a
direct link and a List-Unsubscribe link to the preferences."""

from __future__ import annotations

import datetime
from email.mime.text import MIMEText

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cepa_collab import work
from cepa_collab.names import display_name
from notifications.kinds import DEADLINE_KINDS
from notifications.models import Digest, Notification, Reminder
from notifications.services import as_recipient, language_of, one_line

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def message_id(record) -> str:
    """The `Message-ID` of a mail record's message: the same for every attempt and for a
    message sent again, so that a receiving server or a reader recognises a copy."""
    stamp = int(record.created_at.timestamp())
    return f"<{record._meta.model_name}.{record.pk}.{stamp}@{settings.SITE_HOST}>"


def absolute(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(user, kind: str = "") -> str:
    """A signed token naming the person (and the kind of notification) to stop mailing."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str, max_age: datetime.timedelta | None = None) -> dict:
    """The token's content; raises `signing.BadSignature` when it was not ours."""
    return signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)


def unsubscribe_url(user, kind: str = "") -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)]))


def preferences_url() -> str:
    return absolute(reverse("notifications:preferences"))


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def what_is_due(deadline) -> str:
    """The deadline's item as a reminder names it, in the active language (as the app that
    registered its kind says: "Review of …"; its title otherwise)."""
    kind = DEADLINE_KINDS.get(deadline.kind)
    describe = getattr(kind, "describe", None)
    return describe(deadline.title) if describe is not None else deadline.title


def reminder_text(reminder: Reminder) -> tuple[str, str]:
    """Subject and text of a reminder, in the recipient's language: what is due and when."""
    deadline = reminder.deadline
    days = abs(reminder.offset_days)
    with as_recipient(reminder.recipient):
        params = {"title": what_is_due(deadline), "date": _date(deadline.due_date), "days": days}
        if reminder.offset_days < 0:
            subject = (
                ngettext(
                    "Due in %(days)d day (%(date)s): %(title)s",
                    "Due in %(days)d days (%(date)s): %(title)s",
                    days,
                )
                % params
            )
        elif reminder.offset_days == 0:
            subject = _("Due today (%(date)s): %(title)s") % params
        else:
            subject = (
                ngettext(
                    "Overdue by %(days)d day (due %(date)s): %(title)s",
                    "Overdue by %(days)d days (due %(date)s): %(title)s",
                    days,
                )
                % params
            )
        if reminder.escalation:
            person = display_name(deadline.user)
            subject = f"{subject} — {person}"
            body = _(
                "%(title)s, due on %(date)s from %(person)s, is not done yet. You are told "
                "as chief of the branch; this is sent once for each overdue reminder."
            ) % {**params, "person": person}
        else:
            body = _("%(title)s is due on %(date)s.") % params
    return subject, body


def _message(user, subject: str, context: dict, template: str, kind: str) -> EmailMultiAlternatives:
    """Plain text and HTML from the same context, in the user's language and time zone. The
    HTML template escapes what people wrote (titles, comments); the text one leaves it as is."""
    with as_recipient(user):
        context = {
            **context,
            "user": user,
            "site_url": settings.SITE_URL,
            "preferences_url": preferences_url(),
            "unsubscribe_url": unsubscribe_url(user, kind),
        }
        text = render_to_string(f"notifications/mail/{template}.txt", context)
        html = render_to_string(f"notifications/mail/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=one_line(subject)[:250],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": language_of(user),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    user = notification.user
    message = _message(
        user,
        notification.subject,
        {"notification": notification, "link": absolute(notification.link)},
        "notification",
        notification.kind,
    )
    if notification.attachment:
        message.attach(calendar_part(notification.attachment_name, notification.attachment))
    return message


def calendar_part(name: str, ics: str) -> MIMEText:
    """An iCalendar attachment as calendar clients want it: `text/calendar` with the
    `method` of the calendar inside (PUBLISH, as the feeds)."""
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", "PUBLISH")
    part.add_header("Content-Disposition", "attachment", filename=name or "meeting.ics")
    return part


def digest_message(digest: Digest, items: list[Notification]) -> EmailMultiAlternatives:
    user = digest.user
    with as_recipient(user):
        subject = ngettext(
            "CEPA Collab digest for %(date)s: %(count)d notification",
            "CEPA Collab digest for %(date)s: %(count)d notifications",
            len(items),
        ) % {"date": _date(digest.local_date), "count": len(items)}
        # The top of the digest: what waits for them today, by kind (`cepa_collab.work`).
        waiting = work.summary(user)
    entries = [{"notification": item, "link": absolute(item.link)} for item in items]
    context = {
        "digest": digest,
        "entries": entries,
        "waiting": [{"label": kind.label, "count": kind.count} for kind in waiting],
        "waiting_total": sum(kind.count for kind in waiting),
        "home_url": absolute(reverse("home")),
    }
    message = _message(user, subject, context, "digest", "")
    # Meeting notifications carry their calendar file: the digest carries them all.
    calendars = [item for item in items if item.attachment]
    for number, item in enumerate(calendars, start=1):
        name = item.attachment_name or "meeting.ics"
        if len(calendars) > 1:
            name = f"{name.removesuffix('.ics')}-{number}.ics"
        message.attach(calendar_part(name, item.attachment))
    return message
