"""Meeting times that name no single instant (a daylight-saving gap or fold) are errors of
their field in the pages and the API, and nothing is saved."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from meetings.models import Meeting
from tests.meetings.test_pages import form_data

pytestmark = pytest.mark.django_db

GAP = "This time does not exist in Europe/Paris (the clocks change then)."
FOLD = (
    "This time happens twice in Europe/Paris (the clocks go back then): choose a time just "
    "before or after."
)
BODY = {
    "kind": "expert_group",
    "title": "Expert group meeting in Paris",
    "branch": "e-govb",
    "country": "FRA",
    "time_zone": "Europe/Paris",
    "start": "2026-06-15T09:00:00",
    "end": "2026-06-15T17:00:00",
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ({"start": "2026-03-29T02:30:00", "end": "2026-03-29T05:00:00"}, {"start": [GAP]}),
        ({"start": "2026-10-25T01:00:00", "end": "2026-10-25T02:30:00"}, {"end": [FOLD]}),
        (
            {"start": "2026-03-29T02:15:00", "end": "2026-10-25T02:45:00"},
            {"start": [GAP], "end": [FOLD]},
        ),
    ],
)
def test_api_names_the_field_of_a_time_the_clocks_skip_or_repeat(staff, times, expected):
    api = APIClient()
    api.force_authenticate(staff)

    response = api.post("/api/v1/meetings/", {**BODY, **times}, format="json")

    assert response.status_code == 400
    assert response.json() == expected
    assert Meeting.objects.count() == 0


def test_api_accepts_a_repeated_time_given_with_its_offset(staff):
    api = APIClient()
    api.force_authenticate(staff)
    times = {"start": "2026-10-25T01:00:00", "end": "2026-10-25T02:30:00+01:00"}

    response = api.post("/api/v1/meetings/", {**BODY, **times}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["end"] == "2026-10-25T01:30:00Z"


def test_page_names_the_field_of_a_time_the_clocks_repeat(client: Client, staff):
    client.force_login(staff)

    response = client.post(
        "/meetings/new/",
        form_data(time_zone="Europe/Paris", start="2026-10-25T01:00", end="2026-10-25T02:30"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"end": [FOLD]}
    assert Meeting.objects.count() == 0


def test_page_names_the_field_of_a_time_the_clocks_skip(client: Client, staff):
    client.force_login(staff)

    response = client.post(
        "/meetings/new/",
        form_data(time_zone="Europe/Paris", start="2026-03-29T02:30", end="2026-03-29T05:00"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"start": [GAP]}
    assert Meeting.objects.count() == 0
