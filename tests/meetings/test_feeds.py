"""The calendar feeds over HTTP, parsed back with `icalendar` and with the strict `ical`.

Every feed is read the way calendar clients read it: plain GET (no Accept header, as
Google sends), conditional GET with the ETag or date of the last answer, HEAD. The cast:
the branch staff member who schedules meetings (`staff`), a CEPA member who takes part
and reviews (`cepa_member`), another branch's staff, anonymous.
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date
from ical.calendar_stream import IcsCalendarStream

from cepa_collab.enums import Role
from meetings import ics, services
from meetings.enums import MeetingKind, MeetingStatus, Reply, TokenKind, Visibility
from meetings.log_filters import RedactFeedTokens, redact
from meetings.models import CalendarToken, Meeting, Participant
from notifications.services import muted
from tests.factories import PDF_BYTES, branch, person
from workflows import services as workflow_services
from workflows.enums import DeliverableKind, ProductKind

NOW = datetime.datetime(2026, 3, 2, 12, 0, 15, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fixed_time():
    """A fixed 'now' (tick=False), so that dates and stamps are exact."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- helpers ------------------------------------------------------------------------------


def parse(body: bytes) -> tuple[icalendar.Calendar, object]:
    """The feed parsed by `icalendar` (no recorded errors) and by the strict `ical`."""
    lenient = icalendar.Calendar.from_ical(body)
    assert [component.errors for component in lenient.walk() if component.errors] == []
    strict = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return lenient, strict


def vevents(body: bytes) -> list[icalendar.Event]:
    return parse(body)[0].walk("VEVENT")


def summaries(body: bytes) -> list[str]:
    lenient, strict = parse(body)
    found = [str(event["SUMMARY"]) for event in lenient.walk("VEVENT")]
    assert [event.summary for event in strict.events] == found
    return found


def schedule(
    actor,
    *,
    title: str = "Expert group meeting on e-government",
    days: int = 10,
    hour: int = 9,
    time_zone: str = "UTC",
    visibility: str = Visibility.PUBLIC,
    **fields,
) -> Meeting:
    zone = ZoneInfo(time_zone)
    day = NOW.date() + datetime.timedelta(days=days)
    start = datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=zone)
    return services.create_meeting(
        actor,
        kind=MeetingKind.EXPERT_GROUP,
        title=title,
        branch=branch("e-govb"),
        start=start,
        end=start + datetime.timedelta(hours=3),
        time_zone=time_zone,
        visibility=visibility,
        **fields,
    )


def many_meetings(actor, count: int, participant=None) -> list[Meeting]:
    """`count` meetings in one go (and the participant in each of them)."""
    meetings = Meeting.objects.bulk_create(
        Meeting(
            kind=MeetingKind.WORKSHOP,
            title=f"Regional workshop {number}",
            branch=branch("e-govb"),
            start=NOW + datetime.timedelta(days=number + 1),
            end=NOW + datetime.timedelta(days=number + 1, hours=2),
            time_zone="Africa/Addis_Ababa",
            created_by=actor,
        )
        for number in range(count)
    )
    if participant is not None:
        Participant.objects.bulk_create(
            Participant(meeting=meeting, user=participant) for meeting in meetings
        )
    return meetings


def public_url(**query) -> str:
    url = reverse("meetings:public_feed")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def personal_url(raw: str) -> str:
    return reverse("meetings:personal_feed", args=[raw])


def branch_url(raw: str) -> str:
    return reverse("meetings:branch_feed", args=[raw])


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_ics", args=[meeting.pk])


@pytest.fixture
def attending(staff, cepa_member):
    """A meeting the CEPA member takes part in."""
    meeting = schedule(staff, title="Expert group meeting on e-government")
    services.add_participant(staff, meeting, user=cepa_member)
    return meeting


@pytest.fixture
def raw_token(cepa_member):
    return services.reset_token(cepa_member)


# The review workflow, as tests/workflows/test_services.py sets it up.


@pytest.fixture
def deliverable(staff, chief):
    product = workflow_services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
        lead=chief,
    )
    return workflow_services.create_deliverable(
        staff,
        product=product,
        owner=staff,
        title="Chapter 3: Digital government",
        kind=DeliverableKind.CHAPTER,
        due_date=NOW.date() + datetime.timedelta(days=60),
    )


