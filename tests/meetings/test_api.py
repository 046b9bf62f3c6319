"""The meetings API under /api/v1/, checked from the outside with APIClient."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from meetings import services
from meetings.enums import MeetingKind, MeetingStatus, ParticipantRole, Reply, Visibility
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from notifications.models import Notification
from tests.factories import branch, member_state, person
from workflows import services as workflow_services
from workflows.enums import DeliverableKind, ProductKind

API = "/api/v1"
UTC = datetime.UTC


def at(zone: str, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ZoneInfo(zone))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)


@pytest.fixture
def api():
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


@pytest.fixture
def other_member(db):
    return person(Role.CEPA_MEMBER, username="ben", country="OMN")


def schedule(actor, **fields) -> Meeting:
    defaults = {
        "kind": MeetingKind.WORKSHOP,
        "branch": branch("e-govb"),
        "time_zone": "UTC",
        "visibility": Visibility.PUBLIC,
    }
    return services.create_meeting(actor, **{**defaults, **fields})


@pytest.fixture
def world(staff, chief, cepa_member, other_branch_staff):
    """e-govb: a past public seminar in Port of Spain, a public CEPA session in New York
    (amina invited), a participants-only workshop in Addis Ababa (amina accepted, with an
    external participant and an agenda item on a deliverable); pacb: a participants-only
    meeting amina does not take part in."""
    past = schedule(
        staff,
        kind=MeetingKind.SEMINAR,
        title="Caribbean e-Government Strategy seminar",
        country=member_state("TTO"),
        start=at("America/Port_of_Spain", 2026, 2, 10, 9),
        end=at("America/Port_of_Spain", 2026, 2, 10, 17),
        time_zone="America/Port_of_Spain",
        location="Port of Spain",
    )
    session = schedule(
        chief,
        kind=MeetingKind.CEPA_SESSION,
        title="CEPA session",
        country=member_state("USA"),
        start=at("America/New_York", 2026, 4, 20, 10),
        end=at("America/New_York", 2026, 4, 24, 18),
        time_zone="America/New_York",
        location="United Nations Headquarters, New York",
    )
    services.add_participant(chief, session, user=cepa_member, role=ParticipantRole.EXPERT)
    workshop = schedule(
        staff,
        title="E/M Government in Africa",
        country=member_state("ETH"),
        start=at("Africa/Addis_Ababa", 2026, 5, 4, 9),
        end=at("Africa/Addis_Ababa", 2026, 5, 6, 17),
        time_zone="Africa/Addis_Ababa",
        location="UNECA Conference Centre, Addis Ababa",
        visibility=Visibility.PARTICIPANTS,
        status=MeetingStatus.TENTATIVE,
    )
    services.add_participant(staff, workshop, user=staff, role=ParticipantRole.CHAIR)
    services.add_participant(staff, workshop, user=cepa_member, role=ParticipantRole.EXPERT)
    services.add_participant(
        staff,
        workshop,
        name="Hanna Tadesse",
        email="hanna@example.org",
        role=ParticipantRole.OBSERVER,
    )
    services.set_reply(cepa_member, workshop, Reply.ACCEPTED)
    survey = workflow_services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.SURVEY, title="UN E-Government Survey"
    )
    chapter = workflow_services.create_deliverable(
        staff,
        product=survey,
        owner=staff,
        title="Chapter 2: Regional e-government development",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2026, 4, 30),
    )
    AgendaItem.objects.create(meeting=workshop, position=1, title="Opening")
    AgendaItem.objects.create(
        meeting=workshop, position=2, title="Regional findings", deliverable=chapter
    )
    pacb = schedule(
        other_branch_staff,
        branch=branch("pacb"),
        title="Public service guidelines workshop",
        start=datetime.datetime(2026, 6, 1, 9, tzinfo=UTC),
        end=datetime.datetime(2026, 6, 1, 17, tzinfo=UTC),
        visibility=Visibility.PARTICIPANTS,
    )
    return SimpleNamespace(
        past=past, session=session, workshop=workshop, pacb=pacb, chapter=chapter
    )


def snapshot() -> tuple:
    return (
        list(
            Meeting.objects.order_by("pk").values_list(
                "title", "start", "end", "status", "revision", "cancel_reason", "updated_at"
            )
        ),
        list(Participant.objects.order_by("pk").values_list("user_id", "name", "reply")),
        list(CalendarToken.objects.order_by("pk").values_list("token_hash", "revoked_at")),
        list(AgendaItem.objects.order_by("pk").values_list("meeting_id", "position", "title")),
        Notification.objects.count(),
    )


def denied(before) -> None:
    """Nothing changed in the database and nothing was sent."""
    assert snapshot() == before
    assert mail.outbox == []


# --- list: only what the caller may see ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("cepa_member", ["past", "session", "workshop"]),
        ("other_member", ["past", "session"]),
        ("staff", ["past", "session", "workshop"]),
        ("other_branch_staff", ["past", "session", "pacb"]),
        ("secretariat_admin", ["past", "session", "workshop", "pacb"]),
        ("focal_point", ["past", "session"]),
    ],
)
@pytest.mark.django_db
def test_meeting_list_shows_only_meetings_the_caller_may_see(api, world, request, who, expected):
    user = request.getfixturevalue(who)

    response = as_user(api, user).get(f"{API}/meetings/")

    assert ids(response) == [getattr(world, name).pk for name in expected]


@pytest.mark.django_db
def test_meeting_list_anonymous_is_401(api, world):
    response = api.get(f"{API}/meetings/")

    assert response.status_code == 401


@pytest.mark.django_db
def test_meeting_list_row_describes_the_meeting(api, world, cepa_member):
    response = as_user(api, cepa_member).get(f"{API}/meetings/", {"status": "tentative"})

    assert response.json()["results"] == [
        {
            "id": world.workshop.pk,
            "kind": "workshop",
            "kind_label": "Workshop",
            "title": "E/M Government in Africa",
            "description": "",
            "branch": "e-govb",
            "branch_name": "e-Government Branch",
            "country": "ETH",
            "country_name": "Ethiopia",
            "region": "africa",
            "start": "2026-05-04T06:00:00Z",
            "end": "2026-05-06T14:00:00Z",
            "time_zone": "Africa/Addis_Ababa",
            "start_local": "2026-05-04T09:00:00+03:00",
            "end_local": "2026-05-06T17:00:00+03:00",
            "location": "UNECA Conference Centre, Addis Ababa",
            "online_link": "",
            "visibility": "participants",
            "visibility_label": "Participants only",
            "status": "tentative",
            "status_label": "Tentative",
            "revision": 0,
            "cancel_reason": "",
            "cancelled_at": None,
            "my_reply": "accepted",
            "can_manage": False,
            "ics_url": f"http://testserver/calendar/meetings/{world.workshop.pk}.ics",
            "created_at": "2026-03-02T10:00:00Z",
            "updated_at": "2026-03-02T10:00:00Z",
        }
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "cepa_session"}, ["session"]),
        ({"branch": "pacb"}, ["pacb"]),
        ({"region": "americas"}, ["past", "session"]),
        ({"region": "africa"}, ["workshop"]),
        ({"status": "confirmed"}, ["past", "session", "pacb"]),
        ({"start_after": "2026-04-20", "start_before": "2026-05-05"}, ["session", "workshop"]),
        ({"start_after": "2026-05-04T06:00:00Z"}, ["workshop", "pacb"]),
        ({"upcoming": "true"}, ["session", "workshop", "pacb"]),
        ({"upcoming": "false"}, ["past"]),
        ({"upcoming": "true", "branch": "e-govb", "kind": "workshop"}, ["workshop"]),
    ],
)
@pytest.mark.django_db
def test_meeting_list_filters(api, world, secretariat_admin, params, expected):
    response = as_user(api, secretariat_admin).get(f"{API}/meetings/", params)

    assert ids(response) == [getattr(world, name).pk for name in expected]


@pytest.mark.django_db
def test_meeting_list_past_meetings_come_latest_first(api, world, staff):
    earlier = schedule(
        staff,
        title="Earlier seminar",
        start=datetime.datetime(2026, 1, 5, 9, tzinfo=UTC),
        end=datetime.datetime(2026, 1, 5, 17, tzinfo=UTC),
    )

    response = as_user(api, staff).get(f"{API}/meetings/", {"upcoming": "false"})

    assert ids(response) == [world.past.pk, earlier.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"upcoming": "soon"}, "upcoming"),
        ({"kind": "party"}, "kind"),
        ({"start_after": "next week"}, "start_after"),
    ],
)
@pytest.mark.django_db
def test_meeting_list_bad_filter_is_400_naming_it(api, world, staff, params, field):
    response = as_user(api, staff).get(f"{API}/meetings/", params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- detail -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "which", "expected"),
    [
        ("cepa_member", "workshop", 200),
        ("other_member", "workshop", 404),
        ("other_member", "session", 200),
        ("focal_point", "workshop", 404),
        ("staff", "workshop", 200),
        ("staff", "pacb", 404),
        ("other_branch_staff", "workshop", 404),
        ("other_branch_staff", "pacb", 200),
        ("secretariat_admin", "pacb", 200),
    ],
)
@pytest.mark.django_db
def test_meeting_detail_answers_404_to_who_may_not_see_it(
    api, world, request, who, which, expected
):
    user = request.getfixturevalue(who)

    response = as_user(api, user).get(f"{API}/meetings/{getattr(world, which).pk}/")

    assert response.status_code == expected
    if expected == 404:
        assert response.json() == {"detail": "No such meeting."}


@pytest.mark.django_db
def test_meeting_detail_agenda_links_deliverables_for_those_who_see_them(
    api, world, staff, cepa_member
):
    as_staff = as_user(APIClient(), staff).get(f"{API}/meetings/{world.workshop.pk}/")
    as_member = as_user(api, cepa_member).get(f"{API}/meetings/{world.workshop.pk}/")

    assert as_staff.json()["agenda"] == [
        {
            "position": 1,
            "title": "Opening",
            "notes": "",
            "deliverable": None,
            "deliverable_title": None,
        },
        {
            "position": 2,
            "title": "Regional findings",
            "notes": "",
            "deliverable": world.chapter.pk,
            "deliverable_title": "Chapter 2: Regional e-government development",
        },
    ]
    assert [item["deliverable"] for item in as_member.json()["agenda"]] == [None, None]
    assert (as_staff.json()["can_manage"], as_member.json()["can_manage"]) == (True, False)
    assert (as_staff.json()["my_reply"], as_member.json()["my_reply"]) == ("invited", "accepted")


# --- create -----------------------------------------------------------------------------------

NEW = {
    "kind": "expert_group",
    "title": "Expert group meeting on e-government",
    "branch": "e-govb",
    "country": "KOR",
    "start": "2026-06-15T09:00:00",
    "end": "2026-06-17T17:30:00",
    "time_zone": "Asia/Seoul",
    "location": "UNPOG, Incheon",
    "online_link": "https://meet.example.org/egm",
}


@pytest.mark.django_db
def test_meeting_create_by_staff_reads_local_times_in_its_time_zone(api, world, staff):
    response = as_user(api, staff).post(f"{API}/meetings/", NEW, format="json")

    assert response.status_code == 201, response.content
    created = Meeting.objects.get(title="Expert group meeting on e-government")
    body = response.json()
    assert (body["id"], body["start_local"], body["end_local"], body["start"]) == (
        created.pk,
        "2026-06-15T09:00:00+09:00",
        "2026-06-17T17:30:00+09:00",
        "2026-06-15T00:00:00Z",
    )
    assert (created.kind, created.branch.code, created.country.iso3, created.created_by) == (
        "expert_group",
        "e-govb",
        "KOR",
        staff,
    )
    assert (created.status, created.visibility, created.revision) == ("confirmed", "public", 0)


@pytest.mark.django_db
def test_meeting_create_keeps_a_given_utc_offset(api, world, staff):
    body = {**NEW, "start": "2026-06-15T09:00:00+02:00", "end": "2026-06-15T12:00:00+02:00"}

    response = as_user(api, staff).post(f"{API}/meetings/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["start_local"] == "2026-06-15T16:00:00+09:00"


@pytest.mark.parametrize("who", ["cepa_member", "other_branch_staff", "focal_point"])
@pytest.mark.django_db
def test_meeting_create_by_someone_not_of_the_branch_is_403_and_creates_nothing(
    api, world, request, who
):
    before = snapshot()

    response = as_user(api, request.getfixturevalue(who)).post(
        f"{API}/meetings/", NEW, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the branch's staff schedule its meetings."}
    denied(before)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"end": "2026-06-15T08:00:00"}, {"end": ["The meeting must end after it starts."]}),
        (
            {"time_zone": "Mars/Olympus"},
            {"time_zone": ["“Mars/Olympus” is not an IANA time zone (for example Europe/Paris)."]},
        ),
        ({"status": "cancelled"}, {"status": ['"cancelled" is not a valid choice.']}),
        ({"branch": "nowhere"}, {"branch": ["Object with code=nowhere does not exist."]}),
        ({"title": ""}, {"title": ["This field may not be blank."]}),
    ],
)
@pytest.mark.django_db
def test_meeting_create_with_a_bad_field_is_400_naming_it(api, world, staff, change, expected):
    before = snapshot()

    response = as_user(api, staff).post(f"{API}/meetings/", {**NEW, **change}, format="json")

    assert response.status_code == 400
    assert response.json() == expected
    denied(before)


# --- invitations and agenda (what the meeting's page does) -----------------------------------


def invitation_calendar(message) -> icalendar.Event:
    """The .ics attached to an invitation mail: its one event."""
    [part] = message.attachments
    assert (part.get_content_type(), part.get_filename()) == ("text/calendar", "meeting.ics")
    [event] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return event


def mailed_already() -> None:
    """The world's invitations went out (in a request of their own): later notes are new
    ones, not replacements of notes still waiting in the same transaction."""
    Notification.objects.update(sent_at=timezone.now())


@pytest.mark.django_db
def test_meeting_create_invites_people_and_sets_the_agenda(
    api, world, staff, cepa_member, other_member, django_capture_on_commit_callbacks
):
    body = {
        **NEW,
        "participants": [
            {"user": cepa_member.pk, "role": "chair"},
            {"user": other_member.pk},
            {"name": "Hanna Tadesse", "email": "hanna@example.org", "role": "observer"},
        ],
        "agenda": ["Opening", "  ", " Country reports ", "Closing"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, staff).post(f"{API}/meetings/", body, format="json")

    assert response.status_code == 201, response.content
    created = Meeting.objects.get(pk=response.json()["id"])
    assert list(
        created.participants.order_by("pk").values_list("user__username", "name", "role")
    ) == [
        ("amina", "", "chair"),
        ("ben", "", "expert"),
        (None, "Hanna Tadesse", "observer"),
    ]
    assert [item["title"] for item in response.json()["agenda"]] == [
        "Opening",
        "Country reports",
        "Closing",
    ]
    # each user invited gets one invitation (not one per step), with the calendar file
    told = sorted(
        Notification.objects.filter(link=f"/meetings/{created.pk}/").values_list(
            "user__username", flat=True
        )
    )
    assert told == ["amina", "ben"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [cepa_member.email, other_member.email]
    )
    for message in mail.outbox:
        assert message.subject.startswith("Meeting invitation: Expert group meeting")
        event = invitation_calendar(message)
        assert (str(event["SUMMARY"]), event["SEQUENCE"]) == (created.title, 0)


@pytest.mark.django_db
def test_meeting_patch_invites_more_people_and_replaces_the_agenda(
    api, world, staff, other_member, django_capture_on_commit_callbacks
):
    url = f"{API}/meetings/{world.workshop.pk}/"
    mailed_already()
    earlier = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, staff).patch(
            url,
            {"participants": [{"user": other_member.pk}], "agenda": ["Regional findings"]},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert list(
        Participant.objects.filter(meeting=world.workshop)
        .order_by("pk")
        .values_list("user__username", "name")
    ) == [("staff", ""), ("amina", ""), (None, "Hanna Tadesse"), ("ben", "")]
    # the item that stays keeps its linked deliverable
    assert list(world.workshop.agenda.values_list("position", "title", "deliverable")) == [
        (1, "Regional findings", world.chapter.pk)
    ]
    # Ben is invited (with the calendar file); Amina is told the agenda changed
    subjects = dict(
        Notification.objects.order_by("pk")[earlier:].values_list("user__username", "subject")
    )
    assert sorted(subjects) == ["amina", "ben"]
    assert subjects["ben"].startswith("Meeting invitation: E/M Government in Africa")
    assert subjects["amina"].startswith("Meeting changed: E/M Government in Africa")
    [invitation] = [m for m in mail.outbox if m.to == [other_member.email]]
    assert str(invitation_calendar(invitation)["SUMMARY"]) == "E/M Government in Africa"


@pytest.mark.parametrize("who", ["cepa_member", "other_branch_staff", "focal_point"])
@pytest.mark.django_db
def test_meeting_create_with_invitations_by_someone_not_of_the_branch_is_403(
    api, world, request, who, other_member
):
    before = snapshot()
    body = {**NEW, "participants": [{"user": other_member.pk}], "agenda": ["Opening"]}

    response = as_user(api, request.getfixturevalue(who)).post(
        f"{API}/meetings/", body, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the branch's staff schedule its meetings."}
    denied(before)


@pytest.mark.django_db
def test_meeting_patch_invitations_by_a_participant_who_may_not_edit_is_403(
    api, world, cepa_member, other_member
):
    before = snapshot()

    response = as_user(api, cepa_member).patch(
        f"{API}/meetings/{world.workshop.pk}/",
        {"participants": [{"user": other_member.pk}], "agenda": ["Hijacked"]},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the branch's staff edit its meetings."}
    denied(before)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"participants": [{"user": 999999}]},
            {
                "participants": {
                    "0": {"user": ["No active CEPA member or staff member has the id 999999."]}
                }
            },
        ),
        (
            {"participants": [{"name": "Guest", "email": "not an address"}]},
            {"participants": {"0": {"email": ["Enter a valid email address."]}}},
        ),
        (
            {"participants": [{"user": None, "name": ""}]},
            {"participants": ["Name the participant."]},
        ),
        (
            {"participants": [{"name": "Guest", "role": "boss"}]},
            {"participants": {"0": {"role": ['"boss" is not a valid choice.']}}},
        ),
        (
            {"agenda": ["Opening", "x" * 301]},
            {"agenda": ["Keep each agenda item under 300 characters."]},
        ),
        ({"agenda": "Opening"}, {"agenda": ['Expected a list of items but got type "str".']}),
    ],
)
@pytest.mark.django_db
def test_meeting_create_with_a_bad_invitation_or_agenda_is_400_and_saves_nothing(
    api, world, staff, change, expected
):
    before = snapshot()

    response = as_user(api, staff).post(f"{API}/meetings/", {**NEW, **change}, format="json")

    assert response.status_code == 400
    assert response.json() == expected
    denied(before)


@pytest.mark.django_db
def test_meeting_patch_inviting_someone_already_there_is_400_and_changes_nothing(
    api, world, staff, cepa_member, other_member
):
    before = snapshot()

    response = as_user(api, staff).patch(
        f"{API}/meetings/{world.workshop.pk}/",
        {
            "title": "Renamed",
            "agenda": ["Opening"],
            "participants": [{"user": other_member.pk}, {"user": cepa_member.pk}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"participants": ["This person already takes part."]}
    denied(before)


@pytest.mark.django_db
def test_meeting_api_invites_the_same_people_as_the_page(api, world, staff, focal_point):
    # a focal point is not among the people the page offers: the API refuses them too
    before = snapshot()

    response = as_user(api, staff).patch(
        f"{API}/meetings/{world.workshop.pk}/",
        {"participants": [{"user": focal_point.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "participants": {
            "0": {"user": [f"No active CEPA member or staff member has the id {focal_point.pk}."]}
        }
    }
    denied(before)


@pytest.mark.django_db
def test_participant_removed_through_the_api_is_told(
    api, world, staff, cepa_member, django_capture_on_commit_callbacks
):
    participant = Participant.objects.get(meeting=world.workshop, user=cepa_member)
    mailed_already()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, staff).delete(
            f"{API}/meetings/{world.workshop.pk}/participants/{participant.pk}/"
        )

    assert response.status_code == 204
    assert not Participant.objects.filter(pk=participant.pk).exists()
    [message] = mail.outbox
    assert message.subject.startswith("No longer taking part: E/M Government in Africa")
    assert str(invitation_calendar(message)["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(("who", "expected"), [("cepa_member", 403), ("other_member", 404)])
@pytest.mark.django_db
def test_participant_removal_by_someone_who_may_not_manage_is_refused(
    api, world, request, who, expected, cepa_member
):
    participant = Participant.objects.get(meeting=world.workshop, user=cepa_member)
    before = snapshot()

    response = as_user(api, request.getfixturevalue(who)).delete(
        f"{API}/meetings/{world.workshop.pk}/participants/{participant.pk}/"
    )

    assert response.status_code == expected
    denied(before)


@pytest.mark.django_db
def test_participant_removal_of_someone_not_taking_part_is_400_naming_participant(
    api, world, staff, cepa_member
):
    other = Participant.objects.get(meeting=world.session, user=cepa_member)
    before = snapshot()

    response = as_user(api, staff).delete(
        f"{API}/meetings/{world.workshop.pk}/participants/{other.pk}/"
    )

    assert response.status_code == 400
    assert response.json() == {"participant": ["This person does not take part."]}
    denied(before)


# --- update -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_patch_time_by_staff_raises_the_revision(api, world, staff, time_machine):
    time_machine.move_to("2026-03-03 08:00:00+00:00", tick=False)

    response = as_user(api, staff).patch(
        f"{API}/meetings/{world.workshop.pk}/",
        {"start": "2026-05-04T10:00:00", "description": "Room 2"},
        format="json",
    )

    assert response.status_code == 200, response.content
    meeting = Meeting.objects.get(pk=world.workshop.pk)
    assert (meeting.start, meeting.end, meeting.description, meeting.revision) == (
        at("Africa/Addis_Ababa", 2026, 5, 4, 10),
        at("Africa/Addis_Ababa", 2026, 5, 6, 17),
        "Room 2",
        1,
    )
    assert (response.json()["revision"], response.json()["updated_at"]) == (
        1,
        "2026-03-03T08:00:00Z",
    )


@pytest.mark.django_db
def test_meeting_patch_description_only_keeps_the_revision(api, world, staff):
    response = as_user(api, staff).patch(
        f"{API}/meetings/{world.session.pk}/", {"description": "Agenda to follow"}, format="json"
    )

    assert (response.status_code, response.json()["revision"]) == (200, 0)


@pytest.mark.parametrize(("who", "expected"), [("cepa_member", 403), ("other_member", 403)])
@pytest.mark.django_db
def test_meeting_patch_by_someone_who_sees_but_may_not_edit_is_403(
    api, world, request, who, expected
):
    before = snapshot()

    response = as_user(api, request.getfixturevalue(who)).patch(
        f"{API}/meetings/{world.session.pk}/", {"title": "Hijacked"}, format="json"
    )

    assert response.status_code == expected
    assert response.json() == {"detail": "Only the branch's staff edit its meetings."}
    denied(before)


@pytest.mark.parametrize("who", ["other_branch_staff", "other_member", "focal_point"])
@pytest.mark.django_db
def test_meeting_patch_of_a_meeting_not_seen_is_404(api, world, request, who):
    before = snapshot()

    response = as_user(api, request.getfixturevalue(who)).patch(
        f"{API}/meetings/{world.workshop.pk}/", {"title": "Hijacked"}, format="json"
    )

    assert response.status_code == 404
    denied(before)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"branch": "pacb"}, {"branch": ["This field cannot be changed."]}),
        ({"end": "2026-05-01T09:00:00"}, {"end": ["The meeting must end after it starts."]}),
        ({"online_link": "not a link"}, {"online_link": ["Enter a valid URL."]}),
    ],
)
@pytest.mark.django_db
def test_meeting_patch_with_a_bad_field_is_400_naming_it(api, world, staff, change, expected):
    before = snapshot()

    response = as_user(api, staff).patch(
        f"{API}/meetings/{world.workshop.pk}/", change, format="json"
    )

    assert response.status_code == 400
    assert response.json() == expected
    denied(before)


# --- cancel -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_cancel_by_chief_marks_it_cancelled_with_the_reason(api, world, chief):
    response = as_user(api, chief).post(
        f"{API}/meetings/{world.session.pk}/cancel/",
        {"reason": "Moved to the autumn session."},
        format="json",
    )

    assert response.status_code == 200, response.content
    meeting = Meeting.objects.get(pk=world.session.pk)
    assert (meeting.status, meeting.cancel_reason, meeting.revision) == (
        MeetingStatus.CANCELLED,
        "Moved to the autumn session.",
        1,
    )
    assert (response.json()["status"], response.json()["cancelled_at"]) == (
        "cancelled",
        "2026-03-02T10:00:00Z",
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"reason": "  "}, {"reason": ["Give a reason."]}),
        ({}, {"reason": ["Give a reason."]}),
    ],
)
@pytest.mark.django_db
def test_meeting_cancel_without_reason_is_400_naming_reason(api, world, staff, body, expected):
    before = snapshot()

    response = as_user(api, staff).post(
        f"{API}/meetings/{world.session.pk}/cancel/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json() == expected
    denied(before)


@pytest.mark.django_db
def test_meeting_cancel_twice_is_400_naming_status(api, world, staff):
    as_user(api, staff).post(
        f"{API}/meetings/{world.session.pk}/cancel/", {"reason": "Postponed"}, format="json"
    )
    before = snapshot()

    response = api.post(
        f"{API}/meetings/{world.session.pk}/cancel/", {"reason": "Again"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"status": ["The meeting is already cancelled."]}
    denied(before)


@pytest.mark.parametrize(
    ("who", "which", "expected"),
    [
        ("cepa_member", "workshop", 403),
        ("other_branch_staff", "session", 403),
        ("other_branch_staff", "workshop", 404),
        ("other_member", "workshop", 404),
    ],
)
@pytest.mark.django_db
def test_meeting_cancel_by_someone_not_of_the_branch_is_refused(
    api, world, request, who, which, expected
):
    before = snapshot()

    response = as_user(api, request.getfixturevalue(who)).post(
        f"{API}/meetings/{getattr(world, which).pk}/cancel/", {"reason": "No"}, format="json"
    )

    assert response.status_code == expected
    denied(before)


# --- participants and replies ---------------------------------------------------------------------


@pytest.mark.django_db
def test_participants_for_a_participant_hide_e_mail_addresses(api, world, cepa_member, staff):
    response = as_user(api, cepa_member).get(f"{API}/meetings/{world.workshop.pk}/participants/")

    assert response.status_code == 200
    assert [
        (row["user"], row["name"], row["email"], row["role"], row["reply"])
        for row in response.json()
    ] == [
        (staff.pk, staff.get_full_name(), None, "chair", "invited"),
        (cepa_member.pk, cepa_member.get_full_name(), None, "expert", "accepted"),
        (None, "Hanna Tadesse", None, "observer", "invited"),
    ]


@pytest.mark.django_db
def test_participants_for_branch_staff_show_e_mail_addresses(api, world, staff, cepa_member):
    response = as_user(api, staff).get(f"{API}/meetings/{world.workshop.pk}/participants/")

    assert [row["email"] for row in response.json()] == [
        staff.email,
        cepa_member.email,
        "hanna@example.org",
    ]
    assert response.json()[2]["role_label"] == "Observer"


@pytest.mark.django_db
def test_participants_of_a_meeting_not_seen_is_404(api, world, other_member):
    response = as_user(api, other_member).get(f"{API}/meetings/{world.workshop.pk}/participants/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_reply_by_a_participant_records_it(api, world, cepa_member, time_machine):
    time_machine.move_to("2026-03-04 12:00:00+00:00", tick=False)

    response = as_user(api, cepa_member).post(
        f"{API}/meetings/{world.session.pk}/reply/", {"reply": "tentative"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["user"], response.json()["reply"]) == (cepa_member.pk, "tentative")
    assert Participant.objects.get(meeting=world.session, user=cepa_member).reply == "tentative"
    assert Meeting.objects.get(pk=world.session.pk).updated_at == datetime.datetime(
        2026, 3, 4, 12, tzinfo=UTC
    )


@pytest.mark.django_db
def test_reply_by_someone_who_does_not_take_part_is_403(api, world, other_member):
    before = snapshot()

    response = as_user(api, other_member).post(
        f"{API}/meetings/{world.session.pk}/reply/", {"reply": "accepted"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only participants reply."}
    denied(before)


@pytest.mark.parametrize("reply", ["invited", "maybe", ""])
@pytest.mark.django_db
def test_reply_with_an_unknown_answer_is_400_naming_reply(api, world, cepa_member, reply):
    before = snapshot()

    response = as_user(api, cepa_member).post(
        f"{API}/meetings/{world.session.pk}/reply/", {"reply": reply}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reply"]
    denied(before)


@pytest.mark.django_db
def test_reply_to_a_meeting_not_seen_is_404(api, world, other_member):
    before = snapshot()

    response = as_user(api, other_member).post(
        f"{API}/meetings/{world.pacb.pk}/reply/", {"reply": "accepted"}, format="json"
    )

    assert response.status_code == 404
    denied(before)


# --- me/calendar ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_for_a_member_without_feed_lists_the_public_feed(api, cepa_member, settings):
    settings.SITE_URL = "https://collab.example.org"

    response = as_user(api, cepa_member).get(f"{API}/me/calendar/")

    assert response.status_code == 200
    assert response.json() == {
        "public": {
            "url": "https://collab.example.org/calendar/public.ics",
            "webcal_url": "webcal://collab.example.org/calendar/public.ics",
        },
        "personal": {
            "kind": "personal",
            "active": False,
            "prefix": None,
            "created_at": None,
            "last_used_at": None,
        },
        "branch": None,
    }


@pytest.mark.django_db
def test_calendar_for_branch_staff_shows_both_private_feeds_without_their_secret(
    api, staff, time_machine
):
    raw = services.reset_token(staff, "personal")
    time_machine.move_to("2026-03-02 11:00:00+00:00", tick=False)
    services.touch_token(services.token_for(raw, "personal"))

    response = as_user(api, staff).get(f"{API}/me/calendar/")

    body = response.json()
    assert (body["personal"], body["branch"]) == (
        {
            "kind": "personal",
            "active": True,
            "prefix": raw[:6],
            "created_at": "2026-03-02T10:00:00Z",
            "last_used_at": "2026-03-02T11:00:00Z",
        },
        {
            "kind": "branch",
            "active": False,
            "prefix": None,
            "created_at": None,
            "last_used_at": None,
        },
    )
    assert raw not in response.content.decode()


@pytest.mark.django_db
def test_calendar_anonymous_is_401(api):
    assert api.get(f"{API}/me/calendar/").status_code == 401
    assert api.post(f"{API}/me/calendar/reset/", {"kind": "personal"}).status_code == 401


@pytest.mark.django_db
def test_calendar_reset_answers_the_new_address_once_and_revokes_the_old(
    api, cepa_member, settings
):
    settings.SITE_URL = "https://collab.example.org"
    old = services.reset_token(cepa_member, "personal")

    response = as_user(api, cepa_member).post(
        f"{API}/me/calendar/reset/", {"kind": "personal"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    raw = body["url"].removeprefix("https://collab.example.org/calendar/feed/").removesuffix(".ics")
    assert body == {
        "kind": "personal",
        "prefix": raw[:6],
        "created_at": "2026-03-02T10:00:00Z",
        "url": f"https://collab.example.org/calendar/feed/{raw}.ics",
        "webcal_url": f"webcal://collab.example.org/calendar/feed/{raw}.ics",
    }
    assert response["Cache-Control"] == "private, no-store"
    assert services.token_for(raw, "personal").user == cepa_member
    assert services.token_for(old, "personal") is None
    assert raw not in as_user(api, cepa_member).get(f"{API}/me/calendar/").content.decode()


@pytest.mark.django_db
def test_calendar_reset_of_the_branch_feed_by_staff(api, staff):
    response = as_user(api, staff).post(
        f"{API}/me/calendar/reset/", {"kind": "branch"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert "/calendar/branch/" in response.json()["url"]
    token = CalendarToken.objects.get(user=staff, revoked_at__isnull=True)
    assert (token.kind, token.branch.code) == ("branch", "e-govb")


@pytest.mark.django_db
def test_calendar_reset_of_the_branch_feed_by_a_member_is_403_and_issues_nothing(api, cepa_member):
    before = snapshot()

    response = as_user(api, cepa_member).post(
        f"{API}/me/calendar/reset/", {"kind": "branch"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only branch staff have a branch feed."}
    denied(before)


@pytest.mark.django_db
def test_calendar_reset_of_an_unknown_kind_is_400_naming_kind(api, cepa_member):
    response = as_user(api, cepa_member).post(
        f"{API}/me/calendar/reset/", {"kind": "everything"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["kind"]
    assert CalendarToken.objects.count() == 0


# --- query counts, schema, root ----------------------------------------------------------------


def bulk_meetings(count: int, staff, member) -> None:
    """`count` meetings of e-govb in several countries, half public, each with the member."""
    countries = [member_state(iso3) for iso3 in ("ETH", "BRB", "OMN", "KOR")]
    meetings = Meeting.objects.bulk_create(
        Meeting(
            kind=MeetingKind.WORKSHOP,
            title=f"Workshop {i}",
            branch=branch("e-govb"),
            country=countries[i % len(countries)],
            start=datetime.datetime(2026, 4, 1, 9, tzinfo=UTC) + datetime.timedelta(days=i),
            end=datetime.datetime(2026, 4, 1, 17, tzinfo=UTC) + datetime.timedelta(days=i),
            time_zone="Africa/Addis_Ababa",
            visibility=Visibility.PUBLIC if i % 2 else Visibility.PARTICIPANTS,
            created_by=staff,
        )
        for i in range(count)
    )
    Participant.objects.bulk_create(
        Participant(meeting=m, user=member, reply=Reply.ACCEPTED) for m in meetings
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# Token and user, roles, profile, count, page; visibility and the caller's reply are subqueries.
@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("who", ["staff", "cepa_member"])
@pytest.mark.django_db
def test_meeting_list_query_count_does_not_grow_with_rows(
    request, staff, cepa_member, django_assert_num_queries, count, who
):
    bulk_meetings(count, staff, cepa_member)
    client = token_client(request.getfixturevalue(who))

    with django_assert_num_queries(5):
        response = client.get(f"{API}/meetings/", {"upcoming": "true"})

    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.django_db
def test_schema_documents_the_meeting_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    assert {
        "/api/v1/meetings/",
        "/api/v1/meetings/{id}/",
        "/api/v1/meetings/{id}/cancel/",
        "/api/v1/meetings/{id}/participants/",
        "/api/v1/meetings/{id}/reply/",
        "/api/v1/me/calendar/",
        "/api/v1/me/calendar/reset/",
    } <= set(paths)
    assert set(paths["/api/v1/meetings/"]) == {"get", "post"}
    assert set(paths["/api/v1/meetings/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/meetings/{id}/participants/{participant_id}/"]) == {"delete"}
    schemas = response.json()["components"]["schemas"]
    write = schemas["MeetingWrite"]["properties"]
    assert write["participants"]["items"] == {"$ref": "#/components/schemas/Invitation"}
    assert write["agenda"]["items"]["type"] == "string"
    assert set(schemas["Invitation"]["properties"]) == {"user", "name", "email", "role"}
    filters = {p["name"] for p in paths["/api/v1/meetings/"]["get"]["parameters"]}
    assert {"kind", "branch", "region", "status", "start_after", "start_before", "upcoming"} <= (
        filters
    )


@pytest.mark.django_db
def test_api_root_lists_the_meeting_endpoints(api, cepa_member):
    body = as_user(api, cepa_member).get(f"{API}/").json()

    assert (body["meetings"], body["calendar"]) == (
        "http://testserver/api/v1/meetings/",
        "http://testserver/api/v1/me/calendar/",
    )
