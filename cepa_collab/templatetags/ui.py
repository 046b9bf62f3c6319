"""The design system's template helpers: dates and times read one way, state tags.

    {% load ui %}
    {{ version.created_at|when }}          7 December 2026, 09:00 (viewer's zone)
    {{ version.created_at|when:"zone" }}   … 09:00 (Africa/Nairobi)
    {{ deliverable.due_date|day }}         7 December 2026
    {{ deliverable.due_date|due:deliverable.overdue }}
                                           7 December 2026 · in 3 days / 3 days overdue
    {{ deliverable|state_tag }}            the state as a coloured tag
    {% tag "overdue" label %}              any tag

Every date-time is shown in the active time zone, which `ViewerTimeZoneMiddleware` sets to
the viewer's profile zone (mails: the recipient's). Every value comes out inside a
`<time datetime="…">` element, so machines read the exact moment.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

from cepa_collab.dates import days_until, distance
from cepa_collab.names import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A person as others read them: `{{ deliverable.owner|person }}` (full name, else the
    login: `cepa_collab.names.display_name`, the one rule for pages, mails and exports)."""
    return "" if user is None else display_name(user)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def when(value, arg: str = ""):
    """A moment in the viewer's time zone; `when:"zone"` names the zone after it."""
    if not isinstance(value, datetime.datetime):
        return ""
    text = formats.date_format(_local(value), "DATETIME_FORMAT")
    if arg == "zone":
        text = f"{text} ({timezone.get_current_timezone_name()})"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)


@register.filter
def day(value):
    """A date (or a moment's day in the viewer's zone) in the language's one date format."""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    if not isinstance(value, datetime.date):
        return ""
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        formats.date_format(value, "DATE_FORMAT"),
    )


@register.filter
def due(value, overdue=None):
    """A deadline: its date and how far it is ("in 3 days", "3 days overdue").

    Pass the record's own overdue rule (`|due:deliverable.overdue`): a past date of a
    record that is done shows as a plain date.
    """
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    if not isinstance(value, datetime.date):
        return ""
    words = distance(value, overdue=overdue if isinstance(overdue, bool) else None)
    if not words:
        return day(value)
    days = days_until(value)
    tone = "overdue" if days < 0 else "soon" if days <= 3 else "later"
    return format_html('{} <span class="due due--{}">{}</span>', day(value), tone, words)


@register.filter
def state_tag(record):
    """A record's state as a tag coloured by its state code (`.state`, `get_state_display`)."""
    code = getattr(record, "state", None) or getattr(record, "status", "")
    display = getattr(record, "get_state_display", None) or getattr(
        record, "get_status_display", None
    )
    label = display() if display else code
    return format_html('<strong class="tag tag--{}">{}</strong>', code, label)


@register.simple_tag
def tag(code: str, label):
    """Any tag: `{% tag "overdue" _("Overdue") %}`."""
    return format_html('<strong class="tag tag--{}">{}</strong>', code, label)
