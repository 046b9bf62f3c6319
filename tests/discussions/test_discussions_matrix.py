"""The authorization matrix of discussions, from the outside: each person of the fixed cast
(and a colleague of the owner's branch) × each page and endpoint of the deliverable's thread
and of the review assignment's thread: reading (the page, the API) and writing (the form,
the API). Who may not see a thread gets 404 (the sign-in wall when anonymous), and their
attempt to write changes nothing and tells nobody; who may see it may write, and the page
offers the form exactly then."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from discussions.models import Message
from notifications.models import Notification
from tests.factories import person
from workflows.models import ReviewAssignment

pytestmark = pytest.mark.django_db

# who → (sees the deliverable's thread, sees the review assignment's thread)
MATRIX = {
    "owner": (True, True),
    "chief": (True, True),
    "colleague": (True, False),
    "other_branch_staff": (False, False),
    "assigned_reviewer": (False, True),
    "unassigned_reviewer": (False, False),
    "focal_point_elsewhere": (False, False),
    "secretariat_admin": (False, False),
    "anonymous": (False, False),
}
FORM = 'action="{url}"'


@pytest.fixture
def world(cast):
    people = {who: cast[who] for who in MATRIX if who != "colleague"}
    people["colleague"] = person(Role.BRANCH_STAFF, username="colleague", branch_code="e-govb")
    assignment = ReviewAssignment.objects.get(deliverable=cast.deliverable)
    return people, cast.deliverable, assignment


def _client(user) -> APIClient:
    client = APIClient()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _hidden(status: int, user) -> bool:
    if not user.is_authenticated:
        return status in (302, 401, 403)
    return status == 404


def _addresses(deliverable, assignment) -> dict[str, tuple[str, str, str]]:
    """thread → (page, API thread, API post)."""
    return {
        "deliverable": (
            reverse("discussions:deliverable", args=[deliverable.pk]),
            f"/api/v1/deliverable-discussions/{deliverable.pk}/",
            f"/api/v1/deliverable-discussions/{deliverable.pk}/messages/",
        ),
        "review": (
            reverse("discussions:review", args=[assignment.pk]),
            f"/api/v1/review-discussions/{assignment.pk}/",
            f"/api/v1/review-discussions/{assignment.pk}/messages/",
        ),
    }


@pytest.mark.parametrize("who", MATRIX)
@pytest.mark.parametrize("thread", ["deliverable", "review"])
def test_reading_a_thread_follows_the_matrix(world, who, thread):
    people, deliverable, assignment = world
    user = people[who]
    sees = MATRIX[who][0 if thread == "deliverable" else 1]
    page, api, _post = _addresses(deliverable, assignment)[thread]
    client = _client(user)

    page_answer = client.get(page)
    api_answer = client.get(api)

    if sees:
        assert page_answer.status_code == 200
        assert FORM.format(url=page) in page_answer.content.decode()
        assert api_answer.status_code == 200
        assert api_answer.json()["can_post"] is True
    else:
        assert _hidden(page_answer.status_code, user)
        assert _hidden(api_answer.status_code, user)


@pytest.mark.parametrize("who", MATRIX)
@pytest.mark.parametrize("thread", ["deliverable", "review"])
@pytest.mark.parametrize("through", ["page", "api"])
def test_writing_in_a_thread_follows_the_matrix(world, who, thread, through):
    people, deliverable, assignment = world
    user = people[who]
    sees = MATRIX[who][0 if thread == "deliverable" else 1]
    page, _api, post = _addresses(deliverable, assignment)[thread]
    client = _client(user)
    told_before = Notification.objects.count()

    text = "Is section 3 final? @chief"
    if through == "page":
        answer = client.post(page, {"text": text}, format="multipart")
    else:
        answer = client.post(post, {"text": text}, format="json")

    if sees:
        assert answer.status_code == (302 if through == "page" else 201)
        assert list(Message.objects.values_list("author_id", "text")) == [(user.pk, text)]
    else:
        assert _hidden(answer.status_code, user)
        assert Message.objects.count() == 0
        assert Notification.objects.count() == told_before


@pytest.mark.parametrize("who", MATRIX)
def test_the_deliverable_page_shows_the_threads_each_may_see(world, who):
    people, deliverable, assignment = world
    user = people[who]
    if not user.is_authenticated:
        return
    sees_deliverable_thread, sees_review_thread = MATRIX[who]

    answer = _client(user).get(reverse("workflows:deliverable", args=[deliverable.pk]))
    html = answer.content.decode() if answer.status_code == 200 else ""

    deliverable_form = FORM.format(url=reverse("discussions:deliverable", args=[deliverable.pk]))
    review_link = reverse("discussions:review", args=[assignment.pk])
    assert (deliverable_form in html) is sees_deliverable_thread
    assert (f'href="{review_link}"' in html) is sees_review_thread


def test_the_review_page_shows_the_reviewers_thread(world):
    people, _deliverable, assignment = world
    reviewer = people["assigned_reviewer"]

    answer = _client(reviewer).get(reverse("workflows:review", args=[assignment.pk]))

    assert answer.status_code == 200
    url = reverse("discussions:review", args=[assignment.pk])
    assert FORM.format(url=url) in answer.content.decode()
