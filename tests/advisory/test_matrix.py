"""The authorization matrix of advisory requests, from the outside: each person of the cast ×
each page and endpoint (list, detail, document download, comment, transition), for Oman's
request and Ghana's. What a person may not see answers 404 (pages, API, downloads); what
they see but may not do answers 403; a refusal changes nothing and tells no one."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from rest_framework.test import APIClient

from advisory import services as advisory
from advisory.enums import DocumentKind, RequestState
from advisory.models import AdvisoryRequest, Comment
from notifications.models import Notification

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = RequestState
API = "/api/v1"


class Who:
    def __init__(self, oman: bool, ghana: bool, internal: bool, decides: bool, works: bool):
        self.sees_oman = oman  # sees Oman's request
        self.sees_ghana = ghana  # sees Ghana's request
        self.internal = internal  # sees its internal notes and documents
        self.leads = decides  # may move the plan along (the lead, the chief)
        self.comments_anytime = works  # may comment before the plan is drafted


CAST = {
    "chief": Who(True, True, True, True, True),
    "staff": Who(True, True, True, False, True),
    "ira": Who(True, True, True, True, True),
    "team_member": Who(True, True, True, False, True),
    "other_branch_staff": Who(False, False, False, False, False),
    "cepa_member": Who(False, False, False, False, False),
    "focal_point": Who(True, False, False, False, False),
    "other_focal_point": Who(False, True, False, False, False),
    "secretariat_admin": Who(True, True, True, False, True),
    "anonymous": Who(False, False, False, False, False),
}


@pytest.fixture
def world(request_in, staff):
    """Oman's and Ghana's requests with their plans of action drafted, each with an internal
    note and a note for the country."""
    oman = request_in(S.PLAN_DRAFTED, country="OMN", title="Oman: e-government assessment")
    ghana = request_in(S.PLAN_DRAFTED, country="GHA", title="Ghana: e-government assessment")
    for advisory_request in (oman, ghana):
        advisory.add_comment(staff, advisory_request, "Internal: budget is tight", internal=True)
        advisory.add_comment(staff, advisory_request, "For the country", internal=False)
    return {"oman": oman, "ghana": ghana}


def user_of(request, who: str):
    return AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)


def client_of(user) -> APIClient:
    client = APIClient()
    client.default_format = "multipart"  # pages read forms; each API call names its format
    if user.is_authenticated:
        client.force_login(user)
    return client


def hidden(status: int, user) -> bool:
    """Hidden from this person: 404, or the sign-in wall for anonymous visitors."""
    if not user.is_authenticated:
        return status in (302, 401, 403)
    return status == 404


def snapshot():
    return (
        list(AdvisoryRequest.objects.order_by("pk").values_list("state", "lead_id")),
        Comment.objects.count(),
        Notification.objects.count(),
        len(mail.outbox),
    )


# --- seeing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.parametrize("country", ["oman", "ghana"])
def test_request_pages_and_api_answer_exactly_who_may_see(request, world, who, country):
    user = user_of(request, who)
    target = world[country]
    sees = CAST[who].sees_oman if country == "oman" else CAST[who].sees_ghana
    client = client_of(user)
    urls = [
        f"/advisory-requests/{target.pk}/",
        f"{API}/advisory-requests/{target.pk}/",
        f"{API}/advisory-requests/{target.pk}/documents/",
        f"{API}/advisory-requests/{target.pk}/comments/",
        f"{API}/advisory-requests/{target.pk}/transitions/",
        f"{API}/advisory-requests/{target.pk}/milestones/",
    ]

    statuses = [client.get(url).status_code for url in urls]

    if sees:
        assert statuses == [200] * len(urls)
    else:
        assert [hidden(status, user) for status in statuses] == [True] * len(urls), statuses


@pytest.mark.parametrize("who", list(CAST))
def test_lists_and_export_hold_only_what_each_person_may_see(request, world, who):
    user = user_of(request, who)
    client = client_of(user)

    page = client.get("/advisory-requests/")
    export = client.get("/advisory-requests/export.csv")
    api = client.get(f"{API}/advisory-requests/")

    if not user.is_authenticated:
        assert (page.status_code, export.status_code, api.status_code) == (302, 302, 401)
        return
    expected = {
        name
        for name, flag in (("oman", CAST[who].sees_oman), ("ghana", CAST[who].sees_ghana))
        if flag
    }
    html = page.content.decode()
    csv_text = export.content.decode("utf-8-sig")
    assert {row["id"] for row in api.json()["results"]} == {world[n].pk for n in expected}
    for name, advisory_request in world.items():
        assert (advisory_request.title in html) == (name in expected)
        assert (advisory_request.title in csv_text) == (name in expected)


@pytest.mark.parametrize("who", list(CAST))
def test_milestone_list_holds_only_what_each_person_may_see(request, world, ira, who):
    user = user_of(request, who)
    made = {
        name: advisory.add_milestone(
            ira, r, title=f"Step {name}", due_date=datetime.date(2027, 3, 1)
        )
        for name, r in world.items()
    }
    client = client_of(user)

    response = client.get(f"{API}/milestones/")

    if not user.is_authenticated:
        assert response.status_code == 401
        return
    listed = {row["id"] for row in response.json()["results"]}
    expected = {
        made[name].pk
        for name, flag in (("oman", CAST[who].sees_oman), ("ghana", CAST[who].sees_ghana))
        if flag
    }
    assert listed == expected
    for milestone in made.values():
        detail = client.get(f"{API}/milestones/{milestone.pk}/")
        assert detail.status_code == (200 if milestone.pk in expected else 404)


# --- documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_document_download_answers_exactly_who_may_read(request, world, who, kind):
    user = user_of(request, who)
    oman = world["oman"]
    document = oman.documents.get(kind=kind)
    client = client_of(user)
    urls = [
        f"/advisory-requests/{oman.pk}/documents/{document.pk}/download/",
        f"{API}/advisory-requests/{oman.pk}/documents/{document.pk}/download/",
    ]
    may_read = CAST[who].internal or (who == "focal_point" and kind == DocumentKind.PLAN_OF_ACTION)

    statuses = [client.get(url).status_code for url in urls]

    if may_read:
        assert statuses == [200, 200]
    else:
        assert [hidden(status, user) for status in statuses] == [True, True], statuses


@pytest.mark.parametrize("who", list(CAST))
def test_document_lists_never_show_internal_documents_outside_the_division(request, world, who):
    user = user_of(request, who)
    oman = world["oman"]
    client = client_of(user)

    response = client.get(f"{API}/advisory-requests/{oman.pk}/documents/")
    page = client.get(f"/advisory-requests/{oman.pk}/")

    if not CAST[who].sees_oman:
        assert hidden(response.status_code, user)
        assert hidden(page.status_code, user)
        return
    kinds = sorted(row["kind"] for row in response.json())
    html = page.content.decode()
    if CAST[who].internal:
        assert kinds == ["analysis", "mission_report", "plan_of_action"]
        assert "Internal: budget is tight" in html
    else:
        assert kinds == ["plan_of_action"]
        assert "Mission report" not in html
        assert "Analysis (strengths" not in html
        assert "Internal: budget is tight" not in html
    assert "For the country" in html


# --- comments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.parametrize("channel", ["page", "api"])
def test_comment_on_the_drafted_plan(request, world, who, channel):
    user = user_of(request, who)
    oman = world["oman"]
    client = client_of(user)
    before = snapshot()

    if channel == "page":
        response = client.post(f"/advisory-requests/{oman.pk}/comments/", {"text": "Noted."})
        done = 302
    else:
        response = client.post(
            f"{API}/advisory-requests/{oman.pk}/comments/", {"text": "Noted."}, format="json"
        )
        done = 201

    if CAST[who].sees_oman:
        assert response.status_code == done
        assert Comment.objects.filter(author_id=user.pk, text="Noted.").count() == 1
    else:
        assert hidden(response.status_code, user), response.status_code
        assert snapshot() == before


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.parametrize("channel", ["page", "api"])
def test_comment_before_the_plan_is_drafted(request, request_in, who, channel):
    user = user_of(request, who)
    analysis = request_in(S.ANALYSIS, country="OMN")
    client = client_of(user)
    before = snapshot()

    if channel == "page":
        response = client.post(f"/advisory-requests/{analysis.pk}/comments/", {"text": "Hi"})
        done = 302
    else:
        response = client.post(
            f"{API}/advisory-requests/{analysis.pk}/comments/", {"text": "Hi"}, format="json"
        )
        done = 201

    if CAST[who].comments_anytime:
        assert response.status_code == done
    elif who == "focal_point":
        assert response.status_code == 403
        assert snapshot() == before
    else:
        assert hidden(response.status_code, user), response.status_code
        assert snapshot() == before


# --- transitions ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.parametrize("channel", ["page", "api"])
def test_only_the_lead_and_the_chief_agree_the_plan(request, world, who, channel):
    user = user_of(request, who)
    oman = world["oman"]
    client = client_of(user)
    before = snapshot()

    if channel == "page":
        response = client.post(
            f"/advisory-requests/{oman.pk}/transition/", {"transition": "agree_plan"}
        )
        done = 302
    else:
        response = client.post(
            f"{API}/advisory-requests/{oman.pk}/transitions/",
            {"name": "agree_plan"},
            format="json",
        )
        done = 200

    state = AdvisoryRequest.objects.get(pk=oman.pk).state
    if CAST[who].leads:
        assert response.status_code == done
        assert state == S.PLAN_AGREED
    elif CAST[who].sees_oman:
        assert response.status_code == 403
        assert snapshot() == before
    else:
        assert hidden(response.status_code, user), response.status_code
        assert snapshot() == before


@pytest.mark.parametrize("who", list(CAST))
def test_only_the_chief_accepts(request, request_in, ira, who):
    user = user_of(request, who)
    received = request_in(S.RECEIVED, country="OMN")
    client = client_of(user)
    before = snapshot()

    response = client.post(
        f"{API}/advisory-requests/{received.pk}/transitions/",
        {"name": "accept", "lead": ira.pk},
        format="json",
    )

    if who == "chief":
        assert response.status_code == 200
        assert AdvisoryRequest.objects.get(pk=received.pk).state == S.ACCEPTED
    elif CAST[who].sees_oman:
        assert response.status_code == 403
        assert snapshot() == before
    else:
        assert hidden(response.status_code, user), response.status_code
        assert snapshot() == before


# --- the Member State focal point against the other country ------------------------------------


def test_oman_focal_point_reaches_nothing_of_ghana(client, world, focal_point, ira):
    ghana = world["ghana"]
    plan = ghana.documents.get(kind=DocumentKind.PLAN_OF_ACTION)
    milestone = advisory.add_milestone(
        ira, ghana, title="Ghana step", due_date=datetime.date(2027, 3, 1)
    )
    api = client_of(focal_point)
    client.force_login(focal_point)
    before = snapshot()

    statuses = [
        client.get(f"/advisory-requests/{ghana.pk}/").status_code,
        client.get(f"/advisory-requests/{ghana.pk}/documents/{plan.pk}/download/").status_code,
        client.post(f"/advisory-requests/{ghana.pk}/comments/", {"text": "x"}).status_code,
        api.get(f"{API}/advisory-requests/{ghana.pk}/").status_code,
        api.get(f"{API}/advisory-requests/{ghana.pk}/documents/{plan.pk}/download/").status_code,
        api.post(
            f"{API}/advisory-requests/{ghana.pk}/comments/", {"text": "x"}, format="json"
        ).status_code,
        api.get(f"{API}/milestones/{milestone.pk}/").status_code,
        api.post(f"{API}/milestones/{milestone.pk}/complete/", {}, format="json").status_code,
    ]
    listed = client.get("/advisory-requests/?country=" + str(ghana.country_id)).content.decode()

    assert statuses == [404] * 8
    assert "Ghana: e-government assessment" not in listed
    assert snapshot() == before
