"""The advisory API under /api/v1/ (advisory-requests, milestones), from the outside with
APIClient: filters, what each person receives, and the HTTP answer to each service error."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from advisory import services as advisory
from advisory.enums import DocumentKind, MilestoneState, RequestState
from advisory.models import AdvisoryRequest, Comment, Milestone, RequestDocument
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, member_state

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState
API = "/api/v1"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def state_of(advisory_request) -> str:
    return AdvisoryRequest.objects.values_list("state", flat=True).get(pk=advisory_request.pk)


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- the list -------------------------------------------------------------------------------


def test_list_needs_authentication():
    response = APIClient().get(f"{API}/advisory-requests/")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["oman", "ghana"]),
        ({"country": "OMN"}, ["oman"]),
        ({"state": "received"}, ["ghana"]),
        ({"kind": "strategy"}, ["ghana"]),
        ({"branch": "e-govb"}, ["oman", "ghana"]),
        ({"branch": "pacb"}, []),
    ],
)
def test_list_filters(request_in, staff, query, expected):
    made = {
        "oman": request_in(S.ACCEPTED),
        "ghana": request_in(S.RECEIVED, country="GHA", kind="strategy"),
    }

    listed = ids(client_for(staff).get(f"{API}/advisory-requests/", query))

    assert sorted(listed) == sorted(made[name].pk for name in expected)


def test_list_filter_with_an_unknown_state_names_it(staff):
    response = client_for(staff).get(f"{API}/advisory-requests/", {"state": "lost"})

    assert response.status_code == 400
    assert list(response.json()) == ["state"]


# --- one request: what each person receives ------------------------------------------------------


def test_detail_for_the_division_holds_the_internal_fields(request_in, staff, ira, team_member):
    planned = request_in(S.MISSION_PLANNED)

    data = client_for(staff).get(f"{API}/advisory-requests/{planned.pk}/").json()

    assert data["lead"] == ira.pk
    assert data["lead_name"] == "Ines Rahal"
    assert data["team"] == [team_member.pk]
    assert data["created_by"] == staff.pk
    assert data["mission"]["id"] == planned.mission_id
    assert data["mission"]["time_zone"] == "Asia/Muscat"
    assert (data["state"], data["state_label"], data["country"]) == (
        "mission_planned",
        "Assessment mission planned",
        "OMN",
    )


def test_detail_for_the_focal_point_leaves_out_the_internal_fields(request_in, focal_point):
    planned = request_in(S.MISSION_PLANNED)

    data = client_for(focal_point).get(f"{API}/advisory-requests/{planned.pk}/").json()

    assert not {"lead", "team", "created_by", "created_at", "updated_at"} & set(data)
    assert data["lead_name"] == "Ines Rahal"
    assert "id" not in data["mission"]
    assert data["mission"]["location"] == "Muscat"


def test_list_for_the_focal_point_leaves_out_the_internal_fields(request_in, focal_point):
    request_in(S.ACCEPTED)
    request_in(S.RECEIVED, country="GHA")

    rows = client_for(focal_point).get(f"{API}/advisory-requests/").json()["results"]

    assert [row["country"] for row in rows] == ["OMN"]
    assert "team" not in rows[0]
    assert "created_by" not in rows[0]


def test_list_for_a_team_member_holds_the_internal_fields(request_in, team_member):
    request_in(S.ACCEPTED)

    rows = client_for(team_member).get(f"{API}/advisory-requests/").json()["results"]

    assert rows[0]["team"] == [team_member.pk]


def test_declined_request_shows_its_reason_to_the_focal_point(request_in, focal_point):
    declined = request_in(S.DECLINED)

    data = client_for(focal_point).get(f"{API}/advisory-requests/{declined.pk}/").json()

    assert data["decline_reason"] == "Outside our mandate."


@pytest.mark.parametrize("who", ["other_focal_point", "other_branch_staff", "cepa_member"])
def test_detail_of_a_hidden_request_is_404(request_in, request, who):
    oman = request_in(S.ACCEPTED)

    response = client_for(request.getfixturevalue(who)).get(f"{API}/advisory-requests/{oman.pk}/")

    assert response.status_code == 404


# --- recording a request ----------------------------------------------------------------------


def body(**overrides) -> dict:
    return {
        "country": "OMN",
        "branch": "e-govb",
        "kind": "strategy",
        "channel": "email",
        "received_on": "2026-11-02",
        "title": "National e-government strategy",
        "description": "Oman asks for support.",
        **overrides,
    }


def test_create_records_the_request(staff):
    response = client_for(staff).post(f"{API}/advisory-requests/", body(), format="json")

    created = AdvisoryRequest.objects.get()
    assert response.status_code == 201
    assert response.json()["id"] == created.pk
    assert (created.state, created.created_by, created.country.iso3) == (S.RECEIVED, staff, "OMN")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "XXX"}, "country"),
        ({"kind": "banana"}, "kind"),
        ({"title": ""}, "title"),
        ({"received_on": "2099-01-01"}, "received_on"),
        ({"received_on": "yesterday"}, "received_on"),
    ],
)
def test_create_with_bad_input_names_the_field(staff, overrides, field):
    response = client_for(staff).post(f"{API}/advisory-requests/", body(**overrides), format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert AdvisoryRequest.objects.count() == 0


@pytest.mark.parametrize("who", ["focal_point", "cepa_member", "other_branch_staff"])
def test_create_by_others_is_forbidden(request, who):
    response = client_for(request.getfixturevalue(who)).post(
        f"{API}/advisory-requests/", body(), format="json"
    )

    assert response.status_code == 403
    assert AdvisoryRequest.objects.count() == 0


# --- transitions -----------------------------------------------------------------------------


def test_transitions_lists_what_the_caller_may_fire(request_in, chief, ira):
    received = request_in(S.RECEIVED)

    chief_names = client_for(chief).get(f"{API}/advisory-requests/{received.pk}/transitions/")
    ira_names = client_for(ira).get(f"{API}/advisory-requests/{received.pk}/transitions/")

    assert chief_names.json() == [
        {"name": "accept", "label": "Accept"},
        {"name": "decline", "label": "Decline"},
    ]
    assert ira_names.json() == []


def test_accept_names_the_lead(request_in, chief, ira):
    received = request_in(S.RECEIVED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{received.pk}/transitions/",
        {"name": "accept", "lead": ira.pk},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["lead"]) == ("accepted", ira.pk)


def test_decline_without_a_reason_is_400_naming_the_comment(request_in, chief):
    received = request_in(S.RECEIVED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{received.pk}/transitions/", {"name": "decline"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"comment": ["Give the reason for declining."]}
    assert state_of(received) == S.RECEIVED


def test_accept_with_a_lead_of_another_branch_is_400(request_in, chief, other_branch_staff):
    received = request_in(S.RECEIVED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{received.pk}/transitions/",
        {"name": "accept", "lead": other_branch_staff.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["lead"]
    assert state_of(received) == S.RECEIVED


def test_unknown_transition_is_400_naming_it(request_in, chief):
    received = request_in(S.RECEIVED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{received.pk}/transitions/", {"name": "publish"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["name"]


def test_transition_by_staff_is_403_and_changes_nothing(request_in, staff, ira):
    received = request_in(S.RECEIVED)

    response = client_for(staff).post(
        f"{API}/advisory-requests/{received.pk}/transitions/",
        {"name": "accept", "lead": ira.pk},
        format="json",
    )

    assert response.status_code == 403
    assert state_of(received) == S.RECEIVED


def test_transition_no_longer_possible_is_409(request_in, chief):
    closed = request_in(S.CLOSED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{closed.pk}/transitions/", {"name": "close"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "“Close” is not possible: the request is now closed."}


def test_plan_mission_without_a_mission_is_400(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    response = client_for(ira).post(
        f"{API}/advisory-requests/{accepted.pk}/transitions/",
        {"name": "plan_mission"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"transition": ["Schedule the assessment mission first."]}


# --- team and mission ----------------------------------------------------------------------------


def test_team_is_set_by_the_lead(request_in, ira, staff):
    accepted = request_in(S.ACCEPTED)

    response = client_for(ira).post(
        f"{API}/advisory-requests/{accepted.pk}/team/", {"members": [staff.pk]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["team"] == [staff.pk]


def test_mission_is_scheduled_in_its_time_zone(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    response = client_for(ira).post(
        f"{API}/advisory-requests/{accepted.pk}/mission/",
        {
            "start": "2027-02-08T09:00",
            "end": "2027-02-11T17:00",
            "time_zone": "Asia/Muscat",
            "location": "Muscat",
        },
        format="json",
    )

    data = response.json()
    assert response.status_code == 201
    assert data["state"] == "mission_planned"
    assert (data["mission"]["start"], data["mission"]["start_local"]) == (
        "2027-02-08T05:00:00Z",
        "2027-02-08T09:00:00+04:00",
    )


def test_mission_in_an_unknown_zone_is_400(request_in, ira):
    accepted = request_in(S.ACCEPTED)

    response = client_for(ira).post(
        f"{API}/advisory-requests/{accepted.pk}/mission/",
        {"start": "2027-02-08T09:00", "end": "2027-02-11T17:00", "time_zone": "Nowhere/City"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["time_zone"]
    assert state_of(accepted) == S.ACCEPTED


def test_mission_before_acceptance_is_409(request_in, chief):
    received = request_in(S.RECEIVED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{received.pk}/mission/",
        {"start": "2027-02-08T09:00", "end": "2027-02-11T17:00", "time_zone": "UTC"},
        format="json",
    )

    assert response.status_code == 409


# --- documents -----------------------------------------------------------------------------


def test_documents_for_the_division_are_every_version(request_in, staff):
    drafted = request_in(S.PLAN_DRAFTED)

    rows = client_for(staff).get(f"{API}/advisory-requests/{drafted.pk}/documents/").json()

    assert sorted(row["kind"] for row in rows) == ["analysis", "mission_report", "plan_of_action"]
    plan = next(row for row in rows if row["kind"] == "plan_of_action")
    assert plan["download_url"] == (
        f"http://testserver{API}/advisory-requests/{drafted.pk}/documents/{plan['id']}/download/"
    )


@pytest.mark.parametrize(
    ("state", "kinds"), [(S.ANALYSIS, []), (S.PLAN_AGREED, ["plan_of_action"])]
)
def test_documents_for_the_focal_point_are_the_plan_once_drafted(
    request_in, focal_point, state, kinds
):
    advisory_request = request_in(state)

    rows = (
        client_for(focal_point)
        .get(f"{API}/advisory-requests/{advisory_request.pk}/documents/")
        .json()
    )

    assert [row["kind"] for row in rows] == kinds


def test_upload_adds_a_version(request_in, ira):
    analysis = request_in(S.ANALYSIS)

    response = client_for(ira).post(
        f"{API}/advisory-requests/{analysis.pk}/documents/",
        {"kind": "plan_of_action", "file": pdf(), "notes": "Second draft"},
        format="multipart",
    )

    assert response.status_code == 201
    assert (response.json()["number"], response.json()["notes"]) == (2, "Second draft")


def test_upload_that_is_not_a_document_is_400(request_in, ira):
    analysis = request_in(S.ANALYSIS)
    before = RequestDocument.objects.count()

    response = client_for(ira).post(
        f"{API}/advisory-requests/{analysis.pk}/documents/",
        {"kind": "analysis", "file": SimpleUploadedFile("a.pdf", b"text")},
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert RequestDocument.objects.count() == before


def test_upload_by_the_focal_point_is_403(request_in, focal_point):
    drafted = request_in(S.PLAN_DRAFTED)
    before = RequestDocument.objects.count()

    response = client_for(focal_point).post(
        f"{API}/advisory-requests/{drafted.pk}/documents/",
        {"kind": "plan_of_action", "file": pdf()},
        format="multipart",
    )

    assert response.status_code == 403
    assert RequestDocument.objects.count() == before


def test_upload_on_a_received_request_is_409(request_in, chief):
    received = request_in(S.RECEIVED)

    response = client_for(chief).post(
        f"{API}/advisory-requests/{received.pk}/documents/",
        {"kind": "analysis", "file": pdf()},
        format="multipart",
    )

    assert response.status_code == 409
    assert RequestDocument.objects.count() == 0


def test_download_for_the_focal_point_is_the_plan_only(request_in, focal_point):
    drafted = request_in(S.PLAN_DRAFTED)
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)
    report = drafted.documents.get(kind=DocumentKind.MISSION_REPORT)
    client = client_for(focal_point)
    base = f"{API}/advisory-requests/{drafted.pk}/documents"

    plan_response = client.get(f"{base}/{plan.pk}/download/")
    report_response = client.get(f"{base}/{report.pk}/download/")

    assert plan_response.status_code == 200
    assert b"".join(plan_response.streaming_content) == PDF
    assert report_response.status_code == 404


# --- comments ------------------------------------------------------------------------------


def test_comments_hide_internal_notes_from_the_focal_point(request_in, staff, focal_point):
    drafted = request_in(S.PLAN_DRAFTED)
    advisory.add_comment(staff, drafted, "Internal", internal=True)
    advisory.add_comment(staff, drafted, "For Oman", internal=False)
    url = f"{API}/advisory-requests/{drafted.pk}/comments/"

    staff_texts = [c["text"] for c in client_for(staff).get(url).json()]
    focal_texts = [c["text"] for c in client_for(focal_point).get(url).json()]

    assert staff_texts == ["Internal", "For Oman"]
    assert focal_texts == ["For Oman"]


def test_staff_comment_is_internal_unless_said(request_in, staff):
    accepted = request_in(S.ACCEPTED)

    response = client_for(staff).post(
        f"{API}/advisory-requests/{accepted.pk}/comments/", {"text": "Note"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["internal"] is True


def test_focal_point_comment_on_the_plan_is_public(request_in, focal_point):
    drafted = request_in(S.PLAN_DRAFTED)
    plan = drafted.documents.get(kind=DocumentKind.PLAN_OF_ACTION)

    response = client_for(focal_point).post(
        f"{API}/advisory-requests/{drafted.pk}/comments/",
        {"text": "Add the data law.", "internal": True, "document": plan.pk},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["internal"], response.json()["document"]) == (False, plan.pk)


def test_focal_point_comment_on_the_analysis_is_400_naming_the_document(request_in, focal_point):
    drafted = request_in(S.PLAN_DRAFTED)
    analysis = drafted.documents.get(kind=DocumentKind.ANALYSIS)

    response = client_for(focal_point).post(
        f"{API}/advisory-requests/{drafted.pk}/comments/",
        {"text": "About it", "document": analysis.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["document"]
    assert Comment.objects.count() == 0


def test_focal_point_comment_before_the_plan_is_403(request_in, focal_point):
    analysis = request_in(S.ANALYSIS)

    response = client_for(focal_point).post(
        f"{API}/advisory-requests/{analysis.pk}/comments/", {"text": "Hello"}, format="json"
    )

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_empty_comment_is_400_naming_the_text(request_in, staff):
    accepted = request_in(S.ACCEPTED)

    response = client_for(staff).post(
        f"{API}/advisory-requests/{accepted.pk}/comments/", {"text": "  "}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"text": ["Write a comment."]}


# --- milestones ----------------------------------------------------------------------------


@pytest.fixture
def milestones(request_in, ira):
    oman = request_in(S.FOLLOW_UP)
    ghana = request_in(S.FOLLOW_UP, country="GHA")
    today = timezone.localdate()
    return {
        "oman_soon": advisory.add_milestone(
            ira, oman, title="Draft law", due_date=today + datetime.timedelta(days=5)
        ),
        "oman_later": advisory.add_milestone(
            ira, oman, title="Adopt law", due_date=today + datetime.timedelta(days=50)
        ),
        "ghana": advisory.add_milestone(
            ira, ghana, title="Workshop", due_date=today + datetime.timedelta(days=20)
        ),
    }


def test_milestones_list_what_the_caller_may_see(milestones, staff, focal_point, cepa_member):
    staff_ids = ids(client_for(staff).get(f"{API}/milestones/"))
    focal_ids = ids(client_for(focal_point).get(f"{API}/milestones/"))
    member_ids = ids(client_for(cepa_member).get(f"{API}/milestones/"))

    assert staff_ids == [
        milestones["oman_soon"].pk,
        milestones["ghana"].pk,
        milestones["oman_later"].pk,
    ]
    assert focal_ids == [milestones["oman_soon"].pk, milestones["oman_later"].pk]
    assert member_ids == []


def test_milestones_filters(milestones, staff, ira):
    advisory.complete_milestone(ira, milestones["oman_soon"])
    client = client_for(staff)
    today = timezone.localdate()
    oman_id = milestones["oman_soon"].request_id

    by_request = ids(client.get(f"{API}/milestones/", {"request": oman_id}))
    open_only = ids(client.get(f"{API}/milestones/", {"state": "open"}))
    window = ids(
        client.get(
            f"{API}/milestones/",
            {
                "due_after": (today + datetime.timedelta(days=10)).isoformat(),
                "due_before": (today + datetime.timedelta(days=30)).isoformat(),
            },
        )
    )

    assert by_request == [milestones["oman_soon"].pk, milestones["oman_later"].pk]
    assert open_only == [milestones["ghana"].pk, milestones["oman_later"].pk]
    assert window == [milestones["ghana"].pk]


def test_milestone_create_under_a_request(request_in, ira, staff):
    follow_up = request_in(S.FOLLOW_UP)

    response = client_for(ira).post(
        f"{API}/milestones/",
        {"request": follow_up.pk, "title": "Train trainers", "due_date": "2027-05-01"},
        format="json",
    )
    nested = client_for(ira).post(
        f"{API}/advisory-requests/{follow_up.pk}/milestones/",
        {"title": "Evaluate", "due_date": "2027-09-01", "lead": staff.pk},
        format="json",
    )

    assert (response.status_code, nested.status_code) == (201, 201)
    assert list(
        Milestone.objects.order_by("pk").values_list("title", "lead__username", "due_date")
    ) == [
        ("Train trainers", "ira", datetime.date(2027, 5, 1)),
        ("Evaluate", "staff", datetime.date(2027, 9, 1)),
    ]


def test_milestone_create_on_a_hidden_request_is_400_naming_it(request_in, other_branch_staff):
    follow_up = request_in(S.FOLLOW_UP)

    response = client_for(other_branch_staff).post(
        f"{API}/milestones/",
        {"request": follow_up.pk, "title": "X", "due_date": "2027-05-01"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["request"]
    assert Milestone.objects.count() == 0


def test_milestone_create_by_the_focal_point_is_403(request_in, focal_point):
    follow_up = request_in(S.FOLLOW_UP)

    response = client_for(focal_point).post(
        f"{API}/milestones/",
        {"request": follow_up.pk, "title": "X", "due_date": "2027-05-01"},
        format="json",
    )

    assert response.status_code == 403
    assert Milestone.objects.count() == 0


def test_milestone_create_without_title_is_400(request_in, ira):
    follow_up = request_in(S.FOLLOW_UP)

    response = client_for(ira).post(
        f"{API}/milestones/",
        {"request": follow_up.pk, "title": " ", "due_date": "2027-05-01"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"title": ["Name the milestone."]}


def test_milestone_complete_then_again_is_409(milestones, ira):
    url = f"{API}/milestones/{milestones['ghana'].pk}/complete/"

    first = client_for(ira).post(url, {}, format="json")
    second = client_for(ira).post(url, {"cancelled": True}, format="json")

    assert (first.status_code, first.json()["state"]) == (200, "done")
    assert second.status_code == 409
    assert Milestone.objects.get(pk=milestones["ghana"].pk).state == MilestoneState.DONE


def test_milestone_patch_moves_the_due_date(milestones, team_member):
    response = client_for(team_member).patch(
        f"{API}/milestones/{milestones['ghana'].pk}/", {"due_date": "2027-12-24"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["due_date"] == "2027-12-24"


def test_milestone_patch_with_a_bad_date_is_400(milestones, team_member):
    before = milestones["ghana"].due_date

    response = client_for(team_member).patch(
        f"{API}/milestones/{milestones['ghana'].pk}/", {"due_date": "soon"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["due_date"]
    assert Milestone.objects.get(pk=milestones["ghana"].pk).due_date == before


def test_milestone_of_another_country_is_404_for_the_focal_point(milestones, focal_point):
    client = client_for(focal_point)
    ghana = milestones["ghana"].pk

    responses = [
        client.get(f"{API}/milestones/{ghana}/").status_code,
        client.post(f"{API}/milestones/{ghana}/complete/", {}, format="json").status_code,
        client.patch(f"{API}/milestones/{ghana}/", {"due_date": "2027-01-01"}).status_code,
    ]

    assert responses == [404, 404, 404]
    assert Milestone.objects.get(pk=ghana).state == MilestoneState.OPEN


def test_milestone_patch_by_the_focal_point_is_403(milestones, focal_point):
    response = client_for(focal_point).patch(
        f"{API}/milestones/{milestones['oman_soon'].pk}/", {"due_date": "2027-01-01"}, format="json"
    )

    assert response.status_code == 403


# --- query counts -----------------------------------------------------------------------------


def bulk(count: int, staff, ira) -> None:
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
    AdvisoryRequest.team.through.objects.bulk_create(
        AdvisoryRequest.team.through(advisoryrequest_id=r.pk, user_id=staff.pk) for r in rows
    )
    Milestone.objects.bulk_create(
        Milestone(request=r, title="Step", due_date=datetime.date(2027, 1, 1), lead=ira)
        for r in rows
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# Token and user, roles, profile, count, page (+ the team, prefetched, for the requests).
@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize(
    ("who", "path", "queries"),
    [
        ("staff", "/advisory-requests/", 6),
        ("focal_point", "/advisory-requests/", 6),
        ("staff", "/milestones/", 5),
        ("focal_point", "/milestones/", 5),
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    request, staff, ira, django_assert_num_queries, count, who, path, queries
):
    bulk(count, staff, ira)
    client = token_client(request.getfixturevalue(who))

    with django_assert_num_queries(queries):
        response = client.get(f"{API}{path}")

    assert response.status_code == 200
    assert response.json()["count"] == count


def test_schema_documents_the_advisory_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = set(response.json()["paths"])
    assert {
        "/api/v1/advisory-requests/",
        "/api/v1/advisory-requests/{id}/transitions/",
        "/api/v1/advisory-requests/{id}/documents/",
        "/api/v1/advisory-requests/{id}/comments/",
        "/api/v1/milestones/",
        "/api/v1/milestones/{id}/complete/",
    } <= paths
