"""The discussions of the demo world: a reviewer's question on a draft and the
owner's answer, in their review thread, and the owner telling the chief in the
deliverable's own thread.

Written through `discussions.services` (the rules apply; `demo.world` mutes notices).
`seed_discussions()` is idempotent: a thread that has messages is left as it is.
"""

from __future__ import annotations

from discussions import queries, services
from workflows.enums import ASSIGNMENT_ACCESS_STATES
from workflows.models import ReviewAssignment

REVIEWER = "amina"  # the crawl's CEPA member reads this thread


def seed_discussions() -> int:
    """Write the demo's messages where missing; return how many were written."""
    assignment = (
        ReviewAssignment.objects.filter(
            reviewer__username=REVIEWER,
            state__in=ASSIGNMENT_ACCESS_STATES,
        )
        .select_related("deliverable__product", "deliverable__owner", "reviewer", "round")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return 0
    deliverable, owner, reviewer = (
        assignment.deliverable,
        assignment.deliverable.owner,
        assignment.reviewer,
    )
    written = 0
    review_thread = queries.review_thread(reviewer, assignment)
    if review_thread is not None and not queries.messages_of(review_thread).exists():
        services.post_message(
            reviewer,
            review_thread,
            f"@{owner.username} Are the figures in table 3 from the 2024 survey or the 2022 "
            "one? The caption does not say.",
        )
        services.post_message(
            owner,
            review_thread,
            "From the 2024 survey. The next version says so in the caption; thank you.",
        )
        written += 2
    team_thread = queries.deliverable_thread(owner, deliverable)
    if team_thread is not None and not queries.messages_of(team_thread).exists():
        services.post_message(
            owner,
            team_thread,
            "A reviewer asked where table 3 comes from: the caption will name the 2024 "
            "survey in the next version.",
        )
        written += 1
    return written
