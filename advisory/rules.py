"""The rule books of advisory requests and their milestones: who may do what, in which
state, and the message when they may not.

Each rule is written here once. The services enforce it (`rule.require(obj, actor)`);
the pages, the API and the templates ask it what to offer (`rule(obj, user)`,
`can.add_milestone`). The predicates are also the django-fsm `permission=` of the
request's transitions declared in `advisory.models`, whose labels and messages are
`MACHINE`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from advisory.enums import (
    COUNTRY_DOCUMENT_KINDS,
    PLAN_VISIBLE_STATES,
    DocumentKind,
    MilestoneState,
    RequestState,
)
from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.rulebook import Condition, Rule, RuleBook
from cepa_collab.services import profile_for
from cepa_collab.transitions import Machine
from cepa_collab.viewer import is_admin, is_branch_chief, is_branch_member
from workflows.enums import DeliverableState

# --- who ---------------------------------------------------------------------------------


def can_decide(request, user) -> bool:
    """Accept, decline, close: the chief of the request's branch."""
    return bool(user.is_superuser) or is_branch_chief(user, request.branch_id)


def is_on_team(request, user) -> bool:
    """The lead or a member of the team. A list annotated by
    `advisory.queries.with_team_membership` answers for its viewer without a query."""
    if request.lead_id == user.pk:
        return True
    if request.pk is None:
        return False
    if getattr(request, "team_viewer_id", None) == user.pk:
        return bool(request.viewer_on_team)
    return request.team.filter(pk=user.pk).exists()


def can_lead(request, user) -> bool:
    """Plan the mission, upload documents, move the work along: the lead or the chief."""
    return request.lead_id == user.pk or can_decide(request, user)


def can_work_on(request, user) -> bool:
    """Comment internally, add milestones: the team, the lead, the chief."""
    return can_lead(request, user) or is_on_team(request, user)


def can_register(user, branch_id: int | None) -> bool:
    """Record a new request: branch staff, advisors and the chief of that branch."""
    return bool(user.is_superuser) or (branch_id is not None and is_branch_member(user, branch_id))


def sees_internal(request, user) -> bool:
    """Everything but the country's view: the branch's people, the team, the admin."""
    return is_admin(user) or is_branch_member(user, request.branch_id) or is_on_team(request, user)


def focal_point_country_id(user) -> int | None:
    """The country a Member State focal point speaks for (None for anyone else)."""
    if Role.FOCAL_POINT not in roles_for(user):
        return None
    return profile_for(user).country_id


def is_country_focal_point(request, user) -> bool:
    country = focal_point_country_id(user)
    return country is not None and country == request.country_id


def can_comment(request, user) -> bool:
    if sees_internal(request, user):
        return True
    # The focal point comments on the plan of action once drafted, until the request closes.
    return (
        is_country_focal_point(request, user)
        and request.state in PLAN_VISIBLE_STATES
        and request.is_open
    )


def commentable_kinds(request, user) -> tuple[str, ...]:
    """The kinds of document `user` may comment on: every kind for those who see the
    request's internal side, the plan of action for the country's focal point."""
    return tuple(DocumentKind.values) if sees_internal(request, user) else COUNTRY_DOCUMENT_KINDS


def _registers(branch_id, user) -> bool:
    return can_register(user, branch_id)


def _leads_milestone(milestone, user) -> bool:
    return milestone.lead_id == user.pk or can_work_on(milestone.request, user)


def _works_on_milestone(milestone, user) -> bool:
    return can_work_on(milestone.request, user)


# --- when --------------------------------------------------------------------------------


def is_open(request) -> bool:
    return request.is_open


def is_worked_on(request) -> bool:
    """Accepted and not closed: documents may be added."""
    return request.is_open and request.state != RequestState.RECEIVED


def is_accepted(request) -> bool:
    return request.state == RequestState.ACCEPTED


# The plan goes to review while the lead works on it: before it is shown to the country
# (analysis) or while the country reads the draft.
PLAN_REVIEW_STATES = (RequestState.ANALYSIS, RequestState.PLAN_DRAFTED)


def plan_may_go_to_review(request) -> bool:
    return request.state in PLAN_REVIEW_STATES


def latest_plan(request):
    """The newest version of the request's plan of action, or None. A page that listed
    the documents already sets it as `known_latest_plan` (no query then)."""
    if hasattr(request, "known_latest_plan"):
        return request.known_latest_plan
    return request.documents.filter(kind=DocumentKind.PLAN_OF_ACTION).order_by("-number").first()


def starts_new_plan_review(request) -> bool:
    """Whether sending the plan creates its review deliverable (none yet, or the last one
    was cancelled): a due date is then required."""
    review = request.plan_review
    return review is None or review.state == DeliverableState.CANCELLED


# The review is over once approved (or published): the plan is not sent again.
PLAN_REVIEW_OVER_STATES = (DeliverableState.APPROVED, DeliverableState.PUBLISHED)