@pytest.fixture
def assignment(deliverable, staff, cepa_member):
    """The deliverable in review, with the CEPA member assigned (due in 14 days)."""
    drafting = workflow_services.fire_transition(staff, deliverable, "start_drafting")
    upload = SimpleUploadedFile("draft-1.pdf", PDF_BYTES, content_type="application/pdf")
    workflow_services.upload_version(staff, drafting, upload)
    in_review = workflow_services.fire_transition(staff, drafting, "submit_for_review")
    due = NOW.date() + datetime.timedelta(days=14)
    [assigned] = workflow_services.assign_reviewers(staff, in_review, [cepa_member], due)
    return assigned


# --- HTTP: content type, Accept, compression, caching -------------------------------------


def test_public_feed_served_as_calendar_without_login(client, staff):
    # given a public and a participants-only meeting
    schedule(staff, title="CEPA session")
    schedule(staff, title="Closed briefing", visibility=Visibility.PARTICIPANTS)

    # when anonymous reads the public feed
    response = client.get(public_url())

    # then it is a calendar of the public meeting only, served inline and publicly cacheable
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300, no-transform"
    assert "Content-Encoding" not in response
    assert "Content-Disposition" not in response
    assert summaries(response.content) == ["CEPA session"]


def test_feed_header_lines_exact_bytes(client, staff):
    schedule(staff)

    body = client.get(public_url()).content

    assert b"\r\nMETHOD:PUBLISH\r\n" in body
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert b"\r\nX-WR-CALNAME:CEPA Collab: public meetings\r\n" in body
    lenient, strict = parse(body)
    assert strict.refresh_interval == datetime.timedelta(hours=1)
    assert str(lenient["METHOD"]) == "PUBLISH"


def test_feed_same_whatever_the_accept_header(client, staff):
    # given a meeting
    schedule(staff)

    # when the feed is asked for with no Accept header (Google) and with Accept: text/html
    bare = client.get(public_url())
    html = client.get(public_url(), HTTP_ACCEPT="text/html,application/xhtml+xml")

    # then both get the same calendar
    assert (bare.status_code, html.status_code) == (200, 200)
    assert html["Content-Type"] == "text/calendar; charset=utf-8"
    assert html.content == bare.content


def test_feed_not_compressed_even_with_gzip_middleware(client, settings, staff, raw_token):
    # given GZipMiddleware in the stack and a client that accepts gzip
    settings.MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *settings.MIDDLEWARE]
    many_meetings(staff, 5)

    # when feeds are read
    public = client.get(public_url(), HTTP_ACCEPT_ENCODING="gzip, deflate")
    personal = client.get(personal_url(raw_token), HTTP_ACCEPT_ENCODING="gzip")

    # then nothing is compressed
    assert (public.status_code, personal.status_code) == (200, 200)
    assert "Content-Encoding" not in public
    assert "Content-Encoding" not in personal
    assert len(summaries(public.content)) == 5


def test_feed_refuses_post(client):
    response = client.post(public_url())

    assert response.status_code == 405


# --- events: UID, SEQUENCE, identical bytes ------------------------------------------------


def test_feed_uid_stable_across_renders_and_edit(client, staff):
    # given a meeting
    meeting = schedule(staff)
    expected = f"meeting-{meeting.pk}@{settings.SITE_HOST}"

    # when the feed is rendered twice from scratch, and again after an edit
    first = client.get(public_url()).content
    from django.core.cache import cache

    cache.clear()
    second = client.get(public_url()).content
    services.update_meeting(staff, meeting, title="Expert group meeting (revised)")
    third = client.get(public_url()).content

    # then the UID never changes, and the strict parser reads the same
    for body in (first, second, third):
        lenient, strict = parse(body)
        assert [str(event["UID"]) for event in lenient.walk("VEVENT")] == [expected]
        assert [event.uid for event in strict.events] == [expected]
    assert summaries(third) == ["Expert group meeting (revised)"]


