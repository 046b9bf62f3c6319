"""The factories of tests/factories.py make valid records, through the services where the
application has an operation for them, with that operation's side effects."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import get_perms

from advisory.deadlines import AdvisoryDeadline
from advisory.enums import DocumentKind, MilestoneState, RequestState
from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from contributions.enums import ContributionKind, ContributionState
from meetings.enums import Reply
from meetings.notices import MeetingNotice
from meetings.services import token_for
from notifications.enums import Delivery, MailState, NotificationKind
from notifications.models import Deadline
from tests import factories as f
from workflows.deadlines import WorkflowDeadline
from workflows.enums import AssignmentState, DeliverableState, ReviewStatus, RoundState

pytestmark = pytest.mark.django_db


def valid(record):
    """The record as stored passes its model's validation (a state machine's protected state
    field aside: only its transitions set it)."""
    record = type(record).objects.get(pk=record.pk)
    record.full_clean(exclude=["state"])
    return record


def test_reference_data_factories_find_loaded_rows_and_make_new_ones():
    assert f.BranchFactory(code="pacb").name == f.branch("pacb").name
    assert f.MemberStateFactory(iso3="GHA") == f.member_state("GHA")
    assert f.RegionFactory(code="arab").code == "arab"

    new_state = valid(f.MemberStateFactory())
    new_branch = valid(f.BranchFactory())
    new_region = valid(f.RegionFactory())

    assert (new_state.iso3, new_state.iso2) == (f"X{new_state.iso2}", new_state.iso2)
    assert new_branch.code.startswith("branch-")
    assert new_region.code.startswith("region-")


def test_person_factory_gives_a_profile_and_roles():
    focal = f.PersonFactory(roles=[Role.FOCAL_POINT], country="OMN", time_zone="Asia/Muscat")
    staff = f.person(Role.BRANCH_STAFF, branch_code="pacb", username="pacb_person")

    assert roles_for(focal) == [Role.FOCAL_POINT]
    assert (focal.profile.country.iso3, focal.profile.time_zone) == ("OMN", "Asia/Muscat")
    assert (staff.username, staff.profile.branch.code) == ("pacb_person", "pacb")
    assert f.person(username="pacb_person") == staff
    assert staff.check_password(f.DEFAULT_PASSWORD)


def test_branch_chief_is_the_first_chief_of_the_branch(chief):
    assert f.branch_chief("e-govb") == chief
    assert roles_for(f.branch_chief("pacb")) == [Role.BRANCH_CHIEF]


@pytest.mark.parametrize("state", DeliverableState.values)
def test_deliverable_factory_walks_to_each_state_through_the_services(state):
    deliverable = valid(f.DeliverableFactory(state=state))

    assert deliverable.state == state
    transitions = list(
        deliverable.history.filter(action="transition").values_list("to_state", flat=True)
    )
    assert transitions[-1:] == ([] if state == DeliverableState.PLANNED else [state])


def test_workflow_factories_make_versions_rounds_assignments_and_reviews():
    version = valid(f.VersionFactory())
    review_round = valid(f.ReviewRoundFactory(deliverable=version.deliverable))
    assignment = valid(f.ReviewAssignmentFactory(deliverable=review_round.deliverable))
    review = valid(f.ReviewFactory())
    submitted = valid(f.ReviewAssignmentFactory(state=AssignmentState.SUBMITTED))

    assert (version.number, review_round.number, review_round.state) == (1, 1, RoundState.OPEN)
    assert review_round.version == version
    assert (assignment.round, assignment.state) == (review_round, AssignmentState.INVITED)
    assert "view_deliverable" in get_perms(assignment.reviewer, assignment.deliverable)
    assert Deadline.objects.filter(
        kind=WorkflowDeadline.REVIEW, object_id=assignment.pk, user=assignment.reviewer
    ).exists()
    assert (review.status, review.assignment.state) == (ReviewStatus.DRAFT, "accepted")
    assert submitted.review.status == ReviewStatus.SUBMITTED
    for state in (AssignmentState.DECLINED, AssignmentState.WITHDRAWN):
        assert f.ReviewAssignmentFactory(state=state).state == state


def test_reviewer_profile_and_away_period_factories():
    profile = valid(f.ReviewerProfileFactory(regions=["africa", "arab"]))
    away = valid(f.AwayPeriodFactory(reviewer=profile.user))

    assert sorted(profile.regions.values_list("code", flat=True)) == ["africa", "arab"]
    assert away.end > away.start


def test_meeting_factories_invite_through_the_meetings_service(mailoutbox):
    meeting = valid(f.MeetingFactory())
    participant = valid(f.ParticipantFactory(meeting=meeting, reply=Reply.ACCEPTED))
    outsider = valid(
        f.ParticipantFactory(meeting=meeting, user=None, name="Guest", email="g@example.org")
    )
    first, second = f.AgendaItemFactory(meeting=meeting), f.AgendaItemFactory(meeting=meeting)
    token = f.CalendarTokenFactory()

    assert participant.reply == Reply.ACCEPTED
    assert participant.user.notifications.filter(kind=MeetingNotice.MEETING).exists()
    assert (outsider.user, outsider.name) == (None, "Guest")
    assert [valid(first).position, valid(second).position] == [1, 2]
    assert token_for(token.raw, token.kind) == token


@pytest.mark.parametrize("state", RequestState.values)
def test_advisory_request_factory_walks_to_each_state(state):
    request = valid(f.AdvisoryRequestFactory(state=state))

    assert request.state == state
    assert request.country.iso3 == "OMN"


def test_advisory_factories_make_documents_milestones_and_comments():
    document = valid(f.RequestDocumentFactory())
    milestone = valid(f.MilestoneFactory(request=document.request))
    done = valid(f.MilestoneFactory(state=MilestoneState.DONE))
    comment = valid(f.CommentFactory(request=document.request, internal=False))

    assert (document.kind, document.number) == (DocumentKind.ANALYSIS, 1)
    assert Deadline.objects.filter(kind=AdvisoryDeadline.MILESTONE, object_id=milestone.pk).exists()
    assert done.state == MilestoneState.DONE
    assert (comment.internal, comment.author) == (False, document.request.lead)


@pytest.mark.parametrize("state", ContributionState.values)
def test_contribution_factory_walks_to_each_state(state):
    contribution = valid(f.ContributionFactory(state=state))

    assert contribution.state == state


def test_contribution_traits_attachments_and_knowledge_links():
    entry = valid(f.ContributionFactory(repository_entry=True, state=ContributionState.ACCEPTED))
    written = valid(f.ContributionFactory(written_input=True))
    attachment = valid(f.AttachmentFactory(contribution=written))
    to_request = valid(f.KnowledgeLinkFactory())
    to_entry = valid(f.KnowledgeLinkFactory(contribution=entry))

    assert (entry.kind, written.kind) == (
        ContributionKind.REPOSITORY_ENTRY,
        ContributionKind.WRITTEN_INPUT,
    )
    assert attachment.contribution == written
    assert (to_request.contribution, to_request.request.state) == (None, RequestState.RECEIVED)
    assert (to_entry.request, to_entry.contribution) == (None, entry)


def test_notification_factories():
    deadline = valid(f.DeadlineFactory())
    unread = valid(f.NotificationFactory())
    read = valid(f.NotificationFactory(read=True))
    preference = valid(f.NotificationPreferenceFactory())
    policy = valid(f.ReminderPolicyFactory(kind=WorkflowDeadline.REVIEW, days_before="3,0"))

    assert (deadline.kind, deadline.user) == (
        WorkflowDeadline.DELIVERABLE,
        get_user_model().objects.get(pk=deadline.user_id),
    )
    assert (unread.read_at, unread.state) == (None, MailState.PENDING)
    assert read.read_at is not None
    assert (preference.kind, preference.delivery) == (NotificationKind.REMINDER, Delivery.DIGEST)
    assert policy.days_before == "3,0"
