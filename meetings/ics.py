"""iCalendar feeds built with the `icalendar` library, rendered once per change.

Each event (a meeting, or a deadline as an all-day event) is rendered by
`icalendar` and its bytes are kept in Django's cache under the record's version
(revision and last change), so an unchanged event is never rendered twice. A whole
feed is kept under its ETag, which `feed_stamp` derives from one aggregate query over
what the feed contains; a poll whose ETag matches is answered without rendering, and
`If-None-Match` gets a 304 after two queries (token, stamp).

The feed body is the `icalendar` rendering of the calendar (its properties and the
VTIMEZONE of every TZID used) with the events' `icalendar` renderings inside it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache as memoize
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration

from cepa_collab.models import Region
from cepa_collab.services import CALENDAR, counter_value
from meetings.enums import MeetingStatus
from meetings.models import Meeting

PRODID = "-//CEPA Collab//Calendar feeds//EN"
REFRESH = datetime.timedelta(hours=1)
CACHE_SECONDS = 60 * 60 * 24 * 7
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Text safe for a content line: no control characters (tab and newlines are kept)."""
    return _CONTROL.sub("", text or "")


def uid(kind: str, pk: int) -> str:
    """Stable per record, includes the site's host, never changes across edits."""
    return f"{kind}-{pk}@{settings.SITE_HOST}"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


# --- events -----------------------------------------------------------------------------


def render_meeting(meeting: Meeting) -> bytes:
    event = Event()
    event.add("uid", uid("meeting", meeting.pk))
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("sequence", meeting.revision)
    zone = ZoneInfo(meeting.time_zone)
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    title = clean(meeting.title)
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("summary", _("Cancelled: %(title)s") % {"title": title})
        event.add("status", "CANCELLED")
    else:
        event.add("summary", title)
        event.add("status", meeting.status.upper())
    location = ", ".join(part for part in (clean(meeting.location), meeting.online_link) if part)
    if location:
        event.add("location", location)
    link = absolute(reverse("meetings:detail", args=[meeting.pk]))
    event.add("url", link)
    lines = [clean(meeting.description)] if meeting.description else []
    if meeting.online_link:
        lines.append(_("Online: %(link)s") % {"link": meeting.online_link})
    if meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason:
        lines.append(_("Cancelled: %(reason)s") % {"reason": clean(meeting.cancel_reason)})
    lines.append(link)
    event.add("description", "\n\n".join(lines))
    event.add("transp", "TRANSPARENT" if meeting.status == MeetingStatus.CANCELLED else "OPAQUE")
    return event.to_ical()


@dataclass(frozen=True)
class Deadline:
    """Something due on a day, shown as an all-day event that links to its page."""

    uid: str
    due: datetime.date
    summary: str
    path: str
    changed: datetime.datetime


def render_deadline(deadline: Deadline) -> bytes:
    event = Event()
    event.add("uid", deadline.uid)
    event.add("dtstamp", deadline.changed)
    event.add("last-modified", deadline.changed)
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + datetime.timedelta(days=1))
    event.add("summary", clean(deadline.summary))
    event.add("url", absolute(deadline.path))
    event.add("description", absolute(deadline.path))
    event.add("transp", "TRANSPARENT")
    return event.to_ical()


@dataclass(frozen=True)
class FeedEvent:
    """One event of a feed: its identity, its version, and how to render it on a miss."""

    key: str
    version: str
    render: Callable[[], bytes]
    tzid: str | None = None


def meeting_event(meeting: Meeting) -> FeedEvent:
    return FeedEvent(
        key=f"meeting:{meeting.pk}",
        version=f"{meeting.revision}:{meeting.updated_at.timestamp()}",
        render=lambda: render_meeting(meeting),
        tzid=meeting.time_zone,
    )


def deadline_event(deadline: Deadline) -> FeedEvent:
    return FeedEvent(
        key=f"deadline:{deadline.uid}",
        version=f"{deadline.due.isoformat()}:{deadline.changed.timestamp()}:{deadline.summary}",
        render=lambda: render_deadline(deadline),
    )