def test_feed_sequence_grows_after_time_change(client, staff):
    # given a meeting already read by a client
    meeting = schedule(staff)
    before = vevents(client.get(public_url()).content)[0]

    # when its time changes
    services.update_meeting(
        staff,
        meeting,
        start=meeting.start + datetime.timedelta(hours=1),
        end=meeting.end + datetime.timedelta(hours=1),
    )
    body = client.get(public_url()).content

    # then its SEQUENCE grew and DTSTART moved
    after = vevents(body)[0]
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)
    assert parse(body)[1].events[0].sequence == 1
    assert after.decoded("DTSTART") == meeting.start + datetime.timedelta(hours=1)


def test_feed_unchanged_renders_identical_bytes(client, staff):
    # given meetings
    many_meetings(staff, 3)
    schedule(staff, title="Atelier régional", time_zone="America/Port_of_Spain")

    # when the feed is rendered twice with nothing reused in between
    first = client.get(public_url()).content
    from django.core.cache import cache

    cache.clear()
    ics.vtimezone.cache_clear()
    second = client.get(public_url()).content

    # then the bytes are identical (DTSTAMP and LAST-MODIFIED come from the records)
    assert second == first
    event = vevents(first)[-1]
    meeting = Meeting.objects.get(title="Atelier régional")
    assert event.decoded("DTSTAMP") == meeting.updated_at.replace(microsecond=0)
    assert event.decoded("LAST-MODIFIED") == meeting.updated_at.replace(microsecond=0)


# --- cancelled meetings ---------------------------------------------------------------------


def test_feed_cancelled_meeting_kept_marked(client, staff):
    # given a cancelled meeting
    meeting = schedule(staff, title="Regional workshop", days=40)
    services.cancel_meeting(staff, meeting, "Venue unavailable")

    # when the feed is read
    body = client.get(public_url()).content

    # then the meeting stays, marked cancelled
    lenient, strict = parse(body)
    [event] = lenient.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelled: Regional workshop"
    assert int(event["SEQUENCE"]) == 1
    assert [e.status.value for e in strict.events] == ["CANCELLED"]


def test_feed_cancelled_hidden_with_option(client, staff):
    # given a cancelled and a confirmed meeting
    cancelled = schedule(staff, title="Regional workshop", days=40)
    services.cancel_meeting(staff, cancelled, "Venue unavailable")
    schedule(staff, title="CEPA session", days=41)

    # when the feed is read with ?cancelled=0
    response = client.get(public_url(cancelled=0))

    # then only the confirmed meeting is there
    assert summaries(response.content) == ["CEPA session"]
    assert summaries(client.get(public_url()).content) == [
        "Cancelled: Regional workshop",
        "CEPA session",
    ]


def test_feed_cancelled_gone_after_30_days(client, staff, _fixed_time):
    # given a meeting cancelled today, read once
    meeting = schedule(staff, title="Regional workshop", days=60)
    services.cancel_meeting(staff, meeting, "Postponed")
    assert summaries(client.get(public_url()).content) == ["Cancelled: Regional workshop"]

    # when 29 and then 31 days pass
    _fixed_time.shift(datetime.timedelta(days=29))
    day_29 = client.get(public_url()).content
    _fixed_time.shift(datetime.timedelta(days=2))
    day_31 = client.get(public_url()).content

    # then it is kept for 30 days and gone after
    assert summaries(day_29) == ["Cancelled: Regional workshop"]
    assert summaries(day_31) == []


# --- time zones -----------------------------------------------------------------------------


ZONES = ["Africa/Addis_Ababa", "America/Port_of_Spain", "Asia/Seoul"]


def test_feed_time_zones_right(client, staff):
    # given meetings at 09:00 local time in three time zones
    meetings = {
        zone: schedule(staff, title=f"Workshop in {zone}", days=5 + n, time_zone=zone)
        for n, zone in enumerate(ZONES)
    }

    # when the feed is read
    body = client.get(public_url()).content
    lenient, strict = parse(body)

    # then each DTSTART is the stored instant, at 09:00 in the meeting's own TZID
    for event in lenient.walk("VEVENT"):
        meeting = next(m for m in meetings.values() if str(event["SUMMARY"]) == m.title)
        assert event["DTSTART"].params["TZID"] == meeting.time_zone
        start = event.decoded("DTSTART")
        assert start == meeting.start
        assert start.astimezone(ZoneInfo(meeting.time_zone)).time() == datetime.time(9, 0)
        assert event.decoded("DTEND") == meeting.end
    for event in strict.events:
        meeting = next(m for m in meetings.values() if event.summary == m.title)
        assert event.dtstart == meeting.start
        assert event.dtend == meeting.end
    # and a VTIMEZONE for every TZID used
    assert sorted(str(tz["TZID"]) for tz in lenient.walk("VTIMEZONE")) == sorted(ZONES)
    assert sorted(tz.tz_id for tz in strict.timezones) == sorted(ZONES)
    assert [m.start.astimezone(datetime.UTC).hour for m in meetings.values()] == [6, 13, 0]


