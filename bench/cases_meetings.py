"""Calendar feeds at scale, side by side with django-ical over the same events.

The ``meeting_feeds`` data set gives one CEPA member ``feed_meetings`` meetings
(default 2,000, participants only, in the feed window, in ten real time zones, some
tentative or cancelled, titles in French, Arabic and Chinese too) behind a personal
feed token, and ``public_meetings`` other, public meetings (default 5,000) for the
public feed. Our feeds are fetched over HTTP with the test `Client`
(``GET /calendar/feed/<token>.ics``, ``GET /calendar/public.ics``), through the
whole stack (rate limits, conditional requests, caches).

django-ical renders the same meetings with the same fields (its `ICalFeed`, the
Django syndication framework over `icalendar`), called as a view with a
`RequestFactory` request; it renders every event on every request by design, so
one figure per feed serves as its side of every comparison. It is installed for the
benchmark only (``requirements/bench.txt``, ``make bench``); without it the cases
that need it are not registered and the summary says so.

Targets (issue 4): a personal feed of 2,000 events (a) with nothing reused no slower
than django-ical, (b) after one event changed at least 10x faster than django-ical,
(c) unchanged under 5 ms median, (d) the 304 path under 3 ms and at most 2 queries.
The last case, ``feed_summary``, prints the ratios (medians of every call, warm-up
included) in its description and on the console.
"""

from __future__ import annotations

import datetime
import importlib.util
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bench.harness import BENCH_PASSWORD, Context, expect_ok
from bench.registry import benchmark, dataset
from cepa_collab.enums import Role
from cepa_collab.models import Branch, MemberState
from cepa_collab.services import create_person
from meetings import ics, queries, services
from meetings.enums import MeetingKind, MeetingStatus, ParticipantRole, Reply, Visibility
from meetings.models import Meeting, Participant

BATCH = 2000
HAS_DJANGO_ICAL = importlib.util.find_spec("django_ical") is not None
ZONES = [
    ("Africa/Addis_Ababa", "ETH", "Addis Ababa"),
    ("America/Port_of_Spain", "TTO", "Port of Spain"),
    ("Asia/Seoul", "KOR", "Incheon"),
    ("America/New_York", "USA", "New York"),
    ("Asia/Muscat", "OMN", "Muscat"),
    ("America/Bogota", "COL", "Bogotá"),
    ("America/Belize", "BLZ", "Belmopan"),
    ("Asia/Bahrain", "BHR", "Manama"),
    ("America/Barbados", "BRB", "Bridgetown"),
    ("America/Mexico_City", "MEX", "Mexico City"),
]
TITLES = [
    (MeetingKind.EXPERT_GROUP, "Expert group meeting on e-government"),
    (MeetingKind.WORKSHOP, "Atelier régional : e-gouvernement et services en ligne"),
    (MeetingKind.WORKSHOP, "ورشة عمل إقليمية حول الحكومة الإلكترونية"),
    (MeetingKind.SEMINAR, "电子政务专家组会议"),
    (MeetingKind.ASSESSMENT_MISSION, "Assessment mission: e-government programme"),
    (MeetingKind.CEPA_SESSION, "Session of the Committee of Experts on Public Administration"),
]
DESCRIPTION = (
    "Capacity building through e-government workshops and seminars: national ICT and "
    "e-government strategies, policies and implementation plans; the UN-emGKR country "
    "entries (e-gov policies, legal framework, institutional setting / CIO)."
)


@dataclass
class MeetingFeeds:
    member: Any  # takes part in `personal` meetings
    chief: Any  # the e-GovB chief, who may change them
    token: str  # the member's personal feed token (raw)
    personal: int
    public: int
    changed_meeting: int  # the meeting case (b) touches


