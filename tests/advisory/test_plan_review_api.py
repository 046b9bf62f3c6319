"""The review of the plan of action and the request's history in the API under /api/v1/, from
the outside with APIClient: who may send the plan to review, the HTTP answer to each
service error, who may read the history, and the request's `plan_review` field."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestAction, RequestState
from advisory.models import AdvisoryRequest
from workflows import services as workflow
from workflows.enums import DeliverableKind, DeliverableState
from workflows.models import Deliverable

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState
API = "/api/v1"
SECRET = "Budget line still disputed with UNDP: do not show the Government."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def send(user, adv: AdvisoryRequest, body: dict | None = None):
    return client_for(user).post(
        f"{API}/advisory-requests/{adv.pk}/plan-review/", body or {}, format="json"
    )


def nothing_sent(adv: AdvisoryRequest) -> None:
    reloaded = AdvisoryRequest.objects.get(pk=adv.pk)
    assert reloaded.plan_review_id is None
    assert not Deliverable.objects.filter(kind=DeliverableKind.PLAN_OF_ACTION).exists()
    assert not reloaded.history.filter(action=RequestAction.PLAN_REVIEW).exists()


@pytest.fixture
def drafted(request_in, ira) -> AdvisoryRequest:
    """Oman's request with its plan drafted; drafting came with an internal comment."""
    adv = request_in(S.ANALYSIS)
    advisory.fire_transition(ira, adv, "draft_plan", comment=SECRET)
    return AdvisoryRequest.objects.get(pk=adv.pk)


# --- sending the plan to review ------------------------------------------------------------


@pytest.mark.parametrize("who", ["ira", "chief"])
def test_the_lead_or_the_chief_opens_round_1(request, drafted, who):
    response = send(request.getfixturevalue(who), drafted, {"due_date": _in(21).isoformat()})

    assert response.status_code == 201, response.content
    deliverable = AdvisoryRequest.objects.get(pk=drafted.pk).plan_review
    assert response.json() == {
        "deliverable": deliverable.pk,
        "url": f"http://testserver/api/v1/deliverables/{deliverable.pk}/",
        "page_url": f"http://testserver/deliverables/{deliverable.pk}/",
        "state": "in_review",
        "round": 1,
    }
    assert (deliverable.state, deliverable.due_date) == (DeliverableState.IN_REVIEW, _in(21))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("team_member", 403),
        ("staff", 403),
        ("focal_point", 403),
        ("cepa_member", 404),
        ("other_focal_point", 404),
        ("other_branch_staff", 404),
    ],
)
def test_nobody_else_sends_the_plan(request, drafted, who, status):
    response = send(request.getfixturevalue(who), drafted, {"due_date": _in(21).isoformat()})

    assert response.status_code == status, response.content
    nothing_sent(drafted)


def test_sending_needs_authentication(drafted):
    response = APIClient().post(
        f"{API}/advisory-requests/{drafted.pk}/plan-review/",
        {"due_date": _in(21).isoformat()},
        format="json",
    )

    assert response.status_code == 401
    nothing_sent(drafted)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"due_date": ["Say when the reviewed plan should be final."]}),
        ({"due_date": None}, {"due_date": ["Say when the reviewed plan should be final."]}),
        ({"due_date": "2020-01-01"}, {"due_date": ["The due date is in the past."]}),
        (
            {"due_date": "next week"},
            {"due_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
    ],
    ids=["missing", "null", "past", "malformed"],
)
def test_a_bad_due_date_is_a_400_naming_it(ira, drafted, body, errors):
    response = send(ira, drafted, body)

    assert response.status_code == 400
    assert response.json() == errors
    nothing_sent(drafted)


def test_without_a_plan_the_400_names_the_document(request_in, ira):
    adv = request_in(S.MISSION_COMPLETED)
    advisory.fire_transition(ira, adv, "start_analysis")

    response = send(ira, adv, {"due_date": _in(21).isoformat()})

    assert response.status_code == 400
    assert response.json() == {"document": ["Upload the plan of action first."]}
    nothing_sent(adv)


def test_a_plan_reviewed_already_needs_a_new_version(ira, chief, drafted):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    workflow.fire_transition(chief, deliverable, "return_for_revision", comment="Costs missing.")

    response = send(ira, drafted)

    assert response.status_code == 400
    assert response.json() == {
        "document": [
            "Version 1 of the plan was reviewed already: upload a new version before sending "
            "it to review again."
        ]
    }
    assert deliverable.rounds.count() == 1


