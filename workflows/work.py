"""What the review workflow puts on someone's start page (`cepa_collab.work`): invitations
to answer, reviews to write, decisions to take, their deliverables that need a step; what
is coming up for their deliverables and what they recently did."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cepa_collab import viewer
from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.work import COMING_UP, DONE, HORIZON, RECENT, WORK, SideList, WorkItem, WorkKind
from workflows.enums import AssignmentState, DeliverableAction, DeliverableState, RoundState
from workflows.models import Deliverable, DeliverableHistory, ReviewAssignment, ReviewRound, Version

# --- reviews to answer and to write ---------------------------------------------------------


def _assignments(user, state) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.filter(reviewer_id=user.pk, state=state)
        .select_related("deliverable__product")
        .order_by("due_date", "pk")
    )


def _review_item(kind: str, action) -> Callable:
    def item(assignment: ReviewAssignment, today: datetime.date) -> WorkItem:
        return WorkItem(
            kind=kind,
            title=assignment.deliverable.title,
            about=str(assignment.deliverable.product),
            url=reverse("workflows:review", args=[assignment.pk]),
            action=str(action),
            due=assignment.due_date,
            overdue=assignment.due_date < today,
        )

    return item


WORK.register(
    WorkKind(
        code="review_invitation",
        label=_("Invitations to review"),
        records=lambda user, today: _assignments(user, AssignmentState.INVITED),
        item=_review_item("review_invitation", _("Answer the invitation")),
        see_all="workflows:my_reviews",
        order=10,
    )
)
WORK.register(
    WorkKind(
        code="review_to_write",
        label=_("Reviews to write"),
        records=lambda user, today: _assignments(user, AssignmentState.ACCEPTED),
        item=_review_item("review_to_write", _("Write your review")),
        see_all="workflows:my_reviews",
        order=20,
    )
)


# --- decisions to take (the chief of the deliverable's branch) -----------------------------


def awaiting_my_decision(user, today: datetime.date) -> QuerySet[Deliverable] | None:
    """The deliverables of the chief's branch that wait for their decision (the one rule,
    `Deliverable.objects.awaiting_decision`); None for anyone but a branch chief."""
    branch_id = viewer.user_branch_id(user)
    if Role.BRANCH_CHIEF not in roles_for(user) or branch_id is None:
        return None
    return (
        Deliverable.objects.awaiting_decision(today)
        .filter(product__branch_id=branch_id)
        .select_related("product")
        .order_by("due_date", "pk")
    )


def _decision_item(deliverable: Deliverable, today: datetime.date) -> WorkItem:
    return WorkItem(
        kind="decision",
        title=deliverable.title,
        about=str(deliverable.product),
        # The decision form is on the deliverable's page.
        url=reverse("workflows:deliverable", args=[deliverable.pk]) + "#decision",
        action=str(_("Take the decision")),
        due=deliverable.due_date,
        overdue=deliverable.is_overdue_on(today),
    )


def _history_stamp(user) -> QuerySet[DeliverableHistory]:
    """The newest line of any deliverable's history: every service that may change what
    waits for a decision (a state, an assignment, a review, a due date) writes one."""
    return DeliverableHistory.objects.order_by("-pk").values("pk")


WORK.register(
    WorkKind(
        code="decision",
        label=_("Decisions to take"),
        records=awaiting_my_decision,
        item=_decision_item,
        see_all="workflows:dashboard",
        order=30,
        # The rule runs over the whole branch's deliverables in review: counted once per
        # change (and day), not on every page of the chief.
        stamp=_history_stamp,
        scope=lambda user: f"branch-{viewer.user_branch_id(user)}",
    )
)


# --- their deliverables that need a step -------------------------------------------------------


def _has_unreviewed_version() -> Exists:
    """`Deliverable.has_unreviewed_version` as a condition: its newest version has no round."""
    newest = (
        Version.objects.filter(deliverable=OuterRef(OuterRef("pk")))
        .order_by("-number")
        .values("pk")[:1]
    )
    return Exists(
        Version.objects.filter(pk=Subquery(newest)).exclude(
            Exists(ReviewRound.objects.filter(version=OuterRef("pk")))
        )
    )


def _has_reviewers() -> Exists:
    """Its open round has a reviewer who did not decline nor was withdrawn."""
    return Exists(
        ReviewAssignment.objects.filter(
            deliverable=OuterRef("pk"),
            round__state=RoundState.OPEN,
            state__in=(
                AssignmentState.INVITED,
                AssignmentState.ACCEPTED,
                AssignmentState.SUBMITTED,
            ),
        )
    )


def _owned(user) -> QuerySet[Deliverable] | None:
    """Their deliverables; None for people outside the Division (they own none)."""
    if not viewer.is_division_staff(user):
        return None
    return (
        Deliverable.objects.filter(owner_id=user.pk)
        .select_related("product")
        .alias(reviewers=_has_reviewers())
        .order_by("due_date", "pk")
    )


def needing_a_step(user, today: datetime.date) -> QuerySet[Deliverable] | None:
    """The person's deliverables they must move on: a draft to write or send (drafting,
    revising, or planned and due within HORIZON), or reviewers to choose (in review with
    none)."""
    owned = _owned(user)
    if owned is None:
        return None
    return owned.filter(
        Q(state__in=(DeliverableState.DRAFTING, DeliverableState.REVISING))
        | Q(state=DeliverableState.PLANNED, due_date__lte=today + HORIZON)
        | Q(state=DeliverableState.IN_REVIEW, reviewers=False)
    ).annotate(unreviewed=_has_unreviewed_version())


def _step_item(deliverable: Deliverable, today: datetime.date) -> WorkItem:
    page = reverse("workflows:deliverable", args=[deliverable.pk])
    if deliverable.state == DeliverableState.IN_REVIEW:
        url = reverse("workflows:assign_reviewers", args=[deliverable.pk])
        action = _("Choose reviewers")
    elif deliverable.unreviewed:
        url, action = page, _("Send the draft for review")
    elif deliverable.state == DeliverableState.REVISING:
        url = reverse("workflows:version_upload", args=[deliverable.pk])
        action = _("Upload the revised draft")
    else:
        url = reverse("workflows:version_upload", args=[deliverable.pk])
        action = _("Upload a draft")
    return WorkItem(
        kind="deliverable_step",
        title=deliverable.title,
        about=str(deliverable.product),
        url=url,
        action=str(action),
        due=deliverable.due_date,
        overdue=deliverable.is_overdue_on(today),
    )


WORK.register(
    WorkKind(
        code="deliverable_step",
        label=_("Your deliverables that need a step"),
        records=needing_a_step,
        item=_step_item,
        see_all="workflows:deliverable_list",
        order=40,
    )
)


# --- coming up and recently done ------------------------------------------------------------


def _waiting_on_others(user, today: datetime.date) -> QuerySet[Deliverable] | None:
    """Their deliverables that others move on now (in review with reviewers), or planned
    for later than HORIZON."""
    owned = _owned(user)
    if owned is None:
        return None
    return owned.filter(
        Q(state=DeliverableState.IN_REVIEW, reviewers=True)
        | Q(state=DeliverableState.PLANNED, due_date__gt=today + HORIZON)
    )


def _coming_item(deliverable: Deliverable, today: datetime.date) -> WorkItem:
    in_review = deliverable.state == DeliverableState.IN_REVIEW
    return WorkItem(
        kind="deliverable_in_review" if in_review else "deliverable_planned",
        title=deliverable.title,
        about=str(deliverable.product),
        url=reverse("workflows:deliverable", args=[deliverable.pk]),
        action=str(_("Follow the review") if in_review else _("Open the deliverable")),
        due=deliverable.due_date,
        overdue=deliverable.is_overdue_on(today),
    )


WORK.register(SideList("deliverables_coming_up", COMING_UP, _waiting_on_others, _coming_item))


def _reviews_submitted(user, today: datetime.date) -> QuerySet[ReviewAssignment]:
    return (
        # A submitted assignment's last answer is its submission: read off the index
        # (reviewer, state, responded_at), not by joining every review the person wrote.
        ReviewAssignment.objects.filter(
            reviewer_id=user.pk,
            state=AssignmentState.SUBMITTED,
            responded_at__gte=timezone.now() - RECENT,
        )
        .select_related("deliverable__product", "review")
        .order_by("-responded_at", "-pk")
    )


def _submitted_item(assignment: ReviewAssignment, today: datetime.date) -> WorkItem:
    return WorkItem(
        kind="review_submitted",
        title=assignment.deliverable.title,
        about=str(_("Your review was submitted")),
        url=reverse("workflows:review", args=[assignment.pk]),
        action=str(_("See your review")),
        at=assignment.review.submitted_at,
    )


WORK.register(SideList("reviews_submitted", DONE, _reviews_submitted, _submitted_item))

# What the owner or the chief did to a deliverable that counts as a step of theirs.
STEPS_DONE = (
    DeliverableState.IN_REVIEW,
    DeliverableState.REVISING,
    DeliverableState.APPROVED,
    DeliverableState.PUBLISHED,
    DeliverableState.CANCELLED,
)


def _steps_done(user, today: datetime.date) -> QuerySet[DeliverableHistory] | None:
    if not viewer.is_branch_person(user):
        return None
    return (
        DeliverableHistory.objects.filter(
            actor_id=user.pk,
            action=DeliverableAction.TRANSITION,
            to_state__in=STEPS_DONE,
            at__gte=timezone.now() - RECENT,
        )
        .select_related("deliverable")
        .order_by("-at", "-pk")
    )


def _step_done_item(line: DeliverableHistory, today: datetime.date) -> WorkItem:
    state = DeliverableState(line.to_state)
    return WorkItem(
        kind="deliverable_step_done",
        title=line.deliverable.title,
        about=str(_("Now %(state)s") % {"state": state.label.lower()}),
        url=reverse("workflows:deliverable", args=[line.deliverable_id]),
        action=str(_("Open the deliverable")),
        at=line.at,
    )


WORK.register(SideList("deliverable_steps_done", DONE, _steps_done, _step_done_item))
