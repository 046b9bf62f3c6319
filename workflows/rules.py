"""The rule books of the review workflow: who may do what to a product, a deliverable, a
review assignment and a review, in which state, and the message when they may not.

Each rule is written here once. The services enforce it (`rule.require(obj, actor)`);
the pages, the API, the admin and the templates ask it what to offer (`rule(obj, user)`,
`can.upload_version`). The predicates are pure functions of the person's roles and
branch and the object's attributes; they are also the django-fsm `permission=` of the
transitions declared in `workflows.models`, whose labels and messages are `MACHINE`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cepa_collab.rulebook import Rule, RuleBook
from cepa_collab.transitions import Machine
from cepa_collab.viewer import can_create_in_branch, is_branch_chief
from workflows.enums import ASSIGNMENT_OUTSTANDING_STATES, AssignmentState, DeliverableState

# --- who ---------------------------------------------------------------------------------


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


def _creates_in_branch(product, user) -> bool:
    return can_create_in_branch(user, product.branch_id)


# --- when --------------------------------------------------------------------------------

# The states in which a new version may be uploaded.
UPLOAD_STATES = (DeliverableState.PLANNED, DeliverableState.DRAFTING, DeliverableState.REVISING)


def takes_versions(deliverable) -> bool:
    return deliverable.state in UPLOAD_STATES


def takes_reviewers(deliverable) -> bool:
    """In review, with its round open (one query, kept on the deliverable)."""
    return deliverable.state == DeliverableState.IN_REVIEW and deliverable.open_round is not None


def is_outstanding(assignment) -> bool:
    return assignment.state in ASSIGNMENT_OUTSTANDING_STATES


def is_invited(assignment) -> bool:
    return assignment.state == AssignmentState.INVITED


# --- the rule books ----------------------------------------------------------------------

MOVE_TO_PRODUCT = _("Only the chief moves the deliverable to another product.")

PRODUCT = RuleBook(
    # The object is the product being created (its branch decides).
    create=Rule(_creates_in_branch, _("Only the branch's staff create its products.")),
    # A deliverable moves into a product of a branch its chief creates in.
    move_into=Rule(_creates_in_branch, MOVE_TO_PRODUCT),
)

# Labels of the deliverable's transitions, in the order pages show them, and their messages.
TRANSITION_LABELS = {
    "start_drafting": pgettext_lazy("action", "Start drafting"),
    "submit_for_review": pgettext_lazy("action", "Submit for review"),
    "return_for_revision": pgettext_lazy("action", "Return for revision"),
    "approve": pgettext_lazy("action", "Approve"),
    "publish": pgettext_lazy("action", "Publish"),
    "cancel": pgettext_lazy("action", "Cancel deliverable"),
}

MACHINE = Machine(
    labels=TRANSITION_LABELS,
    conflict=_("“%(action)s” is not possible: the deliverable is now %(state)s."),
    forbidden=_("You may not “%(action)s” this deliverable."),
    unmet={"submit_for_review": _("Upload a new version before submitting it for review.")},
    comment_required=dict.fromkeys(("cancel", "return_for_revision"), _("Give a reason.")),
)

DELIVERABLE = RuleBook(
    machine=MACHINE,
    # The object of `create` is the product the deliverable belongs to.
    create=Rule(_creates_in_branch, _("Only the branch's staff create its deliverables.")),
    change_due_date=Rule(can_manage, _("Only the owner or the chief moves the due date.")),
    edit=Rule(can_manage, _("Only the owner or the chief edits the deliverable.")),
    move=Rule(can_decide, MOVE_TO_PRODUCT),
    hand_over=Rule(can_decide, _("Only the chief hands the deliverable over.")),
    delete=Rule(can_decide, _("Only the chief deletes the deliverable.")),
    upload_version=Rule(
        can_manage,
        _("Only the owner or the chief uploads versions."),
        when=takes_versions,
        not_now=_(
            "A new version can be uploaded while planned, drafting or revising, not %(state)s."
        ),
    ),
    assign_reviewers=Rule(
        can_manage,
        _("Only the owner or the chief chooses reviewers."),
        when=takes_reviewers,
        not_now=_("Reviewers are assigned while the deliverable is in review."),
    ),
)

# The object of a review's rules is its assignment (the review may not exist yet).
WRITE_REVIEW = Rule(
    is_reviewer,
    _("Only the assigned reviewer writes this review."),
    when=is_outstanding,
    not_now=_("The assignment is %(state)s: the review can no longer change."),
)
REVIEW = RuleBook(write=WRITE_REVIEW)

# The reviewer's answers and the owner's withdrawal are the assignment's transitions: a
# state that moved on is said first ("someone was quicker"), whoever asks.
MAY_NOT_CHANGE = _("You may not change this assignment.")
ASSIGNMENT_NOW = _("The assignment is now %(state)s.")

ASSIGNMENT = RuleBook(
    accept=Rule(
        is_reviewer, MAY_NOT_CHANGE, when=is_invited, not_now=ASSIGNMENT_NOW, state_first=True
    ),
    decline=Rule(
        is_reviewer, MAY_NOT_CHANGE, when=is_outstanding, not_now=ASSIGNMENT_NOW, state_first=True
    ),
    submit=Rule(
        is_reviewer, MAY_NOT_CHANGE, when=is_outstanding, not_now=ASSIGNMENT_NOW, state_first=True
    ),
    withdraw=Rule(
        can_manage_assignment,
        MAY_NOT_CHANGE,
        when=is_outstanding,
        not_now=ASSIGNMENT_NOW,
        state_first=True,
    ),
    change_due_date=Rule(
        can_manage_assignment,
        _("Only the owner or the chief moves a review's due date."),
        when=is_outstanding,
        not_now=_("The assignment is %(state)s: its due date no longer matters."),
    ),
    write_review=WRITE_REVIEW,
)


# --- review forms, scores and declarations (issue 16) -------------------------------------


def reads_for_chief(assignment, user) -> bool:
    """The comments for the chief and owner of a review (object: its assignment): its
    author, the deliverable's owner and chief; never another reviewer, nor other staff."""
    return is_reviewer(assignment, user) or can_manage_assignment(assignment, user)


REVIEW_FORM = RuleBook(
    # The object is the product whose form it is.
    edit=Rule(_creates_in_branch, _("Only the branch's staff and chief edit its review forms.")),
)

FOR_CHIEF = RuleBook(
    read=Rule(reads_for_chief, _("Only the chief, the owner and its author read these comments.")),
    # The conflict-of-interest declarations of a deliverable's reviewers (object: an assignment).
    read_declaration=Rule(
        reads_for_chief, _("Only the chief, the owner and the reviewer read this declaration.")
    ),
)
