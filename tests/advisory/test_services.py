"""Advisory request services: each operation with the actor it allows and those it refuses
(nothing changes on a refusal), and the conditions of the lifecycle."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from advisory import queries, rules
from advisory import services as advisory
from advisory.enums import DocumentKind, MilestoneState, RequestAction, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument
from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from meetings.enums import MeetingKind, ParticipantRole, Visibility
from meetings.models import Meeting, Participant
from notifications.models import Deadline, Notification
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, member_state, person

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def state_of(request: AdvisoryRequest) -> str:
    return AdvisoryRequest.objects.values_list("state", flat=True).get(pk=request.pk)


def notified(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("subject", flat=True)
    )


def register(actor, **overrides) -> AdvisoryRequest:
    fields = {
        "country": member_state("OMN"),
        "branch": branch("e-govb"),
        "kind": "assessment",
        "channel": "letter",
        "received_on": timezone.localdate() - datetime.timedelta(days=3),
        "title": "Assessment of e-Oman",
        "description": "Please assess the programme.",
        **overrides,
    }
    return advisory.register_request(actor, **fields)


# --- recording ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "chief", "ira"])
def test_register_request_by_the_branch_people_records_it_received(request, who):
    actor = request.getfixturevalue(who)

    created = register(actor)

    assert (created.state, created.created_by, created.lead) == (S.RECEIVED, actor, None)
    assert AdvisoryRequest.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["other_branch_staff", "cepa_member", "focal_point", "secretariat_admin"]
)
def test_register_request_by_anyone_else_is_refused(request, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        register(actor)

    assert AdvisoryRequest.objects.count() == 0


def test_register_request_received_in_the_future_names_the_field(staff):
    with pytest.raises(ValidationError) as caught:
        register(staff, received_on=timezone.localdate() + datetime.timedelta(days=1))

    assert caught.value.message_dict == {
        "received_on": ["The request cannot be received in the future."]
    }
    assert AdvisoryRequest.objects.count() == 0


def test_register_request_without_a_branch_names_the_field(staff):
    with pytest.raises(ValidationError) as caught:
        register(staff, branch=None)

    assert caught.value.message_dict == {"branch": ["Choose the branch that handles the request."]}


def test_register_request_with_an_unknown_kind_names_the_field(staff):
    with pytest.raises(ValidationError) as caught:
        register(staff, kind="banana")

    assert list(caught.value.message_dict) == ["kind"]


# --- accept and decline ------------------------------------------------------------------------


def test_accept_by_the_chief_names_the_lead_and_tells_lead_and_focal_point(
    request_in, chief, ira, focal_point, other_focal_point
):
    received = request_in(S.RECEIVED)

    accepted = advisory.fire_transition(chief, received, "accept", lead=ira)

    assert (state_of(received), accepted.lead) == (S.ACCEPTED, ira)
    assert accepted.state_changed_at is not None
    assert notified(ira) == ["Request accepted: Oman, E-government assessment (OMN)"]
    assert notified(focal_point) == ["Request accepted: Oman, E-government assessment (OMN)"]
    assert notified(other_focal_point) == []


@pytest.mark.parametrize(
    "who", ["staff", "ira", "team_member", "other_branch_staff", "focal_point", "cepa_member"]
)
def test_accept_by_anyone_but_the_chief_is_refused(request_in, request, ira, who):
    received = request_in(S.RECEIVED)
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        advisory.fire_transition(actor, received, "accept", lead=ira)

    assert state_of(received) == S.RECEIVED
    assert AdvisoryRequest.objects.get(pk=received.pk).lead is None


def test_accept_by_the_chief_of_another_branch_is_refused(request_in, ira):
    other_chief = person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb")
    received = request_in(S.RECEIVED)

    with pytest.raises(PermissionDenied):
        advisory.fire_transition(other_chief, received, "accept", lead=ira)

    assert state_of(received) == S.RECEIVED


def test_accept_without_a_lead_names_the_field(request_in, chief):
    received = request_in(S.RECEIVED)

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(chief, received, "accept")

    assert caught.value.message_dict == {"lead": ["Name the lead Inter-Regional Advisor."]}
    assert state_of(received) == S.RECEIVED


@pytest.mark.parametrize("who", ["other_branch_staff", "cepa_member", "focal_point"])
def test_accept_with_a_lead_outside_the_branch_names_the_field(request_in, chief, request, who):
    received = request_in(S.RECEIVED)

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(chief, received, "accept", lead=request.getfixturevalue(who))

    assert caught.value.message_dict == {
        "lead": ["The lead must be an advisor or staff of the branch."]
    }
    assert state_of(received) == S.RECEIVED


def test_accept_with_an_inactive_lead_names_the_field(request_in, chief, ira):
    received = request_in(S.RECEIVED)
    ira.is_active = False
    ira.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(chief, received, "accept", lead=ira)

    assert list(caught.value.message_dict) == ["lead"]


def test_decline_by_the_chief_keeps_the_reason_and_tells_the_focal_point(
    request_in, chief, focal_point
):
    received = request_in(S.RECEIVED)

    advisory.fire_transition(chief, received, "decline", comment="  Outside our mandate. ")

    declined = AdvisoryRequest.objects.get(pk=received.pk)
    assert (declined.state, declined.decline_reason) == (S.DECLINED, "Outside our mandate.")
    assert notified(focal_point) == ["Request declined: Oman, E-government assessment (OMN)"]


def test_decline_without_a_reason_names_the_comment(request_in, chief):
    received = request_in(S.RECEIVED)

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(chief, received, "decline", comment="   ")

    assert caught.value.message_dict == {"comment": ["Give the reason for declining."]}
    assert (state_of(received), AdvisoryRequest.objects.get(pk=received.pk).decline_reason) == (
        S.RECEIVED,
        "",
    )


def test_decline_by_staff_is_refused(request_in, staff):
    received = request_in(S.RECEIVED)

    with pytest.raises(PermissionDenied):
        advisory.fire_transition(staff, received, "decline", comment="No.")

    assert state_of(received) == S.RECEIVED


def test_unknown_transition_names_the_field(request_in, chief):
    received = request_in(S.RECEIVED)

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(chief, received, "publish")

    assert caught.value.message_dict == {"transition": ["Unknown transition “publish”."]}


def test_transition_and_its_comment_go_to_the_history_not_to_the_comments(request_in, chief, ira):
    received = request_in(S.RECEIVED)

    advisory.fire_transition(chief, received, "accept", lead=ira, comment="Priority for 2027.")

    assert Comment.objects.count() == 0
    assert list(
        received.history.filter(action=RequestAction.TRANSITION).values_list(
            "actor__username", "from_state", "to_state", "comment"
        )
    ) == [("chief", S.RECEIVED, S.ACCEPTED, "Priority for 2027.")]
    assert received.history.filter(action=RequestAction.TEAM).get().summary == "Lead: Ines Rahal."


# --- the mission ------------------------------------------------------------------------------


def _mission_times():
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    return start, start + datetime.timedelta(days=2)


def test_plan_mission_without_a_mission_names_the_transition(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(ira, accepted, "plan_mission")

    assert caught.value.message_dict == {"transition": ["Schedule the assessment mission first."]}
    assert state_of(accepted) == S.ACCEPTED


@pytest.mark.parametrize("who", ["ira", "chief"])
def test_schedule_mission_by_the_lead_or_chief_makes_a_meeting_and_plans_it(
    request_in, request, ira, team_member, focal_point, who
):
    accepted = request_in(S.ACCEPTED)
    start, end = _mission_times()

    meeting = advisory.schedule_mission(
        request.getfixturevalue(who),
        accepted,
        start=start,
        end=end,
        time_zone="Asia/Muscat",
        location="Muscat",
    )

    planned = AdvisoryRequest.objects.get(pk=accepted.pk)
    assert (planned.state, planned.mission) == (S.MISSION_PLANNED, meeting)
    assert (meeting.kind, meeting.visibility, meeting.country.iso3, meeting.branch.code) == (
        MeetingKind.ASSESSMENT_MISSION,
        Visibility.PARTICIPANTS,
        "OMN",
        "e-govb",
    )
    assert (meeting.title, meeting.start, meeting.end, meeting.time_zone) == (
        "Assessment mission: Oman",
        start,
        end,
        "Asia/Muscat",
    )
    assert sorted(
        Participant.objects.filter(meeting=meeting).values_list("user__username", "role")
    ) == [("ira", ParticipantRole.SECRETARIAT), ("teammate", ParticipantRole.SECRETARIAT)]
    subjects = notified(focal_point)
    assert len(subjects) == 2  # accepted, then the mission
    assert subjects[1].startswith("Assessment mission scheduled: Oman, ")


@pytest.mark.parametrize("who", ["staff", "team_member", "focal_point", "other_branch_staff"])
def test_schedule_mission_by_anyone_else_is_refused(request_in, request, who):
    accepted = request_in(S.ACCEPTED)
    start, end = _mission_times()

    with pytest.raises(PermissionDenied):
        advisory.schedule_mission(
            request.getfixturevalue(who), accepted, start=start, end=end, time_zone="UTC"
        )

    assert (state_of(accepted), Meeting.objects.count()) == (S.ACCEPTED, 0)


def test_schedule_mission_ending_before_it_starts_names_the_field(request_in, ira):
    accepted = request_in(S.ACCEPTED)
    start, end = _mission_times()

    with pytest.raises(ValidationError) as caught:
        advisory.schedule_mission(ira, accepted, start=end, end=start, time_zone="UTC")

    assert caught.value.message_dict == {"end": ["The mission must end after it starts."]}
    assert (state_of(accepted), Meeting.objects.count()) == (S.ACCEPTED, 0)


def test_schedule_mission_in_an_unknown_time_zone_names_the_field(request_in, ira):
    accepted = request_in(S.ACCEPTED)
    start, end = _mission_times()

    with pytest.raises(ValidationError) as caught:
        advisory.schedule_mission(ira, accepted, start=start, end=end, time_zone="Mars/Olympus")

    assert list(caught.value.message_dict) == ["time_zone"]
    assert Meeting.objects.count() == 0


def test_schedule_mission_before_acceptance_is_a_conflict(request_in, chief):
    received = request_in(S.RECEIVED)
    start, end = _mission_times()

    with pytest.raises(ServiceConflict):
        advisory.schedule_mission(chief, received, start=start, end=end, time_zone="UTC")

    assert Meeting.objects.count() == 0


# --- the work: lead or chief -----------------------------------------------------------------

LEAD_STEPS = [
    (S.MISSION_PLANNED, "complete_mission", S.MISSION_COMPLETED),
    (S.MISSION_COMPLETED, "start_analysis", S.ANALYSIS),
    (S.ANALYSIS, "draft_plan", S.PLAN_DRAFTED),
    (S.PLAN_DRAFTED, "start_analysis", S.ANALYSIS),
    (S.PLAN_DRAFTED, "agree_plan", S.PLAN_AGREED),
    (S.PLAN_AGREED, "start_follow_up", S.FOLLOW_UP),
]


@pytest.mark.parametrize(("source", "name", "target"), LEAD_STEPS)
@pytest.mark.parametrize("who", ["ira", "chief"])
def test_lead_steps_are_fired_by_the_lead_or_the_chief(
    request_in, request, source, name, target, who
):
    advisory_request = request_in(source)

    advisory.fire_transition(request.getfixturevalue(who), advisory_request, name)

    assert state_of(advisory_request) == target


@pytest.mark.parametrize(("source", "name", "target"), LEAD_STEPS)
@pytest.mark.parametrize("who", ["staff", "team_member", "focal_point", "other_branch_staff"])
def test_lead_steps_by_anyone_else_are_refused(request_in, request, source, name, target, who):
    advisory_request = request_in(source)

    with pytest.raises(PermissionDenied):
        advisory.fire_transition(request.getfixturevalue(who), advisory_request, name)

    assert state_of(advisory_request) == source


def test_draft_plan_without_a_plan_of_action_names_the_transition(request_in, ira):
    advisory_request = request_in(S.MISSION_COMPLETED)
    advisory.fire_transition(ira, advisory_request, "start_analysis")

    with pytest.raises(ValidationError) as caught:
        advisory.fire_transition(ira, advisory_request, "draft_plan")

    assert caught.value.message_dict == {"transition": ["Upload the plan of action first."]}
    assert state_of(advisory_request) == S.ANALYSIS


def test_draft_plan_tells_the_focal_point_the_plan_is_ready(request_in, ira, focal_point):
    analysis = request_in(S.ANALYSIS)

    advisory.fire_transition(ira, analysis, "draft_plan")

    assert notified(focal_point)[-1] == (
        "Plan of action ready for your comments: E-government assessment (OMN)"
    )


@pytest.mark.parametrize(
    "source", [S.ACCEPTED, S.MISSION_COMPLETED, S.ANALYSIS, S.PLAN_AGREED, S.FOLLOW_UP]
)
def test_close_by_the_chief(request_in, chief, source):
    advisory_request = request_in(source)

    advisory.fire_transition(chief, advisory_request, "close")

    assert state_of(advisory_request) == S.CLOSED


@pytest.mark.parametrize("who", ["ira", "staff", "team_member", "focal_point"])
def test_close_by_anyone_but_the_chief_is_refused(request_in, request, who):
    follow_up = request_in(S.FOLLOW_UP)

    with pytest.raises(PermissionDenied):
        advisory.fire_transition(request.getfixturevalue(who), follow_up, "close")

    assert state_of(follow_up) == S.FOLLOW_UP


@pytest.mark.parametrize("final", [S.DECLINED, S.CLOSED])
@pytest.mark.parametrize(
    "name",
    [
        "accept",
        "decline",
        "plan_mission",
        "complete_mission",
        "start_analysis",
        "draft_plan",
        "agree_plan",
        "start_follow_up",
        "close",
    ],
)
def test_final_states_are_final(request_in, chief, final, name):
    done = request_in(final)

    with pytest.raises(ServiceConflict):
        advisory.fire_transition(chief, done, name, comment="Again.")

    assert state_of(done) == final


def test_available_transitions_follow_role_and_state(request_in, chief, ira, staff, focal_point):
    received = request_in(S.RECEIVED)
    drafted = request_in(S.PLAN_DRAFTED, title="Drafted")

    assert advisory.available_transitions(received, chief) == ["accept", "decline"]
    assert advisory.available_transitions(received, ira) == []
    assert advisory.available_transitions(drafted, ira) == ["start_analysis", "agree_plan"]
    assert advisory.available_transitions(drafted, staff) == []
    assert advisory.available_transitions(drafted, focal_point) == []


# --- team --------------------------------------------------------------------------------------


def test_set_team_by_the_lead_keeps_branch_people(request_in, ira, staff, team_member):
    accepted = request_in(S.ACCEPTED)

    advisory.set_team(ira, accepted, members=[staff, team_member, staff])

    assert sorted(accepted.team.values_list("username", flat=True)) == ["staff", "teammate"]


def test_set_team_with_someone_outside_the_branch_names_the_field(
    request_in, ira, other_branch_staff
):
    accepted = request_in(S.ACCEPTED)

    with pytest.raises(ValidationError) as caught:
        advisory.set_team(ira, accepted, members=[other_branch_staff])

    assert list(caught.value.message_dict) == ["team"]
    assert list(accepted.team.values_list("username", flat=True)) == ["teammate"]


def test_set_team_lead_change_only_by_the_chief(request_in, chief, ira, team_member):
    accepted = request_in(S.ACCEPTED)

    with pytest.raises(PermissionDenied):
        advisory.set_team(ira, accepted, lead=team_member, members=[])
    advisory.set_team(chief, accepted, lead=team_member, members=[ira])

    changed = AdvisoryRequest.objects.get(pk=accepted.pk)
    assert (changed.lead, list(changed.team.all())) == (team_member, [ira])


@pytest.mark.parametrize("who", ["staff", "team_member", "focal_point"])
def test_set_team_by_others_is_refused(request_in, request, who, staff):
    accepted = request_in(S.ACCEPTED)

    with pytest.raises(PermissionDenied):
        advisory.set_team(request.getfixturevalue(who), accepted, members=[staff])

    assert list(accepted.team.values_list("username", flat=True)) == ["teammate"]


# --- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ira", "team_member", "chief"])
def test_upload_document_numbers_versions_per_kind(request_in, request, who):
    analysis = request_in(S.ANALYSIS)

    document = advisory.upload_document(
        request.getfixturevalue(who), analysis, DocumentKind.PLAN_OF_ACTION, pdf(), notes=" v2 "
    )

    assert (document.kind, document.number, document.notes, document.content_type) == (
        DocumentKind.PLAN_OF_ACTION,
        2,
        "v2",
        "application/pdf",
    )
    assert re.fullmatch(
        rf"advisory/{analysis.pk}/plan_of_action/v2/[0-9a-f]{{32}}\.pdf", document.file.name
    )


@pytest.mark.parametrize("who", ["staff", "focal_point", "other_branch_staff", "cepa_member"])
def test_upload_document_by_others_is_refused(request_in, request, who):
    analysis = request_in(S.ANALYSIS)
    before = RequestDocument.objects.count()

    with pytest.raises(PermissionDenied):
        advisory.upload_document(
            request.getfixturevalue(who), analysis, DocumentKind.PLAN_OF_ACTION, pdf()
        )

    assert RequestDocument.objects.count() == before


@pytest.mark.parametrize("state", [S.RECEIVED, S.DECLINED, S.CLOSED])
def test_upload_document_outside_the_work_is_a_conflict(request_in, chief, state):
    advisory_request = request_in(state)
    before = RequestDocument.objects.count()

    with pytest.raises(ServiceConflict):
        advisory.upload_document(chief, advisory_request, DocumentKind.ANALYSIS, pdf())

    assert RequestDocument.objects.count() == before


def test_upload_document_that_is_not_a_document_names_the_file(request_in, ira):
    accepted = request_in(S.ACCEPTED)
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(ValidationError) as caught:
        advisory.upload_document(ira, accepted, DocumentKind.PLAN_OF_ACTION, fake)

    assert list(caught.value.message_dict) == ["file"]
    assert RequestDocument.objects.count() == 0


def test_upload_document_of_an_unknown_kind_names_the_kind(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    with pytest.raises(ValidationError) as caught:
        advisory.upload_document(ira, accepted, "budget", pdf())

    assert list(caught.value.message_dict) == ["kind"]


# --- milestones ----------------------------------------------------------------------------


def test_add_milestone_is_a_deadline_of_its_lead(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)
    due = timezone.localdate() + datetime.timedelta(days=40)

    milestone = advisory.add_milestone(ira, follow_up, title=" Draft e-law ", due_date=due)

    assert (milestone.title, milestone.lead, milestone.state) == ("Draft e-law", ira, "open")
    assert list(
        Deadline.objects.filter(kind="milestone", object_id=milestone.pk).values_list(
            "user__username", "due_date", "done_at"
        )
    ) == [("ira", due, None)]


@pytest.mark.parametrize("who", ["staff", "focal_point", "other_branch_staff"])
def test_add_milestone_by_others_is_refused(request_in, request, who):
    follow_up = request_in(S.FOLLOW_UP)

    with pytest.raises(PermissionDenied):
        advisory.add_milestone(
            request.getfixturevalue(who),
            follow_up,
            title="Law",
            due_date=timezone.localdate(),
        )

    assert Milestone.objects.count() == 0


def test_add_milestone_without_title_or_date_names_the_fields(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)

    with pytest.raises(ValidationError) as caught:
        advisory.add_milestone(ira, follow_up, title="  ", due_date=None)

    assert caught.value.message_dict == {
        "title": ["Name the milestone."],
        "due_date": ["Give a due date."],
    }


def test_add_milestone_with_an_overlong_title_names_the_field(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)

    with pytest.raises(ValidationError) as caught:
        advisory.add_milestone(ira, follow_up, title="x" * 201, due_date=timezone.localdate())

    assert caught.value.message_dict == {"title": ["Keep the title under 200 characters."]}
    assert Milestone.objects.count() == 0


def test_add_milestone_led_by_someone_outside_the_branch_names_the_lead(
    request_in, ira, cepa_member
):
    follow_up = request_in(S.FOLLOW_UP)

    with pytest.raises(ValidationError) as caught:
        advisory.add_milestone(
            ira, follow_up, title="Law", due_date=timezone.localdate(), lead=cepa_member
        )

    assert list(caught.value.message_dict) == ["lead"]


def test_add_milestone_to_a_closed_request_is_a_conflict(request_in, chief):
    closed = request_in(S.CLOSED)

    with pytest.raises(ServiceConflict):
        advisory.add_milestone(chief, closed, title="Law", due_date=timezone.localdate())


@pytest.fixture
def milestone(request_in, ira, staff):
    follow_up = request_in(S.FOLLOW_UP)
    return advisory.add_milestone(
        ira,
        follow_up,
        title="Adopt the e-law",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        lead=staff,
    )


def test_complete_milestone_by_its_lead_closes_the_deadline(milestone, staff):
    advisory.complete_milestone(staff, milestone)

    done = Milestone.objects.get(pk=milestone.pk)
    assert (done.state, done.done_at is not None) == (MilestoneState.DONE, True)
    deadline = Deadline.objects.get(kind="milestone", object_id=milestone.pk)
    assert deadline.done_at is not None


def test_cancel_milestone_by_the_team(milestone, team_member):
    advisory.complete_milestone(team_member, milestone, cancelled=True)

    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.CANCELLED


@pytest.mark.parametrize("who", ["focal_point", "other_branch_staff", "cepa_member"])
def test_complete_milestone_by_others_is_refused(milestone, request, who):
    with pytest.raises(PermissionDenied):
        advisory.complete_milestone(request.getfixturevalue(who), milestone)

    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.OPEN


def test_complete_milestone_twice_is_a_conflict(milestone, ira):
    advisory.complete_milestone(ira, milestone)

    with pytest.raises(ServiceConflict):
        advisory.complete_milestone(ira, milestone, cancelled=True)

    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.DONE


def test_move_milestone_moves_its_deadline(milestone, ira):
    new_due = milestone.due_date + datetime.timedelta(days=14)

    advisory.move_milestone(ira, milestone, new_due)

    assert Milestone.objects.get(pk=milestone.pk).due_date == new_due
    assert Deadline.objects.get(kind="milestone", object_id=milestone.pk).due_date == new_due


def test_move_milestone_without_a_date_names_the_field(milestone, ira):
    with pytest.raises(ValidationError) as caught:
        advisory.move_milestone(ira, milestone, None)

    assert caught.value.message_dict == {"due_date": ["Give a due date."]}


@pytest.mark.parametrize("who", ["staff", "focal_point"])
def test_move_milestone_by_others_is_refused(milestone, request, who):
    # staff leads this milestone but is not on the request's team: moving is the team's.
    with pytest.raises(PermissionDenied):
        advisory.move_milestone(
            request.getfixturevalue(who), milestone, milestone.due_date + datetime.timedelta(1)
        )

    assert Milestone.objects.get(pk=milestone.pk).due_date == milestone.due_date


def test_closing_the_request_drops_its_milestone_deadlines(milestone, chief):
    advisory.fire_transition(chief, milestone.request_id, "close")

    deadline = Deadline.objects.get(kind="milestone", object_id=milestone.pk)
    assert deadline.done_at is not None


# --- comments ----------------------------------------------------------------------------------


def test_focal_point_comment_on_the_draft_plan_is_public_and_tells_the_team(
    request_in, focal_point, ira, team_member
):
    drafted = request_in(S.PLAN_DRAFTED)
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)

    comment = advisory.add_comment(focal_point, drafted, " Agreed. ", internal=True, document=plan)

    assert (comment.internal, comment.text, comment.document) == (False, "Agreed.", plan)
    assert notified(ira)[-1] == "Oman commented on “E-government assessment (OMN)”"
    assert notified(team_member)[-1] == "Oman commented on “E-government assessment (OMN)”"


@pytest.mark.parametrize("state", [S.RECEIVED, S.ACCEPTED, S.ANALYSIS, S.CLOSED, S.DECLINED])
def test_focal_point_comment_outside_the_plan_stages_is_refused(request_in, focal_point, state):
    advisory_request = request_in(state)

    with pytest.raises(PermissionDenied):
        advisory.add_comment(focal_point, advisory_request, "Hello")

    assert Comment.objects.filter(author=focal_point).count() == 0


@pytest.mark.parametrize("who", ["other_focal_point", "cepa_member", "other_branch_staff"])
def test_comment_by_outsiders_is_refused(request_in, request, who):
    drafted = request_in(S.PLAN_DRAFTED)

    with pytest.raises(PermissionDenied):
        advisory.add_comment(request.getfixturevalue(who), drafted, "Hello", internal=False)

    assert Comment.objects.count() == 0


def test_focal_point_comment_on_the_mission_report_is_refused(request_in, focal_point):
    drafted = request_in(S.PLAN_DRAFTED)
    report = drafted.documents.get(kind=DocumentKind.MISSION_REPORT)

    with pytest.raises(PermissionDenied):
        advisory.add_comment(focal_point, drafted, "About the report", document=report)

    assert Comment.objects.count() == 0


def test_empty_comment_names_the_text(request_in, staff):
    accepted = request_in(S.ACCEPTED)

    with pytest.raises(ValidationError) as caught:
        advisory.add_comment(staff, accepted, "   ")

    assert caught.value.message_dict == {"text": ["Write a comment."]}


def test_comment_on_a_document_of_another_request_names_the_document(request_in, ira):
    drafted = request_in(S.PLAN_DRAFTED)
    other = request_in(S.PLAN_DRAFTED, title="Other")
    foreign = other.documents.get(kind=DocumentKind.PLAN_OF_ACTION)

    with pytest.raises(ValidationError) as caught:
        advisory.add_comment(ira, drafted, "Compare", document=foreign)

    assert list(caught.value.message_dict) == ["document"]


def test_focal_point_never_reads_internal_notes_nor_notes_on_internal_documents(
    request_in, staff, focal_point
):
    drafted = request_in(S.PLAN_DRAFTED)
    report = drafted.documents.get(kind=DocumentKind.MISSION_REPORT)
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)
    advisory.add_comment(staff, drafted, "Internal", internal=True)
    advisory.add_comment(staff, drafted, "On the report", internal=False, document=report)
    advisory.add_comment(staff, drafted, "On the plan", internal=False, document=plan)
    advisory.add_comment(staff, drafted, "To the country", internal=False)

    seen = [c.text for c in queries.visible_comments(focal_point, drafted)]
    staff_sees = [c.text for c in queries.visible_comments(staff, drafted)]

    assert seen == ["On the plan", "To the country"]
    assert staff_sees == ["Internal", "On the report", "On the plan", "To the country"]


# --- what each person sees -------------------------------------------------------------------


def test_visible_requests_by_person(
    request_in,
    chief,
    staff,
    ira,
    team_member,
    other_branch_staff,
    cepa_member,
    focal_point,
    other_focal_point,
    secretariat_admin,
):
    oman = request_in(S.ACCEPTED, country="OMN")
    ghana = request_in(S.RECEIVED, country="GHA")

    def seen(user):
        return sorted(queries.visible_requests(user).values_list("pk", flat=True))

    both = sorted([oman.pk, ghana.pk])
    assert [seen(chief), seen(staff), seen(ira), seen(team_member)] == [both] * 4
    assert seen(secretariat_admin) == both
    assert seen(focal_point) == [oman.pk]
    assert seen(other_focal_point) == [ghana.pk]
    assert [seen(other_branch_staff), seen(cepa_member)] == [[], []]


def test_team_member_of_another_branch_sees_only_that_request(request_in, chief):
    # e.g. someone who moved branch after joining the team
    oman = request_in(S.ACCEPTED)
    request_in(S.RECEIVED, title="Another")
    mover = person(Role.INTER_REGIONAL_ADVISOR, username="mover", branch_code="pacb")
    oman.team.add(mover)

    assert list(queries.visible_requests(mover).values_list("pk", flat=True)) == [oman.pk]


@pytest.mark.parametrize(
    ("state", "kinds"),
    [
        (S.ANALYSIS, []),
        (S.PLAN_DRAFTED, [DocumentKind.PLAN_OF_ACTION]),
        (S.PLAN_AGREED, [DocumentKind.PLAN_OF_ACTION]),
        (S.CLOSED, [DocumentKind.PLAN_OF_ACTION]),
    ],
)
def test_focal_point_reads_only_the_plan_once_drafted(request_in, focal_point, staff, state, kinds):
    advisory_request = request_in(state)

    seen = [d.kind for d in queries.visible_documents(focal_point, advisory_request)]
    staff_seen = sorted(d.kind for d in queries.visible_documents(staff, advisory_request))

    assert seen == kinds
    assert staff_seen == ["analysis", "mission_report", "plan_of_action"]


def test_visible_milestones_of_the_country_only(request_in, ira, focal_point, other_focal_point):
    oman = request_in(S.FOLLOW_UP)
    ghana = request_in(S.FOLLOW_UP, country="GHA")
    due = timezone.localdate() + datetime.timedelta(days=5)
    mine = advisory.add_milestone(ira, oman, title="Oman law", due_date=due)
    advisory.add_milestone(ira, ghana, title="Ghana law", due_date=due)

    assert list(queries.visible_milestones(focal_point)) == [mine]
    assert [m.title for m in queries.visible_milestones(other_focal_point)] == ["Ghana law"]


def test_can_comment_rule_for_the_focal_point_follows_the_plan(request_in, focal_point):
    assert [
        rules.can_comment(request_in(state, title=state), focal_point)
        for state in (S.ANALYSIS, S.PLAN_DRAFTED, S.PLAN_AGREED, S.FOLLOW_UP, S.CLOSED)
    ] == [False, True, True, True, False]