# --- text -----------------------------------------------------------------------------------


def test_feed_non_ascii_and_control_characters(client, staff):
    # given titles in Arabic, Chinese and French, one with a control character
    arabic = "اجتماع فريق الخبراء المعني بالحكومة الإلكترونية في المنطقة العربية"
    chinese = "亚太区域电子政务研讨会：数字政府与公共服务创新"
    french = "Atelier régional sur la gouvernance numérique à Genève — « É-gouvernement »"
    schedule(staff, title=arabic, days=3, description=arabic * 3)
    schedule(staff, title=chinese, days=4, location="北京")
    schedule(staff, title=french + "\x07", days=5)

    # when the feed is read
    body = client.get(public_url()).content

    # then both parsers read the texts back intact, without the control character
    assert b"\x07" not in body
    assert summaries(body) == [arabic, chinese, french]
    lenient, strict = parse(body)
    assert strict.events[0].description.startswith(arabic * 3)
    assert str(lenient.walk("VEVENT")[1]["LOCATION"]) == "北京"
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


# --- the personal feed ------------------------------------------------------------------------


def test_personal_feed_shows_meetings_taken_part_in(client, staff, cepa_member, attending):
    # given a meeting the member takes part in, a declined one, and one without them
    declined = schedule(staff, title="Declined workshop", days=11)
    services.add_participant(staff, declined, user=cepa_member)
    services.set_reply(cepa_member, declined, Reply.DECLINED)
    schedule(staff, title="Public seminar", days=12)
    schedule(staff, title="Closed briefing", days=13, visibility=Visibility.PARTICIPANTS)
    raw = services.reset_token(cepa_member)

    # when the personal feed is read
    response = client.get(personal_url(raw))

    # then it holds only the meeting they take part in, privately cached
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=0, no-transform"
    assert summaries(response.content) == ["Expert group meeting on e-government"]
    assert b"X-WR-CALNAME:CEPA Collab: my meetings and deadlines\r\n" in response.content


def test_personal_feed_deadlines_all_day_linking_back(client, staff, cepa_member, assignment):
    # given a review assignment (the member) and an owned deliverable (staff)
    reviewer_raw = services.reset_token(cepa_member)
    owner_raw = services.reset_token(staff)

    # when each reads their feed
    reviewer_body = client.get(personal_url(reviewer_raw)).content
    owner_body = client.get(personal_url(owner_raw)).content

    # then the deadlines are all-day events that link to their pages
    assert b"DTSTART;VALUE=DATE:20260316\r\n" in reviewer_body
    [review] = vevents(reviewer_body)
    assert str(review["SUMMARY"]) == "Review due: Chapter 3: Digital government"
    assert review.decoded("DTSTART") == datetime.date(2026, 3, 16)
    assert review.decoded("DTEND") == datetime.date(2026, 3, 17)
    assert str(review["UID"]) == f"review-{assignment.pk}@{settings.SITE_HOST}"
    assert str(review["URL"]) == f"{settings.SITE_URL}/reviews/{assignment.pk}/"
    assert parse(reviewer_body)[1].events[0].dtstart == datetime.date(2026, 3, 16)
    [due] = vevents(owner_body)
    assert str(due["SUMMARY"]) == "Due: Chapter 3: Digital government"
    assert due.decoded("DTSTART") == datetime.date(2026, 5, 1)
    assert str(due["URL"]) == (f"{settings.SITE_URL}/deliverables/{assignment.deliverable_id}/")


def test_personal_feed_withdrawn_assignment_disappears(client, staff, cepa_member, assignment):
    # given a reviewer whose feed shows the assignment
    raw = services.reset_token(cepa_member)
    first = client.get(personal_url(raw))
    assert summaries(first.content) == ["Review due: Chapter 3: Digital government"]

    # when the owner withdraws it
    workflow_services.withdraw_assignment(staff, assignment, reason="Conflict of interest")
    response = client.get(personal_url(raw), HTTP_IF_NONE_MATCH=first["ETag"])

    # then the feed changed (no 304) and the deadline is gone
    assert response.status_code == 200
    assert summaries(response.content) == []


