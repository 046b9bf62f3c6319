"""What technical cooperation puts on someone's start page (`cepa_collab.work`): the
milestones they lead, and for a Member State's focal point the plans of action that wait
for their Government's comment."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advisory import rules
from advisory.enums import REQUEST_OPEN_STATES, MilestoneState, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone
from cepa_collab.viewer import is_division_staff
from cepa_collab.work import COMING_UP, DONE, HORIZON, RECENT, WORK, SideList, WorkItem, WorkKind

# --- milestones they lead --------------------------------------------------------------------


def _led(user) -> QuerySet[Milestone] | None:
    """Open milestones they lead; None for people outside the Division (they lead none)."""
    if not is_division_staff(user):
        return None
    return (
        Milestone.objects.filter(
            lead_id=user.pk,
            state=MilestoneState.OPEN,
            request__state__in=REQUEST_OPEN_STATES,
        )
        .select_related("request__country")
        .order_by("due_date", "pk")
    )


def milestones_due(user, today: datetime.date) -> QuerySet[Milestone] | None:
    """Open milestones they lead, on open requests, due within HORIZON (or late)."""
    led = _led(user)
    return None if led is None else led.filter(due_date__lte=today + HORIZON)


def _milestones_later(user, today: datetime.date) -> QuerySet[Milestone] | None:
    led = _led(user)
    return None if led is None else led.filter(due_date__gt=today + HORIZON)


def _milestone_item(milestone: Milestone, today: datetime.date) -> WorkItem:
    request = milestone.request
    return WorkItem(
        kind="milestone",
        title=milestone.title,
        about=str(request),
        url=reverse("advisory:detail", args=[request.pk]) + f"#milestone-{milestone.pk}",
        action=str(_("Mark it done or move its date")),
        due=milestone.due_date,
        overdue=milestone.due_date < today,
    )


WORK.register(
    WorkKind(
        code="milestone",
        label=_("Milestones you lead"),
        records=milestones_due,
        item=_milestone_item,
        see_all="advisory:request_list",
        order=60,
    )
)
WORK.register(
    SideList(
        "milestones_later",
        COMING_UP,
        _milestones_later,
        _milestone_item,
    )
)


def _milestones_done(user, today: datetime.date) -> QuerySet[Milestone] | None:
    if not is_division_staff(user):
        return None
    return (
        Milestone.objects.filter(
            lead_id=user.pk, state=MilestoneState.DONE, done_at__gte=timezone.now() - RECENT
        )
        .select_related("request__country")
        .order_by("-done_at", "-pk")
    )


def _milestone_done_item(milestone: Milestone, today: datetime.date) -> WorkItem:
    return WorkItem(
        kind="milestone_done",
        title=milestone.title,
        about=str(milestone.request),
        url=reverse("advisory:detail", args=[milestone.request_id]) + f"#milestone-{milestone.pk}",
        action=str(_("Open the request")),
        at=milestone.done_at,
    )


WORK.register(SideList("milestones_done", DONE, _milestones_done, _milestone_done_item))


# --- plans of action awaiting the Government's comment (the country's focal point) ----------


def plans_to_comment(user, today: datetime.date) -> QuerySet[AdvisoryRequest] | None:
    """Their country's requests whose plan of action is drafted and that they have not
    commented on since; None for anyone but a focal point."""
    country_id = rules.focal_point_country_id(user)
    if country_id is None:
        return None
    since = Coalesce(OuterRef("state_changed_at"), OuterRef("created_at"))
    commented = Comment.objects.filter(
        request=OuterRef("pk"), author_id=user.pk, created_at__gte=since
    )
    return (
        AdvisoryRequest.objects.filter(country_id=country_id, state=RequestState.PLAN_DRAFTED)
        .exclude(Exists(commented))
        .select_related("country")
        .order_by("state_changed_at", "pk")
    )


def _plan_item(request: AdvisoryRequest, today: datetime.date) -> WorkItem:
    return WorkItem(
        kind="plan_comment",
        title=request.title,
        about=str(request.country),
        url=reverse("advisory:detail", args=[request.pk]) + "#comment-form-heading",
        action=str(_("Comment on the plan of action")),
    )


WORK.register(
    WorkKind(
        code="plan_comment",
        label=_("Plans of action awaiting your Government's comment"),
        records=plans_to_comment,
        item=_plan_item,
        see_all="advisory:request_list",
        order=70,
    )
)
