"""The rule book of knowledge links: who may link a deliverable to the requests and the
contributions it draws on, and what may be linked, with the message when they may not.

Each rule is written here once: `knowledge.services` enforces it, the deliverable's page
(`can_link`), the link page and `knowledge.queries` (what the link forms offer) ask it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from advisory.enums import RequestState
from advisory.rules import sees_internal
from cepa_collab.rulebook import Condition, Rule, RuleBook
from cepa_collab.viewer import sees_branch
from contributions.enums import ContributionState


def links_deliverable(deliverable, user) -> bool:
    """The deliverable's branch people and the secretariat admin link it to other records."""
    return sees_branch(user, deliverable.product.branch_id)


def _links_link(link, user) -> bool:
    return links_deliverable(link.deliverable, user)


def _anyone(_obj, _user) -> bool:
    return True


# A declined request has no findings; only accepted contributions are cited.
REQUEST_STATES_WITHOUT_FINDINGS = (RequestState.DECLINED,)
CITED_CONTRIBUTION_STATES = (ContributionState.ACCEPTED,)


def has_findings(request) -> bool:
    return request.state not in REQUEST_STATES_WITHOUT_FINDINGS


def may_be_cited(contribution) -> bool:
    return contribution.state in CITED_CONTRIBUTION_STATES


ONLY_THE_BRANCH = _("Only the deliverable's branch links it to other records.")

LINK = RuleBook(
    # The object of `create` is the deliverable; of `remove`, the link.
    create=Rule(links_deliverable, ONLY_THE_BRANCH),
    remove=Rule(_links_link, ONLY_THE_BRANCH),
    # What the deliverable may draw on: the object is the request or the contribution.
    draw_on_request=Rule(
        sees_internal,
        _("You may not link this request."),
        also=(
            Condition(
                has_findings,
                _("A declined request has no findings to draw on."),
                error=ValidationError,
                field="request",
            ),
        ),
    ),
    cite_contribution=Rule(
        _anyone,
        "",
        also=(
            Condition(
                may_be_cited,
                _("Only accepted contributions are cited."),
                error=ValidationError,
                field="contribution",
            ),
        ),
    ),
)
