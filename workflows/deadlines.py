"""The workflow's deadlines: a deliverable is owed by its owner while it is being
produced, a review by its reviewer while it is outstanding.

`sync_deliverable` is called once by every workflow operation that changes a deliverable
or its assignments (through `services._record`); `register` lets
`notifications.deadlines.rebuild` recompute them all.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import deadlines
from workflows.enums import ASSIGNMENT_OUTSTANDING_STATES, DELIVERABLE_ACTIVE_STATES
from workflows.models import Deliverable, ReviewAssignment


class WorkflowDeadline(models.TextChoices):
    """The workflow's kinds of deadline (registered with notifications below)."""

    DELIVERABLE = "deliverable", gettext_lazy("Deliverable")
    REVIEW = "review", gettext_lazy("Review assignment")


def _review_of(title: str) -> str:
    """How a reminder names a review, in the active language."""
    return _("Review of “%(title)s”") % {"title": title}


def _deliverable_entries(qs: QuerySet[Deliverable]) -> Iterator[deadlines.Entry]:
    for pk, owner_id, due, title, branch_id in qs.filter(
        state__in=DELIVERABLE_ACTIVE_STATES, owner__is_active=True
    ).values_list("pk", "owner_id", "due_date", "title", "product__branch_id"):
        yield deadlines.Entry(
            object_id=pk,
            user_id=owner_id,
            due_date=due,
            title=title,
            link=reverse("workflows:deliverable", args=[pk]),
            branch_id=branch_id,
        )


def _assignment_entries(qs: QuerySet[ReviewAssignment]) -> Iterator[deadlines.Entry]:
    for pk, reviewer_id, due, title, branch_id in qs.filter(
        state__in=ASSIGNMENT_OUTSTANDING_STATES, reviewer__is_active=True
    ).values_list(
        "pk", "reviewer_id", "due_date", "deliverable__title", "deliverable__product__branch_id"
    ):
        yield deadlines.Entry(
            object_id=pk,
            user_id=reviewer_id,
            due_date=due,
            title=title,
            link=reverse("workflows:review", args=[pk]),
            branch_id=branch_id,
        )


def sync_deliverable(deliverable_id: int) -> bool:
    """Bring the deadlines of a deliverable and of its review assignments up to date, all
    at once (whatever the number of reviewers); returns whether any changed (the calendar
    counter then moved)."""
    assignments = ReviewAssignment.objects.filter(deliverable_id=deliverable_id)
    return deadlines.sync_all(
        [
            (
                WorkflowDeadline.DELIVERABLE,
                [deliverable_id],
                _deliverable_entries(Deliverable.objects.filter(pk=deliverable_id)),
            ),
            (
                WorkflowDeadline.REVIEW,
                assignments.values_list("pk", flat=True),
                _assignment_entries(assignments),
            ),
        ]
    )


# Registered when notifications discovers this module at start-up (its AppConfig.ready).
deadlines.register(
    WorkflowDeadline.DELIVERABLE,
    entries=lambda: _deliverable_entries(Deliverable.objects.all()),
)
deadlines.register(
    WorkflowDeadline.REVIEW,
    entries=lambda: _assignment_entries(ReviewAssignment.objects.all()),
    describe=_review_of,
)
