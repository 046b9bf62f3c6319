"""The lead of an advisory request manages its assessment mission on the meetings pages
and in the API (edit, cancel, agenda, participants); nobody else outside the branch's staff
does, and the mission stays an assessment mission."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from advisory.enums import RequestState
from cepa_collab.enums import Role
from meetings import services as meetings
from meetings.enums import MeetingKind
from meetings.models import Meeting
from notifications.models import Notification
from tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission(request_in) -> Meeting:
    return request_in(RequestState.MISSION_PLANNED).mission


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

    assert not meetings.can_manage_meeting(ira, other)
    assert meetings.can_manage_meeting(staff, other)


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
