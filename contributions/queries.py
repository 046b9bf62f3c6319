"""What a person may see of contributions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cepa_collab.models import roles_for
from contributions.enums import STAFF_VISIBLE_STATES, ContributionState
from contributions.models import Contribution
from workflows.rules import BRANCH_ROLES, is_admin, user_branch_id


def visible_contributions(user) -> QuerySet[Contribution]:
    """The author's own (drafts included), every accepted one for anyone signed in, and all
    but drafts for the people of the contribution's branch; everything for the admin."""
    qs = Contribution.objects.select_related("author", "country", "branch", "incorporated_into")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_admin(user):
        return qs
    condition = Q(author_id=user.pk) | Q(state=ContributionState.ACCEPTED)
    branch_id = user_branch_id(user)
    if branch_id is not None and BRANCH_ROLES & set(roles_for(user)):
        condition |= Q(branch_id=branch_id, state__in=STAFF_VISIBLE_STATES)
    return qs.filter(condition)


def get_contribution_for_user(user, pk) -> Contribution:
    try:
        return visible_contributions(user).get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contribution.") from None
