"""What a person may see of advisory requests, loaded in fixed queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404

from advisory import rules
from advisory.enums import COUNTRY_DOCUMENT_KINDS, PLAN_VISIBLE_STATES, MilestoneState
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument, RequestHistory
from cepa_collab.viewer import branch_person_id, is_admin
from workflows.enums import ASSIGNMENT_ACCESS_STATES, AssignmentState, RoundState
from workflows.models import Deliverable, ReviewRound


def visible_requests(user) -> QuerySet[AdvisoryRequest]:
    """The admin sees all; the branch's people see their branch's; the lead and the team
    theirs; a Member State focal point their own country's; nobody else any."""
    qs = AdvisoryRequest.objects.select_related("country__region", "branch", "lead", "plan_review")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_admin(user):
        return qs
    condition = Q(lead_id=user.pk) | Q(team__id=user.pk)
    branch_id = branch_person_id(user)
    if branch_id is not None:
        condition |= Q(branch_id=branch_id)
    country_id = rules.focal_point_country_id(user)
    if country_id is not None:
        condition |= Q(country_id=country_id)
    return qs.filter(pk__in=AdvisoryRequest.objects.filter(condition).values("pk"))


def with_team_membership(qs: QuerySet[AdvisoryRequest], user) -> QuerySet[AdvisoryRequest]:
    """Each request with whether `user` is on its team, in the list's own query, so that
    `rules.is_on_team` (and `rules.sees_internal`) answer for them without another."""
    on_team = AdvisoryRequest.team.through.objects.filter(
        advisoryrequest_id=OuterRef("pk"), user_id=user.pk
    )
    return qs.annotate(
        viewer_on_team=Exists(on_team), team_viewer_id=Value(user.pk, output_field=IntegerField())
    )


def get_request_for_user(user, pk) -> AdvisoryRequest:
    """The request, if `user` may see it (else 404), with whether they are on its team."""
    try:
        return with_team_membership(visible_requests(user), user).get(pk=pk)
    except (AdvisoryRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such advisory request.") from None


def visible_documents(user, request: AdvisoryRequest) -> QuerySet[RequestDocument]:
    """Every version for the branch's people and the team; for the country's focal point,
    the plan of action once drafted — never the mission report or the analysis."""
    qs = request.documents.select_related("uploaded_by").order_by("kind", "-number")
    if rules.sees_internal(request, user):
        return qs
    if _country_reads_plans(user, request):
        return qs.filter(kind__in=COUNTRY_DOCUMENT_KINDS)
    return qs.none()


def commentable_documents(user, request: AdvisoryRequest) -> QuerySet[RequestDocument]:
    """The documents `user` may read and comment on (`rules.commentable_kinds`)."""
    return visible_documents(user, request).filter(kind__in=rules.commentable_kinds(request, user))


def _country_reads_plans(user, request: AdvisoryRequest) -> bool:
    """The country's focal point reads the plan of action once drafted (not while it is
    back in analysis)."""
    return rules.is_country_focal_point(request, user) and request.state in PLAN_VISIBLE_STATES


def visible_comments(user, request: AdvisoryRequest) -> QuerySet[Comment]:
    """Every comment for the branch's people and the team; for the country's focal point
    the public ones, except those on a document they may not read now (a mission report, an
    analysis, a plan while it is back in analysis), which would tell them of it."""
    qs = request.comments.select_related("author", "document").order_by("created_at", "pk")
    if rules.sees_internal(request, user):
        return qs
    readable = (
        Q(document__kind__in=COUNTRY_DOCUMENT_KINDS)
        if _country_reads_plans(user, request)
        else Q(pk__in=[])
    )
    return qs.filter(Q(document__isnull=True) | readable, internal=False)


def visible_milestones(user) -> QuerySet[Milestone]:
    return Milestone.objects.select_related("request__country", "lead").filter(
        request__in=visible_requests(user).values("pk")
    )


def get_document_for_user(user, request: AdvisoryRequest, pk) -> RequestDocument:
    """A document of `request` that `user` may read, or 404 (never 403: what one may not
    read is not there)."""
    try:
        return visible_documents(user, request).get(pk=pk)
    except (RequestDocument.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document.") from None


def with_next_milestone(qs: QuerySet[AdvisoryRequest]) -> QuerySet[AdvisoryRequest]:
    """Each request with its next open milestone (`next_milestone_title`,
    `next_milestone_due`), computed in the list's own query."""
    upcoming = Milestone.objects.filter(request=OuterRef("pk"), state=MilestoneState.OPEN).order_by(
        "due_date", "pk"
    )
    return qs.annotate(
        next_milestone_title=Subquery(upcoming.values("title")[:1]),
        next_milestone_due=Subquery(upcoming.values("due_date")[:1]),
    )


def visible_history(user, request: AdvisoryRequest) -> QuerySet[RequestHistory]:
    """The request's history, oldest first, for those who see its internal side (never the
    country's focal point); the actor comes in the same query."""
    if not rules.sees_internal(request, user):
        return request.history.none()
    return request.history.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class PlanReview:
    """Where the review of a request's plan of action stands (internal viewers only)."""

    deliverable: Deliverable
    round_number: int | None
    round_open: bool
    assigned: int
    submitted: int


def plan_review_of(request: AdvisoryRequest) -> PlanReview | None:
    """The plan's review deliverable (loaded with the request by `visible_requests`) and its
    latest round with the number of reviewers assigned and of reviews submitted: one
    query."""
    deliverable = request.plan_review
    if deliverable is None:
        return None
    latest = (
        ReviewRound.objects.filter(deliverable_id=deliverable.pk)
        .annotate(
            assigned=Count(
                "assignments", filter=Q(assignments__state__in=ASSIGNMENT_ACCESS_STATES)
            ),
            submitted=Count("assignments", filter=Q(assignments__state=AssignmentState.SUBMITTED)),
        )
        .order_by("-number")
        .first()
    )
    if latest is None:
        return PlanReview(deliverable, None, False, 0, 0)
    return PlanReview(
        deliverable=deliverable,
        round_number=latest.number,
        round_open=latest.state == RoundState.OPEN,
        assigned=latest.assigned,
        submitted=latest.submitted,
    )


def plan_review_origin(user, deliverable: Deliverable) -> AdvisoryRequest | None:
    """The advisory request whose plan of action `deliverable` reviews, or None; annotated
    `viewer_may_see` (whether `user` may open the request's page): one query."""
    return (
        AdvisoryRequest.objects.filter(plan_review_id=deliverable.pk)
        .select_related("country")
        .annotate(viewer_may_see=Exists(visible_requests(user).filter(pk=OuterRef("pk"))))
        .first()
    )
