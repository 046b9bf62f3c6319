"""What apps above advisory add to its pages, and what advisory adds to the deliverable page
(see `cepa_collab.panels`)."""

from advisory import queries
from cepa_collab.panels import Panels
from workflows.enums import DeliverableKind
from workflows.panels import DELIVERABLE_PAGE

# The request page: each provider `(user, request) -> dict` adds template context (the
# deliverables the request's findings informed).
REQUEST_PAGE = Panels("advisory request page")


@DELIVERABLE_PAGE.register
def plan_of_action_origin(user, deliverable) -> dict:
    """The advisory request whose plan of action a deliverable reviews (one query, plans
    of action only)."""
    if deliverable.kind != DeliverableKind.PLAN_OF_ACTION:
        return {"plan_of": None}
    return {"plan_of": queries.plan_review_origin(user, deliverable)}