def has_plan(request) -> bool:
    return latest_plan(request) is not None


def plan_not_in_review(request) -> bool:
    return request.plan_not_in_review()


def plan_review_not_over(request) -> bool:
    return request.plan_review is None or request.plan_review.state not in PLAN_REVIEW_OVER_STATES


def plan_version_not_reviewed(request) -> bool:
    """The latest version of the plan was not sent to review yet (a new review starts
    from any version)."""
    return starts_new_plan_review(request) or latest_plan(request).review_version_id is None


def _plan_reviewed_already(request) -> str:
    return str(
        _(
            "Version %(number)d of the plan was reviewed already: upload a new "
            "version before sending it to review again."
        )
    ) % {"number": latest_plan(request).number}


def milestone_is_open(milestone) -> bool:
    return milestone.state == MilestoneState.OPEN


def milestone_request_is_open(milestone) -> bool:
    return milestone.request.is_open


# --- the rule books ----------------------------------------------------------------------

TRANSITION_LABELS = {
    "accept": pgettext_lazy("action", "Accept"),
    "decline": pgettext_lazy("action", "Decline"),
    "plan_mission": pgettext_lazy("action", "Mission planned"),
    "complete_mission": pgettext_lazy("action", "Mission completed"),
    "start_analysis": pgettext_lazy("action", "Start analysis"),
    "draft_plan": pgettext_lazy("action", "Plan of action drafted"),
    "agree_plan": pgettext_lazy("action", "Plan of action agreed"),
    "start_follow_up": pgettext_lazy("action", "Start follow-up"),
    "close": pgettext_lazy("action", "Close"),
}

# Transitions that end a request for good: the pages ask to confirm them on a page of
# their own (a warning button), never straight from the request's page.
CONFIRMED_TRANSITIONS = ("decline", "close")

MACHINE = Machine(
    labels=TRANSITION_LABELS,
    conflict=_("“%(action)s” is not possible: the request is now %(state)s."),
    forbidden=_("You may not “%(action)s” this request."),
    unmet={
        "plan_mission": _("Schedule the assessment mission first."),
        "draft_plan": _("Upload the plan of action first."),
        "agree_plan": _("The plan of action is in review: the chief decides on its review first."),
    },
    comment_required={"decline": _("Give the reason for declining.")},
)

REQUEST_CLOSED = _("The request is closed.")

REQUEST = RuleBook(
    machine=MACHINE,
    # The object of `register` is the id of the branch that is to handle the request.
    register=Rule(_registers, _("Only the branch's people record its advisory requests.")),
    choose_team=Rule(
        can_lead,
        _("Only the lead or the chief chooses the team."),
        when=is_open,
        not_now=REQUEST_CLOSED,
    ),
    change_lead=Rule(can_decide, _("Only the chief changes the lead.")),
    plan_mission=Rule(
        can_lead,
        _("Only the lead or the chief plans the mission."),
        when=is_accepted,
        not_now=_("The mission is planned once the request is accepted."),
    ),
    upload_document=Rule(
        can_work_on,
        _("Only the lead, the team or the chief upload documents."),
        when=is_worked_on,
        not_now=_("Documents are added while the request is being worked on."),
    ),
    add_milestone=Rule(
        can_work_on,
        _("Only the lead, the team or the chief add milestones."),
        when=is_open,
        not_now=REQUEST_CLOSED,
    ),
    comment=Rule(can_comment, _("You may not comment on this request.")),
    send_plan_for_review=Rule(
        can_lead,
        _("Only the lead or the chief send the plan of action to review."),
        when=plan_may_go_to_review,
        not_now=_(
            "The plan of action goes to review during analysis or once drafted, "
            "not while %(state)s."
        ),
        also=(
            Condition(
                has_plan,
                _("Upload the plan of action first."),
                error=ValidationError,
                field="document",
            ),
            Condition(plan_not_in_review, _("The plan of action is already in review.")),
            Condition(
                plan_review_not_over,
                _("The review of the plan of action is over: it was approved."),
            ),
            Condition(
                plan_version_not_reviewed,
                _plan_reviewed_already,
                error=ValidationError,
                field="document",
            ),
        ),
    ),
)

# What is said to someone who may comment on a request, on one of its documents they may
# not comment on (`commentable_kinds`).
PLAN_ONLY = _("You may comment on the plan of action only.")

MILESTONE_CLOSED = _("The milestone is already closed.")

MILESTONE = RuleBook(
    complete=Rule(
        _leads_milestone,
        _("Only the milestone's lead or the request's team close it."),
        when=milestone_is_open,
        not_now=MILESTONE_CLOSED,
        also=(Condition(milestone_request_is_open, REQUEST_CLOSED),),
    ),
    move=Rule(
        _works_on_milestone,
        _("Only the request's team moves milestones."),
        when=milestone_is_open,
        not_now=MILESTONE_CLOSED,
        also=(Condition(milestone_request_is_open, REQUEST_CLOSED),),
    ),
)
