"""The authorization matrix of contributions, from the outside: each person of the cast × the
list, the contribution's page and API, its file download, editing and transitions, for a
draft, a submitted, a returned and an accepted contribution of a CEPA member from Ghana.

What a person may not see answers 404 (pages, API, downloads; anonymous visitors meet the
sign-in wall); what they see but may not do answers 403; on every denial nothing changed and
nothing was sent. A CEPA member never sees another member's draft or submitted contribution;
a Member State focal point sees nothing of another country.
"""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from contributions import services
from contributions.enums import ContributionState
from contributions.models import Contribution
from notifications.models import Deadline, Notification
from tests.contributions.contribution_fixtures import (
    NOW,
    accepted,
    case_study,
    cast,
    pdf,
    returned,
    submitted,
)

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

S = ContributionState
WHO = [
    "author",
    "other_member",
    "staff",
    "chief",
    "advisor",
    "other_branch_staff",
    "focal_point",
    "focal_point_ghana",
    "secretariat_admin",
    "anonymous",
]
BRANCH = {"staff", "chief", "advisor", "secretariat_admin"}
SEES = {
    "draft": {"author", "secretariat_admin"},
    "submitted": {"author"} | BRANCH,
    "returned": {"author"} | BRANCH,
    "accepted": set(WHO) - {"focal_point", "anonymous"},
}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    people = cast()
    author = people["author"]
    records = {}
    for name in SEES:
        contribution = case_study(author, title=f"Ghana case ({name})")
        services.attach(author, contribution, pdf(f"{name}.pdf"))
        records[name] = contribution
    submitted(records["submitted"])
    returned(records["returned"], people["staff"])
    accepted(records["accepted"], people["staff"])
    return people, {name: Contribution.objects.get(pk=c.pk) for name, c in records.items()}


def _client(user) -> APIClient:
    client = APIClient()
    client.default_format = "multipart"  # pages read forms; each API call names its format
    if user.is_authenticated:
        client.force_login(user)
    return client


def _hidden(status: int, user) -> bool:
    """Hidden from this person: 404, or the sign-in wall for anonymous visitors."""
    if not user.is_authenticated:
        return status in (302, 401, 403)
    return status == 404


def _snapshot() -> tuple:
    return (
        list(Contribution.objects.order_by("pk").values_list("pk", "state", "title", "reviewer")),
        Notification.objects.count(),
        list(Deadline.objects.order_by("pk").values_list("user_id", "done_at")),
    )


@pytest.mark.parametrize("who", WHO)
def test_pages_api_and_downloads_show_exactly_what_each_person_may_see(world, who):
    people, records = world
    user = people[who]
    client = _client(user)
    seen = {}

    for record, contribution in records.items():
        attachment = contribution.attachments.get()
        urls = [
            f"/contributions/{contribution.pk}/",
            f"/contributions/{contribution.pk}/attachments/{attachment.pk}/",
            f"/api/v1/contributions/{contribution.pk}/",
            f"/api/v1/contributions/{contribution.pk}/attachments/",
            f"/api/v1/contributions/{contribution.pk}/attachments/{attachment.pk}/download/",
        ]
        seen[record] = [client.get(url).status_code for url in urls]

    for record, statuses in seen.items():
        if who in SEES[record]:
            assert statuses == [200] * 5, record
        else:
            assert [_hidden(status, user) for status in statuses] == [True] * 5, (record, statuses)


@pytest.mark.parametrize("who", WHO)
def test_lists_hold_exactly_what_each_person_may_see(world, who):
    people, records = world
    user = people[who]
    client = _client(user)

    api = client.get("/api/v1/contributions/")
    page = client.get("/contributions/")

    if not user.is_authenticated:
        assert (api.status_code, page.status_code) == (401, 302)
        return
    expected = {records[name].pk for name, seen_by in SEES.items() if who in seen_by}
    assert {row["id"] for row in api.json()["results"]} == expected
    assert {c.pk for c in page.context["page"]} == expected


@pytest.mark.parametrize("who", WHO)
def test_only_the_author_edits_and_a_refusal_changes_nothing(world, who):
    people, records = world
    user, contribution = people[who], records["returned"]
    client = _client(user)
    before = _snapshot()

    page = client.get(f"/contributions/{contribution.pk}/edit/")
    api = client.patch(
        f"/api/v1/contributions/{contribution.pk}/", {"title": "Changed"}, format="json"
    )

    if who == "author":
        assert (page.status_code, api.status_code) == (200, 200)
        assert Contribution.objects.get(pk=contribution.pk).title == "Changed"
        return
    assert _snapshot() == before
    if who in SEES["returned"]:
        assert (page.status_code, api.status_code) == (403, 403)
    else:
        assert _hidden(page.status_code, user) and _hidden(api.status_code, user)
    posted = client.post(
        f"/contributions/{contribution.pk}/edit/", {"title": "Changed", "save": "1"}
    )
    if who in SEES["returned"]:
        assert posted.status_code == 403
    else:
        assert _hidden(posted.status_code, user), posted.status_code
    assert _snapshot() == before


@pytest.mark.parametrize("who", WHO)
def test_only_branch_staff_start_the_review_and_a_refusal_changes_nothing(world, who):
    people, records = world
    user, contribution = people[who], records["submitted"]
    client = _client(user)
    before = _snapshot()
    body = {"name": "start_review"}

    api = client.post(f"/api/v1/contributions/{contribution.pk}/transitions/", body, format="json")

    state = Contribution.objects.get(pk=contribution.pk).state
    if who in {"staff", "chief"}:
        assert (api.status_code, state) == (200, S.UNDER_REVIEW)
        return
    assert _snapshot() == before
    if who in SEES["submitted"]:
        assert api.status_code == 403
    else:
        assert _hidden(api.status_code, user), api.status_code
    page = client.post(
        f"/contributions/{contribution.pk}/transition/", {"transition": "start_review"}
    )
    assert page.status_code in ((403,) if who in SEES["submitted"] else (302, 404))
    assert _snapshot() == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_author_submits_a_draft_and_a_refusal_changes_nothing(world, who):
    people, records = world
    user, contribution = people[who], records["draft"]
    client = _client(user)
    before = _snapshot()

    page = client.post(f"/contributions/{contribution.pk}/transition/", {"transition": "submit"})

    state = Contribution.objects.get(pk=contribution.pk).state
    if who == "author":
        assert (page.status_code, state) == (302, S.SUBMITTED)
        return
    assert _snapshot() == before
    if who in SEES["draft"]:
        assert page.status_code == 403
    else:
        assert _hidden(page.status_code, user), page.status_code
    api = client.post(
        f"/api/v1/contributions/{contribution.pk}/transitions/", {"name": "submit"}, format="json"
    )
    if who in SEES["draft"]:
        assert api.status_code == 403
    else:
        assert _hidden(api.status_code, user), api.status_code
    assert _snapshot() == before


@pytest.mark.parametrize("who", WHO)
def test_a_file_is_attached_only_by_the_author(world, who):
    people, records = world
    user, contribution = people[who], records["returned"]
    client = _client(user)

    api = client.post(
        f"/api/v1/contributions/{contribution.pk}/attachments/",
        {"file": pdf("more.pdf")},
        format="multipart",
    )

    count = contribution.attachments.count()
    if who == "author":
        assert (api.status_code, count) == (201, 2)
    elif who in SEES["returned"]:
        assert (api.status_code, count) == (403, 1)
    else:
        assert (_hidden(api.status_code, user), count) == (True, 1)
