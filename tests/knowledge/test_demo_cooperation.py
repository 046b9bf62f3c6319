"""The technical cooperation and knowledge part of the demo world (`demo.advisory`,
`demo.contributions`, `demo.knowledge`): built through the services by `seed_demo`,
deterministic, and idempotent."""

from __future__ import annotations

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from advisory.deadlines import AdvisoryDeadline
from advisory.enums import DocumentKind, MilestoneState, RequestAction, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument, RequestHistory
from cepa_collab.documents import PDF, sniff
from cepa_collab.enums import Role
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.models import Contribution
from demo.world import seed_demo
from knowledge.models import KnowledgeLink
from meetings.enums import MeetingKind, Visibility
from meetings.models import Meeting, Participant
from notifications.models import Deadline
from workflows.enums import (
    AssignmentState,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    RoundState,
)
from workflows.models import Deliverable, ReviewAssignment, ReviewRound

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
TEN = ["BHR", "BLZ", "COL", "ETH", "GHA", "LSO", "OMN", "SAU", "SGP", "TUN"]
S = RequestState
CS = ContributionState


def _snapshot() -> list[list[tuple]]:
    User = get_user_model()
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (
            User,
            AdvisoryRequest,
            AdvisoryRequest.team.through,
            RequestDocument,
            Milestone,
            Comment,
            Contribution,
            KnowledgeLink,
            Meeting,
            Participant,
            RequestHistory,
            Deliverable,
            ReviewRound,
            ReviewAssignment,
        )
    ]


def _ten_countries_with_requests_in_different_states(demo):
    states = dict(AdvisoryRequest.objects.values_list("country__iso3", "state"))
    declined = AdvisoryRequest.objects.get(state=S.DECLINED)

    assert sorted(states) == TEN
    assert states == {
        "LSO": S.RECEIVED,
        "SGP": S.DECLINED,
        "COL": S.ACCEPTED,
        "BLZ": S.MISSION_PLANNED,
        "OMN": S.MISSION_PLANNED,
        "TUN": S.MISSION_COMPLETED,
        "SAU": S.ANALYSIS,
        "GHA": S.PLAN_DRAFTED,
        "ETH": S.FOLLOW_UP,
        "BHR": S.CLOSED,
    }
    assert declined.decline_reason.startswith("Singapore leads the e-government rankings")
    assert dict(
        AdvisoryRequest.objects.exclude(lead=None).values_list("country__iso3", "lead__username")
    ) == {
        "COL": "ira",
        "BLZ": "ira",
        "OMN": "ira2",
        "TUN": "ira3",
        "SAU": "ira2",
        "GHA": "ira3",
        "ETH": "ira3",
        "BHR": "ira2",
    }
    assert demo.advisory.summary() == (
        "10 advisory requests (5 missions scheduled, 2 linked), 13 documents, 13 milestones "
        "and 3 focal points created; 0 requests already there."
    )
    assert demo.contributions.summary() == (
        "31 contributions created (20 incorporated into deliverables); 0 contributions "
        "already there."
    )
    assert demo.knowledge.summary() == (
        "7 knowledge links created; 0 knowledge links already there."
    )


def _missions_are_meetings_in_the_country_time_zone():
    missions = {
        r.country.iso3: r.mission
        for r in AdvisoryRequest.objects.select_related("country", "mission").exclude(mission=None)
    }
    local = {
        iso3: (
            m.time_zone,
            m.start.astimezone(ZoneInfo(m.time_zone)).time(),
            m.kind,
            m.visibility,
            m.country.iso3,
        )
        for iso3, m in missions.items()
    }

    assert local == {
        "BLZ": ("America/Belize", datetime.time(9, 0), "assessment_mission", "participants", "BLZ"),
        "OMN": ("Asia/Muscat", datetime.time(8, 30), "assessment_mission", "participants", "OMN"),
        "TUN": ("Africa/Tunis", datetime.time(9, 0), "assessment_mission", "participants", "TUN"),
        "SAU": ("Asia/Riyadh", datetime.time(8, 30), "assessment_mission", "participants", "SAU"),
        "GHA": ("Africa/Accra", datetime.time(9, 0), "assessment_mission", "participants", "GHA"),
        "ETH": (
            "Africa/Addis_Ababa",
            datetime.time(9, 0),
            "assessment_mission",
            "participants",
            "ETH",
        ),
        "BHR": ("Asia/Bahrain", datetime.time(8, 0), "assessment_mission", "participants", "BHR"),
    }
    # Oman's and Belize's missions are the ones demo.meetings scheduled, not second ones.
    assert (
        Meeting.objects.filter(kind=MeetingKind.ASSESSMENT_MISSION, country__iso3="OMN").count()
        == 1
    )
    assert missions["OMN"].title == "Assessment mission to Oman: e-government programme"
    # A scheduled mission has the lead and the team as participants (in their calendars).
    assert sorted(missions["GHA"].participants.values_list("user__username", flat=True)) == [
        "ira3",
        "staff",
        "staff2",
    ]
    assert missions["GHA"].start.date() == TODAY - datetime.timedelta(days=80)
    assert Meeting.objects.filter(visibility=Visibility.PUBLIC).count() == 6


