"""The advisory request pages, the CSV export and the admin, from the outside (Django's test
client): what each page shows, what its forms do, and how errors come back."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from advisory import queries
from advisory import services as advisory
from advisory.enums import DocumentKind, MilestoneState, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument
from knowledge import services as knowledge
from meetings.models import Meeting
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, member_state
from workflows import services as workflows
from workflows.enums import DeliverableKind, ProductKind

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def state_of(advisory_request) -> str:
    return AdvisoryRequest.objects.values_list("state", flat=True).get(pk=advisory_request.pk)


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_the_columns_of_each_visible_request(client, staff, request_in, ira):
    oman = request_in(S.FOLLOW_UP, title="Oman programme")
    due = timezone.localdate() + datetime.timedelta(days=12)
    advisory.add_milestone(ira, oman, title="Adopt the e-law", due_date=due)
    advisory.add_milestone(ira, oman, title="Later step", due_date=due + datetime.timedelta(9))
    request_in(S.RECEIVED, country="GHA", title="Ghana strategy")
    client.force_login(staff)

    html = html_of(client, "/advisory-requests/")

    assert "2 requests" in html
    assert f'<a href="/advisory-requests/{oman.pk}/">Oman programme</a>' in html
    assert "Ghana strategy" in html
    assert "Ines Rahal" in html
    assert (
        f'<td>Adopt the e-law<br><time datetime="{due:%Y-%m-%d}">{due:%-d %B %Y}</time> '
        '<span class="due due--later">in 12 days</span></td>'
    ) in html
    assert "Later step" not in html
    assert "Assessment of an e-government programme" in html
    assert "In follow-up" in html
    assert 'href="/advisory-requests/new/"' in html


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("country={oman}", ["Oman programme"]),
        ("state=received", ["Ghana strategy"]),
        ("kind=strategy", ["Ghana strategy"]),
        ("branch={egovb}", ["Ghana strategy", "Oman programme"]),
        ("state=closed", []),
        ("state=nonsense", ["Ghana strategy", "Oman programme"]),
    ],
)
def test_list_filters(client, staff, request_in, query, titles):
    request_in(S.ACCEPTED, title="Oman programme")
    request_in(S.RECEIVED, country="GHA", title="Ghana strategy", kind="strategy")
    client.force_login(staff)
    url = "/advisory-requests/?" + query.format(
        oman=member_state("OMN").pk, egovb=branch("e-govb").pk
    )

    page = client.get(url).context["page"]

    assert sorted(r.title for r in page.object_list) == titles


def test_list_is_paginated_by_fifty(client, staff, request_in):
    first = request_in(S.RECEIVED)
    AdvisoryRequest.objects.bulk_create(
        AdvisoryRequest(
            country=first.country,
            branch=first.branch,
            kind=first.kind,
            channel=first.channel,
            received_on=first.received_on,
            title=f"Request {i}",
            description="d",
            created_by=staff,
        )
        for i in range(50)
    )
    client.force_login(staff)

    second = client.get("/advisory-requests/?page=2")

    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_list_hides_the_filters_for_a_single_row_but_not_once_filtered(client, staff, request_in):
    request_in(S.RECEIVED, title="Only one")
    client.force_login(staff)

    single = html_of(client, "/advisory-requests/")
    filtered = html_of(client, "/advisory-requests/?state=closed")
    bad_filter = html_of(client, "/advisory-requests/?state=nonsense")
    request_in(S.RECEIVED, country="GHA", title="Another")
    two = html_of(client, "/advisory-requests/")

    assert "Only one" in single
    assert 'class="filter-panel"' not in single
    assert '<details class="filter-panel" open>' in filtered
    assert '<p class="empty">No requests match these filters.</p>' in filtered
    assert '<details class="filter-panel">' in two
    # A value the filter does not know is ignored: the list is not a page in error.
    assert "<title>Technical cooperation · CEPA Collab</title>" in bad_filter


def test_list_shows_the_state_and_an_overdue_milestone(client, staff, request_in, ira):
    late = request_in(S.FOLLOW_UP, title="Late programme")
    due = timezone.localdate() + datetime.timedelta(days=1)
    advisory.add_milestone(ira, late, title="Adopt the e-law", due_date=due)
    client.force_login(staff)

    with time_machine.travel(datetime.timedelta(days=4)):
        html = html_of(client, "/advisory-requests/")

    assert '<td><strong class="tag tag--follow_up">In follow-up</strong></td>' in html
    assert '<span class="due due--overdue">3 days overdue</span>' in html


def test_milestone_overdue_rule_is_the_models(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)
    soon = timezone.localdate() + datetime.timedelta(days=1)
    for title in ("Late", "Done", "Later"):
        advisory.add_milestone(
            ira,
            follow_up,
            title=title,
            due_date=soon + datetime.timedelta(days=30 if title == "Later" else 0),
        )
    advisory.complete_milestone(ira, follow_up.milestones.get(title="Done"))

    with time_machine.travel(datetime.timedelta(days=3)):
        overdue = {m.title: m.overdue for m in follow_up.milestones.all()}
        listed = queries.with_next_milestone(AdvisoryRequest.objects.filter(pk=follow_up.pk))
        row = listed.get()
        next_one = (row.next_milestone_title, row.next_milestone_overdue)

    assert overdue == {"Late": True, "Done": False, "Later": False}
    assert next_one == ("Late", True)


def test_list_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/advisory-requests/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/advisory-requests/",
    )


def test_list_of_a_focal_point_holds_their_country_only_and_no_create_link(
    client, focal_point, request_in
):
    request_in(S.RECEIVED, title="Oman programme")
    request_in(S.RECEIVED, country="GHA", title="Ghana strategy")
    client.force_login(focal_point)

    html = html_of(client, "/advisory-requests/")

    assert "Oman programme" in html
    assert "Ghana strategy" not in html
    assert 'href="/advisory-requests/new/"' not in html


def _seed(count: int, staff, ira) -> None:
    oman = member_state("OMN")
    rows = AdvisoryRequest.objects.bulk_create(
        AdvisoryRequest(
            country=oman,
            branch=branch("e-govb"),
            kind="assessment",
            channel="letter",
            received_on=datetime.date(2026, 1, 1),
            title=f"Request {i}",
            description="d",
            state=S.FOLLOW_UP,
            lead=ira,
            created_by=staff,
        )
        for i in range(count)
    )
    Milestone.objects.bulk_create(
        Milestone(request=r, title="Step", due_date=datetime.date(2027, 1, 1), lead=ira)
        for r in rows
    )


# Session, user, roles, profile, the header's unread count (and for staff the "My reviews"
# check of the navigation), the two filter lists, count, page.
@pytest.mark.parametrize(("who", "queries"), [("staff", 10), ("focal_point", 9)])
def test_list_runs_a_fixed_number_of_queries(
    client, request, staff, ira, who, queries, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(who))
    _seed(10, staff, ira)
    with django_assert_num_queries(queries):
        small = client.get("/advisory-requests/?state=follow_up")
    assert small.status_code == 200
    _seed(90, staff, ira)

    with django_assert_num_queries(queries):
        large = client.get("/advisory-requests/?state=follow_up")
    assert large.status_code == 200

    assert AdvisoryRequest.objects.count() == 100


# --- the CSV export -----------------------------------------------------------------------


def export(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/advisory-requests/export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="advisory-requests-')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_holds_the_filtered_visible_rows(client, staff, request_in, ira):
    oman = request_in(S.FOLLOW_UP, title="Oman programme")
    due = timezone.localdate() + datetime.timedelta(days=12)
    advisory.add_milestone(ira, oman, title="Adopt the e-law", due_date=due)
    request_in(S.RECEIVED, country="GHA", title="Ghana strategy")
    client.force_login(staff)

    rows = export(client, "?state=follow_up")

    assert rows == [
        [
            "Member State",
            "title",
            "kind of support",
            "state",
            "branch",
            "lead",
            "received on",
            "next milestone",
            "next milestone due",
        ],
        [
            "Oman",
            "Oman programme",
            "Assessment of an e-government programme",
            "In follow-up",
            "e-govb",
            "Ines Rahal",
            oman.received_on.isoformat(),
            "Adopt the e-law",
            due.isoformat(),
        ],
    ]


def test_export_neutralises_formulas(client, staff, request_in, ira):
    request_in(S.ACCEPTED, title='=HYPERLINK("http://evil.example","x")')
    follow_up = request_in(S.FOLLOW_UP, title="+cmd|' /C calc'!A0")
    advisory.add_milestone(ira, follow_up, title="@SUM(1+1)", due_date=timezone.localdate())
    client.force_login(staff)

    rows = export(client)

    titles = sorted(row[1] for row in rows[1:])
    assert titles == ["'+cmd|' /C calc'!A0", '\'=HYPERLINK("http://evil.example","x")']
    assert [row[7] for row in rows[1:] if row[7]] == ["'@SUM(1+1)"]


@pytest.mark.parametrize(
    ("who", "titles"),
    [
        ("staff", ["Ghana strategy", "Oman programme"]),
        ("focal_point", ["Oman programme"]),
        ("other_focal_point", ["Ghana strategy"]),
        ("other_branch_staff", []),
        ("cepa_member", []),
    ],
)
def test_export_holds_only_what_the_viewer_may_see(client, request, request_in, who, titles):
    request_in(S.ACCEPTED, title="Oman programme")
    request_in(S.RECEIVED, country="GHA", title="Ghana strategy")
    client.force_login(request.getfixturevalue(who))

    rows = export(client)

    assert sorted(row[1] for row in rows[1:]) == titles


def test_export_sends_anonymous_visitors_to_sign_in(client):
    assert client.get("/advisory-requests/export.csv").status_code == 302


def test_list_links_the_export_with_the_filters(client, staff, request_in):
    request_in(S.RECEIVED)
    client.force_login(staff)

    html = html_of(client, "/advisory-requests/?state=received&page=2")

    assert 'href="/advisory-requests/export.csv?state=received"' in html


# --- recording a request --------------------------------------------------------------------


def test_create_page_records_the_request(client, staff):
    client.force_login(staff)
    form = html_of(client, "/advisory-requests/new/")

    response = client.post(
        "/advisory-requests/new/",
        {
            "country": member_state("OMN").pk,
            "branch": branch("e-govb").pk,
            "kind": "strategy",
            "channel": "email",
            "received_on": "2026-11-02",
            "title": "National e-government strategy",
            "description": "Oman asks for support.",
        },
    )

    created = AdvisoryRequest.objects.get()
    assert 'for="id_received_on"' in form
    assert (response.status_code, response["Location"]) == (
        302,
        f"/advisory-requests/{created.pk}/",
    )
    assert (created.title, created.state, created.created_by, created.country.iso3) == (
        "National e-government strategy",
        S.RECEIVED,
        staff,
        "OMN",
    )


def test_create_page_shows_service_errors_and_keeps_the_input(client, staff):
    client.force_login(staff)
    future = timezone.localdate() + datetime.timedelta(days=5)

    response = client.post(
        "/advisory-requests/new/",
        {
            "country": member_state("OMN").pk,
            "branch": branch("e-govb").pk,
            "kind": "strategy",
            "channel": "email",
            "received_on": future.isoformat(),
            "title": "Kept title",
            "description": "Kept description",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The request cannot be received in the future." in html
    assert 'value="Kept title"' in html
    assert AdvisoryRequest.objects.count() == 0


def test_create_page_offers_only_the_own_branch(client, staff):
    client.force_login(staff)

    response = client.post(
        "/advisory-requests/new/",
        {
            "country": member_state("OMN").pk,
            "branch": branch("pacb").pk,
            "kind": "strategy",
            "channel": "email",
            "received_on": "2026-11-02",
            "title": "T",
            "description": "D",
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["branch"]
    assert AdvisoryRequest.objects.count() == 0


@pytest.mark.parametrize("who", ["cepa_member", "focal_point", "secretariat_admin"])
def test_create_page_is_refused_to_others(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/advisory-requests/new/").status_code == 403
    assert client.post("/advisory-requests/new/", {"title": "x"}).status_code == 403
    assert AdvisoryRequest.objects.count() == 0


# --- the request page: state and actions --------------------------------------------------------


def test_chief_sees_accept_with_lead_and_decline_behind_a_confirmation(client, chief, request_in):
    received = request_in(S.RECEIVED)
    client.force_login(chief)

    html = html_of(client, f"/advisory-requests/{received.pk}/")
    confirm = html_of(client, f"/advisory-requests/{received.pk}/transition/decline/")

    assert '<h3 id="transition-accept">Accept</h3>' in html
    assert '<select name="lead" id="id_accept_lead">' in html
    assert ">Ines Rahal</option>" in html
    # Declining ends the request: the request's page only links to the page that confirms it.
    assert 'value="decline"' not in html
    assert (
        f'<a class="button button--secondary" href="/advisory-requests/{received.pk}/transition/'
        'decline/">Decline the request</a>'
    ) in html
    assert "<h1>Decline this request?</h1>" in confirm
    assert "Reason for declining (required)" in confirm
    assert '<input type="hidden" name="confirmed" value="1">' in confirm
    assert (
        '<button type="submit" class="button button--warning">Decline the request</button>'
        in confirm
    )


def test_decline_confirmed_with_a_reason_declines(client, chief, request_in):
    received = request_in(S.RECEIVED)
    client.force_login(chief)

    response = client.post(
        f"/advisory-requests/{received.pk}/transition/",
        {"transition": "decline", "comment": "Not ours.", "confirmed": "1"},
    )

    declined = AdvisoryRequest.objects.get(pk=received.pk)
    assert response.status_code == 302
    assert (declined.state, declined.decline_reason) == (S.DECLINED, "Not ours.")


def test_decline_posted_without_confirmation_asks_first_and_changes_nothing(
    client, chief, request_in
):
    received = request_in(S.RECEIVED)
    client.force_login(chief)

    response = client.post(
        f"/advisory-requests/{received.pk}/transition/",
        {"transition": "decline", "comment": "Not ours."},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Decline this request?</h1>" in html
    assert ">\nNot ours.</textarea>" in html
    assert state_of(received) == S.RECEIVED


@pytest.mark.parametrize(
    ("who", "name", "status"),
    [("staff", "decline", 403), ("chief", "accept", 404), ("chief", "nonsense", 404)],
)
def test_confirmation_page_is_refused_to_others_and_for_other_actions(
    client, request, request_in, who, name, status
):
    received = request_in(S.RECEIVED)
    client.force_login(request.getfixturevalue(who))

    response = client.get(f"/advisory-requests/{received.pk}/transition/{name}/")

    assert response.status_code == status
    assert state_of(received) == S.RECEIVED


def test_confirmation_page_of_a_request_already_declined_says_so(client, chief, request_in):
    declined = request_in(S.DECLINED)
    client.force_login(chief)

    response = client.get(f"/advisory-requests/{declined.pk}/transition/close/", follow=True)

    assert response.redirect_chain == [(f"/advisory-requests/{declined.pk}/", 302)]
    assert "“Close” is not possible: the request is now declined." in response.content.decode()


def test_accept_on_the_page_names_the_lead(client, chief, request_in, ira):
    received = request_in(S.RECEIVED)
    client.force_login(chief)

    response = client.post(
        f"/advisory-requests/{received.pk}/transition/",
        {"transition": "accept", "lead": ira.pk, "comment": ""},
    )

    accepted = AdvisoryRequest.objects.get(pk=received.pk)
    assert response.status_code == 302
    assert (accepted.state, accepted.lead) == (S.ACCEPTED, ira)


def test_decline_without_reason_shows_the_error_and_changes_nothing(client, chief, request_in):
    received = request_in(S.RECEIVED)
    client.force_login(chief)

    response = client.post(
        f"/advisory-requests/{received.pk}/transition/",
        {"transition": "decline", "comment": "", "confirmed": "1"},
    )

    assert response.status_code == 400
    assert "<h1>Decline this request?</h1>" in response.content.decode()
    assert "<title>Error: Decline this request? · CEPA Collab</title>" in response.content.decode()
    assert "Give the reason for declining." in response.content.decode()
    assert state_of(received) == S.RECEIVED


def test_transition_by_staff_is_forbidden_and_changes_nothing(client, staff, request_in, ira):
    received = request_in(S.RECEIVED)
    client.force_login(staff)

    html = html_of(client, f"/advisory-requests/{received.pk}/")
    response = client.post(
        f"/advisory-requests/{received.pk}/transition/", {"transition": "accept", "lead": ira.pk}
    )

    assert "What you can do" not in html
    assert response.status_code == 403
    assert state_of(received) == S.RECEIVED


def test_transition_no_longer_possible_is_a_message(client, chief, request_in):
    declined = request_in(S.DECLINED)
    client.force_login(chief)

    response = client.post(
        f"/advisory-requests/{declined.pk}/transition/",
        {"transition": "close", "comment": "", "confirmed": "1"},
        follow=True,
    )

    assert "“Close” is not possible: the request is now declined." in response.content.decode()
    assert state_of(declined) == S.DECLINED


def test_declined_request_shows_the_reason_to_the_focal_point(client, focal_point, request_in):
    declined = request_in(S.DECLINED)
    client.force_login(focal_point)

    html = html_of(client, f"/advisory-requests/{declined.pk}/")

    assert "Outside our mandate." in html


# --- team and mission ----------------------------------------------------------------------------


def test_team_is_internal(client, staff, focal_point, request_in):
    drafted = request_in(S.PLAN_DRAFTED)
    client.force_login(staff)
    staff_html = html_of(client, f"/advisory-requests/{drafted.pk}/")
    client.force_login(focal_point)
    focal_html = html_of(client, f"/advisory-requests/{drafted.pk}/")

    assert "Tomas Mensah" in staff_html
    assert "Tomas Mensah" not in focal_html
    assert 'id="team-heading"' not in focal_html


def test_team_form_saves_the_team(client, ira, staff, request_in):
    accepted = request_in(S.ACCEPTED)
    client.force_login(ira)

    response = client.post(f"/advisory-requests/{accepted.pk}/team/", {"members": [staff.pk]})

    assert response.status_code == 302
    assert list(accepted.team.values_list("username", flat=True)) == ["staff"]


def test_team_form_by_staff_is_forbidden(client, staff, request_in):
    accepted = request_in(S.ACCEPTED)
    client.force_login(staff)

    response = client.post(f"/advisory-requests/{accepted.pk}/team/", {"members": [staff.pk]})

    assert response.status_code == 403
    assert list(accepted.team.values_list("username", flat=True)) == ["teammate"]


def test_mission_form_reads_times_in_the_chosen_zone(client, ira, request_in):
    accepted = request_in(S.ACCEPTED)
    client.force_login(ira)
    html = html_of(client, f"/advisory-requests/{accepted.pk}/")

    response = client.post(
        f"/advisory-requests/{accepted.pk}/mission/",
        {
            "time_zone": "Asia/Muscat",
            "start": "2027-02-08T09:00",
            "end": "2027-02-11T17:00",
            "location": "Muscat, Ministry of Transport and ICT",
            "title": "",
        },
    )

    planned = AdvisoryRequest.objects.get(pk=accepted.pk)
    muscat = ZoneInfo("Asia/Muscat")
    assert "Schedule the assessment mission" in html
    assert response.status_code == 302
    assert planned.state == S.MISSION_PLANNED
    assert (planned.mission.start, planned.mission.end) == (
        datetime.datetime(2027, 2, 8, 9, 0, tzinfo=muscat),
        datetime.datetime(2027, 2, 11, 17, 0, tzinfo=muscat),
    )
    assert planned.mission.location == "Muscat, Ministry of Transport and ICT"


def test_mission_form_errors_come_back_on_the_page(client, ira, request_in):
    accepted = request_in(S.ACCEPTED)
    client.force_login(ira)

    response = client.post(
        f"/advisory-requests/{accepted.pk}/mission/",
        {"time_zone": "Asia/Muscat", "start": "2027-02-08T09:00", "end": "2027-02-07T09:00"},
    )

    assert response.status_code == 400
    assert "The mission must end after it starts." in response.content.decode()
    assert (state_of(accepted), Meeting.objects.count()) == (S.ACCEPTED, 0)


def test_mission_form_by_staff_is_forbidden(client, staff, request_in):
    accepted = request_in(S.ACCEPTED)
    client.force_login(staff)

    response = client.post(
        f"/advisory-requests/{accepted.pk}/mission/",
        {"time_zone": "UTC", "start": "2027-02-08T09:00", "end": "2027-02-09T09:00"},
    )

    assert response.status_code == 403
    assert Meeting.objects.count() == 0


def test_mission_block_links_the_meeting_for_those_who_see_it(client, ira, focal_point, request_in):
    planned = request_in(S.MISSION_PLANNED)
    client.force_login(ira)
    ira_html = html_of(client, f"/advisory-requests/{planned.pk}/")
    client.force_login(focal_point)
    focal_html = html_of(client, f"/advisory-requests/{planned.pk}/")

    link = f'<a href="/meetings/{planned.mission_id}/">Assessment mission: Oman</a>'
    assert link in ira_html
    assert link not in focal_html
    assert "Assessment mission: Oman" in focal_html
    assert "Muscat" in focal_html
    assert "(Asia/Muscat)" in focal_html


# --- documents ------------------------------------------------------------------------------


def test_documents_are_grouped_by_kind_with_download_links(client, staff, request_in):
    drafted = request_in(S.PLAN_DRAFTED)
    client.force_login(staff)

    html = html_of(client, f"/advisory-requests/{drafted.pk}/")

    for document in drafted.documents.all():
        assert f'href="/advisory-requests/{drafted.pk}/documents/{document.pk}/download/"' in html
    assert '<h3 id="documents-mission_report">Mission report</h3>' in html
    assert '<h3 id="documents-analysis">Analysis (strengths and weaknesses)</h3>' in html
    assert '<h3 id="documents-plan_of_action">Plan of action</h3>' in html


def test_upload_form_adds_a_version(client, team_member, request_in):
    analysis = request_in(S.ANALYSIS)
    client.force_login(team_member)

    response = client.post(
        f"/advisory-requests/{analysis.pk}/documents/",
        {"kind": "plan_of_action", "file": pdf("plan-v2.pdf"), "notes": "Revised"},
    )

    latest = RequestDocument.objects.filter(request=analysis, kind="plan_of_action").first()
    assert response.status_code == 302
    assert (latest.number, latest.notes, latest.uploaded_by) == (2, "Revised", team_member)


def test_upload_form_rejects_what_is_not_a_document(client, ira, request_in):
    analysis = request_in(S.ANALYSIS)
    client.force_login(ira)
    before = RequestDocument.objects.count()

    response = client.post(
        f"/advisory-requests/{analysis.pk}/documents/",
        {"kind": "analysis", "file": SimpleUploadedFile("a.pdf", b"hello"), "notes": ""},
    )

    assert response.status_code == 400
    assert "checked by content" in response.content.decode()
    assert RequestDocument.objects.count() == before


def test_upload_form_by_staff_is_forbidden(client, staff, request_in):
    analysis = request_in(S.ANALYSIS)
    client.force_login(staff)
    before = RequestDocument.objects.count()

    response = client.post(
        f"/advisory-requests/{analysis.pk}/documents/", {"kind": "analysis", "file": pdf()}
    )

    assert response.status_code == 403
    assert RequestDocument.objects.count() == before


def test_download_serves_the_file_privately(client, staff, request_in):
    drafted = request_in(S.PLAN_DRAFTED)
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)
    client.force_login(staff)

    response = client.get(f"/advisory-requests/{drafted.pk}/documents/{plan.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        'attachment; filename="e-government-assessment-omn-plan-of-action-v1.pdf"'
    )


def test_download_of_a_document_of_another_request_is_404(client, staff, request_in):
    first = request_in(S.ACCEPTED)
    drafted = request_in(S.PLAN_DRAFTED, title="Other")
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)
    client.force_login(staff)

    response = client.get(f"/advisory-requests/{first.pk}/documents/{plan.pk}/download/")

    assert response.status_code == 404


def test_focal_point_page_shows_only_the_plan_once_drafted(client, focal_point, request_in):
    analysis = request_in(S.ANALYSIS)
    drafted = request_in(S.PLAN_DRAFTED, title="Drafted")
    client.force_login(focal_point)

    analysis_html = html_of(client, f"/advisory-requests/{analysis.pk}/")
    drafted_html = html_of(client, f"/advisory-requests/{drafted.pk}/")

    assert "/download/" not in analysis_html
    assert "No document to show yet." in analysis_html
    assert drafted_html.count("/download/") == 1
    assert "Plan of action" in drafted_html
    assert "Mission report" not in drafted_html
    assert "Analysis (strengths" not in drafted_html
    assert 'id="id_upload_file"' not in drafted_html


# --- milestones -----------------------------------------------------------------------------


def test_milestone_form_adds_one(client, ira, request_in, staff):
    follow_up = request_in(S.FOLLOW_UP)
    client.force_login(ira)

    response = client.post(
        f"/advisory-requests/{follow_up.pk}/milestones/",
        {"title": "Draft the e-law", "due_date": "2027-03-01", "lead": staff.pk},
    )

    milestone = Milestone.objects.get()
    assert response.status_code == 302
    assert (milestone.title, milestone.due_date, milestone.lead) == (
        "Draft the e-law",
        datetime.date(2027, 3, 1),
        staff,
    )


def test_milestone_form_without_date_shows_the_error(client, ira, request_in):
    follow_up = request_in(S.FOLLOW_UP)
    client.force_login(ira)

    response = client.post(
        f"/advisory-requests/{follow_up.pk}/milestones/", {"title": "Law", "due_date": ""}
    )

    assert response.status_code == 400
    assert response.context["errors"][0].errors == {"due_date": ["Enter the milestone's due date."]}
    assert '<a href="#id_milestone_due_date">Enter the milestone&#x27;s due date.</a>' in (
        response.content.decode()
    )
    assert Milestone.objects.count() == 0


@pytest.fixture
def milestone(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)
    return advisory.add_milestone(
        ira, follow_up, title="Adopt the e-law", due_date=datetime.date(2027, 3, 1)
    )


def test_milestone_done_button_closes_it(client, ira, milestone):
    client.force_login(ira)
    html = html_of(client, f"/advisory-requests/{milestone.request_id}/")

    response = client.post(
        f"/advisory-requests/{milestone.request_id}/milestones/{milestone.pk}/complete/",
        {"outcome": "done"},
    )

    assert "Mark “Adopt the e-law” done" in html
    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.DONE


def test_milestone_cancel_goes_through_a_confirmation_page(client, ira, milestone):
    client.force_login(ira)
    base = f"/advisory-requests/{milestone.request_id}/milestones/{milestone.pk}"
    html = html_of(client, f"/advisory-requests/{milestone.request_id}/")
    confirm = html_of(client, f"{base}/cancel/")

    response = client.post(f"{base}/complete/", {"outcome": "cancelled", "confirmed": "1"})

    assert 'value="cancelled"' not in html
    assert f'<a href="{base}/cancel/">Cancel “Adopt the e-law”</a>' in html
    assert "<h1>Cancel the milestone “Adopt the e-law”?</h1>" in confirm
    assert (
        '<button type="submit" class="button button--warning">Cancel the milestone</button>'
        in confirm
    )
    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.CANCELLED


def test_milestone_cancel_posted_without_confirmation_asks_first(client, ira, milestone):
    client.force_login(ira)

    response = client.post(
        f"/advisory-requests/{milestone.request_id}/milestones/{milestone.pk}/complete/",
        {"outcome": "cancelled"},
    )

    assert response.status_code == 200
    assert "<h1>Cancel the milestone “Adopt the e-law”?</h1>" in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.OPEN


def test_milestone_due_date_form_moves_it(client, team_member, milestone):
    client.force_login(team_member)

    response = client.post(
        f"/advisory-requests/{milestone.request_id}/milestones/{milestone.pk}/due-date/",
        {"due_date": "2027-04-15"},
    )

    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).due_date == datetime.date(2027, 4, 15)


@pytest.mark.parametrize("who", ["staff", "focal_point"])
def test_milestone_actions_by_others_are_forbidden(client, request, milestone, who):
    client.force_login(request.getfixturevalue(who))
    base = f"/advisory-requests/{milestone.request_id}/milestones/{milestone.pk}"

    html = html_of(client, f"/advisory-requests/{milestone.request_id}/")
    moved = client.post(f"{base}/due-date/", {"due_date": "2027-04-15"})
    closed = client.post(f"{base}/complete/", {"outcome": "done"})
    confirm = client.get(f"{base}/cancel/")
    cancelled = client.post(f"{base}/complete/", {"outcome": "cancelled"})

    unchanged = Milestone.objects.get(pk=milestone.pk)
    assert "Adopt the e-law" in html
    assert "Mark “Adopt the e-law” done" not in html
    assert f"{base}/cancel/" not in html
    assert (moved.status_code, closed.status_code) == (403, 403)
    assert (confirm.status_code, cancelled.status_code) == (403, 403)
    assert (unchanged.state, unchanged.due_date) == (MilestoneState.OPEN, datetime.date(2027, 3, 1))


def test_milestone_of_another_request_is_404(client, ira, milestone, request_in):
    other = request_in(S.FOLLOW_UP, title="Other")
    client.force_login(ira)

    response = client.post(
        f"/advisory-requests/{other.pk}/milestones/{milestone.pk}/complete/", {"outcome": "done"}
    )

    assert response.status_code == 404
    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.OPEN


# --- comments -------------------------------------------------------------------------------


def test_staff_comment_form_has_the_internal_box_and_the_focal_points_has_none(
    client, staff, focal_point, request_in
):
    drafted = request_in(S.PLAN_DRAFTED)
    client.force_login(staff)
    staff_html = html_of(client, f"/advisory-requests/{drafted.pk}/")
    client.force_login(focal_point)
    focal_html = html_of(client, f"/advisory-requests/{drafted.pk}/")

    assert 'name="internal"' in staff_html
    assert 'name="text"' in focal_html
    assert 'name="internal"' not in focal_html


def test_staff_internal_comment_is_hidden_from_the_focal_point(
    client, staff, focal_point, request_in
):
    drafted = request_in(S.PLAN_DRAFTED)
    client.force_login(staff)

    client.post(
        f"/advisory-requests/{drafted.pk}/comments/", {"text": "Budget is tight", "internal": "on"}
    )
    client.post(f"/advisory-requests/{drafted.pk}/comments/", {"text": "Welcome, Oman"})
    client.force_login(focal_point)
    focal_html = html_of(client, f"/advisory-requests/{drafted.pk}/")

    assert list(Comment.objects.values_list("text", "internal")) == [
        ("Budget is tight", True),
        ("Welcome, Oman", False),
    ]
    assert "Budget is tight" not in focal_html
    assert "Welcome, Oman" in focal_html
    assert "internal note" not in focal_html.replace("Internal note (hidden", "")


def test_focal_point_comment_on_the_plan(client, focal_point, request_in):
    drafted = request_in(S.PLAN_DRAFTED)
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)
    client.force_login(focal_point)

    response = client.post(
        f"/advisory-requests/{drafted.pk}/comments/",
        {"text": "Please add a milestone on the data law.", "document": plan.pk, "internal": "on"},
    )

    assert response.status_code == 302
    assert list(Comment.objects.values_list("author__username", "document", "internal")) == [
        ("focal", plan.pk, False)
    ]


def test_focal_point_comment_on_the_mission_report_is_refused_as_a_bad_choice(
    client, focal_point, request_in
):
    drafted = request_in(S.PLAN_DRAFTED)
    report = drafted.documents.get(kind=DocumentKind.MISSION_REPORT)
    client.force_login(focal_point)

    response = client.post(
        f"/advisory-requests/{drafted.pk}/comments/", {"text": "About it", "document": report.pk}
    )

    assert response.status_code == 400
    assert list(response.context["errors"][0].errors) == ["document"]
    assert Comment.objects.count() == 0


def test_empty_comment_shows_the_error(client, staff, request_in):
    accepted = request_in(S.ACCEPTED)
    client.force_login(staff)

    response = client.post(f"/advisory-requests/{accepted.pk}/comments/", {"text": "  "})

    assert response.status_code == 400
    assert Comment.objects.count() == 0


# --- knowledge links ---------------------------------------------------------------------------


def test_knowledge_links_list_the_deliverables_the_viewer_may_see(
    client, chief, staff, focal_point, request_in
):
    drafted = request_in(S.PLAN_DRAFTED)
    product = workflows.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
    )
    chapter = workflows.create_deliverable(
        chief,
        product=product,
        owner=staff,
        title="Chapter 4: Oman",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2027, 6, 1),
    )
    knowledge.link_request(staff, chapter, drafted, "Findings of the mission")
    client.force_login(staff)
    staff_html = html_of(client, f"/advisory-requests/{drafted.pk}/")
    client.force_login(focal_point)
    focal_html = html_of(client, f"/advisory-requests/{drafted.pk}/")

    assert f'<a href="/deliverables/{chapter.pk}/">Chapter 4: Oman</a>' in staff_html
    assert "Findings of the mission" in staff_html
    assert "Chapter 4: Oman" not in focal_html
    assert "Deliverables this request informed" not in focal_html


# --- navigation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [("staff", True), ("ira", True), ("focal_point", True), ("cepa_member", False)],
)
def test_navigation_offers_technical_cooperation_to_those_who_see_requests(
    client, request, who, shown
):
    client.force_login(request.getfixturevalue(who))

    html = html_of(client, "/")

    assert ('href="/advisory-requests/">Technical cooperation</a>' in html) == shown


def test_navigation_marks_the_list_as_current(client, staff):
    client.force_login(staff)

    html = html_of(client, "/advisory-requests/")

    assert 'href="/advisory-requests/" aria-current="page">Technical cooperation</a>' in html
    assert 'href="/meetings/" aria-current="page"' not in html


# --- admin ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/advisory/advisoryrequest/",
        "/admin/advisory/advisoryrequest/{pk}/change/",
        "/admin/advisory/requestdocument/",
        "/admin/advisory/milestone/",
        "/admin/advisory/comment/",
        "/admin/advisory/advisoryrequest/add/",
    ],
)
def test_admin_pages_open(client, superuser, request_in, path):
    drafted = request_in(S.PLAN_DRAFTED)
    client.force_login(superuser)

    assert client.get(path.format(pk=drafted.pk)).status_code == 200


def test_admin_never_edits_the_state(client, superuser, request_in):
    received = request_in(S.RECEIVED)
    client.force_login(superuser)

    form = (
        client.get(f"/admin/advisory/advisoryrequest/{received.pk}/change/")
        .context["adminform"]
        .form
    )

    assert "state" not in form.fields
    assert "lead" not in form.fields


def test_admin_action_fires_the_transition_through_the_service(client, superuser, request_in, ira):
    received = request_in(S.RECEIVED)
    client.force_login(superuser)

    client.post(
        "/admin/advisory/advisoryrequest/",
        {
            "action": "fire_accept",
            helpers.ACTION_CHECKBOX_NAME: [received.pk],
            "lead": "ira",
            "comment": "",
        },
    )

    accepted = AdvisoryRequest.objects.get(pk=received.pk)
    assert (accepted.state, accepted.lead) == (S.ACCEPTED, ira)


def test_admin_action_decline_without_reason_changes_nothing(client, superuser, request_in):
    received = request_in(S.RECEIVED)
    client.force_login(superuser)

    response = client.post(
        "/admin/advisory/advisoryrequest/",
        {"action": "fire_decline", helpers.ACTION_CHECKBOX_NAME: [received.pk], "comment": ""},
        follow=True,
    )

    assert "Give the reason for declining." in response.content.decode()
    assert state_of(received) == S.RECEIVED


def test_admin_add_records_through_the_service(client, superuser):
    client.force_login(superuser)

    response = client.post(
        "/admin/advisory/advisoryrequest/add/",
        {
            "country": member_state("GHA").pk,
            "branch": branch("e-govb").pk,
            "kind": "workshop",
            "channel": "email",
            "received_on": "2026-10-01",
            "title": "Capacity workshop",
            "description": "Ghana asks for a workshop.",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )

    created = AdvisoryRequest.objects.get()
    assert response.status_code == 302
    assert (created.title, created.state, created.created_by) == (
        "Capacity workshop",
        S.RECEIVED,
        superuser,
    )


def test_admin_milestone_action_closes_through_the_service(client, superuser, milestone):
    client.force_login(superuser)

    client.post(
        "/admin/advisory/milestone/",
        {"action": "mark_done", helpers.ACTION_CHECKBOX_NAME: [milestone.pk]},
    )

    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.DONE


def test_admin_is_closed_to_branch_staff(client, staff):
    client.force_login(staff)

    assert client.get("/admin/advisory/advisoryrequest/").status_code == 302


def test_admin_change_page_queries_do_not_grow_with_documents_milestones_comments(
    client, superuser, request_in, ira, pdf_file
):

    drafted = request_in(S.PLAN_DRAFTED)
    advisory.send_plan_for_review(
        ira, drafted, due_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    client.force_login(superuser)
    url = f"/admin/advisory/advisoryrequest/{drafted.pk}/change/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    advisory.fire_transition(ira, drafted, "start_analysis")

    def add(numbers) -> None:
        for number in numbers:
            advisory.upload_document(
                ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file(f"{number}.pdf")
            )
            advisory.add_milestone(
                ira,
                drafted,
                title=f"Step {number}",
                due_date=timezone.localdate() + datetime.timedelta(days=number),
            )
            advisory.add_comment(ira, drafted, f"Note {number}", internal=True)

    add([1])
    count()  # the first visit fills caches (content types, the session)
    few = count()
    add([2, 3, 4, 5])

    assert count() == few
