"""Contributions awaiting review are deadlines for the branch's staff (for their
reviewer alone once one has taken them up)."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cepa_collab.enums import Role
from contributions.enums import AWAITING_REVIEW_STATES, ContributionState
from contributions.models import Contribution
from notifications import deadlines


class ContributionDeadline(models.TextChoices):
    """The contributions' kinds of deadline (registered with notifications below)."""

    CONTRIBUTION = "contribution", _("Contribution awaiting review")


def _staff_by_branch(branch_ids: set[int]) -> dict[int, list[int]]:
    staff: dict[int, list[int]] = {}
    rows = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[Role.BRANCH_STAFF, Role.BRANCH_CHIEF],
            profile__branch_id__in=branch_ids,
        )
        .values_list("pk", "profile__branch_id")
        .distinct()
    )
    for user_id, branch_id in rows:
        staff.setdefault(branch_id, []).append(user_id)
    return staff


def _entries(qs: QuerySet[Contribution]) -> Iterator[deadlines.Entry]:
    rows = list(
        qs.filter(state__in=AWAITING_REVIEW_STATES, review_due__isnull=False).values_list(
            "pk", "state", "reviewer_id", "review_due", "title", "branch_id"
        )
    )
    staff = _staff_by_branch({row[5] for row in rows})
    for pk, state, reviewer_id, due, title, branch_id in rows:
        people = (
            [reviewer_id]
            if state == ContributionState.UNDER_REVIEW and reviewer_id
            else staff.get(branch_id, [])
        )
        for user_id in people:
            yield deadlines.Entry(
                object_id=pk,
                user_id=user_id,
                due_date=due,
                title=title,
                link=reverse("contributions:detail", args=[pk]),
                branch_id=branch_id,
            )


def sync_contribution(contribution_id: int) -> None:
    deadlines.sync(
        ContributionDeadline.CONTRIBUTION,
        [contribution_id],
        _entries(Contribution.objects.filter(pk=contribution_id)),
    )


# Registered when notifications discovers this module at start-up (its AppConfig.ready).
deadlines.register(
    ContributionDeadline.CONTRIBUTION, entries=lambda: _entries(Contribution.objects.all())
)
