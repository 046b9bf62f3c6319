"""The meetings pages and the calendar subscriptions page, checked from the outside with the
same request for the allowed and the forbidden person.

The cast: branch staff and the chief of the e-Government Branch (who schedule its
meetings), staff of another branch, a CEPA member invited to a meeting, a CEPA member who is
not, a focal point, the secretariat admin and anonymous. What a person may not see answers
404; what they see but may not change answers 403; on every denial nothing changed.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from cepa_collab.enums import Role
from cepa_collab.models import Region
from meetings import services
from meetings.enums import (
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Reply,
    TokenKind,
    Visibility,
)
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from meetings.views import NEW_TOKENS
from tests.factories import branch, member_state, person
from workflows import services as workflow_services
from workflows.enums import DeliverableKind, ProductKind

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
ADDIS = ZoneInfo("Africa/Addis_Ababa")
SEOUL = ZoneInfo("Asia/Seoul")
PORT_OF_SPAIN = ZoneInfo("America/Port_of_Spain")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def html(response) -> str:
    return response.content.decode()


def at(zone: ZoneInfo, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zone)


def new_meeting(
    actor,
    *,
    title="Expert group meeting on e-government",
    start=None,
    hours=8,
    zone=ADDIS,
    branch_code="e-govb",
    **fields,
) -> Meeting:
    start = start or at(zone, 2026, 3, 10, 9, 0)
    fields.setdefault("kind", MeetingKind.EXPERT_GROUP)
    return services.create_meeting(
        actor,
        title=title,
        branch=branch(branch_code),
        start=start,
        end=start + datetime.timedelta(hours=hours),
        time_zone=str(zone),
        **fields,
    )


def titles(response) -> list[str]:
    return [meeting.title for meeting in response.context["page"]]


# --- the cast ---------------------------------------------------------------------------


@pytest.fixture
def invited(db):
    """A CEPA member in Seoul, invited to the private meeting."""
    return person(Role.CEPA_MEMBER, username="jiwoo", country="KOR", time_zone="Asia/Seoul")


@pytest.fixture
def uninvited(cepa_member):
    return cepa_member


@pytest.fixture
def meeting(staff):
    """A public expert group meeting in Addis Ababa, 10 March 2026, 09:00–17:00 local."""
    return new_meeting(staff, location="UNECA Conference Centre, Addis Ababa")


@pytest.fixture
def private_meeting(staff, invited):
    """A participants-only workshop with `invited` as an expert."""
    private = new_meeting(
        staff,
        title="Closed workshop on digital identity",
        kind=MeetingKind.WORKSHOP,
        visibility=Visibility.PARTICIPANTS,
        start=at(SEOUL, 2026, 3, 12, 9, 0),
        zone=SEOUL,
    )
    services.add_participant(staff, private, user=invited, role=ParticipantRole.EXPERT)
    return private


# --- navigation -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_navigation_offers_meetings_and_subscriptions_to_everyone_signed_in(
    client, cepa_member, focal_point, staff
):
    pages = []
    for user in (cepa_member, focal_point, staff):
        client.force_login(user)
        pages.append(html(client.get("/")))
    client.logout()

    assert all('href="/meetings/"' in page for page in pages)
    assert all('href="/calendar/subscriptions/"' in page for page in pages)
    assert client.get("/").status_code == 302


# --- the list ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_list_shows_upcoming_meetings_first_and_past_ones_on_their_tab(client, staff):
    new_meeting(staff, title="Later", start=at(ADDIS, 2026, 4, 1, 9, 0))
    new_meeting(staff, title="Sooner", start=at(ADDIS, 2026, 3, 3, 9, 0))
    new_meeting(staff, title="Ongoing", start=NOW - datetime.timedelta(hours=1), hours=3)
    new_meeting(staff, title="Last year", start=at(ADDIS, 2025, 3, 3, 9, 0))
    new_meeting(staff, title="Last week", start=at(ADDIS, 2026, 2, 23, 9, 0))
    client.force_login(staff)

    upcoming = client.get("/meetings/")
    past = client.get("/meetings/?when=past")

    assert titles(upcoming) == ["Ongoing", "Sooner", "Later"]
    assert titles(past) == ["Last week", "Last year"]
    assert '<a href="/meetings/?when=past">Past</a>' in html(upcoming)
    assert 'aria-current="page">Past</a>' in html(past)
    assert '<input type="hidden" name="when" value="past">' in html(past)


@pytest.mark.django_db
def test_meeting_list_shows_participants_only_meetings_to_those_who_may_see_them(
    client,
    meeting,
    private_meeting,
    invited,
    uninvited,
    staff,
    chief,
    other_branch_staff,
    focal_point,
    secretariat_admin,
):
    seen = {}
    for user in (invited, uninvited, staff, chief, other_branch_staff, focal_point):
        client.force_login(user)
        seen[user.username] = titles(client.get("/meetings/"))
    client.force_login(secretariat_admin)
    seen["admin"] = titles(client.get("/meetings/"))

    both = [meeting.title, private_meeting.title]
    assert seen == {
        "jiwoo": both,
        "amina": [meeting.title],
        "staff": both,
        "chief": both,
        "pacb_staff": [meeting.title],
        "focal": [meeting.title],
        "admin": both,
    }


@pytest.mark.django_db
def test_meeting_list_filters_by_kind_branch_and_region(client, staff, other_branch_staff):
    new_meeting(staff, title="Accra workshop", kind=MeetingKind.WORKSHOP, country=member_state())
    new_meeting(staff, title="Session in New York", kind=MeetingKind.CEPA_SESSION)
    new_meeting(
        other_branch_staff,
        title="Port of Spain workshop",
        kind=MeetingKind.WORKSHOP,
        branch_code="pacb",
        zone=PORT_OF_SPAIN,
        country=member_state("TTO"),
    )
    africa = member_state("GHA").region
    client.force_login(staff)

    def listed(query: str) -> list[str]:
        return titles(client.get("/meetings/?" + query))

    assert listed("kind=workshop") == ["Accra workshop", "Port of Spain workshop"]
    assert listed(f"branch={branch('pacb').pk}") == ["Port of Spain workshop"]
    assert listed(f"region={africa.pk}") == ["Accra workshop"]
    assert listed(f"kind=workshop&region={member_state('TTO').region.pk}") == [
        "Port of Spain workshop"
    ]
    assert listed("kind=nonsense&region=999999") == [
        "Accra workshop",
        "Session in New York",
        "Port of Spain workshop",
    ]
    assert Region.objects.count() >= 2


@pytest.mark.django_db
def test_meeting_list_shows_local_time_and_the_viewer_time(client, meeting, invited):
    client.force_login(invited)

    page = html(client.get("/meetings/"))

    # 09:00–17:00 in Addis Ababa (UTC+3) is 15:00–23:00 in Seoul (UTC+9)
    assert "Local time (Africa/Addis_Ababa)" in page
    assert ">10 March 2026, 09:00</time> – <time" in page
    assert ">10 March 2026, 15:00</time> – <time" in page
    assert "Your time (Asia/Seoul)" in page


@pytest.mark.django_db
def test_meeting_list_pages_by_fifty(client, staff):
    for day in range(51):
        new_meeting(staff, title=f"M{day:03}", start=NOW + datetime.timedelta(days=day + 1))
    client.force_login(staff)

    first = client.get("/meetings/?kind=expert_group")
    second = client.get("/meetings/?kind=expert_group&page=2")

    assert len(first.context["page"]) == 50
    assert titles(second) == ["M050"]
    assert 'href="?kind=expert_group&amp;page=2"' in html(first)


def _seed_meetings(actor, count: int, first_day: int = 1) -> None:
    for day in range(first_day, first_day + count):
        item = new_meeting(
            actor,
            title=f"Meeting {day}",
            start=NOW + datetime.timedelta(days=day),
            country=member_state("ETH"),
        )
        services.add_participant(actor, item, name=f"Guest {day}", email=f"g{day}@example.org")


@pytest.mark.django_db
def test_meeting_list_runs_a_fixed_number_of_queries(client, staff, django_assert_num_queries):
    client.force_login(staff)
    _seed_meetings(staff, 5)
    with django_assert_num_queries(10):
        small = client.get("/meetings/?kind=expert_group")
    assert small.status_code == 200
    _seed_meetings(staff, 45, first_day=6)

    with django_assert_num_queries(10):
        large = client.get("/meetings/?kind=expert_group")
    assert large.status_code == 200

    assert Meeting.objects.count() == 50


@pytest.mark.django_db
def test_meeting_pages_send_anonymous_visitors_to_sign_in(client, meeting):
    urls = [
        "/meetings/",
        "/meetings/month/",
        "/meetings/new/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/{meeting.pk}/cancel/",
        "/calendar/subscriptions/",
    ]

    responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [302] * len(urls)
    assert responses[0]["Location"] == "/accounts/login/?next=/meetings/"


# --- the month -------------------------------------------------------------------------------


def _day(response, date: datetime.date):
    return next(day for week in response.context["weeks"] for day in week if day.date == date)


@pytest.mark.django_db
def test_meeting_month_places_meetings_on_the_viewer_days(client, staff, invited, cepa_member):
    # given a meeting at 08:00 on 3 March in Seoul: still 2 March (23:00) in Accra
    seoul = new_meeting(staff, title="Seoul forum", start=at(SEOUL, 2026, 3, 3, 8, 0), zone=SEOUL)

    client.force_login(invited)
    in_seoul = client.get("/meetings/month/?year=2026&month=3")
    client.force_login(cepa_member)
    in_accra = client.get("/meetings/month/?year=2026&month=3")

    assert [e.meeting for e in _day(in_seoul, datetime.date(2026, 3, 3)).entries] == [seoul]
    assert _day(in_seoul, datetime.date(2026, 3, 2)).entries == []
    assert [e.meeting for e in _day(in_accra, datetime.date(2026, 3, 2)).entries] == [seoul]
    assert '<span class="month__time">23:00</span> Seoul forum' in html(in_accra)
    assert '<span class="month__time">08:00</span> Seoul forum' in html(in_seoul)
    assert "Times are in your time zone (Africa/Accra)." in html(in_accra)


@pytest.mark.django_db
def test_meeting_month_shows_a_meeting_on_each_of_its_days(client, staff):
    # given a workshop from Monday 9 March 09:00 to Wednesday 11 March 17:00 in Addis Ababa
    workshop = new_meeting(
        staff, title="Regional workshop", start=at(ADDIS, 2026, 3, 9, 9, 0), hours=56
    )
    client.force_login(staff)  # in UTC

    response = client.get("/meetings/month/?year=2026&month=3")

    on = [d.day for week in response.context["weeks"] for d, e in _entries(week) if e]
    assert on == [9, 10, 11]
    first, second = (
        _day(response, datetime.date(2026, 3, 9)),
        _day(response, datetime.date(2026, 3, 10)),
    )
    assert [(e.meeting, e.starts_here) for e in first.entries] == [(workshop, True)]
    assert [(e.meeting, e.starts_here) for e in second.entries] == [(workshop, False)]


def _entries(week):
    return [(day.date, day.entries) for day in week]


@pytest.mark.django_db
def test_meeting_month_links_the_previous_and_next_months_keeping_filters(client, staff):
    client.force_login(staff)

    page = html(client.get("/meetings/month/?year=2026&month=1&kind=workshop"))

    assert 'href="?year=2025&amp;month=12&amp;kind=workshop"' in page
    assert 'href="?year=2026&amp;month=2&amp;kind=workshop"' in page
    assert "Previous month: December 2025" in page
    assert "Next month: February 2026" in page
    assert "<h1>Meetings in January 2026</h1>" in page
    assert '<input type="hidden" name="year" value="2026">' in page


@pytest.mark.django_db
def test_meeting_month_marks_today_and_falls_back_to_this_month(client, staff):
    client.force_login(staff)

    responses = [client.get(f"/meetings/month/{q}") for q in ("", "?year=x&month=13", "?month=0")]

    assert [(r.context["year"], r.context["month"]) for r in responses] == [(2026, 3)] * 3
    assert _day(responses[0], datetime.date(2026, 3, 2)).is_today
    assert 'aria-current="date"' in html(responses[0])


@pytest.mark.django_db
def test_meeting_month_hides_participants_only_meetings_from_others(
    client, private_meeting, invited, uninvited
):
    client.force_login(invited)
    seen = _day(client.get("/meetings/month/"), datetime.date(2026, 3, 12)).entries
    client.force_login(uninvited)
    hidden = _day(client.get("/meetings/month/"), datetime.date(2026, 3, 12)).entries

    assert [e.meeting for e in seen] == [private_meeting]
    assert hidden == []


@pytest.mark.django_db
def test_meeting_month_runs_a_fixed_number_of_queries(client, staff, django_assert_num_queries):
    client.force_login(staff)
    _seed_meetings(staff, 5)
    with django_assert_num_queries(9):
        small = client.get("/meetings/month/?year=2026&month=3")
    assert small.status_code == 200
    Meeting.objects.all().delete()
    _seed_meetings(staff, 50, first_day=-10)

    with django_assert_num_queries(9):
        large = client.get("/meetings/month/?year=2026&month=3")
    assert large.status_code == 200


# --- the meeting page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_page_is_404_for_those_who_may_not_see_a_participants_only_meeting(
    client, private_meeting, invited, uninvited, staff, chief, other_branch_staff, focal_point
):
    url = f"/meetings/{private_meeting.pk}/"

    statuses = {}
    for user in (invited, staff, chief, uninvited, other_branch_staff, focal_point):
        client.force_login(user)
        statuses[user.username] = client.get(url).status_code

    assert statuses == {
        "jiwoo": 200,
        "staff": 200,
        "chief": 200,
        "amina": 404,
        "pacb_staff": 404,
        "focal": 404,
    }


@pytest.mark.django_db
def test_meeting_page_shows_the_time_in_the_meeting_zone_and_in_the_viewer_zone(
    client, meeting, invited
):
    client.force_login(invited)

    page = html(client.get(f"/meetings/{meeting.pk}/"))

    assert "When (local time, Africa/Addis_Ababa)" in page
    assert (
        '<time datetime="2026-03-10T06:00:00+00:00">10 March 2026, 09:00</time> – '
        '<time datetime="2026-03-10T14:00:00+00:00">17:00</time>'
    ) in page
    assert "Your time (Asia/Seoul)" in page
    assert ">10 March 2026, 15:00</time> – <time" in page
    assert "UNECA Conference Centre, Addis Ababa" in page


@pytest.mark.django_db
def test_meeting_page_spells_out_both_dates_when_the_meeting_crosses_midnight(
    client, meeting, invited
):
    # given the meeting ends at 17:00 in Addis Ababa, 23:00 in Seoul; a late one ends later
    late = new_meeting(meeting.created_by, title="Late", start=at(ADDIS, 2026, 3, 10, 16, 0))
    client.force_login(invited)

    page = html(client.get(f"/meetings/{late.pk}/"))

    assert ">10 March 2026, 22:00</time> – <time" in page
    assert ">11 March 2026, 06:00</time>" in page


@pytest.mark.django_db
def test_meeting_page_offers_the_ics_file_to_all_and_management_to_the_branch(
    client, meeting, staff, chief, other_branch_staff, cepa_member
):
    pages = {}
    for user in (staff, chief, other_branch_staff, cepa_member):
        client.force_login(user)
        pages[user.username] = html(client.get(f"/meetings/{meeting.pk}/"))

    ics = f'href="/calendar/meetings/{meeting.pk}.ics"'
    edit = f'href="/meetings/{meeting.pk}/edit/"'
    cancel = f'href="/meetings/{meeting.pk}/cancel/"'
    assert all(ics in page for page in pages.values())
    assert [edit in page and cancel in page for page in pages.values()] == [
        True,
        True,
        False,
        False,
    ]
    assert [edit in page or cancel in page for page in pages.values()] == [
        True,
        True,
        False,
        False,
    ]


@pytest.mark.django_db
def test_meeting_page_lists_agenda_in_order_linking_deliverables_only_for_who_may_see_them(
    client, meeting, staff, chief, invited
):
    # given an agenda whose second item is linked to a deliverable of the branch
    product = workflow_services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.SURVEY, title="Survey", edition="2026"
    )
    deliverable = workflow_services.create_deliverable(
        staff,
        product=product,
        owner=staff,
        title="Chapter 3",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2026, 6, 30),
    )
    AgendaItem.objects.create(
        meeting=meeting, position=2, title="Chapter 3 discussion", deliverable=deliverable
    )
    AgendaItem.objects.create(meeting=meeting, position=1, title="Opening")
    services.add_participant(staff, meeting, user=invited)
    link = f'href="/deliverables/{deliverable.pk}/"'

    client.force_login(staff)
    staff_view = client.get(f"/meetings/{meeting.pk}/")
    client.force_login(invited)
    member_view = client.get(f"/meetings/{meeting.pk}/")

    assert [row.item.title for row in staff_view.context["agenda"]] == [
        "Opening",
        "Chapter 3 discussion",
    ]
    assert link in html(staff_view)
    assert link not in html(member_view)
    assert "Chapter 3 discussion" in html(member_view)


@pytest.mark.django_db
def test_meeting_page_lists_participants_with_role_and_reply(client, meeting, staff, invited):
    services.add_participant(staff, meeting, user=invited, role=ParticipantRole.CHAIR)
    services.add_participant(
        staff, meeting, name="Ana Guest", email="ana@example.org", role=ParticipantRole.OBSERVER
    )
    services.set_reply(invited, meeting, Reply.ACCEPTED)
    client.force_login(invited)
    member_view = client.get(f"/meetings/{meeting.pk}/")
    client.force_login(staff)
    staff_view = client.get(f"/meetings/{meeting.pk}/")

    rows = [(str(p), p.role, p.reply) for p in member_view.context["participants"]]
    assert rows == [
        (invited.get_full_name(), ParticipantRole.CHAIR, Reply.ACCEPTED),
        ("Ana Guest", ParticipantRole.OBSERVER, Reply.INVITED),
    ]
    assert "ana@example.org" not in html(member_view)
    assert "ana@example.org" in html(staff_view)


@pytest.mark.django_db
def test_meeting_page_shows_a_cancelled_meeting_with_its_reason(client, meeting, staff, invited):
    services.add_participant(staff, meeting, user=invited)
    services.cancel_meeting(staff, meeting, "The venue is closed.")
    client.force_login(invited)

    page = html(client.get(f"/meetings/{meeting.pk}/"))

    assert f"<h1>Cancelled: {meeting.title}</h1>" in page
    assert "This meeting is cancelled." in page
    assert "The venue is closed." in page
    assert 'name="reply"' not in page


def _seed_participants(actor, meeting, count: int, start: int) -> None:
    for n in range(start, start + count):
        services.add_participant(
            actor,
            meeting,
            user=person(Role.CEPA_MEMBER, username=f"member{n}", country="FRA"),
        )
        AgendaItem.objects.create(meeting=meeting, position=n, title=f"Item {n}")


@pytest.mark.django_db
def test_meeting_page_runs_a_fixed_number_of_queries(
    client, meeting, staff, django_assert_num_queries
):
    client.force_login(staff)
    _seed_participants(staff, meeting, 2, 0)
    with django_assert_num_queries(9):
        small = client.get(f"/meetings/{meeting.pk}/")
    assert small.status_code == 200
    _seed_participants(staff, meeting, 28, 2)

    with django_assert_num_queries(9):
        large = client.get(f"/meetings/{meeting.pk}/")
    assert large.status_code == 200

    assert meeting.participants.count() == 30


# --- replies ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_reply_records_the_participant_reply(client, private_meeting, invited):
    client.force_login(invited)

    page = html(client.get(f"/meetings/{private_meeting.pk}/"))
    response = client.post(f"/meetings/{private_meeting.pk}/reply/", {"reply": "tentative"})

    assert 'name="reply" value="accepted"' in page
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{private_meeting.pk}/"
    assert Participant.objects.get(meeting=private_meeting, user=invited).reply == Reply.TENTATIVE
    followed = html(client.get(response["Location"]))
    assert "Your reply was recorded: tentative." in followed


@pytest.mark.django_db
def test_meeting_reply_is_refused_to_who_is_not_invited(
    client, meeting, private_meeting, invited, uninvited
):
    # given the same request by the invited person (allowed) and an uninvited one
    client.force_login(uninvited)
    public = client.post(f"/meetings/{meeting.pk}/reply/", {"reply": "accepted"})
    private = client.post(f"/meetings/{private_meeting.pk}/reply/", {"reply": "accepted"})
    client.force_login(invited)
    allowed = client.post(f"/meetings/{private_meeting.pk}/reply/", {"reply": "accepted"})

    assert (public.status_code, private.status_code, allowed.status_code) == (403, 404, 302)
    assert list(Participant.objects.values_list("user__username", "reply")) == [
        ("jiwoo", Reply.ACCEPTED)
    ]


@pytest.mark.django_db
def test_meeting_reply_rejects_an_unknown_reply_and_a_get(client, private_meeting, invited):
    client.force_login(invited)

    bad = client.post(f"/meetings/{private_meeting.pk}/reply/", {"reply": "invited"}, follow=True)
    get = client.get(f"/meetings/{private_meeting.pk}/reply/")

    assert "Reply accepted, declined or tentative." in html(bad)
    assert get.status_code == 405
    assert Participant.objects.get(user=invited).reply == Reply.INVITED


# --- create ----------------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "title": "Regional workshop for the Caribbean",
        "kind": MeetingKind.WORKSHOP,
        "description": "Digital government in small island states.",
        "branch": str(branch("e-govb").pk),
        "country": str(member_state("TTO").pk),
        "time_zone": "America/Port_of_Spain",
        "start": "2026-04-14T09:00",
        "end": "2026-04-16T17:30",
        "location": "Hyatt Regency, Port of Spain",
        "online_link": "https://meet.example.org/caribbean",
        "visibility": Visibility.PUBLIC,
        "status": MeetingStatus.CONFIRMED,
        "agenda": "Opening\n\n  Country reports  \nClosing",
        "external_name": "",
        "external_email": "",
        "external_role": ParticipantRole.EXPERT,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_meeting_create_is_open_to_branch_staff_and_chief_only(
    client, staff, chief, cepa_member, focal_point, other_branch_staff
):
    statuses = {}
    for user in (staff, chief, other_branch_staff, cepa_member, focal_point):
        client.force_login(user)
        statuses[user.username] = (
            client.get("/meetings/new/").status_code,
            client.post("/meetings/new/", form_data()).status_code,
        )

    assert statuses == {
        "staff": (200, 302),
        "chief": (200, 302),
        # another branch's staff schedules in their own branch only: the e-Government
        # Branch is not a choice for them
        "pacb_staff": (200, 400),
        "amina": (403, 403),
        "focal": (403, 403),
    }
    assert Meeting.objects.count() == 2


@pytest.mark.django_db
def test_meeting_create_schedules_the_meeting_in_its_zone_with_people_and_agenda(
    client, staff, cepa_member, chief
):
    # given the form with a CEPA member as chair, the chief as secretariat and a guest
    client.force_login(staff)
    form = client.get("/meetings/new/").context["form"]
    assert form["time_zone"].value() == "UTC"
    assert (form.people[0].username, form.people[0].is_member) == ("amina", True)
    assert sorted(p.username for p in form.people[1:]) == ["chief", "staff"]

    response = client.post(
        "/meetings/new/",
        form_data(
            **{
                f"role_{cepa_member.pk}": ParticipantRole.CHAIR,
                f"role_{chief.pk}": ParticipantRole.SECRETARIAT,
                f"role_{staff.pk}": "",
                "external_name": "Dr Kamla Guest",
                "external_email": "kamla@example.org",
                "external_role": ParticipantRole.OBSERVER,
            }
        ),
    )

    created = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{created.pk}/"
    # 09:00 in Port of Spain (UTC-4) is 13:00 UTC
    assert (created.start, created.end) == (
        datetime.datetime(2026, 4, 14, 13, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 4, 16, 21, 30, tzinfo=datetime.UTC),
    )
    assert (created.time_zone, created.branch.code, created.country.iso3) == (
        "America/Port_of_Spain",
        "e-govb",
        "TTO",
    )
    assert (created.created_by, created.revision, created.status) == (staff, 0, "confirmed")
    assert list(created.agenda.values_list("position", "title")) == [
        (1, "Opening"),
        (2, "Country reports"),
        (3, "Closing"),
    ]
    assert list(
        created.participants.order_by("pk").values_list(
            "user__username", "name", "email", "role", "reply"
        )
    ) == [
        ("amina", "", "", "chair", "invited"),
        ("chief", "", "", "secretariat", "invited"),
        (None, "Dr Kamla Guest", "kamla@example.org", "observer", "invited"),
    ]


@pytest.mark.django_db
def test_meeting_create_keeps_the_typed_input_on_errors(client, staff):
    client.force_login(staff)

    response = client.post(
        "/meetings/new/",
        form_data(end="2026-04-14T08:00", external_email="lost@example.org"),
    )

    page = html(response)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "end": ["The meeting must end after it starts."],
        "external_name": ["Name the person you invite by e-mail."],
    }
    assert 'value="Regional workshop for the Caribbean"' in page
    assert 'value="2026-04-14T08:00"' in page
    assert '<option value="America/Port_of_Spain" selected>' in page
    assert 'href="#id_end"' in page
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_meeting_create_refuses_a_local_time_skipped_by_the_clocks(client, staff):
    # given 02:30 on 8 March 2026 does not exist in New York (clocks go from 02:00 to 03:00)
    client.force_login(staff)

    response = client.post(
        "/meetings/new/",
        form_data(time_zone="America/New_York", start="2026-03-08T02:30", end="2026-03-08T05:00"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "start": ["This time does not exist in America/New_York (the clocks change then)."]
    }
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_meeting_create_rolls_everything_back_when_an_invitation_fails(client, staff, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(*args, **kwargs):
        raise ValidationError({"name": "Name the participant."})

    monkeypatch.setattr(services, "add_participant", refuse)
    client.force_login(staff)

    response = client.post("/meetings/new/", form_data(external_name="Someone"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"external_name": ["Name the participant."]}
    assert (Meeting.objects.count(), AgendaItem.objects.count()) == (0, 0)


def _seed_people(count: int, start: int) -> None:
    for n in range(start, start + count):
        person(Role.CEPA_MEMBER, username=f"expert{n}", country="FRA")


@pytest.mark.django_db
def test_meeting_form_runs_a_fixed_number_of_queries_whatever_the_number_of_people(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    _seed_people(2, 0)
    with django_assert_num_queries(10):
        small = client.get("/meetings/new/")
    assert small.status_code == 200
    _seed_people(40, 2)

    with django_assert_num_queries(10):
        large = client.get("/meetings/new/")
    assert large.status_code == 200


# --- edit -------------------------------------------------------------------------------------


def edit_data(client, meeting, **overrides) -> dict:
    """What the edit form would post as it stands, with `overrides`."""
    form = client.get(f"/meetings/{meeting.pk}/edit/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or form.fields[name].disabled:
            continue
        if isinstance(value, datetime.datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_meeting_edit_is_404_for_who_cannot_see_and_403_for_who_cannot_manage(
    client, meeting, private_meeting, staff, chief, other_branch_staff, invited, uninvited
):
    before = list(Meeting.objects.values_list("pk", "title", "revision").order_by("pk"))

    statuses = {}
    for user in (staff, chief, other_branch_staff, invited, uninvited):
        client.force_login(user)
        statuses[user.username] = [
            client.get(f"/meetings/{m.pk}/edit/").status_code for m in (meeting, private_meeting)
        ] + [
            client.post(f"/meetings/{m.pk}/edit/", {"title": "Hijacked"}).status_code
            for m in (meeting, private_meeting)
        ]

    assert statuses == {
        "staff": [200, 200, 400, 400],
        "chief": [200, 200, 400, 400],
        "pacb_staff": [403, 404, 403, 404],
        "jiwoo": [403, 403, 403, 403],
        "amina": [403, 404, 403, 404],
    }
    assert list(Meeting.objects.values_list("pk", "title", "revision").order_by("pk")) == before


@pytest.mark.django_db
def test_meeting_edit_raises_the_revision_when_the_time_changes(client, meeting, staff):
    client.force_login(staff)

    unchanged = client.post(f"/meetings/{meeting.pk}/edit/", edit_data(client, meeting))
    after_unchanged = Meeting.objects.get(pk=meeting.pk).revision
    described = client.post(
        f"/meetings/{meeting.pk}/edit/", edit_data(client, meeting, description="More detail.")
    )
    after_description = Meeting.objects.get(pk=meeting.pk).revision
    moved = client.post(
        f"/meetings/{meeting.pk}/edit/", edit_data(client, meeting, start="2026-03-10T10:00")
    )

    stored = Meeting.objects.get(pk=meeting.pk)
    assert [r.status_code for r in (unchanged, described, moved)] == [302, 302, 302]
    assert (after_unchanged, after_description, stored.revision) == (0, 0, 1)
    assert stored.start == at(ADDIS, 2026, 3, 10, 10, 0)
    assert stored.description == "More detail."


@pytest.mark.django_db
def test_meeting_edit_keeps_seconds_of_an_untouched_time(client, staff):
    # given a meeting whose start has seconds (e.g. made by the API)
    odd = new_meeting(staff, start=at(ADDIS, 2026, 3, 10, 9, 0, 30))
    client.force_login(staff)

    response = client.post(f"/meetings/{odd.pk}/edit/", edit_data(client, odd, title="Renamed"))

    stored = Meeting.objects.get(pk=odd.pk)
    assert response.status_code == 302
    assert (stored.title, stored.start, stored.revision) == (
        "Renamed",
        at(ADDIS, 2026, 3, 10, 9, 0, 30),
        1,
    )


@pytest.mark.django_db
def test_meeting_edit_invites_more_people_and_keeps_agenda_links(
    client, meeting, staff, chief, invited, cepa_member
):
    # given an invited member and an agenda item with notes
    services.add_participant(staff, meeting, user=invited)
    AgendaItem.objects.create(meeting=meeting, position=1, title="Opening", notes="By the chair")
    client.force_login(staff)
    form = client.get(f"/meetings/{meeting.pk}/edit/").context["form"]

    response = client.post(
        f"/meetings/{meeting.pk}/edit/",
        edit_data(
            client,
            meeting,
            agenda="Welcome\nOpening",
            **{f"role_{cepa_member.pk}": ParticipantRole.OBSERVER},
        ),
    )

    assert sorted(p.username for p in form.people) == ["amina", "chief", "staff"]
    assert form["agenda"].value() == "Opening"
    assert response.status_code == 302
    assert list(meeting.agenda.values_list("position", "title", "notes")) == [
        (1, "Welcome", ""),
        (2, "Opening", "By the chair"),
    ]
    assert sorted(meeting.participants.values_list("user__username", "role")) == [
        ("amina", "observer"),
        ("jiwoo", "expert"),
    ]
    assert Meeting.objects.get(pk=meeting.pk).revision == 0


@pytest.mark.django_db
def test_meeting_edit_form_runs_a_fixed_number_of_queries(
    client, meeting, staff, django_assert_num_queries
):
    client.force_login(staff)
    _seed_participants(staff, meeting, 2, 0)
    with django_assert_num_queries(13):
        small = client.get(f"/meetings/{meeting.pk}/edit/")
    assert small.status_code == 200
    _seed_participants(staff, meeting, 28, 2)
    _seed_people(20, 100)

    with django_assert_num_queries(13):
        large = client.get(f"/meetings/{meeting.pk}/edit/")
    assert large.status_code == 200


@pytest.mark.django_db
def test_meeting_edit_of_a_cancelled_meeting_is_refused(client, meeting, staff):
    services.cancel_meeting(staff, meeting, "No budget.")
    client.force_login(staff)

    response = client.get(f"/meetings/{meeting.pk}/edit/", follow=True)

    assert response.redirect_chain == [(f"/meetings/{meeting.pk}/", 302)]
    assert "A cancelled meeting can no longer be changed." in html(response)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


# --- cancel -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_cancel_needs_a_reason_and_then_cancels(client, meeting, staff):
    client.force_login(staff)

    form = client.get(f"/meetings/{meeting.pk}/cancel/")
    empty = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "  "})
    unchanged = Meeting.objects.get(pk=meeting.pk)
    done = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "The venue is closed."})

    stored = Meeting.objects.get(pk=meeting.pk)
    assert form.status_code == 200
    assert '<label for="id_reason">' in html(form)
    assert empty.status_code == 400
    assert empty.context["form"].errors == {"reason": ["Enter why the meeting is cancelled."]}
    assert (unchanged.status, unchanged.revision) == (MeetingStatus.CONFIRMED, 0)
    assert done.status_code == 302
    assert (stored.status, stored.cancel_reason, stored.revision, stored.cancelled_at) == (
        MeetingStatus.CANCELLED,
        "The venue is closed.",
        1,
        NOW,
    )


@pytest.mark.django_db
def test_meeting_cancel_is_refused_to_who_may_not_manage(
    client, meeting, private_meeting, chief, other_branch_staff, invited
):
    statuses = {}
    for user in (other_branch_staff, invited, chief):
        client.force_login(user)
        statuses[user.username] = [
            client.post(f"/meetings/{m.pk}/cancel/", {"reason": "Because."}).status_code
            for m in (private_meeting, meeting)
        ]

    assert statuses == {
        "pacb_staff": [404, 403],
        "jiwoo": [403, 403],
        "chief": [302, 302],
    }
    assert list(Meeting.objects.values_list("status", flat=True)) == ["cancelled", "cancelled"]


@pytest.mark.django_db
def test_meeting_cancel_of_a_cancelled_meeting_says_so(client, meeting, staff):
    services.cancel_meeting(staff, meeting, "First reason.")
    client.force_login(staff)

    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Again."}, follow=True)

    assert "The meeting is already cancelled." in html(response)
    assert Meeting.objects.get(pk=meeting.pk).cancel_reason == "First reason."


# --- calendar subscriptions ---------------------------------------------------------------


FEED_URL = re.compile(r'value="(http://127\.0\.0\.1:8000/calendar/(feed|branch)/([\w-]+)\.ics)"')


def feed_urls(page: str) -> list[tuple[str, str, str]]:
    return FEED_URL.findall(page)


@pytest.fixture
def _site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_url")
def test_subscriptions_offers_to_create_the_feed_url_first(client, cepa_member):
    client.force_login(cepa_member)

    response = client.get("/calendar/subscriptions/")

    page = html(response)
    assert response.status_code == 200
    assert "Create my feed URL" in page
    assert "Reset my feed URL" not in page
    assert "branch feed" not in page
    assert feed_urls(page) == []
    assert 'value="http://127.0.0.1:8000/calendar/public.ics"' in page
    assert 'value="webcal://127.0.0.1:8000/calendar/public.ics"' in page
    assert "no-store" in response["Cache-Control"]
    for app in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert f"<h3>{app}</h3>" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_url")
def test_subscriptions_shows_the_new_url_once_after_a_reset(client, cepa_member):
    client.force_login(cepa_member)

    created = client.post("/calendar/subscriptions/reset/", {"kind": "personal"})
    first = html(client.get("/calendar/subscriptions/"))
    second = html(client.get("/calendar/subscriptions/"))

    token = CalendarToken.objects.get(user=cepa_member)
    ((_url, kind, raw),) = feed_urls(first)
    assert created.status_code == 302
    assert created["Location"] == "/calendar/subscriptions/#feed-personal"
    assert kind == "feed"
    assert services.token_for(raw, TokenKind.PERSONAL) == token
    assert f'value="webcal://127.0.0.1:8000/calendar/feed/{raw}.ics"' in first
    assert "shown only this once" in first
    assert "Your feed URL was created." in first
    assert feed_urls(second) == []
    assert raw not in second
    assert f"<code>{token.prefix}…</code>" in second
    assert "Not used by a calendar yet." in second
    assert "Reset my feed URL" in second
    assert NEW_TOKENS not in client.session


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_url")
def test_subscription_reset_stops_the_old_url_at_once(client, cepa_member):
    client.force_login(cepa_member)
    client.post("/calendar/subscriptions/reset/", {"kind": "personal"})
    ((_url, _kind, old),) = feed_urls(html(client.get("/calendar/subscriptions/")))

    client.post("/calendar/subscriptions/reset/", {"kind": "personal"})
    page = html(client.get("/calendar/subscriptions/"))

    ((_url, _kind, new),) = feed_urls(page)
    assert new != old
    assert services.token_for(old, TokenKind.PERSONAL) is None
    assert services.token_for(new, TokenKind.PERSONAL).user == cepa_member
    assert "The old URL stopped working" in page
    assert CalendarToken.objects.filter(user=cepa_member, revoked_at__isnull=True).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_url")
def test_subscriptions_show_when_the_feed_was_last_used(client, cepa_member):
    raw = services.reset_token(cepa_member, TokenKind.PERSONAL)
    services.touch_token(services.token_for(raw, TokenKind.PERSONAL))
    client.force_login(cepa_member)

    page = html(client.get("/calendar/subscriptions/"))

    assert 'Created on <time datetime="2026-03-02">2 March 2026</time>.' in page
    assert (
        'Last used by a calendar on <time datetime="2026-03-02T10:00:00+00:00">'
        "2 March 2026, 10:00</time> (your time)."
    ) in page
    assert raw not in page


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_url")
def test_subscriptions_offer_the_branch_feed_to_branch_staff_only(client, staff, cepa_member):
    client.force_login(staff)
    staff_page = html(client.get("/calendar/subscriptions/"))
    made = client.post("/calendar/subscriptions/reset/", {"kind": "branch"})
    shown = html(client.get("/calendar/subscriptions/"))
    client.force_login(cepa_member)
    refused = client.post("/calendar/subscriptions/reset/", {"kind": "branch"})
    unknown = client.post("/calendar/subscriptions/reset/", {"kind": "everything"})

    ((_url, kind, raw),) = feed_urls(shown)
    assert "Create the branch feed URL" in staff_page
    assert "e-Government Branch" in staff_page
    assert made.status_code == 302
    assert kind == "branch"
    assert services.token_for(raw, TokenKind.BRANCH).branch.code == "e-govb"
    assert (refused.status_code, unknown.status_code) == (403, 400)
    assert not CalendarToken.objects.filter(user=cepa_member).exists()


@pytest.mark.django_db
def test_subscription_reset_asks_first_and_asking_changes_nothing(client, staff, cepa_member):
    client.force_login(cepa_member)
    nothing_yet = client.get("/calendar/subscriptions/reset/?kind=personal")
    refused = client.get("/calendar/subscriptions/reset/?kind=branch")
    client.post("/calendar/subscriptions/reset/", {"kind": "personal"})
    token = CalendarToken.objects.get(user=cepa_member, revoked_at__isnull=True)
    listing = html(client.get("/calendar/subscriptions/"))

    confirm = client.get("/calendar/subscriptions/reset/?kind=personal")

    # without an address there is nothing to reset: back to the page, nothing made
    assert nothing_yet.status_code == 302
    assert refused.status_code == 403
    # the page links to the question; the question posts the reset
    assert 'href="/calendar/subscriptions/reset/?kind=personal"' in listing
    assert confirm.status_code == 200
    page = html(confirm)
    assert "Reset your feed URL?" in page
    assert "button--warning" in page
    assert 'name="kind" value="personal"' in page
    assert list(CalendarToken.objects.filter(user=cepa_member, revoked_at__isnull=True)) == [token]


@pytest.mark.django_db
def test_subscriptions_page_runs_a_fixed_number_of_queries(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    services.reset_token(staff, TokenKind.PERSONAL)

    with django_assert_num_queries(7):
        before = client.get("/calendar/subscriptions/")
    assert before.status_code == 200
    services.reset_token(staff, TokenKind.BRANCH)
    with django_assert_num_queries(7):
        after = client.get("/calendar/subscriptions/")
    assert after.status_code == 200


# --- removing a participant -------------------------------------------------------------------


@pytest.mark.django_db
def test_removing_a_participant_is_for_branch_staff_and_tells_the_person(
    client, staff, other_branch_staff, invited, django_capture_on_commit_callbacks
):
    from django.core import mail

    from notifications.services import muted

    # given a participants-only meeting to which jiwoo was invited (earlier: nothing pending)
    with muted():
        closed = new_meeting(staff, title="Closed session", visibility=Visibility.PARTICIPANTS)
        participant = services.add_participant(staff, closed, user=invited)
    url = f"/meetings/{closed.pk}/participants/{participant.pk}/remove/"

    # another branch's staff cannot see the meeting; the participant may not remove themself
    for user, expected in ((other_branch_staff, 404), (invited, 403)):
        client.force_login(user)
        assert client.post(url).status_code == expected
    assert list(closed.participants.values_list("user__username", flat=True)) == ["jiwoo"]
    assert mail.outbox == []

    # the meeting's branch staff removes them: they are told, with a file that cancels it
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert (response.status_code, response["Location"]) == (302, f"/meetings/{closed.pk}/edit/")
    assert list(closed.participants.all()) == []
    assert [m.to for m in mail.outbox] == [["jiwoo@example.org"]]
    (calendar_part,) = [
        part
        for part in mail.outbox[0].message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert b"STATUS:CANCELLED" in calendar_part.get_payload(decode=True)


# --- the design system on the meetings pages --------------------------------------------------


@pytest.mark.django_db
def test_meeting_list_hides_the_filter_panel_when_at_most_one_meeting_is_listed(
    client, meeting, staff
):
    client.force_login(staff)

    one = html(client.get("/meetings/"))
    new_meeting(staff, title="Second meeting", start=at(ADDIS, 2026, 3, 11, 9, 0))
    two = html(client.get("/meetings/"))
    filtered = html(client.get("/meetings/?kind=workshop"))

    assert 'class="filter-panel"' not in one
    assert '<details class="filter-panel">' in two
    # a filter that leaves nothing keeps the panel, open, so it can be cleared
    assert '<details class="filter-panel" open>' in filtered
    assert '<p class="empty">No meetings match.</p>' in filtered


@pytest.mark.django_db
def test_meeting_list_says_so_when_there_is_no_upcoming_meeting(client, staff):
    client.force_login(staff)

    page = html(client.get("/meetings/"))

    assert '<p class="empty">No upcoming meetings.</p>' in page
    assert 'class="filter-panel"' not in page


@pytest.mark.django_db
def test_meeting_list_shows_each_meeting_as_a_card_with_its_status_tag(client, meeting, staff):
    tentative = new_meeting(
        staff, title="Maybe workshop", status=MeetingStatus.TENTATIVE, start=at(ADDIS, 2026, 3, 11)
    )
    client.force_login(staff)

    page = html(client.get("/meetings/"))

    cards = page.split('<li class="card">')[1:]
    assert len(cards) == 2
    assert f'<h3><a href="/meetings/{meeting.pk}/">' in cards[0]
    assert f'<h3><a href="/meetings/{tentative.pk}/">' in cards[1]
    assert '<strong class="tag tag--confirmed">Confirmed</strong>' in cards[0]
    assert '<strong class="tag tag--tentative">Tentative</strong>' in cards[1]


@pytest.mark.django_db
def test_meeting_times_follow_the_language_date_format(client, meeting):
    francophone = person(
        Role.CEPA_MEMBER, username="claire", country="SEN", language="fr", time_zone="Africa/Dakar"
    )
    client.force_login(francophone)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # as signing in sets it

    page = html(client.get(f"/meetings/{meeting.pk}/"))

    assert ">10 mars 2026, 09:00</time> – <time" in page  # Addis Ababa
    assert ">10 mars 2026, 06:00</time> – <time" in page  # Dakar (UTC)


@pytest.mark.django_db
def test_meeting_month_marks_the_days_without_meetings_so_phones_list_only_the_others(
    client, meeting, staff
):
    client.force_login(staff)

    page = html(client.get("/meetings/month/?year=2026&month=3"))

    day_10 = page.split('<time class="month__number" datetime="2026-03-10">')[0].rsplit("<td", 1)[1]
    day_11 = page.split('<time class="month__number" datetime="2026-03-11">')[0].rsplit("<td", 1)[1]
    assert day_10 == ' class="month__day">\n        '
    assert day_11 == ' class="month__day month__day--empty">\n        '
    assert '<span class="month__number-long">Tuesday 10 March</span>' in page


@pytest.mark.django_db
def test_meeting_month_says_so_when_the_month_has_no_meeting(client, staff):
    client.force_login(staff)

    page = html(client.get("/meetings/month/?year=2026&month=3"))

    assert '<p class="empty">No meetings this month.</p>' in page
    assert 'class="filter-panel"' not in page


@pytest.mark.django_db
def test_meeting_cancel_is_a_warning_button_on_its_confirmation_page(client, meeting, staff):
    client.force_login(staff)

    detail = html(client.get(f"/meetings/{meeting.pk}/"))
    confirm = html(client.get(f"/meetings/{meeting.pk}/cancel/"))

    assert "button--warning" not in detail
    assert (
        f'<a class="button button--secondary" href="/meetings/{meeting.pk}/cancel/">'
        "Cancel the meeting</a>"
    ) in detail
    assert (
        '<button type="submit" class="button button--warning">Cancel the meeting</button>'
    ) in confirm


@pytest.mark.django_db
def test_meeting_page_lists_facts_and_participants_in_design_system_markup(
    client, private_meeting, invited
):
    client.force_login(invited)

    page = html(client.get(f"/meetings/{private_meeting.pk}/"))

    assert '<dl class="summary-list">' in page
    assert '<dd><strong class="tag tag--confirmed">Confirmed</strong></dd>' in page
    assert (
        '<div class="table-wrap" role="region" aria-labelledby="participants-caption" tabindex="0">'
    ) in page
    assert '<td><strong class="tag tag--invited">Invited</strong></td>' in page


@pytest.mark.django_db
def test_meeting_cancel_without_a_reason_names_it_in_the_error_summary_and_title(
    client, meeting, staff
):
    client.force_login(staff)

    page = html(client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": ""}))

    assert f"<title>Error: Cancel “{meeting.title}” · CEPA Collab</title>" in page
    assert '<li><a href="#id_reason">Enter why the meeting is cancelled.</a></li>' in page
    assert (
        '<p class="error-message" id="id_reason_error">Enter why the meeting is cancelled.</p>'
    ) in page
