"""The rule book of meetings: who may schedule, change, cancel a meeting, invite and
reply, who has a branch feed, in which state, and the message when they may not.

Each rule is written here once: `meetings.services` enforces it, the pages, the API and
the templates (`can.edit`, `can.cancel`) ask it.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from cepa_collab import viewer
from cepa_collab.rulebook import Condition, Rule, RuleBook
from meetings.enums import MeetingKind, MeetingStatus


def mission_lead_id(meeting) -> int | None:
    """The lead of the advisory request whose mission this is (read from the
    `mission_lead_id` annotation of `queries.with_mission_lead` when present, or set by
    `services.create_meeting` on a mission it creates for its lead)."""
    if hasattr(meeting, "mission_lead_id"):
        return meeting.mission_lead_id
    if meeting.pk is None:
        return None
    try:
        return meeting.advisory_request.lead_id
    except ObjectDoesNotExist:
        return None


def manages(meeting, user) -> bool:
    """Branch staff and the chief of the meeting's branch create, edit and cancel it; the
    lead of an advisory request manages its assessment mission too (usually an
    Inter-Regional Advisor, who schedules no other meeting)."""
    if viewer.can_create_in_branch(user, meeting.branch_id):
        return True
    if meeting.kind != MeetingKind.ASSESSMENT_MISSION:
        return False
    return mission_lead_id(meeting) == user.pk


def has_branch_feed(user, branch_id: int | None = None) -> bool:
    """The people of a branch (chief, staff, advisors) have their branch's feed; a branch
    token works while its user still is one of them (`branch_id`: the token's branch)."""
    branch_id = viewer.user_branch_id(user) if branch_id is None else branch_id
    return branch_id is not None and viewer.is_branch_member(user, branch_id)


def _has_branch_feed(branch_id, user) -> bool:
    return has_branch_feed(user, branch_id)


def is_not_cancelled(meeting) -> bool:
    return meeting.status != MeetingStatus.CANCELLED


# What is said to someone who replies to a meeting they do not take part in.
ONLY_PARTICIPANTS = _("Only participants reply.")

MEETING = RuleBook(
    # The object of `schedule` is the meeting to be created (its branch, its mission lead).
    schedule=Rule(manages, _("Only the branch's staff schedule its meetings.")),
    edit=Rule(
        manages,
        _("Only the branch's staff edit its meetings."),
        also=(
            Condition(
                is_not_cancelled,
                _("A cancelled meeting can no longer be changed."),
                error=ValidationError,
                field="status",
            ),
        ),
    ),
    set_agenda=Rule(manages, _("Only the branch's staff edit the agenda.")),
    cancel=Rule(
        manages,
        _("Only the branch's staff cancel its meetings."),
        also=(
            Condition(
                is_not_cancelled,
                _("The meeting is already cancelled."),
                error=ValidationError,
                field="status",
            ),
        ),
    ),
    invite=Rule(manages, _("Only the branch's staff invite participants.")),
    remove_participant=Rule(manages, _("Only the branch's staff remove participants.")),
)

# The object of the branch feed's rule is the id of the branch (None: the person's own).
BRANCH_FEED = Rule(_has_branch_feed, _("Only branch staff have a branch feed."))