def _meetings(
    rng: random.Random, count: int, now: datetime.datetime, chief, branch, countries, *, public
) -> list[Meeting]:
    # Spread over the feed window: from 85 days back to 535 days ahead.
    span = (queries.FEED_PAST + queries.FEED_FUTURE - datetime.timedelta(days=18)).total_seconds()
    first = now - queries.FEED_PAST + datetime.timedelta(days=5)
    meetings = []
    for i in range(count):
        zone, iso3, city = ZONES[i % len(ZONES)]
        kind, title = TITLES[i % len(TITLES)]
        start = first + datetime.timedelta(seconds=int(span * i / count))
        local = start.astimezone(ZoneInfo(zone)).replace(hour=9, minute=0, second=0, microsecond=0)
        roll = rng.random()
        status = (
            MeetingStatus.CANCELLED
            if roll < 0.02
            else MeetingStatus.TENTATIVE
            if roll < 0.12
            else MeetingStatus.CONFIRMED
        )
        cancelled = status == MeetingStatus.CANCELLED
        meetings.append(
            Meeting(
                kind=kind,
                title=f"{title} #{i}",
                description=DESCRIPTION,
                branch=branch,
                country=countries[iso3],
                start=local,
                end=local + datetime.timedelta(days=rng.randint(0, 2), hours=8),
                time_zone=zone,
                location=f"{city}, conference room {i % 7 + 1}",
                online_link=f"https://meet.example.org/m{i}" if i % 3 == 0 else "",
                visibility=Visibility.PUBLIC if public else Visibility.PARTICIPANTS,
                status=status,
                revision=rng.randint(0, 3) + int(cancelled),
                cancel_reason="Postponed at the host's request." if cancelled else "",
                cancelled_at=now - datetime.timedelta(days=3) if cancelled else None,
                created_by=chief,
            )
        )
    return meetings


