"""An operation's side effects run once, whatever the number of reviewers it concerns.

Assigning reviewers, withdrawing an assignment and closing a round with its outstanding
reviews (returning for revision, approving with a waiver) write their history lines in one
statement, move the calendar counter once, bring the deliverable's deadlines up to date
once and tell people set-wise: the same number of queries with 1 reviewer as with 5.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cepa_collab.enums import Role
from cepa_collab.services import CALENDAR, counter_value
from notifications.models import Deadline, Notification
from tests.factories import branch, pdf, person
from workflows import services
from workflows.deadlines import WorkflowDeadline
from workflows.enums import (
    AssignmentState,
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
)
from workflows.models import Deliverable, DeliverableHistory, ReviewAssignment, Version
from workflows.notices import WorkflowNotice

SIZES = [1, 5]


def due(days: int = 14) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _content_types_known(db):
    """Django keeps content types once read (a running site knows them): so do these tests,
    whichever test ran first."""
    ContentType.objects.get_for_models(Deliverable, Version)


@pytest.fixture
def in_review(staff, chief):
    product = services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.SURVEY, title="Survey", edition="2026"
    )
    deliverable = services.create_deliverable(
        staff,
        product=product,
        owner=staff,
        title="Chapter 2",
        kind=DeliverableKind.CHAPTER,
        due_date=due(60),
    )
    services.fire_transition(staff, deliverable, "start_drafting")
    services.upload_version(staff, deliverable, pdf("d.pdf"))
    return services.fire_transition(staff, deliverable, "submit_for_review")


def reviewers(count: int) -> list:
    """`count` CEPA members with mail, loaded as a page or the API loads them (no roles or
    profiles attached)."""
    people = [
        person(Role.CEPA_MEMBER, username=f"reviewer{n}", email=f"reviewer{n}@example.org")
        for n in range(count)
    ]
    return list(get_user_model().objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))


def lines(deliverable, **filters) -> list[tuple]:
    return list(
        DeliverableHistory.objects.filter(deliverable=deliverable, **filters).values_list(
            "action", "from_state", "to_state", "note"
        )
    )


def owed_reviews() -> int:
    return Deadline.objects.filter(kind=WorkflowDeadline.REVIEW, done_at__isnull=True).count()


def told(kind: str) -> int:
    return Notification.objects.filter(kind=kind).count()


@pytest.mark.parametrize("count", SIZES)
def test_assigning_reviewers_costs_the_same_for_1_or_5(
    django_assert_num_queries, in_review, staff, count
):
    # given `count` reviewers to assign
    people = reviewers(count)
    before = counter_value(CALENDAR)

    # when the owner assigns them all at once
    with django_assert_num_queries(25):
        created = services.assign_reviewers(staff, in_review, people, due())

    # then each is assigned, given access, recorded, owes a review and is told; the calendar
    # counter moved once
    assert [a.reviewer_id for a in created] == [p.pk for p in people]
    assert all(p.has_perm("workflows.view_deliverable", in_review) for p in people)
    assert (
        lines(in_review, action=DeliverableAction.ASSIGNMENT)
        == [(DeliverableAction.ASSIGNMENT, "", AssignmentState.INVITED, "")] * count
    )
    assert owed_reviews() == count
    assert told(WorkflowNotice.REVIEW_ASSIGNED) == count
    assert counter_value(CALENDAR) == before + 1


@pytest.mark.parametrize("count", SIZES)
def test_withdrawing_an_assignment_costs_the_same_among_1_or_5(
    django_assert_num_queries, in_review, staff, count
):
    # given `count` reviewers assigned
    people = reviewers(count)
    first, *_others = services.assign_reviewers(staff, in_review, people, due())
    before = counter_value(CALENDAR)

    # when the owner withdraws the first assignment (the last query asks whether the round
    # now waits for the chief's decision)
    with django_assert_num_queries(22):
        services.withdraw_assignment(staff, first.pk, reason="Not needed.")

    # then it alone is withdrawn, recorded, its reviewer loses access and is told
    assert ReviewAssignment.objects.get(pk=first.pk).state == AssignmentState.WITHDRAWN
    assert (
        not get_user_model()
        .objects.get(pk=people[0].pk)
        .has_perm("workflows.view_deliverable", in_review)
    )
    assert lines(in_review, assignment=first) == [
        (DeliverableAction.ASSIGNMENT, "", AssignmentState.INVITED, ""),
        (DeliverableAction.ASSIGNMENT, AssignmentState.INVITED, AssignmentState.WITHDRAWN, ""),
    ]
    assert told(WorkflowNotice.REVIEW_WITHDRAWN) == 1
    assert counter_value(CALENDAR) == before + 1


@pytest.mark.parametrize(
    ("name", "fields", "state"),
    [
        ("return_for_revision", {"comment": "Redo the figures."}, DeliverableState.REVISING),
        ("approve", {"waiver_reason": "The deadline is fixed."}, DeliverableState.APPROVED),
    ],
)
@pytest.mark.parametrize("count", SIZES)
def test_closing_a_round_with_outstanding_reviews_costs_the_same_for_1_or_5(
    django_assert_num_queries, in_review, staff, chief, count, name, fields, state
):
    # given `count` outstanding reviews
    people = reviewers(count)
    services.assign_reviewers(staff, in_review, people, due())
    before = counter_value(CALENDAR)

    # when the chief returns the draft or approves it without them (the last query marks the
    # chief's notifications about the deliverable read)
    with django_assert_num_queries(31):
        services.fire_transition(chief, in_review.pk, name, **fields)

    # then every outstanding review is withdrawn, recorded before the state change, its
    # reviewer told and without access; the owner is told of the decision; the counter
    # moved once
    assert Deliverable.objects.get(pk=in_review.pk).state == state
    withdrawn = (
        DeliverableAction.ASSIGNMENT,
        AssignmentState.INVITED,
        AssignmentState.WITHDRAWN,
        DeliverableHistory.ROUND_CLOSED,
    )
    note = DeliverableHistory.WAIVED if name == "approve" else ""
    transition = (DeliverableAction.TRANSITION, DeliverableState.IN_REVIEW, state, note)
    assert lines(in_review)[-count - 1 :] == [withdrawn] * count + [transition]
    assert not any(
        p.has_perm("workflows.view_deliverable", in_review)
        for p in get_user_model().objects.filter(pk__in=[p.pk for p in people])
    )
    assert owed_reviews() == 0
    assert told(WorkflowNotice.REVIEW_WITHDRAWN) == count
    assert list(
        Notification.objects.filter(kind=WorkflowNotice.DECISION).values_list("user", flat=True)
    ) == [staff.pk]
    assert counter_value(CALENDAR) == before + 1