def test_personal_feed_renamed_deliverable_changes_review_deadline(
    locmem_cache, client, staff, cepa_member, assignment, _fixed_time
):
    # given a reviewer who read their feed
    raw = services.reset_token(cepa_member)
    first = client.get(personal_url(raw))

    # when the deliverable is renamed later, around the services (as the admin does), and
    # the stamp's time to live passes (the assignment itself does not change)
    from workflows.models import Deliverable

    _fixed_time.shift(datetime.timedelta(minutes=5))
    Deliverable.objects.filter(pk=assignment.deliverable_id).update(
        title="Chapter 3: Digital public services", updated_at=timezone.now()
    )
    response = client.get(personal_url(raw), HTTP_IF_NONE_MATCH=first["ETag"])

    # then the feed shows the new title
    assert response.status_code == 200
    assert summaries(response.content) == ["Review due: Chapter 3: Digital public services"]


def test_personal_feed_token_reset_old_url_404(client, cepa_member, attending, raw_token):
    # given a working feed URL
    assert client.get(personal_url(raw_token)).status_code == 200

    # when the token is reset
    new_raw = services.reset_token(cepa_member)

    # then the old URL answers 404 at once, the new one works
    old = client.get(personal_url(raw_token))
    assert (old.status_code, old["Content-Type"]) == (404, "text/plain")
    assert summaries(client.get(personal_url(new_raw)).content) == [attending.title]


def test_personal_feed_revoked_or_unknown_token_404(client, cepa_member, raw_token):
    services.revoke_token(cepa_member)

    assert client.get(personal_url(raw_token)).status_code == 404
    assert client.get(personal_url("x" * 43)).status_code == 404
    assert client.get(personal_url("x" * 120)).status_code == 404


def test_personal_feed_branch_token_is_not_personal(client, staff):
    raw = services.reset_token(staff, TokenKind.BRANCH)

    assert client.get(personal_url(raw)).status_code == 404
    assert client.get(branch_url(raw)).status_code == 200


def test_personal_feed_deactivated_user_404(client, cepa_member, attending, raw_token):
    # given a user whose feed works
    assert client.get(personal_url(raw_token)).status_code == 200

    # when the user is deactivated
    cepa_member.is_active = False
    cepa_member.save(update_fields=["is_active"])

    # then their feed answers 404
    assert client.get(personal_url(raw_token)).status_code == 404


def test_personal_feed_records_last_use(client, cepa_member, raw_token, _fixed_time):
    # given a token never used
    token = CalendarToken.objects.get(user=cepa_member, revoked_at__isnull=True)
    assert token.last_used_at is None

    # when the feed is read
    client.get(personal_url(raw_token))

    # then its last use is recorded
    token.refresh_from_db()
    assert token.last_used_at == NOW


def test_personal_feed_in_profile_language(client, staff, monkeypatch):
    # given a French-speaking participant
    francophone = person(Role.CEPA_MEMBER, username="claire", country="SEN", language="fr")
    meeting = schedule(staff)
    with muted():  # no invitation: its calendar file would render the event before the feed
        services.add_participant(staff, meeting, user=francophone)
    raw = services.reset_token(francophone)
    seen = []
    render = ics.render_meeting

    def spy(meeting):
        seen.append(translation.get_language())
        return render(meeting)

    monkeypatch.setattr(ics, "render_meeting", spy)

    # when their feed is read by a client that asks for English
    response = client.get(personal_url(raw), HTTP_ACCEPT_LANGUAGE="en")

    # then the events are rendered in French, and the public feed in the site's language
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert seen == ["fr"]
    client.get(public_url(), HTTP_ACCEPT_LANGUAGE="fr")
    assert seen == ["fr", settings.LANGUAGE_CODE]


# --- the branch feed ----------------------------------------------------------------------


