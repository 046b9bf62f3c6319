"""The rule book of contributions: who may do what to a contribution, in which state, and
the message when they may not; what each kind needs before it is submitted.

Each rule is written here once. The services enforce it (`rule.require(obj, actor)`);
the pages, the API and the templates ask it what to offer (`rule(obj, user)`,
`can.edit`). The predicates are also the django-fsm `permission=` of the transitions
declared in `contributions.models`, whose labels and messages are `MACHINE`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.rulebook import Rule, RuleBook
from cepa_collab.transitions import Machine
from cepa_collab.viewer import is_admin, is_branch_member
from contributions.enums import ContributionKind, ContributionState

# --- who ---------------------------------------------------------------------------------


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


def sees_review(contribution, user) -> bool:
    """The review's side (reviewer, due date, decision, the reviewer's comment) is for the
    author and those who see all of the branch's contributions."""
    return is_author(contribution, user) or sees_all_of_branch(user, contribution.branch_id)


def sees_history(contribution, user) -> bool:
    """The history (every edit, state change and reviewer's comment) is for the author, the
    people who review it and admins: not for the others who see an accepted contribution
    (other CEPA members, the country's focal point, the branch's advisors)."""
    return is_author(contribution, user) or can_review(contribution, user) or is_admin(user)


def _proposes(_kind, user) -> bool:
    return can_propose(user)


# --- when --------------------------------------------------------------------------------

# The author edits (and attaches or removes files) while it is a draft or returned.
EDITABLE_STATES = (ContributionState.DRAFT, ContributionState.RETURNED)


def is_editable(contribution) -> bool:
    return contribution.state in EDITABLE_STATES


def is_accepted(contribution) -> bool:
    return contribution.state == ContributionState.ACCEPTED


# What each kind needs before it can be submitted; a repository entry's document may be
# attached instead of given by its address (`DOCUMENT_OR_ATTACHMENT`).
NEEDED_TO_SUBMIT = {
    ContributionKind.CASE_STUDY: ("country", "summary", "innovation", "transferability"),
    ContributionKind.REPOSITORY_ENTRY: ("country", "category", "year", "document_url"),
    ContributionKind.WRITTEN_INPUT: ("product", "summary"),
}
DOCUMENT_OR_ATTACHMENT = "document_url"

# --- the rule book -----------------------------------------------------------------------

TRANSITION_LABELS = {
    "submit": pgettext_lazy("action", "Submit"),
    "start_review": pgettext_lazy("action", "Start review"),
    "accept": pgettext_lazy("action", "Accept"),
    "return_for_revision": pgettext_lazy("action", "Return for revision"),
    "withdraw": pgettext_lazy("action", "Withdraw"),
}

# Transitions that end a contribution for good: the pages ask to confirm them on a page of
# their own (a warning button), never straight from the contribution's page.
CONFIRMED_TRANSITIONS = ("withdraw",)

MACHINE = Machine(
    labels=TRANSITION_LABELS,
    conflict=_("“%(action)s” is not possible: the contribution is now %(state)s."),
    forbidden=_("You may not “%(action)s” this contribution."),
    comment_required={"return_for_revision": _("Say what should change.")},
)

CONTRIBUTION = RuleBook(
    machine=MACHINE,
    # The object of `propose` is the kind of contribution.
    propose=Rule(_proposes, _("Contributions are proposed by CEPA members.")),
    edit=Rule(
        is_author,
        _("Only the author edits a contribution."),
        when=is_editable,
        not_now=_("A contribution is edited while it is a draft or returned."),
    ),
    attach=Rule(
        is_author,
        _("Only the author attaches files."),
        when=is_editable,
        not_now=_("Files are attached while it is a draft or returned."),
    ),
    remove_attachment=Rule(
        is_author,
        _("Only the author removes files."),
        when=is_editable,
        not_now=_("Files are removed while it is a draft or returned."),
    ),
    incorporate=Rule(
        can_review,
        _("Only the branch's staff incorporate contributions."),
        when=is_accepted,
        not_now=_("Only an accepted contribution is incorporated."),
    ),
    see_history=Rule(sees_history, _("Its history is for its author, its reviewers and admins.")),
)
