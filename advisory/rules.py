"""Who may do what to an advisory request: predicates over a person and a request."""

from __future__ import annotations

from advisory.enums import PLAN_VISIBLE_STATES
from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.services import profile_for
from cepa_collab.viewer import BRANCH_ROLES, is_admin, is_branch_chief, is_branch_member


def can_decide(request, user) -> bool:
    """Accept, decline, close: the chief of the request's branch."""
    return bool(user.is_superuser) or is_branch_chief(user, request.branch_id)


def is_on_team(request, user) -> bool:
    if request.lead_id == user.pk:
        return True
    if request.pk is None:
        return False
    return request.team.filter(pk=user.pk).exists()


def can_lead(request, user) -> bool:
    """Plan the mission, upload documents, move the work along: the lead or the chief."""
    return request.lead_id == user.pk or can_decide(request, user)


def can_work_on(request, user) -> bool:
    """Comment internally, add milestones: the team, the lead, the chief."""
    return can_lead(request, user) or is_on_team(request, user)


def can_register(user, branch_id: int) -> bool:
    """Record a new request: branch staff, advisors and the chief of that branch."""
    return bool(user.is_superuser) or is_branch_member(user, branch_id)


def sees_internal(request, user) -> bool:
    """Everything but the country's view: the branch's people, the team, the admin."""
    return is_admin(user) or is_branch_member(user, request.branch_id) or is_on_team(request, user)


def focal_point_country_id(user) -> int | None:
    """The country a Member State focal point speaks for (None for anyone else)."""
    if Role.FOCAL_POINT not in roles_for(user):
        return None
    return profile_for(user).country_id


def is_country_focal_point(request, user) -> bool:
    country = focal_point_country_id(user)
    return country is not None and country == request.country_id


def can_comment(request, user) -> bool:
    if sees_internal(request, user):
        return True
    # The focal point comments on the plan of action once drafted, until the request closes.
    return (
        is_country_focal_point(request, user)
        and request.state in PLAN_VISIBLE_STATES
        and request.is_open
    )


__all__ = ["BRANCH_ROLES", "can_decide", "can_lead", "can_work_on", "sees_internal"]
