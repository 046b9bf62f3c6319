"""The meetings of the demo world: what `seed_demo` schedules, and that it does so once."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from demo.meetings import MEETINGS, seed_meetings
from meetings.enums import MeetingKind, MeetingStatus, Reply, Visibility
from meetings.models import AgendaItem, Meeting, Participant
from workflows.models import Deliverable

SESSION = "Session of the Committee of Experts on Public Administration (CEPA)"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)


def snapshot() -> tuple:
    return (
        list(Meeting.objects.order_by("pk").values_list()),
        list(Participant.objects.order_by("pk").values_list()),
        list(AgendaItem.objects.order_by("pk").values_list()),
    )


def local(value: datetime.datetime, zone: str) -> tuple[datetime.date, datetime.time]:
    moment = value.astimezone(ZoneInfo(zone))
    return moment.date(), moment.time()


def test_seed_demo_schedules_meetings_in_their_host_cities_time_zones(demo, demo_world):
    rows = {
        m.title: (m.kind, m.country.iso3, m.time_zone, m.status)
        for m in Meeting.objects.select_related("country").filter(
            title__in=[spec.title for spec in MEETINGS]
        )
    }
    assert len(rows) == len(MEETINGS) == 9
    assert rows[SESSION] == ("cepa_session", "USA", "America/New_York", "confirmed")
    assert rows[
        "Expert group meeting on e-government: mobile government and citizen engagement"
    ] == ("expert_group", "KOR", "Asia/Seoul", "confirmed")
    workshops = Meeting.objects.filter(kind=MeetingKind.WORKSHOP)
    assert sorted(workshops.values_list("country__region__code", "time_zone")) == [
        ("africa", "Africa/Addis_Ababa"),
        ("americas", "America/Barbados"),
        ("americas", "America/Mexico_City"),
        ("arab", "Asia/Bahrain"),
    ]
    missions = Meeting.objects.filter(
        kind=MeetingKind.ASSESSMENT_MISSION, title__in=[spec.title for spec in MEETINGS]
    )
    assert sorted(missions.values_list("country__iso3", "time_zone", "visibility")) == [
        ("BLZ", "America/Belize", "participants"),
        ("COL", "America/Bogota", "participants"),
        ("OMN", "Asia/Muscat", "participants"),
    ]
    assert "9 meetings (1 cancelled)" in demo_world.output


def test_seed_demo_meeting_times_are_local_to_the_meeting(demo):
    session = Meeting.objects.get(title=SESSION)
    addis = Meeting.objects.get(country__iso3="ETH", kind=MeetingKind.WORKSHOP)
    assert (local(session.start, "America/New_York"), local(session.end, "America/New_York")) == (
        (datetime.date(2026, 4, 16), datetime.time(10, 0)),
        (datetime.date(2026, 4, 20), datetime.time(18, 0)),
    )
    assert local(addis.start, "Africa/Addis_Ababa") == (
        datetime.date(2026, 1, 31),
        datetime.time(9, 0),
    )
    assert addis.start == datetime.datetime(2026, 1, 31, 6, 0, tzinfo=datetime.UTC)


def test_seed_demo_has_one_cancelled_and_one_tentative_meeting(demo):
    cancelled = Meeting.objects.get(status=MeetingStatus.CANCELLED)
    tentative = Meeting.objects.get(status=MeetingStatus.TENTATIVE)
    assert (cancelled.title, cancelled.cancel_reason, cancelled.revision) == (
        "Assessment mission to Colombia: online services",
        "Postponed at the Government's request; new dates to be agreed.",
        1,
    )
    assert cancelled.cancelled_at is not None
    assert tentative.title == (
        "Regional workshop: e/m-government in Latin America and the Caribbean"
    )


def test_seed_demo_meetings_have_participants_with_their_replies(demo):
    session = Meeting.objects.get(title=SESSION)
    replies = dict(
        Participant.objects.filter(meeting=session).values_list("user__username", "reply")
    )
    assert len(replies) == 28
    assert (replies["amina"], replies["arjun"], replies["wanjiru"], replies["leila"]) == (
        Reply.ACCEPTED,
        Reply.DECLINED,
        Reply.TENTATIVE,
        Reply.INVITED,
    )
    oman = Meeting.objects.get(country__iso3="OMN")
    assert sorted(
        (p.user.username if p.user_id else p.name, p.role, p.reply)
        for p in oman.participants.select_related("user")
    ) == [
        ("Salim Al-Rawahi", "observer", "invited"),
        ("focal", "observer", "accepted"),
        ("ira2", "chair", "accepted"),
        ("staff", "secretariat", "accepted"),
    ]
    assert Meeting.objects.filter(visibility=Visibility.PUBLIC).count() == 6


def test_seed_demo_agenda_links_the_demo_deliverables(demo):
    session = Meeting.objects.get(title=SESSION)
    assert [
        (item.position, item.deliverable.title if item.deliverable else None)
        for item in session.agenda.select_related("deliverable")
    ] == [
        (1, None),
        (2, None),
        (3, None),
        (4, "Chapter 3: Online service delivery (website assessment)"),
        (5, "Case studies from Africa"),
    ]
    assert AgendaItem.objects.filter(deliverable__isnull=False).count() == 10


def test_seed_meetings_without_the_demo_deliverables_leaves_the_agenda_unlinked(demo):
    Meeting.objects.all().delete()
    Deliverable.objects.update(title="Renamed")

    result = seed_meetings()

    assert (result.meetings_created, result.agenda_items_created) == (9, 19)
    assert AgendaItem.objects.filter(deliverable__isnull=False).count() == 0


def test_seed_demo_twice_creates_and_changes_no_meeting(demo, time_machine):
    before = snapshot()
    time_machine.move_to("2026-03-20 10:00:00+00:00", tick=False)

    result = seed_meetings()
    call_command("seed_demo")

    assert snapshot() == before
    assert (result.meetings_created, result.meetings_existing, result.participants_created) == (
        0,
        9,
        0,
    )
    assert result.summary() == (
        "0 meetings (0 cancelled), 0 participants and 0 agenda items created; "
        "9 meetings already there."
    )