def test_a_new_version_after_a_return_opens_round_2_without_a_due_date(
    ira, chief, drafted, pdf_file
):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    workflow.fire_transition(chief, deliverable, "return_for_revision", comment="Costs missing.")
    advisory.upload_document(ira, drafted, DocumentKind.PLAN_OF_ACTION, pdf_file("plan-v2.pdf"))

    response = send(ira, drafted)

    assert response.status_code == 201, response.content
    assert (response.json()["deliverable"], response.json()["round"]) == (deliverable.pk, 2)
    deliverable.refresh_from_db()
    assert deliverable.due_date == _in(21)


@pytest.mark.parametrize(
    ("setup", "detail"),
    [
        ("in_review", "The plan of action is already in review."),
        (
            "mission_completed",
            "The plan of action goes to review during analysis or once drafted, not while "
            "mission completed.",
        ),
    ],
)
def test_when_the_state_does_not_allow_it_the_answer_is_409(
    request_in, ira, drafted, setup, detail
):
    if setup == "in_review":
        adv = drafted
        advisory.send_plan_for_review(ira, adv, due_date=_in(21))
    else:
        adv = request_in(S.MISSION_COMPLETED, title="Another one")
    plans = Deliverable.objects.filter(kind=DeliverableKind.PLAN_OF_ACTION).count()

    response = send(ira, adv, {"due_date": _in(30).isoformat()})

    assert response.status_code == 409
    assert response.json() == {"detail": detail}
    assert Deliverable.objects.filter(kind=DeliverableKind.PLAN_OF_ACTION).count() == plans


# --- the history ----------------------------------------------------------------------------


def history(user, adv: AdvisoryRequest):
    return client_for(user).get(f"{API}/advisory-requests/{adv.pk}/history/")


@pytest.mark.parametrize("who", ["ira", "chief", "staff", "team_member", "secretariat_admin"])
def test_internal_viewers_read_the_history(request, ira, chief, drafted, who):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(21))

    response = history(request.getfixturevalue(who), drafted)

    assert response.status_code == 200
    rows = response.json()
    assert [row["action"] for row in rows] == [
        "created",
        "transition",
        "team",
        "team",
        "mission",
        "transition",
        "transition",
        "document",
        "transition",
        "document",
        "document",
        "transition",
        "plan_review",
    ]
    drafting = rows[11]
    assert {key: drafting[key] for key in drafting if key != "at"} == {
        "actor": ira.get_full_name(),
        "action": "transition",
        "action_label": "State change",
        "from_state": "analysis",
        "to_state": "plan_drafted",
        "summary": "",
        "comment": SECRET,
    }
    assert (rows[-1]["summary"], rows[-1]["comment"]) == (
        "Plan of action, version 1, sent to review (round 1).",
        "",
    )
    assert rows[0]["at"] <= rows[-1]["at"]


@pytest.mark.parametrize(
    "who", ["focal_point", "other_focal_point", "cepa_member", "other_branch_staff"]
)
def test_nobody_else_reads_the_history(request, drafted, who):
    response = history(request.getfixturevalue(who), drafted)

    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_the_focal_point_reads_nothing_internal_anywhere(ira, focal_point, drafted):
    advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    client = client_for(focal_point)

    answers = [
        client.get(f"{API}/advisory-requests/{drafted.pk}/"),
        client.get(f"{API}/advisory-requests/"),
        client.get(f"{API}/advisory-requests/{drafted.pk}/comments/"),
        client.get(f"{API}/advisory-requests/{drafted.pk}/documents/"),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    assert "plan_review" not in answers[0].json()
    assert "plan_review" not in answers[1].json()["results"][0]
    for answer in answers:
        assert SECRET not in answer.content.decode()


# --- the request's plan_review field ----------------------------------------------------------


def test_internal_viewers_see_the_plan_review_on_the_request(ira, staff, drafted, request_in):
    deliverable = advisory.send_plan_for_review(ira, drafted, due_date=_in(21))
    other = request_in(S.ACCEPTED, country="GHA")
    client = client_for(staff)

    one = client.get(f"{API}/advisory-requests/{drafted.pk}/").json()
    listed = {row["id"]: row for row in client.get(f"{API}/advisory-requests/").json()["results"]}

    assert one["plan_review"] == {"id": deliverable.pk, "state": "in_review"}
    assert listed[drafted.pk]["plan_review"] == {"id": deliverable.pk, "state": "in_review"}
    assert listed[other.pk]["plan_review"] is None


def test_schema_documents_the_plan_review_and_the_history(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    post = schema["paths"]["/api/v1/advisory-requests/{id}/plan-review/"]["post"]
    assert set(post["responses"]) == {"201", "400", "401", "403", "404", "409", "415"}
    get = schema["paths"]["/api/v1/advisory-requests/{id}/history/"]["get"]
    assert set(get["responses"]) == {"200", "401", "404"}
    request_fields = schema["components"]["schemas"]["AdvisoryRequest"]["properties"]
    assert "plan_review" in request_fields
