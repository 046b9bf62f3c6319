"""Who may do what to a deliverable: predicates over a person and an object.

Pure functions of the person's roles and branch and the object's attributes, used as
the django-fsm `permission=` of each transition and by the services and pages.
"""

from __future__ import annotations

from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.services import profile_for

BRANCH_ROLES = frozenset({Role.BRANCH_CHIEF, Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR})


def is_admin(user) -> bool:
    """The secretariat admin (and Django superusers) see everything."""
    return bool(user.is_superuser) or Role.SECRETARIAT_ADMIN in roles_for(user)


def user_branch_id(user) -> int | None:
    return profile_for(user).branch_id


def is_branch_member(user, branch_id: int) -> bool:
    return bool(BRANCH_ROLES & set(roles_for(user))) and user_branch_id(user) == branch_id


def is_branch_chief(user, branch_id: int) -> bool:
    return Role.BRANCH_CHIEF in roles_for(user) and user_branch_id(user) == branch_id


def _deliverable_branch_id(deliverable) -> int:
    return deliverable.product.branch_id


def can_decide(deliverable, user) -> bool:
    """Approve, return for revision, publish, cancel: the chief of the deliverable's branch."""
    return bool(user.is_superuser) or is_branch_chief(user, _deliverable_branch_id(deliverable))


def can_manage(deliverable, user) -> bool:
    """Submit, upload versions, choose reviewers, move due dates: the owner or the chief."""
    return deliverable.owner_id == user.pk or can_decide(deliverable, user)


def can_create_in_branch(user, branch_id: int) -> bool:
    """Create products and deliverables: branch staff and the chief of that branch."""
    roles = set(roles_for(user))
    return bool(user.is_superuser) or (
        branch_id is not None
        and bool({Role.BRANCH_CHIEF, Role.BRANCH_STAFF} & roles)
        and user_branch_id(user) == branch_id
    )


def sees_branch(user, branch_id: int) -> bool:
    """Branch staff see their branch's deliverables; the secretariat admin sees all."""
    return is_admin(user) or is_branch_member(user, branch_id)


def is_reviewer(assignment, user) -> bool:
    return assignment.reviewer_id == user.pk


def can_manage_assignment(assignment, user) -> bool:
    return can_manage(assignment.deliverable, user)
