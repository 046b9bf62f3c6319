"""Who someone is: their roles, branch and country, and the predicates every app asks.

Roles and the profile are read once per request and kept on the user object
(`roles_for`, `profile_for`), so asking these predicates again costs no query.
"""

from __future__ import annotations

from cepa_collab.enums import STAFF_ROLES, Role
from cepa_collab.models import roles_for
from cepa_collab.services import profile_for

# Roles that work on a branch's records (and may be asked to review one).
BRANCH_ROLES = frozenset({Role.BRANCH_CHIEF, Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR})


def has_role(user, *roles: Role) -> bool:
    return bool(set(roles) & set(roles_for(user)))


def is_branch_person(user) -> bool:
    """A branch chief, staff member or Inter-Regional Advisor (of any branch)."""
    return bool(BRANCH_ROLES & set(roles_for(user)))


def is_division_staff(user) -> bool:
    """Someone working inside the Division (not an external expert), or a superuser."""
    return bool(user.is_superuser) or bool(STAFF_ROLES & set(roles_for(user)))


def is_admin(user) -> bool:
    """The secretariat admin (and Django superusers) see everything."""
    return bool(user.is_superuser) or Role.SECRETARIAT_ADMIN in roles_for(user)


def user_branch_id(user) -> int | None:
    return profile_for(user).branch_id


def is_branch_member(user, branch_id: int) -> bool:
    return is_branch_person(user) and user_branch_id(user) == branch_id


def is_branch_chief(user, branch_id: int) -> bool:
    return Role.BRANCH_CHIEF in roles_for(user) and user_branch_id(user) == branch_id


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


def branch_person_id(user) -> int | None:
    """The branch id of a branch chief, staff member or advisor; None for anyone else."""
    branch_id = user_branch_id(user)
    if branch_id is not None and is_branch_person(user):
        return branch_id
    return None
