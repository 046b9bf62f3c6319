"""What apps above workflows add to its pages, and what workflows adds to lower apps' pages
(see `cepa_collab.panels`)."""

from cepa_collab.panels import ACCOUNT_PAGE, Panels, Section
from workflows import reviewer_profile_views, reviewer_profiles

# The deliverable page: each provider `(user, deliverable) -> dict` adds template context
# (the advisory request a plan of action comes from, the knowledge value chain's links).
DELIVERABLE_PAGE = Panels("deliverable page")
# The review page: each provider `(user, assignment) -> dict` adds context (the discussion).
REVIEW_PAGE = Panels("review page")


@ACCOUNT_PAGE.register
def account_section(user, request) -> list[Section]:
    """A CEPA member's reviewer profile on their account page; nothing for anyone else."""
    if not reviewer_profiles.may_have_reviewer_profile(user):
        return []
    return [reviewer_profile_views.reviewer_section(user)]
