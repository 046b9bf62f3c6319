"""The authorization matrix of review forms, from the outside: each person of the fixed cast
× each new page and endpoint (the product's form, accepting with a declaration, a review's
scores, the score summary, the declarations), the same request for all. What a person may
not see answers 404; what they see but may not do, 403; anonymous visitors are sent to sign
in (pages) or refused (API). A refusal changes nothing."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from tests.factories import PersonFactory, ReviewAssignmentFactory
from workflows import review_forms
from workflows.enums import AssignmentState
from workflows.models import (
    ConflictDeclaration,
    CriterionScore,
    FormCriterion,
    ProductReviewForm,
)

pytestmark = pytest.mark.django_db

WHO = (
    "owner",
    "chief",
    "other_branch_staff",
    "assigned_reviewer",
    "unassigned_reviewer",
    "focal_point_elsewhere",
    "secretariat_admin",
    "anonymous",
)


def _client(user) -> APIClient:
    client = APIClient()
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.fixture
def world(cast):
    """The cast's deliverable: its reviewer invited (to accept), and a second reviewer who
    submitted a scored review."""
    deliverable = cast.deliverable
    invited = deliverable.assignments.get()
    submitted = ReviewAssignmentFactory(
        deliverable=deliverable,
        reviewer=PersonFactory(roles=[Role.CEPA_MEMBER], country="KEN"),
        state=AssignmentState.SUBMITTED,
    )
    criterion = review_forms.round_criteria(submitted.round_id)[0]
    CriterionScore.objects.create(review=submitted.review, criterion=criterion, score=3)
    return cast, invited, submitted


def _form_put() -> str:
    return json.dumps({"guidelines": "", "criteria": [{"name": "Matrix"}]})


def _statuses(cast, requests) -> dict[str, tuple[int, ...]]:
    seen = {}
    for who in WHO:
        client = _client(cast[who])
        seen[who] = tuple(request(client) for request in requests)
    return seen


def test_review_form_page_matrix(world):
    cast, _invited, _submitted = world
    url = f"/products/{cast.deliverable.product_id}/review-form/"
    post = {"guidelines": "", "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0"}

    seen = _statuses(
        cast,
        [lambda c: c.get(url).status_code, lambda c: c.post(url, post).status_code],
    )

    assert seen == {
        "owner": (200, 400),  # branch staff: may edit (no criterion given: 400)
        "chief": (200, 400),
        "other_branch_staff": (404, 404),
        # The planning pages are the branches' staff's: the product is not shown to others.
        "assigned_reviewer": (404, 404),
        "unassigned_reviewer": (404, 404),
        "focal_point_elsewhere": (404, 404),
        # The admin sees every branch's products but does not edit their review forms.
        "secretariat_admin": (403, 403),
        "anonymous": (302, 302),
    }
    assert ProductReviewForm.objects.count() == 0


def test_accept_page_matrix(world):
    cast, invited, _submitted = world
    url = f"/reviews/{invited.pk}/accept/"

    seen = _statuses(
        cast,
        [
            lambda c: c.get(url).status_code,
            lambda c: c.post(url, {"declaration": "conflict"}).status_code,
        ],
    )

    assert seen == {
        "owner": (403, 403),
        "chief": (403, 403),
        "other_branch_staff": (404, 404),
        "assigned_reviewer": (200, 400),  # a conflict without details: 400
        "unassigned_reviewer": (404, 404),
        "focal_point_elsewhere": (404, 404),
        # The admin sees every assignment but only its reviewer accepts it.
        "secretariat_admin": (403, 403),
        "anonymous": (302, 302),
    }
    assert ConflictDeclaration.objects.filter(assignment=invited).count() == 0


def test_review_form_api_matrix(world):
    cast, _invited, _submitted = world
    url = f"/api/v1/review-forms/{cast.deliverable.product_id}/"

    seen = _statuses(
        cast,
        [
            lambda c: c.get(url).status_code,
            lambda c: c.put(url, '{"criteria": []}', content_type="application/json").status_code,
        ],
    )

    assert seen == {
        "owner": (200, 400),
        "chief": (200, 400),
        "other_branch_staff": (404, 404),
        "assigned_reviewer": (200, 403),
        "unassigned_reviewer": (404, 404),
        "focal_point_elsewhere": (404, 404),
        "secretariat_admin": (200, 403),
        "anonymous": (401, 401),
    }
    assert FormCriterion.objects.count() == 0


def test_review_form_api_put_by_the_chief_saves(world):
    cast, _invited, _submitted = world
    url = f"/api/v1/review-forms/{cast.deliverable.product_id}/"

    response = _client(cast.chief).put(url, _form_put(), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["criteria"] == [
        {"name": "Matrix", "guidance": "", "scale": 5, "weight": None}
    ]


def test_review_scores_api_matrix(world):
    cast, invited, submitted = world
    theirs = f"/api/v1/review-scores/{submitted.pk}/"
    mine = f"/api/v1/review-scores/{invited.pk}/"
    body = json.dumps({"scores": []})

    seen = _statuses(
        cast,
        [
            lambda c: c.get(theirs).status_code,
            lambda c: c.get(mine).status_code,
            lambda c: c.put(mine, body, content_type="application/json").status_code,
        ],
    )

    assert seen == {
        "owner": (200, 404, 403),
        "chief": (200, 404, 403),
        "other_branch_staff": (404, 404, 404),
        # Still reviewing: the other's review is blind; their own draft is writable.
        "assigned_reviewer": (404, 200, 200),
        "unassigned_reviewer": (404, 404, 404),
        "focal_point_elsewhere": (404, 404, 404),
        "secretariat_admin": (200, 404, 403),
        "anonymous": (401, 401, 401),
    }


def test_score_summary_and_declarations_api_matrix(world):
    cast, _invited, _submitted = world
    pk = cast.deliverable.pk

    seen = _statuses(
        cast,
        [
            lambda c: c.get(f"/api/v1/score-summaries/{pk}/").status_code,
            lambda c: c.get(f"/api/v1/conflict-declarations/{pk}/").status_code,
        ],
    )

    assert seen == {
        "owner": (200, 200),
        "chief": (200, 200),
        "other_branch_staff": (404, 404),
        "assigned_reviewer": (200, 200),
        "unassigned_reviewer": (404, 404),
        "focal_point_elsewhere": (404, 404),
        "secretariat_admin": (200, 200),
        "anonymous": (401, 401),
    }


def test_api_hides_comments_for_the_chief_and_declarations_from_others(world):
    cast, _invited, submitted = world
    review_forms.store_scores(submitted.review, None, "Secret for the chief.")
    ConflictDeclaration.objects.filter(assignment=submitted).update(
        has_conflict=True, details="Co-author."
    )

    def read(user):
        client = _client(user)
        scores = client.get(f"/api/v1/review-scores/{submitted.pk}/").json()
        declared = client.get(f"/api/v1/conflict-declarations/{cast.deliverable.pk}/").json()
        return scores["comments_for_chief"], [d["details"] for d in declared]

    # (the invited reviewer has declared nothing yet)
    assert read(cast.chief) == ("Secret for the chief.", ["Co-author."])
    assert read(cast.secretariat_admin) == (None, [])
    assert read(submitted.reviewer) == ("Secret for the chief.", ["Co-author."])


def _more_reviewers(deliverable, count: int) -> None:
    for _n in range(count):
        assignment = ReviewAssignmentFactory(
            deliverable=deliverable,
            reviewer=PersonFactory(roles=[Role.CEPA_MEMBER], country="KEN"),
            state=AssignmentState.SUBMITTED,
        )
        criterion = review_forms.round_criteria(assignment.round_id)[1]
        CriterionScore.objects.create(review=assignment.review, criterion=criterion, score=2)


@pytest.mark.parametrize("more", [0, 5])
def test_summary_and_declarations_api_run_a_fixed_number_of_queries(
    world, more, django_assert_num_queries
):
    cast, _invited, _submitted = world
    _more_reviewers(cast.deliverable, more)
    client = _client(cast.chief)
    pk = cast.deliverable.pk

    with django_assert_num_queries(QUERIES_SUMMARY):
        summary = client.get(f"/api/v1/score-summaries/{pk}/")
    with django_assert_num_queries(QUERIES_DECLARATIONS):
        declared = client.get(f"/api/v1/conflict-declarations/{pk}/")

    assert summary.json()["reviews"] == 1 + more
    assert len(declared.json()) == 1 + more


# session, user, profile and roles come first in every request (the same at any size)
QUERIES_SUMMARY = 9
QUERIES_DECLARATIONS = 7