def test_branch_feed_meetings_and_deadlines_of_branch(client, staff, other_branch_staff, chief):
    # given meetings of the branch (one participants-only), one of another branch, and a
    # deliverable of the branch
    schedule(staff, title="Branch retreat", visibility=Visibility.PARTICIPANTS)
    schedule(staff, title="CEPA session", days=11)
    services.create_meeting(
        other_branch_staff,
        kind=MeetingKind.SEMINAR,
        title="PACB seminar",
        branch=branch("pacb"),
        start=NOW + datetime.timedelta(days=3),
        end=NOW + datetime.timedelta(days=3, hours=1),
    )
    product = workflow_services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.REPORT, title="Report", lead=chief
    )
    workflow_services.create_deliverable(
        staff,
        product=product,
        owner=staff,
        title="Annex",
        kind=DeliverableKind.OTHER,
        due_date=NOW.date() + datetime.timedelta(days=20),
    )
    raw = services.reset_token(staff, TokenKind.BRANCH)

    # when the branch feed is read
    response = client.get(branch_url(raw))

    # then it holds the branch's meetings and the deliverable's due date
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=0, no-transform"
    assert summaries(response.content) == ["Branch retreat", "CEPA session", "Due: Annex"]


def test_branch_feed_404_once_user_leaves_branch(client, staff):
    # given a branch token
    raw = services.reset_token(staff, TokenKind.BRANCH)
    assert client.get(branch_url(raw)).status_code == 200

    # when the user moves to another branch
    from cepa_collab.models import Profile

    Profile.objects.filter(user=staff).update(branch=branch("pacb"))

    # then the branch feed answers 404
    assert client.get(branch_url(raw)).status_code == 404


def test_branch_feed_personal_token_404(client, raw_token):
    assert client.get(branch_url(raw_token)).status_code == 404


# --- one meeting -----------------------------------------------------------------------------


