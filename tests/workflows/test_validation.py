"""Due dates of deliverables and reviews: the past refused when one is set or moved, through
every door (service, page, API, admin), with the field named and nothing saved; moving one
earlier (not into the past) stays possible with a reason. The dashboard's CSV neutralises
Unicode look-alikes of formula characters."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from workflows import services
from workflows.models import Deliverable, DeliverableHistory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)
PAST = ["1900-01-01", "1999-12-31", "2026-03-01"]


@pytest.fixture(autouse=True)
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def state(deliverable) -> tuple:
    fresh = Deliverable.objects.get(pk=deliverable.pk)
    return fresh.due_date, DeliverableHistory.objects.filter(deliverable=fresh).count()


def new_fields(cast, due) -> dict:
    return {
        "product": cast.deliverable.product.pk,
        "owner": cast.owner.pk,
        "title": "Chapter 9",
        "kind": "chapter",
        "due_date": due,
    }


# --- creating ---------------------------------------------------------------------------------


@pytest.mark.parametrize("due", PAST)
def test_api_refuses_a_new_deliverable_due_in_the_past(cast, due):
    api = APIClient()
    api.force_authenticate(cast.owner)
    count = Deliverable.objects.count()

    response = api.post("/api/v1/deliverables/", new_fields(cast, due), format="json")

    assert response.status_code == 400
    assert response.json() == {"due_date": ["The due date is in the past."]}
    assert Deliverable.objects.count() == count


def test_api_accepts_a_new_deliverable_due_today(cast):
    api = APIClient()
    api.force_authenticate(cast.owner)

    response = api.post("/api/v1/deliverables/", new_fields(cast, "2026-03-02"), format="json")

    assert response.status_code == 201
    assert Deliverable.objects.get(title="Chapter 9").due_date == TODAY


def test_service_refuses_a_new_deliverable_due_in_the_past(cast):
    count = Deliverable.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.create_deliverable(
            cast.owner,
            product=cast.deliverable.product,
            owner=cast.owner,
            title="Chapter 9",
            kind="chapter",
            due_date=datetime.date(1999, 12, 31),
        )

    assert caught.value.message_dict == {"due_date": ["The due date is in the past."]}
    assert Deliverable.objects.count() == count


def test_admin_refuses_a_new_deliverable_due_in_the_past(cast, superuser):
    client = Client()
    client.force_login(superuser)
    count = Deliverable.objects.count()
    fields = new_fields(cast, "1900-01-01") | {"description": ""}

    response = client.post("/admin/workflows/deliverable/add/", fields)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "due_date": ["The due date is in the past."]
    }
    assert Deliverable.objects.count() == count


# --- moving -------------------------------------------------------------------------------------


@pytest.mark.parametrize("due", PAST)
def test_api_refuses_moving_a_due_date_into_the_past(cast, due):
    api = APIClient()
    api.force_authenticate(cast.owner)
    before = state(cast.deliverable)

    response = api.post(
        f"/api/v1/deliverables/{cast.deliverable.pk}/due-date/",
        {"due_date": due, "reason": "Typo"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"due_date": ["The due date is in the past."]}
    assert state(cast.deliverable) == before


def test_page_refuses_moving_a_due_date_into_the_past(cast):
    client = Client()
    client.force_login(cast.owner)
    before = state(cast.deliverable)

    response = client.post(
        f"/deliverables/{cast.deliverable.pk}/due-date/",
        {"due_date": "1999-12-31", "reason": "Typo"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"due_date": ["The due date is in the past."]}
    assert state(cast.deliverable) == before


def test_moving_a_due_date_earlier_but_not_past_is_possible_with_a_reason(cast):
    earlier = TODAY + datetime.timedelta(days=1)
    assert cast.deliverable.due_date > earlier
    api = APIClient()
    api.force_authenticate(cast.owner)

    refused = api.post(
        f"/api/v1/deliverables/{cast.deliverable.pk}/due-date/",
        {"due_date": earlier.isoformat(), "reason": ""},
        format="json",
    )
    moved = api.post(
        f"/api/v1/deliverables/{cast.deliverable.pk}/due-date/",
        {"due_date": earlier.isoformat(), "reason": "The session moved forward"},
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json() == {"reason": ["Say why the due date moves."]}
    assert moved.status_code == 200
    assert Deliverable.objects.get(pk=cast.deliverable.pk).due_date == earlier


def test_a_due_date_already_past_stays_when_the_deliverable_is_edited(cast, travel):
    # given a deliverable whose due date has passed
    travel.move_to(datetime.datetime(2027, 1, 1, 9, 0, tzinfo=datetime.UTC))
    before = state(cast.deliverable)

    # when its owner edits its title
    services.update_deliverable(cast.owner, cast.deliverable, title="Renamed")

    # then the past due date is no obstacle and stays as it was
    assert state(cast.deliverable)[0] == before[0]


def test_review_due_date_refuses_the_past_with_the_same_message(cast):
    assignment = cast.deliverable.assignments.get(reviewer=cast.assigned_reviewer)

    with pytest.raises(ValidationError) as caught:
        services.change_assignment_due_date(
            cast.owner, assignment, datetime.date(1900, 1, 1), "Typo"
        )

    assert caught.value.message_dict == {"due_date": ["The due date is in the past."]}


# --- the dashboard's CSV -----------------------------------------------------------------------


def test_dashboard_export_neutralises_look_alikes_of_formula_characters(cast):
    look_alikes = ["\uff1dHYPERLINK(1)", "\ufe62cmd", "\u22121+2", "\uff20SUM(A1)", " =1"]
    for title in look_alikes:
        services.create_deliverable(
            cast.owner,
            product=cast.deliverable.product,
            owner=cast.owner,
            title=title,
            kind="chapter",
            due_date=TODAY,
        )
    client = Client()
    client.force_login(cast.chief)

    response = client.get("/dashboard/export.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    titles = {row[1] for row in rows[1:]}
    assert {"'" + title for title in look_alikes} <= titles
    assert not titles & set(look_alikes)