def _reports_analyses_and_plans_uploaded_as_pdf():
    documents = Counter(RequestDocument.objects.values_list("request__country__iso3", "kind"))
    plan = RequestDocument.objects.get(
        request__country__iso3="GHA", kind=DocumentKind.PLAN_OF_ACTION, number=2
    )
    with plan.file.open("rb") as handle:
        content = handle.read()

    assert documents == {
        ("TUN", "mission_report"): 1,
        ("SAU", "mission_report"): 1,
        ("SAU", "analysis"): 1,
        ("GHA", "mission_report"): 1,
        ("GHA", "analysis"): 1,
        ("GHA", "plan_of_action"): 2,
        ("ETH", "mission_report"): 1,
        ("ETH", "analysis"): 1,
        ("ETH", "plan_of_action"): 1,
        ("BHR", "mission_report"): 1,
        ("BHR", "analysis"): 1,
        ("BHR", "plan_of_action"): 1,
    }
    assert sniff(ContentFile(content)) == PDF
    assert b"Plan of action: Ghana" in content
    assert plan.notes == "Revised after the Government's first comments."


def _milestones_are_deadlines_some_due_within_days():
    open_deadlines = {
        (d.title, (d.due_date - TODAY).days, d.user.username)
        for d in Deadline.objects.filter(
            kind=AdvisoryDeadline.MILESTONE, done_at=None
        ).select_related("user")
    }

    assert Counter(Milestone.objects.values_list("state", flat=True)) == {
        MilestoneState.OPEN: 10,
        MilestoneState.DONE: 3,
    }
    assert open_deadlines == {
        ("Agree new dates for the assessment mission with the Government (Colombia)", 3, "ira"),
        ("Send the mission's programme to the Government (Belize)", 2, "ira"),
        (
            "Share the assessment questionnaire with the Information Technology Authority (Oman)",
            5,
            "ira2",
        ),
        ("Mission report to the Government (Tunisia)", 7, "ira3"),
        ("Analysis of the programme's strengths and weaknesses (Saudi Arabia)", 10, "ira2"),
        ("Comments of the Government on the draft plan of action (Ghana)", 6, "ira3"),
        ("Inception report of the national e-services portal (Ethiopia)", -4, "ira3"),
        ("Train 40 civil servants with METER (Ethiopia)", 2, "ira3"),
        ("Launch of the national e-services portal (Ethiopia)", 7, "ira3"),
        ("Progress report to DESA (Ethiopia)", 30, "ira3"),
    }


def _focal_points_comment_on_their_plan(demo):
    User = get_user_model()
    focal_points = dict(
        User.objects.filter(groups__name=Role.FOCAL_POINT).values_list(
            "username", "profile__country__iso3"
        )
    )
    comments = list(
        Comment.objects.order_by("pk").values_list(
            "request__country__iso3", "author__username", "internal", "document__kind"
        )
    )

    assert focal_points == {
        "focal": "OMN",
        "focal_gha": "GHA",
        "focal_eth": "ETH",
        "focal_col": "COL",
    }
    assert ("focal_gha", "Member State focal point") in demo.logins
    assert comments == [
        ("GHA", "ira3", True, None),
        ("GHA", "focal_gha", False, "plan_of_action"),
        ("ETH", "focal_eth", False, "plan_of_action"),
    ]