def test_meeting_file_download_named_after_meeting(client, staff):
    meeting = schedule(staff, title="CEPA 25th session")

    response = client.get(meeting_url(meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cepa-25th-session.ics"'
    assert response["Cache-Control"] == "private, max-age=0, no-transform"
    assert summaries(response.content) == ["CEPA 25th session"]


def test_meeting_file_non_latin_title_named_by_id(client, staff):
    meeting = schedule(staff, title="电子政务研讨会")

    response = client.get(meeting_url(meeting))

    assert response["Content-Disposition"] == (f'attachment; filename="meeting-{meeting.pk}.ics"')


def test_meeting_file_participants_only(client, staff, cepa_member, other_branch_staff):
    # given a participants-only meeting with the CEPA member taking part
    meeting = schedule(staff, title="Closed briefing", visibility=Visibility.PARTICIPANTS)
    services.add_participant(staff, meeting, user=cepa_member)
    outsider = person(Role.CEPA_MEMBER, username="chen", country="CHN")

    # then anonymous, an outsider and another branch's staff get 404 for the same request
    assert client.get(meeting_url(meeting)).status_code == 404
    for user in (outsider, other_branch_staff):
        client.force_login(user)
        assert client.get(meeting_url(meeting)).status_code == 404
    # and the participant and the branch's staff get the file
    for user in (cepa_member, staff):
        client.force_login(user)
        response = client.get(meeting_url(meeting))
        assert response.status_code == 200
        assert summaries(response.content) == ["Closed briefing"]


def test_meeting_file_unknown_404(client, db):
    assert client.get(reverse("meetings:meeting_ics", args=[999999])).status_code == 404


# --- conditional requests, HEAD ---------------------------------------------------------------


@pytest.fixture
def polled(client, cepa_member, attending, raw_token):
    """The personal feed after a first poll: (url, first response)."""
    url = personal_url(raw_token)
    return url, client.get(url)


def test_feed_304_when_etag_matches(client, polled):
    url, first = polled

    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert response["Last-Modified"] == first["Last-Modified"]
    assert response["Cache-Control"] == "private, max-age=0, no-transform"
    # a 304 states the length of the 200 it stands for, never 0
    assert response["Content-Length"] == first["Content-Length"] == str(len(first.content))


@pytest.mark.parametrize(
    "header",
    ["*", 'W/"{etag}"', '"other", "{etag}"', 'W/"other", W/"{etag}"'],
    ids=["star", "weak", "list", "weak-list"],
)
def test_feed_304_etag_forms(client, polled, header):
    url, first = polled
    etag = first["ETag"].strip('"')

    response = client.get(url, HTTP_IF_NONE_MATCH=header.format(etag=etag))

    assert response.status_code == 304


def test_feed_etag_checked_before_if_modified_since(client, polled):
    # given a client whose date is current but whose ETag is not
    url, first = polled

    response = client.get(
        url, HTTP_IF_NONE_MATCH='"stale"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )

    # then the ETag decides: the full feed
    assert response.status_code == 200
    assert response.content == first.content


def test_feed_if_modified_since_without_etag(client, polled, _fixed_time):
    url, first = polled
    last = datetime.datetime.strptime(first["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    earlier = http_date(
        (last - datetime.timedelta(seconds=1)).replace(tzinfo=datetime.UTC).timestamp()
    )

    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@pytest.mark.parametrize("value", ["yesterday", "Mon, 99 Foo 2026 99:99:99 GMT", ""])
def test_feed_unparseable_date_ignored(client, polled, value):
    url, first = polled

    response = client.get(url, HTTP_IF_MODIFIED_SINCE=value)

    assert response.status_code == 200
    assert response.content == first.content


def test_feed_etag_changes_when_meeting_changes(client, staff, polled):
    url, first = polled
    meeting = Meeting.objects.get()

    services.update_meeting(staff, meeting, location="Addis Ababa")
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert str(vevents(response.content)[0]["LOCATION"]) == "Addis Ababa"


def test_feed_last_modified_never_goes_backwards(client, staff, _fixed_time):
    # given two meetings, the newer changed an hour after the older, and a first poll
    schedule(staff, title="Older")
    _fixed_time.shift(datetime.timedelta(hours=1))
    newer = schedule(staff, title="Newer", days=11)
    first = client.get(public_url())
    assert first["Last-Modified"] == http_date(newer.updated_at.timestamp())

    # when the newer meeting is deleted a day later
    _fixed_time.shift(datetime.timedelta(days=1))
    Meeting.objects.filter(pk=newer.pk).delete()
    second = client.get(public_url())

    # then Last-Modified moved forward (to the time of the change seen), not back
    assert summaries(second.content) == ["Older"]
    assert second["Last-Modified"] == http_date(timezone.now().timestamp())
    assert second["ETag"] != first["ETag"]
    old = client.get(public_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert old.status_code == 200


def test_feed_head_answers_like_get_without_body(client, polled):
    url, first = polled

    response = client.head(url)

    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == str(len(first.content)) == first["Content-Length"]
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
        assert response[header] == first[header]
    assert client.head(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# --- rendering is reused, queries are fixed -----------------------------------------------------


@pytest.fixture
def render_count(monkeypatch):
    calls = []
    render = ics.render_meeting

    def counting(meeting):
        calls.append(meeting.pk)
        return render(meeting)

    monkeypatch.setattr(ics, "render_meeting", counting)
    return calls


def test_feed_unchanged_not_rendered_again(client, staff, cepa_member, render_count):
    # given a feed of 5 meetings, read once
    meetings = many_meetings(staff, 5, participant=cepa_member)
    raw = services.reset_token(cepa_member)
    client.get(personal_url(raw))
    assert len(render_count) == 5

    # when it is read again unchanged (no If-None-Match)
    again = client.get(personal_url(raw))

    # then no event is rendered
    assert again.status_code == 200
    assert len(render_count) == 5

    # and after one meeting changes, only that one is rendered again
    services.update_meeting(staff, meetings[2], title="Regional workshop, new venue")
    changed = client.get(personal_url(raw))
    assert render_count[5:] == [meetings[2].pk]
    assert summaries(changed.content)[2] == "Regional workshop, new venue"


def test_feed_304_renders_nothing(client, polled, render_count):
    url, first = polled

    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 304
    assert render_count == []


@pytest.mark.parametrize("size", [5, 50])
def test_personal_feed_304_two_queries(
    client, staff, cepa_member, assignment, django_assert_num_queries, size
):
    # given a personal feed of `size` meetings and a deadline, polled once
    many_meetings(staff, size, participant=cepa_member)
    raw = services.reset_token(cepa_member)
    first = client.get(personal_url(raw))
    assert len(vevents(first.content)) == size + 1

    # then a poll with its ETag costs the token lookup and the change counter
    with django_assert_num_queries(2):
        response = client.get(personal_url(raw), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304


@pytest.mark.parametrize("size", [5, 50])
def test_personal_feed_query_count(
    client, staff, cepa_member, assignment, django_assert_num_queries, size
):
    # given `size` meetings and a review deadline
    many_meetings(staff, size, participant=cepa_member)
    raw = services.reset_token(cepa_member)

    # cold: token, last use, change counter, stamp, meetings, deadlines (one query for every
    # kind: the Deadline table, with the concerned deliverables' titles)
    with django_assert_num_queries(6):
        response = client.get(personal_url(raw))
    assert len(vevents(response.content)) == size + 1
    # warm: token and change counter, the stamp and the body are reused
    with django_assert_num_queries(2):
        again = client.get(personal_url(raw))
    assert again.content == response.content


@pytest.mark.parametrize("size", [5, 50])
def test_public_feed_query_count(client, staff, django_assert_num_queries, size):
    many_meetings(staff, size)

    # cold: change counter, stamp, meetings
    with django_assert_num_queries(3):
        response = client.get(public_url())
    assert len(vevents(response.content)) == size
    # warm: change counter
    with django_assert_num_queries(1):
        client.get(public_url())


@pytest.mark.parametrize("size", [5, 50])
def test_branch_feed_query_count(client, staff, deliverable, django_assert_num_queries, size):
    many_meetings(staff, size)
    raw = services.reset_token(staff, TokenKind.BRANCH)

    # cold: token, roles, last use, change counter, stamp, meetings, deliverables
    with django_assert_num_queries(7):
        response = client.get(branch_url(raw))
    assert len(vevents(response.content)) == size + 1
    # warm: token, roles (still on the branch?) and change counter
    with django_assert_num_queries(3):
        client.get(branch_url(raw))


def test_meeting_file_query_count_anonymous(client, staff, django_assert_num_queries):
    meeting = schedule(staff)

    with django_assert_num_queries(1):
        response = client.get(meeting_url(meeting))
    assert response.status_code == 200


# --- tokens in logs ---------------------------------------------------------------------------


def test_redact_cuts_feed_tokens():
    raw = "AbCdEf0123456789_-xyzXYZ0123456789abcdefghi"

    assert redact(f'"GET /calendar/feed/{raw}.ics HTTP/1.1" 200 512') == (
        '"GET /calendar/feed/AbCdEf….ics HTTP/1.1" 200 512'
    )
    assert redact(f"Not Found: /calendar/branch/{raw}.ics") == (
        "Not Found: /calendar/branch/AbCdEf….ics"
    )
    assert redact(f"/calendar/feed/{raw}.ics?cancelled=0") == (
        "/calendar/feed/AbCdEf….ics?cancelled=0"
    )
    assert redact("/calendar/public.ics /meetings/3/") == "/calendar/public.ics /meetings/3/"


def test_request_log_never_holds_full_token(client, caplog, cepa_member, raw_token):
    # given the filter on Django's request logger and a revoked token
    services.revoke_token(cepa_member)
    logger = logging.getLogger("django.request")
    redacting = RedactFeedTokens()
    logger.addFilter(redacting)
    try:
        # when the old URL is polled (a 404 Django logs with its path)
        with caplog.at_level(logging.WARNING, logger="django.request"):
            response = client.get(personal_url(raw_token))
    finally:
        logger.removeFilter(redacting)

    # then the log shows the first six characters only
    assert response.status_code == 404
    assert caplog.messages == [f"Not Found: /calendar/feed/{raw_token[:6]}….ics"]
    assert raw_token not in caplog.text


def test_redact_filter_gunicorn_access_record():
    raw = "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlKkJ"
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(r)s" %(s)s',
        ({"h": "10.0.0.1", "r": f"GET /calendar/feed/{raw}.ics HTTP/1.1", "s": "304"},),
        None,
    )

    assert RedactFeedTokens().filter(record) is True
    assert record.getMessage() == '10.0.0.1 "GET /calendar/feed/Zz9Yy8….ics HTTP/1.1" 304'


def test_meeting_status_tentative_in_feed(client, staff):
    schedule(staff, status=MeetingStatus.TENTATIVE)

    [event] = vevents(client.get(public_url()).content)

    assert str(event["STATUS"]) == "TENTATIVE"
