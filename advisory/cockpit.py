"""What advisory adds to the branch cockpit (`workflows.cockpit`): plans of action in
review, the milestones still owed, and the milestones each person leads."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from advisory.enums import REQUEST_OPEN_STATES, MilestoneState
from advisory.models import AdvisoryRequest, Milestone
from cepa_collab.names import display_name
from workflows.cockpit import LOADS, SECTIONS, LoadColumn, Row, Section, days_late
from workflows.enums import DeliverableState


def _name(user) -> str:
    return display_name(user) if user else _("nobody yet")


def _owed_milestones(branch_ids: Sequence[int]):
    return Milestone.objects.filter(
        request__branch_id__in=branch_ids,
        request__state__in=REQUEST_OPEN_STATES,
        state=MilestoneState.OPEN,
    )


@SECTIONS.register
def advisory_sections(branch_ids: Sequence[int], today: datetime.date, limit: int) -> list:
    """Plans of action in review and milestones still owed (two queries each)."""
    in_review = AdvisoryRequest.objects.filter(
        branch_id__in=branch_ids, plan_review__state=DeliverableState.IN_REVIEW
    )
    plans = Section(
        key="plans-of-action",
        order=10,
        title=_("Plans of action in review"),
        definition=_(
            "Advisory requests whose plan of action is in review; flagged once its review "
            "is past due."
        ),
        list_url=reverse("advisory:request_list"),
    )
    late_plan = Q(plan_review__due_date__lt=today)
    for row in (
        in_review.values("branch_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=late_plan))
        .order_by()
    ):
        plans.counts[row["branch_id"]] = (row["n"], row["late"])
    if limit:
        for request in in_review.select_related("country", "plan_review", "lead").order_by(
            "plan_review__due_date", "pk"
        )[:limit]:
            due = request.plan_review.due_date
            plans.rows.append(
                Row(
                    title=str(request),
                    url=reverse("advisory:detail", args=[request.pk]),
                    due=due,
                    who=_name(request.lead),
                    reasons=tuple(filter(None, [days_late(due, today)])),
                )
            )

    owed = _owed_milestones(branch_ids)
    milestones = Section(
        key="milestones",
        order=20,
        title=_("Advisory milestones"),
        definition=_(
            "Open milestones of open advisory requests; flagged once past their due date."
        ),
        list_url=reverse("advisory:request_list"),
    )
    for row in (
        owed.values("request__branch_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
        .order_by()
    ):
        milestones.counts[row["request__branch_id"]] = (row["n"], row["late"])
    if limit:
        for milestone in owed.select_related("request__country", "lead").order_by("due_date", "pk")[
            :limit
        ]:
            milestones.rows.append(
                Row(
                    title=milestone.title,
                    about=str(milestone.request),
                    url=reverse("advisory:detail", args=[milestone.request_id]),
                    due=milestone.due_date,
                    who=_name(milestone.lead),
                    reasons=tuple(filter(None, [days_late(milestone.due_date, today)])),
                )
            )
    return [plans, milestones]


@LOADS.register
def advisory_loads(branch_ids: Sequence[int], today: datetime.date) -> list:
    """Milestones each person leads, and how many of them are late (one query)."""
    led, late = {}, {}
    for row in (
        _owed_milestones(branch_ids)
        .values("lead_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
        .order_by()
    ):
        led[row["lead_id"]] = row["n"]
        late[row["lead_id"]] = row["late"]
    return [
        LoadColumn("milestones", _("Milestones led"), led),
        LoadColumn("milestones-late", _("Milestones late"), late),
    ]
