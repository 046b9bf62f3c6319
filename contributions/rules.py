"""Who may do what to a contribution."""

from __future__ import annotations

from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.viewer import is_admin, is_branch_member


def is_author(contribution, user) -> bool:
    return contribution.author_id == user.pk


def can_review(contribution, user) -> bool:
    """Branch staff and the chief of the contribution's branch review it."""
    roles = set(roles_for(user))
    return bool(user.is_superuser) or (
        bool({Role.BRANCH_STAFF, Role.BRANCH_CHIEF} & roles)
        and is_branch_member(user, contribution.branch_id)
    )


def can_propose(user) -> bool:
    return Role.CEPA_MEMBER in roles_for(user) or bool(user.is_superuser)


def sees_all_of_branch(user, branch_id: int) -> bool:
    return is_admin(user) or is_branch_member(user, branch_id)


def sees_history(contribution, user) -> bool:
    """The history (every edit, state change and reviewer's comment) is for the author, the
    people who review it and admins: not for the others who see an accepted contribution
    (other CEPA members, the country's focal point, the branch's advisors)."""
    return is_author(contribution, user) or can_review(contribution, user) or is_admin(user)
