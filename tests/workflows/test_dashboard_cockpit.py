"""The chief's cockpit (issue 15, item 3): the whole branch through the registry the higher
apps fill, flags that say why, staff and reviewer workload, timelines, turnaround per
quarter, the Division view; who sees what, and what it costs."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from advisory.enums import RequestState
from advisory.models import AdvisoryRequest, Milestone
from cepa_collab.enums import Role
from contributions.enums import ContributionState
from meetings.enums import Reply
from tests.factories import (
    AdvisoryRequestFactory,
    ContributionFactory,
    MeetingFactory,
    MilestoneFactory,
    ParticipantFactory,
    branch,
    person,
)
from tests.workflows.test_dashboard import NOW, TODAY, _bulk_world, days, make, review_round
from workflows import cockpit, dashboard
from workflows.enums import AssignmentState, DeliverableKind, DeliverableState, RoundState
from workflows.models import Product, Review, ReviewAssignment, ReviewRound

S = DeliverableState
A = AssignmentState


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def survey(db, chief):
    return Product.objects.create(
        branch=branch("e-govb"), kind="survey", title="UN E-Government Survey", edition="2026"
    )


@pytest.fixture
def pacb_chief(db):
    return person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb")


def milestone(request, title: str, due: datetime.date, **kwargs):
    """A milestone through the services (which refuse a past date), then moved to `due`."""
    made = MilestoneFactory(request=request, title=title, due_date=days(30), **kwargs)
    Milestone.objects.filter(pk=made.pk).update(due_date=due)
    return made


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("chief", 404),
        ("staff", 404),
        ("pacb_chief", 404),
        ("cepa_member", 404),
        ("focal_point", 404),
        ("secretariat_admin", 200),
    ],
)
def test_division_only_the_secretariat_sees_it(client, request, survey, staff, who, status):
    # given a deliverable of the e-Government Branch
    make(survey, staff, "Chapter 1", due=days(-3))
    client.force_login(request.getfixturevalue(who))

    # when each person asks for the Division view
    response = client.get("/dashboard/division/")

    # then only the secretariat gets it, with every branch and the late deliverable counted
    assert response.status_code == status
    if status == 200:
        rows = {row.branch.code: row.totals.overdue for row in response.context["branches"]}
        assert rows["e-govb"] == 1
        assert rows["pacb"] == 0


@pytest.mark.django_db
def test_division_anonymous_is_sent_to_sign_in(client):
    response = client.get("/dashboard/division/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


@pytest.mark.django_db
def test_dashboard_secretariat_lands_on_the_division(client, secretariat_admin, chief):
    # given the secretariat admin and the e-GovB chief
    client.force_login(secretariat_admin)

    # when the secretariat opens the dashboard without choosing a branch
    landing = client.get("/dashboard/")
    chosen = client.get("/dashboard/?branch=e-govb")

    # then it lands on the Division view, and a chosen branch shows that branch's cockpit
    assert landing.status_code == 302
    assert landing["Location"] == "/dashboard/division/"
    # and the navigation's "Dashboard" links there itself, not through the redirect
    assert '<a href="/dashboard/division/"' in chosen.content.decode()
    assert '<a href="/dashboard/"' not in chosen.content.decode()
    assert chosen.status_code == 200
    assert chosen.context["branch"].code == "e-govb"
    # while the chief still lands on their own branch
    client.force_login(chief)
    assert client.get("/dashboard/").context["branch"].code == "e-govb"


# --- flags say why ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_flagged_rows_say_why(client, travel, chief, staff, cepa_member, survey):
    # given a deliverable 3 days late without a draft, one in review due in 5 days with
    # 2 of its 3 reviews missing, one whose reviewer has not answered in 12 days, and one on
    # track
    reviewer2 = person(Role.CEPA_MEMBER, username="tesfaye", country="ETH")
    reviewer3 = person(Role.CEPA_MEMBER, username="palesa", country="LSO")
    make(survey, staff, "late, no draft", state=S.DRAFTING, due=days(-3))
    missing = make(survey, staff, "reviews missing", state=S.IN_REVIEW, due=days(5), versions=1)
    review_round(
        missing,
        staff,
        [(cepa_member, A.SUBMITTED), (reviewer2, A.ACCEPTED), (reviewer3, A.ACCEPTED)],
    )
    silent = make(survey, staff, "silent reviewer", state=S.IN_REVIEW, due=days(40), versions=1)
    review_round(silent, staff, [(reviewer2, A.INVITED)], due=days(20))
    ReviewAssignment.objects.filter(deliverable=silent).update(
        created_at=NOW - datetime.timedelta(days=12)
    )
    make(survey, staff, "on track", state=S.DRAFTING, due=days(60), versions=1)

    # when the chief opens the cockpit
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then each flagged row says why, the row on track says nothing
    flags = {d.title: d.flags for d in response.context["page"].object_list}
    assert flags == {
        "late, no draft": ["3 days late", "no draft"],
        "reviews missing": ["2 of 3 reviews missing"],
        "silent reviewer": ["1 of 1 review missing", "reviewer has not answered in 12 days"],
        "on track": [],
    }
    html = response.content.decode()
    assert "Flagged: 3 days late; no draft." in html
    assert "Flagged: 2 of 3 reviews missing." in html

    # and the CSV export says the same
    rows = {
        row[1]: row[-1]
        for row in _csv(client.get("/dashboard/export.csv").content.decode("utf-8-sig"))[1:]
    }
    assert rows == {
        "late, no draft": "3 days late; no draft",
        "reviews missing": "2 of 3 reviews missing",
        "silent reviewer": "1 of 1 review missing; reviewer has not answered in 12 days",
        "on track": "",
    }


def _csv(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


# --- the whole branch, from the higher apps ------------------------------------------------


@pytest.fixture
def branch_world(travel, chief, staff, survey):
    """One record in every section of the e-Government Branch, and one elsewhere."""
    # a milestone 5 days late and one on time, led by the branch's advisor
    request = AdvisoryRequestFactory(state=RequestState.ACCEPTED, chief=chief)
    late = milestone(request, "Mission report", days(-5))
    MilestoneFactory(request=request, title="Workshop", due_date=days(20), lead=late.lead)
    # a plan of action in review, its review 2 days late
    plan = make(survey, staff, "Plan of action: Oman", state=S.IN_REVIEW, due=days(-2), versions=1)
    plan.kind = DeliverableKind.PLAN_OF_ACTION
    plan.save(update_fields=["kind"])
    AdvisoryRequest.objects.filter(pk=request.pk).update(plan_review=plan)
    # a contribution submitted and not taken up, one under review by staff
    ContributionFactory(state=ContributionState.SUBMITTED, title="Digital ID in Ghana")
    ContributionFactory(state=ContributionState.UNDER_REVIEW, title="Open data", reviewer=staff)
    # a meeting in 3 days with one of two invitations unanswered, one in 30 days all answered
    soon = MeetingFactory(title="Expert group", start=NOW + datetime.timedelta(days=3))
    ParticipantFactory(meeting=soon)
    ParticipantFactory(meeting=soon, reply=Reply.ACCEPTED)
    later = MeetingFactory(title="Seminar", start=NOW + datetime.timedelta(days=30))
    ParticipantFactory(meeting=later, reply=Reply.ACCEPTED)
    # another branch's milestone, late
    other = AdvisoryRequestFactory(state=RequestState.ACCEPTED, branch="pacb")
    milestone(other, "Elsewhere", days(-9))
    return {"request": request, "lead": late.lead}


@pytest.mark.django_db
def test_dashboard_covers_the_whole_branch_with_reasons(client, branch_world, chief):
    # when the chief opens the cockpit
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then every section of the higher apps is there, counted for this branch only, and each
    # flagged row says why
    sections = {s.key: s for s in response.context["sections"]}
    assert sorted((key, s.total, s.flagged) for key, s in sections.items()) == [
        ("contributions", 2, 1),
        ("meetings", 1, 1),
        ("milestones", 2, 1),
        ("plans-of-action", 1, 1),
    ]
    assert [(r.title, r.reasons) for r in sections["milestones"].rows] == [
        ("Mission report", ("5 days late",)),
        ("Workshop", ()),
    ]
    assert [r.reasons for r in sections["plans-of-action"].rows] == [("2 days late",)]
    assert {r.title: r.reasons for r in sections["contributions"].rows} == {
        "Digital ID in Ghana": ("nobody has taken it up",),
        "Open data": (),
    }
    assert [(r.title, r.reasons) for r in sections["meetings"].rows] == [
        ("Expert group", ("1 of 2 invitations unanswered",))
    ]
    # and each section's tile leads to it on the same page
    html = response.content.decode()
    for key in sections:
        assert f'href="#section-{key}"' in html
        assert f'id="section-{key}"' in html


@pytest.mark.django_db
def test_dashboard_staff_workload_next_to_reviewers(client, branch_world, chief, staff, survey):
    # given staff owning deliverables (one late) and leading a product
    Product.objects.filter(pk=survey.pk).update(lead=staff)
    make(survey, staff, "late", state=S.DRAFTING, due=days(-1), versions=1)

    # when the staff workload is computed
    workload = dashboard.staff_workload(survey.branch, TODAY)

    # then owners and leads carry what they own, lead and review, with the apps' columns
    assert workload.columns == [
        "Milestones led",
        "Milestones late",
        "Contributions reviewing",
    ]
    rows = {r.name: (r.owned, r.overdue, r.products_led, r.others) for r in workload.rows}
    lead = branch_world["lead"]
    assert rows[staff.get_full_name()] == (2, 2, 1, (0, 0, 1))
    assert rows[lead.get_full_name() or lead.username] == (0, 0, 0, (2, 1, 0))


@pytest.mark.django_db
def test_reviewer_response_rate_is_answered_out_of_invited(
    travel, chief, staff, cepa_member, survey
):
    # given five invitations: unanswered, accepted, submitted on time, declined, and one
    # withdrawn before an answer; one more review submitted after its due date
    for i, state in enumerate([A.INVITED, A.ACCEPTED, A.SUBMITTED, A.DECLINED, A.WITHDRAWN]):
        d = make(survey, staff, f"d{i}", state=S.IN_REVIEW, versions=1)
        review_round(d, staff, [(cepa_member, state)], due=days(10))
    late = make(survey, staff, "late review", state=S.IN_REVIEW, versions=1)
    review_round(late, staff, [(cepa_member, A.SUBMITTED)], due=days(-3))

    # when the reviewer workload is computed
    [load] = dashboard.reviewer_workload(survey.branch, TODAY)

    # then 4 answered out of 5 invited (the withdrawn, unanswered one is not counted) and
    # one of two reviews on time
    assert (load.responded, load.invited, load.response_rate) == (4, 5, 80)
    assert (load.on_time, load.submitted, load.on_time_rate) == (1, 2, 50)


# --- timeline and turnaround ------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_timeline_is_drawn_on_the_server_without_inline_style(
    client, travel, chief, staff, survey
):
    # given deliverables due last month (late), this month and in two months
    make(survey, staff, "late", due=datetime.date(2026, 2, 10))
    make(survey, staff, "this month", due=datetime.date(2026, 3, 20))
    make(survey, staff, "later", due=datetime.date(2026, 5, 5))
    make(survey, staff, "done", state=S.APPROVED, due=datetime.date(2026, 5, 6))

    # when the chief opens the cockpit
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then the product's months count what is still being produced, the late part apart
    [timeline] = response.context["timelines"]
    counts = {m.start: (m.count, m.late) for m in timeline.months if m.count}
    assert counts == {
        datetime.date(2026, 2, 1): (1, 1),
        datetime.date(2026, 3, 1): (1, 0),
        datetime.date(2026, 5, 1): (1, 0),
    }
    html = response.content.decode()
    assert '<svg class="dash-timeline"' in html
    assert not re.search(r"\sstyle=", html)
    assert "<script" not in html.split("</header>", 1)[-1]


@pytest.mark.django_db
def test_dashboard_turnaround_medians_per_quarter(chief, staff, cepa_member, survey):
    # given, at fixed moments, reviews 4, 10 and 6 days after their invitation in Q1 2026 and
    # one 3 days after in Q4 2025; a round decided 5 days after its last review in Q1 2026
    reviewer2 = person(Role.CEPA_MEMBER, username="tesfaye", country="ETH")
    reviewer3 = person(Role.CEPA_MEMBER, username="palesa", country="LSO")
    spans = [
        (cepa_member, datetime.date(2026, 1, 5), 4),
        (reviewer2, datetime.date(2026, 1, 5), 10),
        (reviewer3, datetime.date(2026, 2, 1), 6),
    ]
    with time_machine.travel(at(datetime.date(2026, 1, 5)), tick=False):
        decided = make(survey, staff, "decided", state=S.REVISING, versions=1)
        round_ = review_round(
            decided, staff, [(r, A.SUBMITTED) for r, _d, _n in spans], open_=False
        )
    for reviewer, invited, n in spans:
        assignment = ReviewAssignment.objects.get(round=round_, reviewer=reviewer)
        ReviewAssignment.objects.filter(pk=assignment.pk).update(created_at=at(invited))
        Review.objects.filter(assignment=assignment).update(
            submitted_at=at(invited + datetime.timedelta(days=n))
        )
    ReviewRound.objects.filter(pk=round_.pk).update(
        state=RoundState.CLOSED, closed_at=at(datetime.date(2026, 2, 12))
    )
    with time_machine.travel(at(datetime.date(2025, 11, 1)), tick=False):
        older = make(survey, staff, "older", state=S.REVISING, versions=1)
        old_round = review_round(older, staff, [(cepa_member, A.SUBMITTED)], open_=False)
    Review.objects.filter(assignment__round=old_round).update(
        submitted_at=at(datetime.date(2025, 11, 4))
    )
    ReviewRound.objects.filter(pk=old_round.pk).update(closed_at=None)

    # when the turnaround is computed on 2 March 2026
    quarters = dashboard.turnaround(survey.branch, TODAY)

    # then the medians per quarter, oldest first
    assert [
        (q.year, q.number, q.review_days, q.reviews, q.decision_days, q.decisions) for q in quarters
    ] == [
        (2025, 2, None, 0, None, 0),
        (2025, 3, None, 0, None, 0),
        (2025, 4, 3.0, 1, None, 0),
        (2026, 1, 6.0, 3, 5.0, 1),
    ]


# --- in place, waiting for a decision, cost ----------------------------------------------------


@pytest.mark.django_db
def test_dashboard_tile_shows_its_filtered_list_first(client, travel, chief, staff, survey):
    # given a late deliverable
    make(survey, staff, "late", due=days(-3))
    make(survey, staff, "on time", due=days(30))
    client.force_login(chief)

    # when the chief follows the "overdue" tile
    page = client.get("/dashboard/").content.decode()
    assert 'href="?overdue=1#list-heading"' in page
    filtered = client.get("/dashboard/?overdue=1").content.decode()

    # then the filtered list comes right after the tiles, before the other sections
    assert filtered.index('id="list-heading"') < filtered.index('id="section-milestones"')
    assert page.index('id="list-heading"') > page.index('id="section-milestones"')


@pytest.mark.django_db
def test_dashboard_waiting_for_a_decision_is_the_models_rule(
    client, travel, chief, staff, cepa_member, survey
):
    # given a round with a review missing past its due date, and one missing not yet due
    reviewer2 = person(Role.CEPA_MEMBER, username="tesfaye", country="ETH")
    past = make(survey, staff, "missing past due", state=S.IN_REVIEW, versions=1)
    review_round(past, staff, [(cepa_member, A.SUBMITTED), (reviewer2, A.ACCEPTED)], due=days(-1))
    not_yet = make(survey, staff, "missing not due", state=S.IN_REVIEW, versions=1)
    review_round(not_yet, staff, [(cepa_member, A.SUBMITTED), (reviewer2, A.ACCEPTED)], due=days(1))

    # when the chief opens the cockpit
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then what waits is exactly Deliverable.objects.awaiting_decision
    expected = list(
        survey.deliverables.model.objects.awaiting_decision(TODAY).values_list("title", flat=True)
    )
    assert expected == ["missing past due"]
    assert [r.deliverable.title for r in response.context["decisions"]] == expected
    assert response.context["totals"].awaiting_decision == 1


def _sections_world(n: int, request, lead, by) -> None:
    for i in range(n):
        milestone(request, f"M{i}", days(i - n // 2), lead=lead)
        ContributionFactory(state=ContributionState.SUBMITTED, title=f"C{i}")
    for i in range(n):
        meeting = MeetingFactory(title=f"Meeting {i}", start=NOW + datetime.timedelta(days=i + 1))
        ParticipantFactory(meeting=meeting)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 12])
def test_cockpit_query_count_does_not_grow(
    client, django_assert_num_queries, travel, chief, staff, survey, rows
):
    # given `rows` deliverables, milestones, contributions and meetings
    reviewers = [person(Role.CEPA_MEMBER, username=name) for name in ("amina", "tesfaye")]
    _bulk_world(rows * 10, survey, staff, reviewers, staff)
    request = AdvisoryRequestFactory(state=RequestState.ACCEPTED, chief=chief)
    _sections_world(rows, request, request.lead, staff)
    client.force_login(chief)

    # when the chief opens the cockpit: a fixed number of queries (the overview's aggregates
    # computed, then reused), plus two per section of the higher apps
    with django_assert_num_queries(33):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    with django_assert_num_queries(18):
        client.get("/dashboard/")


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 12])
def test_division_query_count_does_not_grow(
    client, django_assert_num_queries, travel, chief, staff, secretariat_admin, survey, rows
):
    reviewers = [person(Role.CEPA_MEMBER, username=name) for name in ("amina", "tesfaye")]
    _bulk_world(rows * 10, survey, staff, reviewers, staff)
    request = AdvisoryRequestFactory(state=RequestState.ACCEPTED, chief=chief)
    _sections_world(rows, request, request.lead, staff)
    client.force_login(secretariat_admin)

    # when the secretariat opens the Division view: session, user, roles, profile, branches,
    # the change stamp, deliverables, waiting and reviews per branch, the apps' counts (4), the
    # navigation's
    with django_assert_num_queries(14):
        response = client.get("/dashboard/division/")
    assert response.status_code == 200
    # and again: the deliverable figures are reused until something changes
    with django_assert_num_queries(11):
        again = client.get("/dashboard/division/")
    assert again.context["branches"] == response.context["branches"]
    egov = next(b for b in response.context["branches"] if b.branch.code == "e-govb")
    assert egov.totals.deliverables == rows * 10


def test_cockpit_reasons_in_words():
    today = datetime.date(2026, 3, 2)
    assert cockpit.days_late(datetime.date(2026, 3, 1), today) == "1 day late"
    assert cockpit.days_late(today, today) is None
    assert cockpit.silent_for(datetime.date(2026, 2, 20), today, 10) == (
        "reviewer has not answered in 10 days"
    )
    assert cockpit.silent_for(datetime.date(2026, 2, 21), today, 10) is None
    assert timezone.is_aware(NOW)