def _contributions_in_every_state_feed_the_products():
    by_kind_and_state = Counter(Contribution.objects.values_list("kind", "state"))
    incorporated = Counter(
        Contribution.objects.exclude(incorporated_into=None).values_list(
            "incorporated_into__title", flat=True
        )
    )
    links = list(
        KnowledgeLink.objects.order_by("deliverable__title", "pk").values_list(
            "deliverable__title", "request__country__iso3", "contribution__country__iso3"
        )
    )

    assert by_kind_and_state == {
        (ContributionKind.CASE_STUDY, CS.ACCEPTED): 4,
        (ContributionKind.CASE_STUDY, CS.UNDER_REVIEW): 1,
        (ContributionKind.CASE_STUDY, CS.SUBMITTED): 1,
        (ContributionKind.CASE_STUDY, CS.RETURNED): 1,
        (ContributionKind.CASE_STUDY, CS.DRAFT): 1,
        (ContributionKind.CASE_STUDY, CS.WITHDRAWN): 1,
        (ContributionKind.REPOSITORY_ENTRY, CS.ACCEPTED): 17,
        (ContributionKind.REPOSITORY_ENTRY, CS.SUBMITTED): 1,
        (ContributionKind.REPOSITORY_ENTRY, CS.UNDER_REVIEW): 1,
        (ContributionKind.REPOSITORY_ENTRY, CS.RETURNED): 1,
        (ContributionKind.REPOSITORY_ENTRY, CS.DRAFT): 1,
        (ContributionKind.WRITTEN_INPUT, CS.SUBMITTED): 1,
    }
    assert incorporated == {
        "Case studies from Africa": 2,
        "Case studies from the Arab region": 1,
        "UN-emGKR Arab region: policies, legal framework, institutional setting / CIO": 7,
        "UN-emGKR Africa: policies, legal framework, institutional setting / CIO": 4,
        "UN-emGKR Asia: policies, legal framework, institutional setting / CIO": 3,
        "UN-emGKR Americas: policies, legal framework, institutional setting / CIO": 2,
        "UN-emGKR Europe: policies, legal framework, institutional setting / CIO": 1,
    }
    assert links == [
        ("Case studies from the Arab region", "BHR", None),
        ("Chapter 2: Regional e-government development", "SAU", None),
        ("Chapter 2: Regional e-government development", "ETH", None),
        ("Chapter 2: Regional e-government development", None, "ETH"),
        ("Chapter 3: Online service delivery (website assessment)", "BHR", None),
        ("Chapter 3: Online service delivery (website assessment)", None, "SGP"),
        ("Chapter 5: Human capital and e-government", "GHA", None),
    ]


def _country_page_shows_oman_to_its_focal_point(client):
    client.force_login(get_user_model().objects.get(username="focal"))

    with time_machine.travel(NOW, tick=False):
        response = client.get("/countries/OMN/")

    assert [r.title for r in response.context["requests"]] == [
        "Assessment of the e-government programme (e.oman)"
    ]
    assert [e.title for e in dict(response.context["repository"])[RepositoryCategory.POLICY]] == [
        "Oman Digital Strategy (e.oman)"
    ]


def _ghana_plan_is_in_review_with_two_cepa_reviewers(demo):
    ghana = AdvisoryRequest.objects.select_related("plan_review__product").get(country__iso3="GHA")
    deliverable = ghana.plan_review
    plan = RequestDocument.objects.get(
        request=ghana, kind=DocumentKind.PLAN_OF_ACTION, review_version__isnull=False
    )
    round_ = deliverable.rounds.get()
    assignments = sorted(
        (a.reviewer.username, a.state, a.due_date)
        for a in deliverable.assignments.select_related("reviewer")
    )

    assert ghana.state == S.PLAN_DRAFTED
    assert (
        deliverable.title,
        deliverable.kind,
        deliverable.state,
        deliverable.owner.username,
        deliverable.due_date,
    ) == (
        "Plan of action: Ghana, National e-government strategy and implementation plan",
        DeliverableKind.PLAN_OF_ACTION,
        DeliverableState.IN_REVIEW,
        "ira3",
        TODAY + datetime.timedelta(days=21),
    )
    assert (deliverable.product.title, deliverable.product.kind) == (
        "Plans of action",
        ProductKind.PLANS_OF_ACTION,
    )
    # the newest plan (version 2) is the one under review, in round 1, still open
    assert (plan.number, plan.review_version.number) == (2, 1)
    assert (round_.number, round_.state, round_.version_id) == (
        1,
        RoundState.OPEN,
        plan.review_version_id,
    )
    assert assignments == [
        ("chinedu", AssignmentState.INVITED, TODAY + datetime.timedelta(days=10)),
        ("wanjiru", AssignmentState.ACCEPTED, TODAY + datetime.timedelta(days=10)),
    ]
    # the only plan of action in review: the others were agreed before reviews existed
    assert Deliverable.objects.filter(kind=DeliverableKind.PLAN_OF_ACTION).count() == 1
    assert demo.advisory.plans_sent_to_review == 1


