"""Property test: scores follow the blind rule exactly as reviews do.

Reviewers of a round in random states (invited, accepted, declined, with a scored draft or a
scored submitted review), read by each person of the cast and each reviewer: a person reads a
review's scores (the API's `review-scores`, the summary's counts) exactly when they may read
the review (`workflows.queries.visible_reviews`), and the comments for the chief only when
they are its author, the owner or the chief.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from tests.factories import PersonFactory, ReviewAssignmentFactory
from workflows import queries, review_forms, services
from workflows.enums import Recommendation, ReviewStatus
from workflows.models import Review

pytestmark = pytest.mark.django_db

STEPS = ("invited", "accepted", "declined", "draft", "submitted")


def _play(assignment, step: str, score: int) -> None:
    reviewer = assignment.reviewer
    if step == "invited":
        return
    if step == "declined":
        services.decline_assignment(reviewer, assignment, "No time.")
        return
    services.accept_assignment(reviewer, assignment)
    if step in ("draft", "submitted"):
        criteria = review_forms.round_criteria(assignment.round_id)
        services.save_review(
            reviewer,
            assignment,
            recommendation=Recommendation.READY,
            comments="Comments.",
            scores={criteria[0].pk: score},
            comments_for_chief=f"For the chief from {reviewer.pk}.",
            submit=step == "submitted",
        )


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=4),
    scores=st.lists(st.integers(min_value=1, max_value=5), min_size=4, max_size=4),
)
def test_scores_are_read_exactly_as_reviews_are(cast, steps, scores):
    with transaction.atomic():
        deliverable = cast.deliverable
        assignments = [
            ReviewAssignmentFactory(
                deliverable=deliverable,
                reviewer=PersonFactory(roles=[Role.CEPA_MEMBER], country="KEN"),
            )
            for _step in steps
        ]
        for assignment, step, score in zip(assignments, steps, scores, strict=False):
            _play(assignment, step, score)
        round_ = deliverable.open_round
        readers = [
            cast[who] for who in ("owner", "chief", "other_branch_staff", "secretariat_admin")
        ] + [a.reviewer for a in assignments]
        for reader in readers:
            client = APIClient()
            client.force_login(reader)
            visible = list(queries.visible_reviews(reader, deliverable))
            readable = {review.assignment_id for review in visible}
            for assignment in assignments:
                response = client.get(f"/api/v1/review-scores/{assignment.pk}/")
                scored = response.status_code == 200 and bool(response.json()["scores"])
                has_review = Review.objects.filter(assignment_id=assignment.pk).exists()
                assert scored == (assignment.pk in readable and has_review), (reader, assignment)
                if scored:
                    chief_comments = response.json()["comments_for_chief"]
                    may = reader.pk in (
                        assignment.reviewer_id,
                        deliverable.owner_id,
                        cast.chief.pk,
                    )
                    assert bool(chief_comments) == may
            summary = review_forms.summary(round_, visible)
            submitted_readable = [r for r in visible if r.status == ReviewStatus.SUBMITTED]
            assert summary.criteria[0].count == len(submitted_readable)
        transaction.set_rollback(True)
