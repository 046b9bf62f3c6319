"""Open milestones of advisory requests are deadlines owed by their lead."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from advisory.enums import REQUEST_OPEN_STATES, MilestoneState
from advisory.models import Milestone
from notifications import deadlines


class AdvisoryDeadline(models.TextChoices):
    """The advisory requests' kinds of deadline (registered with notifications below)."""

    MILESTONE = "milestone", _("Advisory milestone")


def _entries(qs: QuerySet[Milestone]) -> Iterator[deadlines.Entry]:
    rows = qs.filter(
        state=MilestoneState.OPEN,
        lead__is_active=True,
        request__state__in=REQUEST_OPEN_STATES,
    ).values_list(
        "pk",
        "lead_id",
        "due_date",
        "title",
        "request__country__name",
        "request_id",
        "request__branch_id",
    )
    for pk, lead_id, due, title, country, request_id, branch_id in rows:
        yield deadlines.Entry(
            object_id=pk,
            user_id=lead_id,
            due_date=due,
            title=f"{title} ({country})",
            link=reverse("advisory:detail", args=[request_id]),
            branch_id=branch_id,
        )


def sync_request(request_id: int) -> None:
    milestones = Milestone.objects.filter(request_id=request_id)
    deadlines.sync(
        AdvisoryDeadline.MILESTONE, milestones.values_list("pk", flat=True), _entries(milestones)
    )


# Registered when notifications discovers this module at start-up (its AppConfig.ready).
deadlines.register(AdvisoryDeadline.MILESTONE, entries=lambda: _entries(Milestone.objects.all()))
