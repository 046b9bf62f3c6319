"""What the country's focal point must not get by another path than the request's page:
comments on a plan version they may not read, the id of a participants-only mission (the
countries API), the lead's account (the milestones API)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestState

pytestmark = pytest.mark.django_db

S = RequestState
SECRET = "Version 2 drops the data-protection chapter."


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_comments_on_a_plan_back_in_analysis_are_hidden_from_the_country(
    client, request_in, ira, focal_point, pdf_file
):
    drafted = request_in(S.PLAN_DRAFTED)
    plan = advisory.latest_plan(drafted)
    advisory.add_comment(ira, drafted, "Please comment by Friday.", internal=False, document=plan)
    advisory.fire_transition(ira, drafted, "start_analysis")
    version_2 = advisory.upload_document(
        ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf")
    )
    advisory.add_comment(ira, drafted, SECRET, internal=False, document=version_2)
    client.force_login(focal_point)

    page = client.get(f"/advisory-requests/{drafted.pk}/").content.decode()
    answer = _api(focal_point).get(f"/api/v1/advisory-requests/{drafted.pk}/comments/").json()
    advisory.fire_transition(ira, drafted, "draft_plan")
    redrafted = _api(focal_point).get(f"/api/v1/advisory-requests/{drafted.pk}/comments/").json()

    assert SECRET not in page and "Please comment by Friday." not in page
    assert answer == []
    # Once drafted again, the country reads the plans and the comments on them.
    assert [c["text"] for c in redrafted] == ["Please comment by Friday.", SECRET]


def test_countries_api_names_a_mission_the_country_may_not_open_but_gives_no_id(
    request_in, ira, focal_point
):
    planned = request_in(S.MISSION_PLANNED)

    def mission_of(user) -> dict:
        country = _api(user).get("/api/v1/countries/OMN/").json()
        [request] = [r for r in country["requests"] if r["id"] == planned.pk]
        return request["mission"]

    for_the_country, for_the_lead = mission_of(focal_point), mission_of(ira)

    assert "id" not in for_the_country
    assert for_the_country["title"] == for_the_lead["title"] == planned.mission.title
    assert for_the_lead["id"] == planned.mission_id
    assert _api(focal_point).get(f"/api/v1/meetings/{planned.mission_id}/").status_code == 404


def test_milestones_api_gives_the_country_the_lead_name_not_the_account(
    request_in, ira, focal_point, staff
):
    drafted = request_in(S.PLAN_DRAFTED)
    advisory.add_milestone(
        ira,
        drafted,
        title="Validation workshop",
        due_date=timezone.localdate() + datetime.timedelta(days=20),
    )
    paths = ["/api/v1/milestones/", f"/api/v1/advisory-requests/{drafted.pk}/milestones/"]

    def rows(user, path: str) -> list[dict]:
        answer = _api(user).get(path).json()
        return answer["results"] if isinstance(answer, dict) else answer

    for path in paths:
        [for_the_country], [for_staff] = rows(focal_point, path), rows(staff, path)
        assert "lead" not in for_the_country
        assert for_the_country["lead_name"] == for_staff["lead_name"] == "Ines Rahal"
        assert for_staff["lead"] == ira.pk
