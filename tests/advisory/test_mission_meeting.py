"""The assessment mission is made by the meetings service: its people are invited like any
participants, with the calendar file. The lead of an advisory request manages it on the
meetings pages and in the API (edit, cancel, agenda, participants); nobody else outside the
branch's staff does, and the mission stays an assessment mission."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from advisory import services as advisory
from advisory.enums import RequestState
from cepa_collab.enums import Role
from meetings import rules as meeting_rules
from meetings import services as meetings
from meetings.enums import MeetingKind, ParticipantRole, Reply
from meetings.models import Meeting
from meetings.notices import MeetingNotice
from notifications.models import Notification
from tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission(request_in) -> Meeting:
    return request_in(RequestState.MISSION_PLANNED).mission


def mission_times() -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=20)
    return start, start + datetime.timedelta(days=3)


@pytest.mark.parametrize("who", ["ira", "chief"])
def test_the_mission_s_people_are_invited_with_the_calendar_file(
    request_in, request, who, ira, team_member, django_capture_on_commit_callbacks
):
    # given an accepted request led by Ines with Tomas on the team
    accepted = request_in(RequestState.ACCEPTED)
    actor = request.getfixturevalue(who)
    start, end = mission_times()
    mail.outbox.clear()

    # when the lead (or the chief) plans the mission
    with django_capture_on_commit_callbacks(execute=True):
        meeting = advisory.schedule_mission(
            actor, accepted, start=start, end=end, time_zone="Asia/Muscat", location="Muscat"
        )

    # then the lead and the team take part, invited, and each one but the actor gets the
    # meeting's invitation with its calendar file (the one its download serves)
    assert sorted(meeting.participants.values_list("user__username", "role", "reply")) == [
        ("ira", ParticipantRole.SECRETARIAT, Reply.INVITED),
        ("teammate", ParticipantRole.SECRETARIAT, Reply.INVITED),
    ]
    invited = [ira, team_member] if who == "chief" else [team_member]
    notes = Notification.objects.filter(kind=MeetingNotice.MEETING)
    assert sorted(notes.values_list("user__username", "link")) == sorted(
        (user.username, f"/meetings/{meeting.pk}/") for user in invited
    )
    messages = [m for m in mail.outbox if m.subject.startswith("Meeting invitation: ")]
    assert sorted(m.to[0] for m in messages) == sorted(user.email for user in invited)
    for message in messages:
        assert message.subject.startswith("Meeting invitation: Assessment mission: Oman, ")
        [part] = message.attachments
        assert (part.get_content_type(), part.get_filename()) == ("text/calendar", "meeting.ics")
        [event] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
        assert (str(event["UID"]), str(event["SUMMARY"]), event.decoded("DTSTART")) == (
            f"meeting-{meeting.pk}@{settings.SITE_HOST}",
            "Assessment mission: Oman",
            start,
        )


def test_a_refused_mission_invites_nobody(request_in, staff, django_capture_on_commit_callbacks):
    accepted = request_in(RequestState.ACCEPTED)
    start, end = mission_times()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        advisory.schedule_mission(staff, accepted, start=start, end=end, time_zone="UTC")

    assert (Meeting.objects.count(), mail.outbox) == (0, [])
    assert not Notification.objects.filter(kind=MeetingNotice.MEETING).exists()


def edit_data(client, meeting, **overrides) -> dict:
    form = client.get(f"/meetings/{meeting.pk}/edit/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or form.fields[name].disabled:
            continue
        if hasattr(value, "strftime"):
            value = value.strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    data.update(overrides)
    return data


def test_the_lead_edits_the_mission_and_the_team_is_told(client, mission, ira, team_member):
    client.force_login(ira)

    page = client.get(f"/meetings/{mission.pk}/")
    response = client.post(
        f"/meetings/{mission.pk}/edit/",
        edit_data(client, mission, location="Ministry of Transport, Muscat"),
    )

    assert f'href="/meetings/{mission.pk}/edit/"' in page.content.decode()
    assert response.status_code == 302
    stored = Meeting.objects.get(pk=mission.pk)
    assert (stored.location, stored.revision) == ("Ministry of Transport, Muscat", 1)
    assert Notification.objects.filter(user=team_member, link=f"/meetings/{mission.pk}/").exists()


@pytest.mark.parametrize("who", ["team_member", "cepa_member", "other_ira"])
def test_others_outside_the_branch_staff_may_not_edit_it(client, mission, request, who):
    if who == "other_ira":
        user = person(Role.INTER_REGIONAL_ADVISOR, username="ira9", branch_code="e-govb")
    else:
        user = request.getfixturevalue(who)
    before = list(Meeting.objects.values_list("pk", "location", "revision"))
    client.force_login(user)

    statuses = {
        client.get(f"/meetings/{mission.pk}/edit/").status_code,
        client.post(f"/meetings/{mission.pk}/edit/", {"location": "Elsewhere"}).status_code,
        client.post(f"/meetings/{mission.pk}/cancel/", {"reason": "No."}).status_code,
    }

    # Participants and the branch's people see the mission (403); others don't (404).
    assert statuses == ({404} if who == "cepa_member" else {403})
    assert list(Meeting.objects.values_list("pk", "location", "revision")) == before


def test_the_lead_manages_only_their_own_mission(request_in, ira, staff):
    other = meetings.create_meeting(
        staff,
        kind=MeetingKind.ASSESSMENT_MISSION,
        title="Mission without a request",
        branch=ira.profile.branch,
        start=request_in(RequestState.MISSION_PLANNED).mission.start,
        end=Meeting.objects.get().end,
        time_zone="Asia/Muscat",
    )

    assert not meeting_rules.manages(other, ira)
    assert meeting_rules.manages(other, staff)


def test_the_lead_cancels_the_mission_with_a_reason(client, mission, ira):
    client.force_login(ira)

    response = client.post(f"/meetings/{mission.pk}/cancel/", {"reason": "Postponed by Oman."})

    assert response.status_code == 302
    assert Meeting.objects.get(pk=mission.pk).is_cancelled


def test_the_mission_stays_an_assessment_mission(mission, ira, staff):
    for actor in (ira, staff):
        with pytest.raises(ValidationError) as caught:
            meetings.update_meeting(actor, mission, kind=MeetingKind.WORKSHOP)
        assert list(caught.value.message_dict) == ["kind"]

    assert Meeting.objects.get(pk=mission.pk).kind == MeetingKind.ASSESSMENT_MISSION


def test_api_says_who_manages_the_mission_and_lets_the_lead_patch_it(mission, ira, team_member):
    api = APIClient()
    url = f"/api/v1/meetings/{mission.pk}/"
    api.force_authenticate(team_member)
    seen_by_team = api.get(url).json()["can_manage"]
    refused = api.patch(url, {"location": "Sohar"}, format="json")
    api.force_authenticate(ira)
    listed = {m["id"]: m["can_manage"] for m in api.get("/api/v1/meetings/").json()["results"]}
    patched = api.patch(url, {"location": "Sohar"}, format="json")

    assert (seen_by_team, refused.status_code) == (False, 403)
    assert (listed[mission.pk], patched.status_code) == (True, 200)
    assert Meeting.objects.get(pk=mission.pk).location == "Sohar"