def _every_request_has_its_history():
    by_country = Counter(RequestHistory.objects.values_list("request__country__iso3", flat=True))
    bahrain_closed = RequestHistory.objects.get(
        request__country__iso3="BHR", action=RequestAction.TRANSITION, to_state=S.CLOSED
    )
    ghana = [
        (entry.action, entry.summary)
        for entry in RequestHistory.objects.filter(request__country__iso3="GHA").order_by(
            "at", "pk"
        )
    ]

    assert sorted(by_country) == TEN
    # every request is recorded (by staff) first
    assert Counter(
        RequestHistory.objects.filter(action=RequestAction.CREATED).values_list(
            "actor__username", flat=True
        )
    ) == {"staff": 10}
    # the chief's closing comment is a line of Bahrain's history, not a comment
    assert (
        bahrain_closed.actor.username,
        bahrain_closed.from_state,
        bahrain_closed.comment,
    ) == ("chief", S.FOLLOW_UP, "The plan of action was carried out; final report delivered.")
    assert not Comment.objects.filter(text=bahrain_closed.comment).exists()
    # each story is spread from the day the request came in to an hour before seeding
    for request in AdvisoryRequest.objects.all():
        moments = list(request.history.order_by("pk").values_list("at", flat=True))
        assert moments == sorted(moments)
        assert moments[0] == datetime.datetime.combine(
            request.received_on, datetime.time(9), datetime.UTC
        )
        assert moments[-1] <= timezone.now() - datetime.timedelta(hours=1)
    # Ghana's history ends with its plan sent to review, then its milestone
    assert ghana[-2:] == [
        (
            RequestAction.PLAN_REVIEW,
            "Plan of action, version 2, sent to review (round 1).",
        ),
        (
            RequestAction.MILESTONE,
            "Milestone “Comments of the Government on the draft plan of action” "
            f"added, due {(TODAY + datetime.timedelta(days=6)).isoformat()}, lead Jean-Pierre "
            "Diallo.",
        ),
    ]


# Seeding costs seconds: each test below checks several parts of one seeded world.


def test_seed_demo_requests_missions_documents_and_milestones(demo):
    _ten_countries_with_requests_in_different_states(demo)
    _missions_are_meetings_in_the_country_time_zone()
    _reports_analyses_and_plans_uploaded_as_pdf()
    _milestones_are_deadlines_some_due_within_days()


def test_seed_demo_focal_points_contributions_and_links_show_on_the_country_page(demo, client):
    _focal_points_comment_on_their_plan(demo)
    _contributions_in_every_state_feed_the_products()
    _country_page_shows_oman_to_its_focal_point(client)


def test_seed_demo_sends_ghana_plan_to_review_and_keeps_every_request_history(demo):
    _ghana_plan_is_in_review_with_two_cepa_reviewers(demo)
    _every_request_has_its_history()


def test_seed_demo_twice_changes_nothing_even_a_day_later(demo):
    before = _snapshot()

    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        again = seed_demo()

    assert _snapshot() == before
    assert again.advisory.plans_sent_to_review == 0
    assert again.advisory.summary() == (
        "0 advisory requests (0 missions scheduled, 0 linked), 0 documents, 0 milestones "
        "and 0 focal points created; 10 requests already there."
    )
    assert again.contributions.summary() == (
        "0 contributions created (0 incorporated into deliverables); 31 contributions "
        "already there."
    )
    assert again.knowledge.summary() == (
        "0 knowledge links created; 7 knowledge links already there."
    )
    assert [login for login in again.logins if login[0].startswith("focal")] == [
        ("focal", "Member State focal point"),
        ("focal_gha", "Member State focal point"),
        ("focal_eth", "Member State focal point"),
        ("focal_col", "Member State focal point"),
    ]