@dataset("meeting_feeds", scale={"feed_meetings": 2_000, "public_meetings": 5_000})
def build_meeting_feeds(ctx: Context, prefix: str = "mt") -> MeetingFeeds:
    """One member's meetings (personal feed) and the public meetings, by bulk inserts (by
    people whose logins start with `prefix`: another data set builds its own copy)."""
    rng = random.Random(2026)
    now = timezone.now()
    branch = Branch.objects.get(code="e-govb")
    countries = {state.iso3: state for state in MemberState.objects.all()}

    with transaction.atomic():

        def make(username: str, role: Role, **kwargs) -> Any:
            return create_person(
                username=username,
                email=f"{username}@example.org",
                first_name=username.split("_")[1].title(),
                last_name="Bench",
                password=BENCH_PASSWORD,
                roles=[role],
                **kwargs,
            )

        chief = make(f"{prefix}_chief", Role.BRANCH_CHIEF, branch=branch)
        member = make(
            f"{prefix}_member", Role.CEPA_MEMBER, country=countries["GHA"], time_zone="Africa/Accra"
        )
        personal = Meeting.objects.bulk_create(
            _meetings(rng, ctx.scale["feed_meetings"], now, chief, branch, countries, public=False),
            batch_size=BATCH,
        )
        public = Meeting.objects.bulk_create(
            _meetings(
                rng, ctx.scale["public_meetings"], now, chief, branch, countries, public=True
            ),
            batch_size=BATCH,
        )
        replies = [Reply.ACCEPTED, Reply.ACCEPTED, Reply.TENTATIVE, Reply.INVITED]
        Participant.objects.bulk_create(
            [
                *(
                    Participant(
                        meeting=m, user=member, role=ParticipantRole.EXPERT, reply=replies[i % 4]
                    )
                    for i, m in enumerate(personal)
                ),
                *(
                    Participant(meeting=m, user=chief, role=ParticipantRole.SECRETARIAT)
                    for m in personal
                ),
                *(
                    Participant(meeting=m, name="Focal point", email="focal@example.org")
                    for m in public[::5]
                ),
            ],
            batch_size=BATCH,
        )
        token = services.reset_token(member, "personal")
    # Confirmed and upcoming, in the middle of the feed.
    changed = next(
        m.pk
        for m in personal[len(personal) // 2 :] + personal
        if m.status == MeetingStatus.CONFIRMED
    )
    return MeetingFeeds(
        member=member,
        chief=chief,
        token=token,
        personal=queries.personal_feed_meetings(member).count(),
        public=queries.public_feed_meetings().count(),
        changed_meeting=changed,
    )


# --- timings kept for the summary ----------------------------------------------------------

_calls: dict[str, list[float]] = defaultdict(list)


def _timed(label: str, func: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    try:
        return func()
    finally:
        _calls[label].append((time.perf_counter() - start) * 1000.0)


def _median(label: str) -> float | None:
    values = _calls.get(label)
    return statistics.median(values) if values else None


# --- our feeds, over HTTP ----------------------------------------------------------------------


@dataclass
class FeedClient:
    client: Client
    path: str
    data: MeetingFeeds
    etag: str = ""
    changes: int = 0
    extra: dict = field(default_factory=dict)


def _no_rate_limits() -> None:
    # One client polls as fast as it can: that is what is measured, not the limiter (which
    # still counts every request).
    settings.FEED_RATE_LIMIT_PER_TOKEN = 10**9
    settings.FEED_RATE_LIMIT_PER_ADDRESS = 10**9


def _personal(ctx: Context) -> FeedClient:
    _no_rate_limits()
    data = ctx.data["meeting_feeds"]
    path = reverse("meetings:personal_feed", args=[data.token])
    return FeedClient(Client(), path, data)


def _public(ctx: Context) -> FeedClient:
    _no_rate_limits()
    return FeedClient(Client(), reverse("meetings:public_feed"), ctx.data["meeting_feeds"])


def _get(state: FeedClient, label: str, status: int = 200, **headers) -> Any:
    response = _timed(label, lambda: state.client.get(state.path, headers=headers or None))
    return expect_ok(response, status)


@benchmark(
    "personal_feed_cold",
    "(a) personal feed, {feed_meetings:,} events, nothing reused (cache cleared first)",
    setup=_personal,
    needs=("meeting_feeds",),
)
def personal_feed_cold(state: FeedClient) -> None:
    cache.clear()
    _get(state, "personal_cold")


@benchmark(
    "personal_feed_one_changed",
    "(b) personal feed, {feed_meetings:,} events, one changed by services.update_meeting "
    "first (the update is timed too)",
    setup=_personal,
    needs=("meeting_feeds",),
)
def personal_feed_one_changed(state: FeedClient) -> None:
    state.changes += 1
    data = state.data
    _timed(
        "personal_update",
        lambda: services.update_meeting(
            data.chief, data.changed_meeting, location=f"Conference room {state.changes}"
        ),
    )
    _get(state, "personal_one_changed")


@benchmark(
    "personal_feed_warm",
    "(c) personal feed, {feed_meetings:,} events, unchanged",
    setup=_personal,
    needs=("meeting_feeds",),
)
def personal_feed_warm(state: FeedClient) -> None:
    _get(state, "personal_warm")


def _personal_with_etag(ctx: Context) -> FeedClient:
    state = _personal(ctx)
    state.etag = expect_ok(state.client.get(state.path))["ETag"]
    return state


@benchmark(
    "personal_feed_304",
    "(d) personal feed, {feed_meetings:,} events, If-None-Match with the current ETag (304)",
    setup=_personal_with_etag,
    needs=("meeting_feeds",),
)
def personal_feed_304(state: FeedClient) -> None:
    _get(state, "personal_304", 304, if_none_match=state.etag)


@benchmark(
    "public_feed_cold",
    "public feed, {public_meetings:,} meetings, nothing reused (cache cleared first)",
    setup=_public,
    needs=("meeting_feeds",),
)
def public_feed_cold(state: FeedClient) -> None:
    cache.clear()
    _get(state, "public_cold")


@benchmark(
    "public_feed_warm",
    "public feed, {public_meetings:,} meetings, unchanged",
    setup=_public,
    needs=("meeting_feeds",),
)
def public_feed_warm(state: FeedClient) -> None:
    _get(state, "public_warm")


# --- the same events through django-ical ------------------------------------------------------


def _django_ical_feeds() -> tuple[type, type]:
    """Two `ICalFeed`s with the fields of `meetings.ics.render_meeting` (django-ical
    writes no VTIMEZONE: its start and end carry the meeting's zone as a TZID only)."""
    from django.core.exceptions import ObjectDoesNotExist
    from django_ical.views import ICalFeed

    class MeetingICalFeed(ICalFeed):
        product_id = ics.PRODID
        ttl = "PT1H"

        def items(self, obj):
            return self.meetings(obj).order_by("start", "pk")

        def item_guid(self, meeting: Meeting) -> str:
            return ics.uid("meeting", meeting.pk)

        def item_title(self, meeting: Meeting) -> str:
            title = ics.clean(meeting.title)
            if meeting.status == MeetingStatus.CANCELLED:
                return _("Cancelled: %(title)s") % {"title": title}
            return title

        def item_link(self, meeting: Meeting) -> str:
            return ics.absolute(reverse("meetings:detail", args=[meeting.pk]))

        def item_description(self, meeting: Meeting) -> str:
            lines = [ics.clean(meeting.description)] if meeting.description else []
            if meeting.online_link:
                lines.append(_("Online: %(link)s") % {"link": meeting.online_link})
            if meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason:
                reason = ics.clean(meeting.cancel_reason)
                lines.append(_("Cancelled: %(reason)s") % {"reason": reason})
            lines.append(self.item_link(meeting))
            return "\n\n".join(lines)

        def item_start_datetime(self, meeting: Meeting) -> datetime.datetime:
            return meeting.start.astimezone(ZoneInfo(meeting.time_zone))

        def item_end_datetime(self, meeting: Meeting) -> datetime.datetime:
            return meeting.end.astimezone(ZoneInfo(meeting.time_zone))

        def item_location(self, meeting: Meeting) -> str:
            parts = (ics.clean(meeting.location), meeting.online_link)
            return ", ".join(part for part in parts if part)

        def item_updateddate(self, meeting: Meeting) -> datetime.datetime:
            return meeting.updated_at

        def item_timestamp(self, meeting: Meeting) -> datetime.datetime:
            return meeting.updated_at

        def item_created(self, meeting: Meeting) -> datetime.datetime:
            return meeting.created_at

        def item_status(self, meeting: Meeting) -> str:
            return meeting.status.upper()

        def item_transparency(self, meeting: Meeting) -> str:
            return "TRANSPARENT" if meeting.status == MeetingStatus.CANCELLED else "OPAQUE"

        def item_extra_kwargs(self, meeting: Meeting) -> dict:
            return {**super().item_extra_kwargs(meeting), "sequence": meeting.revision}

    class PersonalICalFeed(MeetingICalFeed):
        title = "CEPA Collab: my meetings and deadlines"

        def get_object(self, request, token: str):
            found = services.token_for(token, "personal")
            if found is None:
                raise ObjectDoesNotExist
            return found.user

        def meetings(self, user):
            return queries.personal_feed_meetings(user)

    class PublicICalFeed(MeetingICalFeed):
        title = "CEPA Collab: public meetings"

        def meetings(self, _obj):
            return queries.public_feed_meetings()

    return PersonalICalFeed, PublicICalFeed


@dataclass
class ICalState:
    view: Any
    path: str
    kwargs: dict


def _ical_personal(ctx: Context) -> ICalState:
    personal, _public = _django_ical_feeds()
    data = ctx.data["meeting_feeds"]
    return ICalState(personal(), f"/django-ical/feed/{data.token}.ics", {"token": data.token})


def _ical_public(ctx: Context) -> ICalState:
    _personal, public = _django_ical_feeds()
    return ICalState(public(), "/django-ical/public.ics", {})


def _ical_get(state: ICalState, label: str) -> None:
    request = RequestFactory().get(state.path)
    response = _timed(label, lambda: state.view(request, **state.kwargs))
    if response.status_code != 200 or not response.content.startswith(b"BEGIN:VCALENDAR"):
        raise AssertionError(f"django-ical answered {response.status_code}")


if HAS_DJANGO_ICAL:

    @benchmark(
        "django_ical_personal_feed",
        "django-ical: the same personal feed, {feed_meetings:,} events (rendered every time)",
        setup=_ical_personal,
        needs=("meeting_feeds",),
    )
    def django_ical_personal_feed(state: ICalState) -> None:
        _ical_get(state, "ical_personal")

    @benchmark(
        "django_ical_public_feed",
        "django-ical: the same public feed, {public_meetings:,} meetings (rendered every time)",
        setup=_ical_public,
        needs=("meeting_feeds",),
    )
    def django_ical_public_feed(state: ICalState) -> None:
        _ical_get(state, "ical_public")


# --- the summary ---------------------------------------------------------------------------------


def _ratio(ours: str, theirs: str) -> str:
    mine, other = _median(ours), _median(theirs)
    if not mine or not other:
        return "n/a"
    return f"{other / mine:.1f}x"


def summary() -> str:
    """The ratios of django-ical's median to ours (above 1: ours is faster)."""
    if not HAS_DJANGO_ICAL:
        return (
            "feeds vs django-ical: not measured, django-ical is not installed "
            "(pip install -r requirements/bench.txt, as make bench does)"
        )
    update = _median("personal_update")
    return (
        "django-ical median / ours (above 1: ours faster): personal "
        f"(a) {_ratio('personal_cold', 'ical_personal')}, "
        f"(b) {_ratio('personal_one_changed', 'ical_personal')} (the GET; the update before "
        f"it took {update or 0:.1f} ms), (c) {_ratio('personal_warm', 'ical_personal')}, "
        f"(d) {_ratio('personal_304', 'ical_personal')}; public cold "
        f"{_ratio('public_cold', 'ical_public')}, warm {_ratio('public_warm', 'ical_public')}"
    )


class _SummaryText(str):
    """A description computed when the case starts, after the cases it compares have run."""

    def format_map(self, mapping) -> str:  # the scale is not used
        return summary()


def _print_summary(ctx: Context) -> None:
    print(f"bench: {summary()}", flush=True)


@benchmark(
    "feed_summary",
    _SummaryText("feeds vs django-ical"),
    setup=_print_summary,
    needs=("meeting_feeds",),
)
def feed_summary(_state) -> None:
    """Nothing to time: the row carries the ratios."""
