"""Which deliverables wait for the chief's decision: the rule every page, mail and task asks
(`Deliverable.objects.awaiting_decision`)."""

from __future__ import annotations

import datetime

import pytest

from cepa_collab.enums import Role
from tests.factories import DeliverableFactory, ReviewAssignmentFactory, person
from workflows.enums import AssignmentState, DeliverableState
from workflows.models import Deliverable

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)


def _waiting() -> set[int]:
    return set(Deliverable.objects.awaiting_decision(TODAY).values_list("pk", flat=True))


def _reviewer(name: str):
    return person(Role.CEPA_MEMBER, country="GHA", username=name)


def test_a_round_waits_once_every_review_is_in():
    deliverable = DeliverableFactory(state=DeliverableState.IN_REVIEW)
    ReviewAssignmentFactory(
        deliverable=deliverable, reviewer=_reviewer("ama"), state=AssignmentState.SUBMITTED
    )
    owed = ReviewAssignmentFactory(
        deliverable=deliverable, reviewer=_reviewer("kofi"), state=AssignmentState.ACCEPTED
    )
    assert deliverable.pk not in _waiting()

    owed.state = AssignmentState.SUBMITTED
    owed.save(update_fields=["state"])
    assert deliverable.pk in _waiting()


def test_a_round_waits_when_the_missing_reviews_are_past_due():
    deliverable = DeliverableFactory(state=DeliverableState.IN_REVIEW)
    ReviewAssignmentFactory(
        deliverable=deliverable,
        reviewer=_reviewer("ama"),
        due_date=TODAY + datetime.timedelta(days=3),
    )
    assert deliverable.pk not in _waiting()
    assert deliverable.pk in set(
        Deliverable.objects.awaiting_decision(TODAY + datetime.timedelta(days=4)).values_list(
            "pk", flat=True
        )
    )


def test_declined_reviews_do_not_count_and_a_round_without_reviewers_does_not_wait():
    deliverable = DeliverableFactory(state=DeliverableState.IN_REVIEW)
    assert deliverable.pk not in _waiting()
    ReviewAssignmentFactory(
        deliverable=deliverable, reviewer=_reviewer("ama"), state=AssignmentState.DECLINED
    )
    assert deliverable.pk not in _waiting()
