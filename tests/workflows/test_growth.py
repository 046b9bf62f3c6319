"""Lists that keep their time as the data grows: "My reviews" (`queries.MyReviews`), the
deliverables page and the deliverables API (`queries.PagedRows`) read a page of rows, in
the order of the whole list, in as many queries at two sizes."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.contrib.auth.models import Permission

from tests.factories import ProductFactory
from workflows import queries
from workflows.enums import ASSIGNMENT_ACCESS_STATES, AssignmentState, DeliverableKind
from workflows.models import (
    Deliverable,
    DeliverableUserObjectPermission,
    ReviewAssignment,
    ReviewRound,
    Version,
)

TODAY = datetime.date(2026, 3, 2)
JSON = {"accept": "application/json"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def product(chief):
    return ProductFactory(actor=chief, title="UN E-Government Survey")


_numbers = itertools.count()


def seed(product, owner, reviewer, count: int) -> None:
    """`count` deliverables in review by `reviewer`, their assignments in every state, due
    from a week ago to three weeks ahead; the reviewer sees those they still have access
    to (guardian rows, as `assign_reviewers` writes them)."""
    numbers = [next(_numbers) for _ in range(count)]
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            product=product,
            owner=owner,
            title=f"Deliverable {n:04d}",
            kind=DeliverableKind.CHAPTER,
            due_date=TODAY + datetime.timedelta(days=n * 7 % 40 - 10),
        )
        for n in numbers
    )
    versions = Version.objects.bulk_create(
        Version(
            deliverable=d,
            number=1,
            file=f"deliverables/{d.pk}/v1/draft.pdf",
            original_name="draft.pdf",
            content_type="application/pdf",
            size=10,
            uploaded_by=owner,
        )
        for d in deliverables
    )
    rounds = ReviewRound.objects.bulk_create(
        ReviewRound(deliverable=v.deliverable, version=v, number=1, opened_by=owner)
        for v in versions
    )
    states = list(AssignmentState)
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=r,
            deliverable=r.deliverable,
            reviewer=reviewer,
            due_date=TODAY + datetime.timedelta(days=n * 5 % 29 - 7),
            state=states[n % len(states)],
            assigned_by=owner,
        )
        for n, r in zip(numbers, rounds, strict=True)
    )
    view = Permission.objects.get(content_type__app_label="workflows", codename="view_deliverable")
    DeliverableUserObjectPermission.objects.bulk_create(
        DeliverableUserObjectPermission(
            permission=view, user=reviewer, content_object_id=a.deliverable_id
        )
        for a in assignments
        if a.state in ASSIGNMENT_ACCESS_STATES
    )


# --- My reviews -------------------------------------------------------------------------------


def test_my_reviews_pages_follow_the_whole_lists_order(product, staff, cepa_member):
    seed(product, staff, cepa_member, 130)
    ordered = [a.pk for a in queries.my_reviews_in_order(cepa_member, TODAY)]
    rows = queries.MyReviews(cepa_member, TODAY)
    outstanding = rows.counts()["outstanding"]

    pages = [[a.pk for a in rows[start : start + 50]] for start in range(0, 130, 50)]
    straddling = [a.pk for a in rows[outstanding - 3 : outstanding + 3]]

    assert rows.count() == 130
    assert 3 < outstanding < 127
    assert [pk for page in pages for pk in page] == ordered
    assert straddling == ordered[outstanding - 3 : outstanding + 3]


def test_my_reviews_page_two_continues_page_one(client, product, staff, cepa_member):
    seed(product, staff, cepa_member, 70)
    ordered = [a.pk for a in queries.my_reviews_in_order(cepa_member, TODAY)]
    client.force_login(cepa_member)

    first = client.get("/reviews/").context["assignments"]
    second = client.get("/reviews/?page=2").context["assignments"]

    assert [a.pk for a in [*first, *second]] == ordered


def test_my_reviews_runs_as_many_queries_at_two_sizes(
    client, product, staff, cepa_member, django_assert_num_queries
):
    client.force_login(cepa_member)
    seed(product, staff, cepa_member, 10)
    with django_assert_num_queries(8):
        small = client.get("/reviews/")
    seed(product, staff, cepa_member, 290)

    with django_assert_num_queries(8):
        large = client.get("/reviews/")

    assert len(small.context["assignments"]) == 10
    assert len(large.context["assignments"]) == 50
    assert large.context["page"].paginator.count == 300


# --- the deliverables page and the API ----------------------------------------------------------


def test_deliverables_page_shows_a_flagged_page_in_due_date_order(
    client, product, staff, chief, cepa_member
):
    seed(product, staff, cepa_member, 70)
    client.force_login(chief)

    rows = client.get("/deliverables/").context["page"].object_list

    expected = list(Deliverable.objects.filter(product=product).order_by("due_date", "pk")[:50])
    assert [d.pk for d in rows] == [d.pk for d in expected]
    assert [d.is_overdue for d in rows] == [d.is_overdue_on(TODAY) for d in expected]
    assert all(hasattr(d, "risk_reason") for d in rows)


def test_deliverables_page_runs_as_many_queries_at_two_sizes(
    client, product, staff, chief, cepa_member, django_assert_num_queries
):
    client.force_login(chief)
    seed(product, staff, cepa_member, 10)
    with django_assert_num_queries(9):
        small = client.get("/deliverables/")
    seed(product, staff, cepa_member, 290)

    with django_assert_num_queries(9):
        large = client.get("/deliverables/")

    assert len(small.context["page"].object_list) == 10
    assert len(large.context["page"].object_list) == 50
    assert large.context["page"].paginator.count == 300


def test_deliverables_api_lists_a_members_page_in_due_date_order(
    client, product, staff, cepa_member, django_assert_num_queries
):
    client.force_login(cepa_member)
    seed(product, staff, cepa_member, 10)
    with django_assert_num_queries(6):
        small = client.get("/api/v1/deliverables/", headers=JSON).json()
    seed(product, staff, cepa_member, 290)

    with django_assert_num_queries(6):
        large = client.get("/api/v1/deliverables/", headers=JSON).json()

    visible = queries.visible_deliverables(cepa_member).order_by("due_date", "pk")
    assert small["count"] < 10
    assert large["count"] == visible.count() > 50
    assert [row["id"] for row in large["results"]] == [d.pk for d in visible[:50]]
    assert {row["owner_name"] for row in large["results"]} == {
        staff.get_full_name() or staff.username
    }
