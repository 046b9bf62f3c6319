"""What a person may see of advisory requests, loaded in fixed queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from advisory import rules
from advisory.enums import COUNTRY_DOCUMENT_KINDS, PLAN_VISIBLE_STATES
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument
from cepa_collab.models import roles_for
from workflows.rules import is_admin, user_branch_id


def visible_requests(user) -> QuerySet[AdvisoryRequest]:
    """The admin sees all; the branch's people see their branch's; the lead and the team
    theirs; a Member State focal point their own country's; nobody else any."""
    qs = AdvisoryRequest.objects.select_related("country__region", "branch", "lead")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_admin(user):
        return qs
    condition = Q(lead_id=user.pk) | Q(team__id=user.pk)
    branch_id = user_branch_id(user)
    if branch_id is not None and rules.BRANCH_ROLES & set(roles_for(user)):
        condition |= Q(branch_id=branch_id)
    country_id = rules.focal_point_country_id(user)
    if country_id is not None:
        condition |= Q(country_id=country_id)
    return qs.filter(pk__in=AdvisoryRequest.objects.filter(condition).values("pk"))


def get_request_for_user(user, pk) -> AdvisoryRequest:
    try:
        return visible_requests(user).get(pk=pk)
    except (AdvisoryRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such advisory request.") from None


def visible_documents(user, request: AdvisoryRequest) -> QuerySet[RequestDocument]:
    """Every version for the branch's people and the team; for the country's focal point,
    the plan of action once drafted — never the mission report or the analysis."""
    qs = request.documents.select_related("uploaded_by").order_by("kind", "-number")
    if rules.sees_internal(request, user):
        return qs
    if rules.is_country_focal_point(request, user) and request.state in PLAN_VISIBLE_STATES:
        return qs.filter(kind__in=COUNTRY_DOCUMENT_KINDS)
    return qs.none()


def visible_comments(user, request: AdvisoryRequest) -> QuerySet[Comment]:
    qs = request.comments.select_related("author", "document").order_by("created_at", "pk")
    if rules.sees_internal(request, user):
        return qs
    return qs.filter(internal=False)


def visible_milestones(user) -> QuerySet[Milestone]:
    return Milestone.objects.select_related("request__country", "lead").filter(
        request__in=visible_requests(user).values("pk")
    )
