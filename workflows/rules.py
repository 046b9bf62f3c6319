"""Who may do what to a deliverable: predicates over a person and an object.

Pure functions of the person's roles and branch and the object's attributes, used as
the django-fsm `permission=` of each transition and by the services and pages.
"""

from __future__ import annotations

from cepa_collab.viewer import is_branch_chief


def _deliverable_branch_id(deliverable) -> int:
    return deliverable.product.branch_id


def can_decide(deliverable, user) -> bool:
    """Approve, return for revision, publish, cancel: the chief of the deliverable's branch."""
    return bool(user.is_superuser) or is_branch_chief(user, _deliverable_branch_id(deliverable))


def can_manage(deliverable, user) -> bool:
    """Submit, upload versions, choose reviewers, move due dates: the owner or the chief."""
    return deliverable.owner_id == user.pk or can_decide(deliverable, user)


def is_reviewer(assignment, user) -> bool:
    return assignment.reviewer_id == user.pk


def can_manage_assignment(assignment, user) -> bool:
    return can_manage(assignment.deliverable, user)