def event_bytes(item: FeedEvent, language: str) -> bytes:
    """The event's rendering, reused until the record changes."""
    key = (
        "ics:event:v1:"
        + hashlib.sha256(
            f"{item.key}|{item.version}|{language}|{settings.SITE_URL}".encode()
        ).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        with translation.override(language):
            body = item.render()
        cache.set(key, body, CACHE_SECONDS)
    return body


@memoize
def vtimezone(tzid: str) -> bytes:
    return Timezone.from_tzid(tzid).to_ical()


# --- feeds ------------------------------------------------------------------------------


@dataclass
class Feed:
    """A feed: its name, what its content depends on (`stamp`), and how to list its events."""

    key: str
    name: str
    language: str
    stamp: tuple
    events: Callable[[], Iterable[FeedEvent]]
    options: dict = field(default_factory=dict)

    @property
    def etag(self) -> str:
        digest = hashlib.sha256(
            repr(
                (self.key, self.name, self.language, self.options, self.stamp, settings.SITE_URL)
            ).encode()
        ).hexdigest()[:32]
        return f'"{digest}"'

    def last_modified(self) -> datetime.datetime:
        """The newest change among the feed's records; never earlier than an answer already
        given (a deletion makes the feed newer, not older)."""
        newest = max(
            (value for value in self.stamp if isinstance(value, datetime.datetime)),
            default=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        )
        mark_key = f"ics:lastmod:v1:{self.key}:{self.language}"
        seen = cache.get(mark_key)
        if seen is not None:
            seen_etag, seen_at = seen
            if seen_etag == self.etag:
                return seen_at
            if newest <= seen_at:
                newest = timezone.now()
        newest = newest.replace(microsecond=0)
        cache.set(mark_key, (self.etag, newest), CACHE_SECONDS)
        return newest

    def body(self) -> bytes:
        """The whole feed, reused until its ETag changes."""
        key = f"ics:feed:v1:{self.key}:{self.etag}"
        body = cache.get(key)
        if body is None:
            body = render_calendar(self.name, list(self.events()), self.language)
            cache.set(key, body, CACHE_SECONDS)
        return body


def render_calendar(name: str, events: list[FeedEvent], language: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", clean(name))
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for tzid in sorted({item.tzid for item in events if item.tzid and item.tzid != "UTC"}):
        calendar.add_component(Timezone.from_ical(vtimezone(tzid)))
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    parts = [head[: -len(end)], *(event_bytes(item, language) for item in events), end]
    return b"".join(parts)


# Changes made around the services (an administrator's edit) show in feeds within this.
STAMP_TTL = 300


def cached_stamp(key: str, sources: Callable[[], Iterable[QuerySet]]) -> tuple:
    """`stamp_of(*sources())`, recomputed only when the calendar change counter moved (every
    service that changes a meeting, participant, assignment or deliverable bumps it), the
    day changed, or STAMP_TTL passed. A poll of an unchanged feed costs one small query."""
    cache_key = f"ics:stamp:v1:{key}:{counter_value(CALENDAR)}:{timezone.localdate()}"
    stamp = cache.get(cache_key)
    if stamp is None:
        stamp = stamp_of(*sources())
        cache.set(cache_key, stamp, STAMP_TTL)
    return stamp


def stamp_of(*querysets: QuerySet) -> tuple:
    """One row that changes whenever what the querysets select changes: per queryset, the
    count, the sum of ids and of revisions, and the newest change (one query in all)."""
    values = {}
    for index, qs in enumerate(querysets):
        ids = qs.order_by().values("pk")
        model = qs.model
        has_revision = any(f.name == "revision" for f in model._meta.fields)
        values[f"n{index}"] = Coalesce(
            _subquery(ids, Count("pk")), Value(0), output_field=IntegerField()
        )
        values[f"s{index}"] = _subquery(ids, Sum("pk"))
        values[f"r{index}"] = _subquery(ids, Sum("revision")) if has_revision else Value(0)
        values[f"m{index}"] = _subquery(ids, Max("updated_at"))
    # Any small table gives one row to hang them on.
    row = Region.objects.order_by("pk").values(**values)[:1]
    first = next(iter(row), None) or {}
    return (timezone.localdate(), *(first.get(name) for name in sorted(values)))


def _subquery(ids: QuerySet, aggregate):
    model = ids.model
    return Subquery(
        model.objects.filter(pk__in=ids)
        .order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(result=aggregate)
        .values("result")[:1]
    )
