"""What a person may see of contributions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.services import profile_for
from cepa_collab.viewer import branch_person_id, is_admin
from contributions.enums import STAFF_VISIBLE_STATES, ContributionState
from contributions.models import Attachment, Contribution, ContributionHistory
from contributions.panels import CITED_BY
from workflows.queries import visible_deliverables


def _accepted_for(user, roles: set) -> Q:
    """Accepted contributions are the Division's shared knowledge: every one for the people
    who work on it; for a Member State focal point only those about their own country."""
    accepted = Q(state=ContributionState.ACCEPTED)
    if Role.FOCAL_POINT in roles and not (roles - {Role.FOCAL_POINT}):
        country_id = profile_for(user).country_id
        if country_id is None:
            return Q(pk__in=[])
        return accepted & Q(country_id=country_id)
    return accepted


def visible_contributions(user) -> QuerySet[Contribution]:
    """The author's own (drafts included), the accepted ones (see `_accepted_for`), and for
    the people of the contribution's branch all that were ever submitted (a draft stays the
    author's, even once withdrawn); everything for the admin."""
    qs = Contribution.objects.select_related("author", "country", "branch", "incorporated_into")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_admin(user):
        return qs
    roles = set(roles_for(user))
    condition = Q(author_id=user.pk) | _accepted_for(user, roles)
    branch_id = branch_person_id(user)
    if branch_id is not None:
        submitted_states = [s for s in STAFF_VISIBLE_STATES if s != ContributionState.WITHDRAWN]
        condition |= Q(branch_id=branch_id) & (
            Q(state__in=submitted_states)
            | Q(state=ContributionState.WITHDRAWN, submitted_at__isnull=False)
        )
    return qs.filter(condition)


def get_contribution_for_user(user, pk) -> Contribution:
    try:
        return visible_contributions(user).get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contribution.") from None


def get_attachment_for_user(user, contribution_pk, attachment_pk) -> Attachment:
    """An attachment of a contribution `user` may see, or Http404."""
    contribution = get_contribution_for_user(user, contribution_pk)
    try:
        return contribution.attachments.select_related("contribution").get(pk=attachment_pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file.") from None


def contribution_history(contribution: Contribution) -> QuerySet[ContributionHistory]:
    """The contribution's history, oldest first, each row with who did it: one query however
    long it is. Shown only to those for whom `rules.sees_history` is true."""
    return contribution.history.select_related("actor").order_by("at", "pk")


def visible_deliverable_ids(user, contributions, also=()) -> set[int]:
    """Of the deliverables the contributions name (the one written input is for, the one
    each was incorporated into) and of those in `also`, the ones `user` may see: one
    query, none if none is named.

    Pages link these; the author of a contribution is also told the titles of the others
    (they were notified of them), everybody else sees nothing of them."""
    named = {
        pk
        for c in contributions
        for pk in (c.deliverable_id, c.incorporated_into_id)
        if pk is not None
    } | set(also)
    if not named:
        return set()
    return set(visible_deliverables(user).filter(pk__in=named).values_list("pk", flat=True))


def citing_links(user, contribution: Contribution) -> list:
    """The records that cite `contribution` (the knowledge value chain's links to
    deliverables), those `user` may see (the author sees them all)."""
    return CITED_BY.chain(user, contribution)
