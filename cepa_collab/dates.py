"""How far away a date is, in words: "in 3 days", "due today", "3 days overdue".

Written once for pages (the `ui` template library) and mails. "Today" is the day in the
active time zone: the viewer's on a page (`ViewerTimeZoneMiddleware`), the recipient's in a
mail (`notifications.services.as_recipient`).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import ngettext, pgettext


def days_until(day: datetime.date, today: datetime.date | None = None) -> int:
    """Whole days from today to `day`: negative once it has passed."""
    return (day - (today or timezone.localdate())).days


def distance(day: datetime.date, *, overdue: bool | None = None, today=None) -> str:
    """`day` as a deadline, in words; "" for a past date that is no longer owed.

    `overdue` is the record's own rule (e.g. `Deliverable.overdue`: past and not done);
    without it any past date counts as overdue.
    """
    days = days_until(day, today)
    if days > 1:
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    if days == 1:
        return pgettext("deadline", "tomorrow")
    if days == 0:
        return pgettext("deadline", "due today")
    if overdue is False:
        return ""
    late = -days
    return ngettext("%(count)d day overdue", "%(count)d days overdue", late) % {"count": late}
