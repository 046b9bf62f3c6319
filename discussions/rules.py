"""The rule book of discussions: who reads and writes in which thread, written once.

- The deliverable's thread is for the people who produce it: its owner, its chief (a
  superuser counts as one, as in `workflows.rules.can_decide`) and the branch's staff —
  but nobody who was ever asked to review the deliverable, whatever became of the
  invitation (they would read what the team says about the reviews).
- A review assignment's thread is between that reviewer, the deliverable's owner and its
  chief: reviewers never see each other's threads.

The services enforce these rules (`THREAD.post.require`); pages, API and the mention
check ask them (`sees`), and `discussions.queries` loads threads through them (404 for
those who may not see).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cepa_collab.rulebook import Rule, RuleBook
from cepa_collab.viewer import can_create_in_branch
from workflows.enums import ASSIGNMENT_ACCESS_STATES
from workflows.rules import can_decide

# --- who ---------------------------------------------------------------------------------


def reviewer_ids(deliverable) -> frozenset[int]:
    """Everyone ever asked to review `deliverable` (one query, kept on the instance)."""
    cached = getattr(deliverable, "_discussion_reviewer_ids", None)
    if cached is None:
        cached = frozenset(deliverable.assignments.values_list("reviewer_id", flat=True))
        deliverable._discussion_reviewer_ids = cached
    return cached


def is_owner_or_chief(deliverable, user) -> bool:
    return deliverable.owner_id == user.pk or can_decide(deliverable, user)


def sees_deliverable_thread(deliverable, user) -> bool:
    """The owner and the chief; the branch's staff unless asked to review it."""
    if is_owner_or_chief(deliverable, user):
        return True
    return can_create_in_branch(user, deliverable.product.branch_id) and (
        user.pk not in reviewer_ids(deliverable)
    )


def sees_review_thread(assignment, user) -> bool:
    """That reviewer, the deliverable's owner and its chief."""
    return assignment.reviewer_id == user.pk or is_owner_or_chief(assignment.deliverable, user)


def sees(thread, user) -> bool:
    """Whether `user` may read `thread` (saved or not yet: a thread is made by its first
    message)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if thread.assignment_id is None:
        return sees_deliverable_thread(thread.deliverable, user)
    return sees_review_thread(thread.assignment, user)


# --- when --------------------------------------------------------------------------------


def takes_messages(thread) -> bool:
    """The deliverable's thread always; a review's while the reviewer has the draft (not
    after they declined or were withdrawn)."""
    return thread.assignment_id is None or thread.assignment.state in ASSIGNMENT_ACCESS_STATES


def _closed(thread) -> str:
    return str(
        _("This discussion is closed: the review was %(state)s.")
        % {"state": thread.assignment.get_state_display().lower()}
    )


# --- the rule book -----------------------------------------------------------------------

THREAD = RuleBook(
    read=Rule(sees, _("This discussion is not for you.")),
    post=Rule(sees, _("This discussion is not for you."), when=takes_messages, not_now=_closed),
)
