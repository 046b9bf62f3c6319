"""Advisory requests: milestones are never added or moved into the past (page and API, the
field named, nothing saved); a mission time the clocks skip or repeat is an error of its
field; the export neutralises look-alikes of formula characters."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from advisory import services as advisory
from advisory.enums import RequestState as S
from advisory.models import Milestone

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
PAST = "The due date is in the past."


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def milestones() -> list[tuple]:
    return list(Milestone.objects.order_by("pk").values_list("title", "due_date"))


@pytest.mark.parametrize("due", ["1900-01-01", "1999-12-31", "2026-03-01"])
def test_api_refuses_a_milestone_due_in_the_past(request_in, ira, due):
    accepted = request_in(S.ACCEPTED)

    response = api_for(ira).post(
        "/api/v1/milestones/",
        {"request": accepted.pk, "title": "Adopt the e-law", "due_date": due},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"due_date": [PAST]}
    assert milestones() == []


def test_page_refuses_a_milestone_due_in_the_past(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)
    client = Client()
    client.force_login(ira)

    response = client.post(
        f"/advisory-requests/{follow_up.pk}/milestones/",
        {"title": "Adopt the e-law", "due_date": "1999-12-31"},
    )

    assert response.status_code == 400
    assert response.context["errors"][0].errors == {"due_date": [PAST]}
    assert milestones() == []


def test_moving_a_milestone_into_the_past_is_refused_and_earlier_is_not(request_in, ira):
    accepted = request_in(S.ACCEPTED)
    milestone = advisory.add_milestone(
        ira, accepted, title="Adopt the e-law", due_date=TODAY + datetime.timedelta(days=30)
    )
    api = api_for(ira)

    refused = api.patch(
        f"/api/v1/milestones/{milestone.pk}/", {"due_date": "1900-01-01"}, format="json"
    )
    after_refusal = milestones()
    moved = api.patch(
        f"/api/v1/milestones/{milestone.pk}/", {"due_date": "2026-03-10"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {"due_date": [PAST]}
    assert after_refusal == [("Adopt the e-law", TODAY + datetime.timedelta(days=30))]
    assert moved.status_code == 200
    assert milestones() == [("Adopt the e-law", datetime.date(2026, 3, 10))]


def test_plan_review_due_in_the_past_is_refused(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    response = api_for(ira).post(
        f"/api/v1/advisory-requests/{accepted.pk}/plan-review/",
        {"due_date": "1999-12-31"},
        format="json",
    )

    assert response.status_code in {400, 409}
    if response.status_code == 400:
        assert response.json() == {"due_date": [PAST]}


def test_mission_time_the_clocks_skip_is_an_error_of_its_field(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    response = api_for(ira).post(
        f"/api/v1/advisory-requests/{accepted.pk}/mission/",
        {
            "start": "2026-03-29T02:30",
            "end": "2026-10-25T02:30",
            "time_zone": "Europe/Paris",
            "location": "Paris",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "start": ["This time does not exist in Europe/Paris (the clocks change then)."],
        "end": [
            "This time happens twice in Europe/Paris (the clocks go back then): choose a time "
            "just before or after."
        ],
    }
    accepted.refresh_from_db()
    assert (accepted.state, accepted.mission_id) == (S.ACCEPTED, None)


def test_export_neutralises_look_alikes_of_formula_characters(request_in, staff):
    request_in(S.RECEIVED, title="\uff1dHYPERLINK(1)")
    request_in(S.RECEIVED, title="\ufe6bSUM(A1)")
    client = Client()
    client.force_login(staff)

    response = client.get("/advisory-requests/export.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row[1] for row in rows[1:]) == ["'\ufe6bSUM(A1)", "'\uff1dHYPERLINK(1)"]
