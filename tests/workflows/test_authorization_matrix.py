"""The authorization matrix, from the outside: each person of the fixed cast × each page
and endpoint of a deliverable (list, detail, file download, transition), for a
deliverable of their own branch and one of another branch. What a person may not see
answers 404 (pages, API, downloads); what they see but may not do answers 403."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from tests.factories import DeliverableFactory, ProductFactory, branch
from workflows.enums import DeliverableState
from workflows.models import Deliverable, DeliverableHistory

DUE = datetime.date(2027, 6, 30)

# who → (sees the e-govb deliverable, may approve it)
CAST = {
    "owner": (True, False),
    "chief": (True, True),
    "other_branch_staff": (False, False),
    "assigned_reviewer": (True, False),
    "unassigned_reviewer": (False, False),
    "focal_point_elsewhere": (False, False),
    "secretariat_admin": (True, False),
    "anonymous": (False, False),
}


@pytest.fixture
def world(cast):
    """The cast around its e-govb deliverable in review, and a deliverable of another branch
    (the Public Administration Capacity Branch, its staff's)."""
    pacb_staff = cast.other_branch_staff
    product = ProductFactory(
        actor=pacb_staff, branch=branch("pacb"), kind="report", title="PACB report"
    )
    elsewhere = DeliverableFactory(
        product=product, owner=pacb_staff, title="PACB chapter", due_date=DUE
    )
    return {who: cast[who] for who in CAST}, cast.deliverable, elsewhere


def _client(user) -> APIClient:
    client = APIClient()
    client.default_format = "multipart"  # pages read forms; each API call names its format
    if user.is_authenticated:
        client.force_login(user)
    return client


def _hidden(status: int, user) -> bool:
    """Hidden from this person: 404, or the sign-in wall for anonymous visitors."""
    if not user.is_authenticated:
        return status in (302, 401, 403, 404)
    return status == 404


@pytest.mark.parametrize("who", list(CAST))
def test_deliverable_pages_and_api_show_exactly_what_each_person_may_see(world, who):
    people, deliverable, _elsewhere = world
    user = people[who]
    sees, _approves = CAST[who]
    client = _client(user)
    urls = [
        f"/deliverables/{deliverable.pk}/",
        f"/deliverables/{deliverable.pk}/versions/1/download/",
        f"/api/v1/deliverables/{deliverable.pk}/",
        f"/api/v1/deliverables/{deliverable.pk}/versions/1/download/",
    ]

    statuses = [client.get(url).status_code for url in urls]

    if sees:
        assert statuses == [200, 200, 200, 200]
    else:
        assert [_hidden(status, user) for status in statuses] == [True] * 4, statuses


@pytest.mark.parametrize("who", list(CAST))
def test_lists_hold_only_what_each_person_may_see(world, who):
    people, deliverable, elsewhere = world
    user = people[who]
    client = _client(user)

    api = client.get("/api/v1/deliverables/")
    page = client.get("/deliverables/")

    if not user.is_authenticated:
        assert (api.status_code, page.status_code) == (401, 302)
        return
    listed = {row["id"] for row in api.json()["results"]}
    expected = set()
    if CAST[who][0]:
        expected.add(deliverable.pk)
    if who in ("other_branch_staff", "secretariat_admin"):
        expected.add(elsewhere.pk)
    assert listed == expected
    assert (deliverable.title in page.content.decode()) == (deliverable.pk in expected)


@pytest.mark.parametrize("who", list(CAST))
def test_only_the_chief_approves_and_a_refusal_changes_nothing(world, who):
    people, deliverable, _elsewhere = world
    user = people[who]
    client = _client(user)
    audit_before = DeliverableHistory.objects.count()
    body = {"transition": "approve", "waiver_reason": "Enough reviews."}

    api = client.post(f"/api/v1/deliverables/{deliverable.pk}/transitions/", body, format="json")

    sees, approves = CAST[who]
    state = Deliverable.objects.get(pk=deliverable.pk).state
    if approves:
        assert api.status_code == 200
        assert state == DeliverableState.APPROVED
        return
    assert state == DeliverableState.IN_REVIEW
    assert DeliverableHistory.objects.count() == audit_before
    if sees:
        assert api.status_code == 403
    else:
        assert _hidden(api.status_code, user), api.status_code
    page = client.post(f"/deliverables/{deliverable.pk}/transition/", body)
    assert Deliverable.objects.get(pk=deliverable.pk).state == DeliverableState.IN_REVIEW
    assert page.status_code in ((403,) if sees else (302, 404))


# The planning pages: who → status of the product list, the product's page, a new product,
# the product's edit, a new deliverable of it, the deliverable's edit, its hand-over, and
# sending it for review (it is in review already: its owner and chief are sent back, 302).
PLANNING = {
    "owner": (200, 200, 200, 200, 200, 200, 403, 302),
    "chief": (200, 200, 200, 200, 200, 200, 200, 302),
    "other_branch_staff": (200, 404, 200, 404, 404, 404, 404, 404),
    "assigned_reviewer": (403, 404, 403, 404, 404, 403, 403, 403),
    "unassigned_reviewer": (403, 404, 403, 404, 404, 404, 404, 404),
    "focal_point_elsewhere": (403, 404, 403, 404, 404, 404, 404, 404),
    "secretariat_admin": (200, 200, 403, 403, 403, 403, 403, 403),
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("who", list(PLANNING))
def test_planning_pages_answer_each_person_as_the_rules_say(world, who):
    people, deliverable, _elsewhere = world
    client = _client(people[who])
    product = deliverable.product
    urls = [
        "/products/",
        f"/products/{product.pk}/",
        "/products/new/",
        f"/products/{product.pk}/edit/",
        f"/deliverables/new/?product={product.pk}",
        f"/deliverables/{deliverable.pk}/edit/",
        f"/deliverables/{deliverable.pk}/hand-over/",
        f"/deliverables/{deliverable.pk}/send-for-review/",
    ]

    statuses = tuple(client.get(url).status_code for url in urls)

    assert statuses == PLANNING[who]


@pytest.mark.parametrize("who", [who for who in CAST if who != "chief"])
def test_only_the_chief_hands_over_and_a_refusal_changes_nothing(world, who):
    people, deliverable, _elsewhere = world
    client = _client(people[who])
    audit_before = DeliverableHistory.objects.count()
    new_owner = people["chief"]

    response = client.post(f"/deliverables/{deliverable.pk}/hand-over/", {"owner": new_owner.pk})

    assert Deliverable.objects.get(pk=deliverable.pk).owner == people["owner"]
    assert DeliverableHistory.objects.count() == audit_before
    assert response.status_code in (302, 403, 404)


# who → (sees the e-govb cockpit and its CSV, sees the Division view)
COCKPIT = {
    "owner": (True, False),
    "chief": (True, False),
    "other_branch_staff": (False, False),
    "assigned_reviewer": (False, False),
    "unassigned_reviewer": (False, False),
    "focal_point_elsewhere": (False, False),
    "secretariat_admin": (True, True),
    "anonymous": (False, False),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(COCKPIT))
def test_cockpit_and_division_show_exactly_what_each_person_may_see(world, who):
    # given the cast and the e-govb cockpit, its export and the Division view
    people, _deliverable, _elsewhere = world
    user = people[who]
    sees_cockpit, sees_division = COCKPIT[who]
    client = _client(user)

    # when each person asks for them
    cockpit = client.get("/dashboard/?branch=e-govb")
    export = client.get("/dashboard/export.csv?branch=e-govb")
    division = client.get("/dashboard/division/")

    # then they are shown exactly to who may see them, hidden from everyone else
    assert (cockpit.status_code == 200) is sees_cockpit
    assert (export.status_code == 200) is sees_cockpit
    assert (division.status_code == 200) is sees_division
    for response, allowed in ((cockpit, sees_cockpit), (export, sees_cockpit)):
        assert allowed or _hidden(response.status_code, user)
    assert sees_division or _hidden(division.status_code, user)
