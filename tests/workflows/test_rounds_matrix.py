"""Authorization matrix of the rounds' pages, endpoints and files (issue 16, items 3-4):
for each person, the same request, and what it answers; a refusal changes nothing.

People: the owner and chief of the deliverable, the secretariat admin (sees everything,
decides nothing), branch staff reviewing nothing, Amina (round 1 and 2), Bruno (round 1
only), Carla (round 2 only), a CEPA member never assigned, staff of another branch, a focal
point of a country, an anonymous visitor."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from tests.workflows.test_rounds_world import DUE, round_one, round_two
from workflows.models import OwnerResponse, ReviewAssignment

API = "/api/v1"
PEOPLE = (
    "owner",
    "chief",
    "admin",
    "bystander",
    "amina",
    "bruno",
    "carla",
    "unassigned",
    "other_branch_staff",
    "focal",
    "anonymous",
)


@pytest.fixture(autouse=True)
def _today():
    with (
        time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False),
        translation.override("en"),
    ):
        yield


def cast_of(world, secretariat_admin, cepa_member, other_branch_staff, other_focal_point):
    return {
        "owner": world.owner,
        "chief": world.chief,
        "admin": secretariat_admin,
        "bystander": world.bystander,
        "amina": world.amina,
        "bruno": world.bruno,
        "carla": world.carla,
        "unassigned": cepa_member,
        "other_branch_staff": other_branch_staff,
        "focal": other_focal_point,
        "anonymous": None,
    }


def get_page(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def post_page(client, user, url, data):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(url, data).status_code


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# While revised after round 1: (response page GET, its POST, API POST of a response).
RESPOND = {
    "owner": (200, 302, 200),
    "chief": (200, 302, 200),
    "admin": (403, 403, 403),
    "bystander": (403, 403, 403),
    "amina": (403, 403, 403),
    "bruno": (403, 403, 403),
    "carla": (404, 404, 404),
    "unassigned": (404, 404, 404),
    "other_branch_staff": (404, 404, 404),
    "focal": (404, 404, 404),
    "anonymous": (302, 302, 401),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", PEOPLE)
def test_writing_the_response(
    client,
    who,
    chief,
    staff,
    secretariat_admin,
    cepa_member,
    other_branch_staff,
    other_focal_point,
):
    world = round_one(chief, staff)
    user = cast_of(world, secretariat_admin, cepa_member, other_branch_staff, other_focal_point)[
        who
    ]
    url = f"/deliverables/{world.deliverable.pk}/response/"
    api_url = f"{API}/deliverables/{world.deliverable.pk}/responses/"

    statuses = (
        get_page(client, user, url),
        post_page(client, user, url, {"text": "Page."}),
        api(user).post(api_url, {"text": "API."}, format="json").status_code,
    )

    assert statuses == RESPOND[who]
    texts = list(OwnerResponse.objects.values_list("text", flat=True))
    assert texts == (["API."] if who in ("owner", "chief") else [])


# In round 2: (API responses read: status, rounds listed; reinvite page GET, its POST,
# API reinvite (400 for the allowed: the page invited everyone already); version 1
# download on the page, in the API).
READ = {
    "owner": (200, [1], 200, 302, 400, 200, 200),
    "chief": (200, [1], 200, 302, 400, 200, 200),
    "admin": (200, [1], 403, 403, 403, 200, 200),
    "bystander": (200, [1], 403, 403, 403, 200, 200),
    "amina": (200, [1], 403, 403, 403, 200, 200),
    "bruno": (200, [], 403, 403, 403, 200, 200),
    "carla": (200, [1], 403, 403, 403, 200, 200),
    "unassigned": (404, None, 404, 404, 404, 404, 404),
    "other_branch_staff": (404, None, 404, 404, 404, 404, 404),
    "focal": (404, None, 404, 404, 404, 404, 404),
    "anonymous": (401, None, 302, 302, 401, 302, 401),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", PEOPLE)
def test_round_two_reading_and_reinviting(
    client,
    who,
    chief,
    staff,
    secretariat_admin,
    cepa_member,
    other_branch_staff,
    other_focal_point,
):
    world = round_two(round_one(chief, staff))
    user = cast_of(world, secretariat_admin, cepa_member, other_branch_staff, other_focal_point)[
        who
    ]
    pk = world.deliverable.pk
    before = ReviewAssignment.objects.count()

    listed = api(user).get(f"{API}/deliverables/{pk}/responses/")
    rounds = [row["round"] for row in listed.json()] if listed.status_code == 200 else None
    reinvite_url = f"/deliverables/{pk}/reinvite/"
    statuses = (
        listed.status_code,
        rounds,
        get_page(client, user, reinvite_url),
        post_page(client, user, reinvite_url, {"due_date": DUE.isoformat()}),
        api(user)
        .post(f"{API}/deliverables/{pk}/reinvite/", {"due_date": DUE.isoformat()}, format="json")
        .status_code,
        get_page(client, user, f"/deliverables/{pk}/versions/1/download/"),
        api(user).get(f"{API}/deliverables/{pk}/versions/1/download/").status_code,
    )

    assert statuses == READ[who]
    invited = ReviewAssignment.objects.count() - before
    assert invited == (1 if who in ("owner", "chief") else 0)
