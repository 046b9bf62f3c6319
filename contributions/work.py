"""What contributions put on someone's start page (`cepa_collab.work`): contributions to
review (branch staff and chief), and their own returned for revision (the author)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cepa_collab import viewer
from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.names import display_name
from cepa_collab.work import WORK, WorkItem, WorkKind
from contributions.enums import ContributionState
from contributions.models import Contribution


def to_review(user, today: datetime.date) -> QuerySet[Contribution] | None:
    """Submitted contributions of their branch (anyone of its staff or chief starts the
    review) and those under their review; None for anyone else (`rules.can_review`)."""
    branch_id = viewer.user_branch_id(user)
    if branch_id is None or not {Role.BRANCH_STAFF, Role.BRANCH_CHIEF} & set(roles_for(user)):
        return None
    return (
        Contribution.objects.filter(branch_id=branch_id)
        .filter(
            Q(state=ContributionState.SUBMITTED)
            | Q(state=ContributionState.UNDER_REVIEW, reviewer_id=user.pk)
        )
        .select_related("author")
        .order_by("review_due", "submitted_at", "pk")
    )


def _author_name(contribution: Contribution) -> str:
    author = contribution.author
    return display_name(author)


def _review_item(contribution: Contribution, today: datetime.date) -> WorkItem:
    started = contribution.state == ContributionState.UNDER_REVIEW
    due = contribution.review_due
    return WorkItem(
        kind="contribution_review",
        title=contribution.title,
        about=str(_("Proposed by %(name)s") % {"name": _author_name(contribution)}),
        url=reverse("contributions:detail", args=[contribution.pk]),
        action=str(_("Finish the review") if started else _("Start the review")),
        due=due,
        overdue=due is not None and due < today,
    )


WORK.register(
    WorkKind(
        code="contribution_review",
        label=_("Contributions to review"),
        records=to_review,
        item=_review_item,
        see_all="contributions:contribution_list",
        order=50,
    )
)


def returned(user, today: datetime.date) -> QuerySet[Contribution] | None:
    """Their contributions returned for revision; None for anyone who does not propose."""
    if Role.CEPA_MEMBER not in roles_for(user):
        return None
    return Contribution.objects.filter(
        author_id=user.pk, state=ContributionState.RETURNED
    ).order_by("updated_at", "pk")


def _returned_item(contribution: Contribution, today: datetime.date) -> WorkItem:
    return WorkItem(
        kind="contribution_returned",
        title=contribution.title,
        about=str(_("Returned for revision")),
        url=reverse("contributions:edit", args=[contribution.pk]),
        action=str(_("Revise and submit again")),
    )


WORK.register(
    WorkKind(
        code="contribution_returned",
        label=_("Your contributions returned for revision"),
        records=returned,
        item=_returned_item,
        see_all="contributions:contribution_list",
        order=55,
    )
)
