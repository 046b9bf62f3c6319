"""What contributions adds to the branch cockpit (`workflows.cockpit`): contributions
awaiting review, and the ones each member of staff is reviewing."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cepa_collab.names import display_name
from contributions.enums import ContributionState
from contributions.models import Contribution
from workflows.cockpit import LOADS, SECTIONS, LoadColumn, Row, Section, days_late

AWAITING = (ContributionState.SUBMITTED, ContributionState.UNDER_REVIEW)


def _awaiting(branch_ids: Sequence[int]):
    return Contribution.objects.filter(branch_id__in=branch_ids, state__in=AWAITING)


@SECTIONS.register
def contribution_sections(branch_ids: Sequence[int], today: datetime.date, limit: int) -> list:
    """Contributions submitted or under review (two queries)."""
    awaiting = _awaiting(branch_ids)
    section = Section(
        key="contributions",
        order=30,
        title=_("Contributions awaiting review"),
        definition=_(
            "Contributions submitted or under review; flagged when their review is past due "
            "or nobody has taken them up."
        ),
        list_url=reverse("contributions:contribution_list"),
    )
    flagged = Q(review_due__lt=today) | Q(reviewer__isnull=True)
    for row in (
        awaiting.values("branch_id")
        .annotate(n=Count("pk"), flagged=Count("pk", filter=flagged))
        .order_by()
    ):
        section.counts[row["branch_id"]] = (row["n"], row["flagged"])
    if limit:
        for c in awaiting.select_related("reviewer", "author").order_by(
            "review_due", "submitted_at", "pk"
        )[:limit]:
            reasons = [days_late(c.review_due, today)]
            if c.reviewer_id is None:
                reasons.append(_("nobody has taken it up"))
            section.rows.append(
                Row(
                    title=c.title,
                    url=reverse("contributions:detail", args=[c.pk]),
                    due=c.review_due,
                    who=display_name(c.reviewer) if c.reviewer else _("nobody yet"),
                    reasons=tuple(filter(None, reasons)),
                )
            )
    return [section]


@LOADS.register
def contribution_loads(branch_ids: Sequence[int], today: datetime.date) -> list:
    """Contributions each member of staff is reviewing (one query)."""
    counts = {
        row["reviewer_id"]: row["n"]
        for row in _awaiting(branch_ids)
        .filter(reviewer__isnull=False)
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [LoadColumn("contributions", _("Contributions reviewing"), counts)]
