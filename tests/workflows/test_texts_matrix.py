"""Who may read versions' texts and comparisons: exactly who sees the versions
(`workflows.queries.visible_versions`), on every page and endpoint, for the fixed cast.

The cast's deliverable went through a round on version 1 (a PDF) and was returned; its
owner uploaded version 2. The assigned reviewer was given version 1 only: they read its
preview, never version 2's, nor the comparison of the two. What a person may not see is a
404 (the sign-in wall for anonymous visitors), and asking for it creates nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import ReviewFactory
from tests.workflows.test_texts import SECTIONS, docx
from workflows import comparison, services, texts
from workflows.models import VersionComparison

# who → (sees version 1, sees version 2)
CAST = {
    "owner": (True, True),
    "chief": (True, True),
    "other_branch_staff": (False, False),
    "assigned_reviewer": (True, False),
    "unassigned_reviewer": (False, False),
    "focal_point_elsewhere": (False, False),
    "secretariat_admin": (True, True),
    "anonymous": (False, False),
}


@pytest.fixture
def world(cast):
    deliverable = cast.deliverable
    first = deliverable.versions.get(number=1)
    assignment = deliverable.assignments.get()
    services.accept_assignment(cast.assigned_reviewer, assignment)
    ReviewFactory(assignment=assignment, submit=True)  # kept: the reviewer keeps version 1
    with comparison.now():
        texts.read_text(first.pk, bounded=False)
        services.fire_transition(cast.chief, deliverable, "return_for_revision", comment="Revise.")
        services.upload_version(cast.owner, deliverable, docx(SECTIONS))
    VersionComparison.objects.all().delete()  # asked for again below, by who may
    return cast, deliverable


def _client(user) -> APIClient:
    client = APIClient()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _hidden(status: int, user) -> bool:
    if not user.is_authenticated:
        return status in (302, 401, 403, 404)
    return status == 404


@pytest.mark.parametrize("who", list(CAST))
def test_texts_and_comparisons_follow_the_versions(world, who):
    cast, deliverable = world
    user = cast[who]
    sees_first, sees_second = CAST[who]
    pk = deliverable.pk
    client = _client(user)
    first = [
        f"/deliverables/{pk}/versions/1/preview/",
        f"/api/v1/deliverables/{pk}/versions/1/text/",
    ]
    second = [
        f"/deliverables/{pk}/versions/2/preview/",
        f"/api/v1/deliverables/{pk}/versions/2/text/",
        f"/deliverables/{pk}/compare/?old=1&new=2",
        f"/api/v1/deliverables/{pk}/comparisons/?old=1&new=2",
    ]

    first_statuses = [client.get(url).status_code for url in first]
    second_statuses = [client.get(url).status_code for url in second]

    if sees_first:
        assert first_statuses == [200, 200]
    else:
        assert [_hidden(s, user) for s in first_statuses] == [True, True], first_statuses
    if sees_second:
        assert second_statuses == [200, 200, 200, 200]
        assert VersionComparison.objects.count() == 1
    else:
        assert [_hidden(s, user) for s in second_statuses] == [True] * 4, second_statuses
        assert VersionComparison.objects.count() == 0


@pytest.mark.parametrize("who", list(CAST))
def test_the_comparison_page_offers_only_the_versions_one_sees(world, who):
    cast, deliverable = world
    user = cast[who]
    sees_first, sees_second = CAST[who]

    response = _client(user).get(f"/deliverables/{deliverable.pk}/compare/")

    if not sees_first:
        assert _hidden(response.status_code, user)
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert ('<option value="2"' in html) is sees_second
    assert ("nothing to compare yet" in html) is (not sees_second)
