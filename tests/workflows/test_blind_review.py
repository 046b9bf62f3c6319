"""The owner and the branch chief never review their deliverable; the page and the API
accept exactly the same reviewers.

Checked from the outside, with the same request for the allowed and the forbidden person.
The cast: the owner (branch staff), the branch chief, a staff colleague who reviews, a
staff bystander who does not, an adviser of the branch, a CEPA member who reviews, people
of another branch, a focal point, the secretariat admin and a former CEPA member.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from tests.factories import branch, person
from workflows import services
from workflows.enums import DeliverableKind, ProductKind
from workflows.models import Deliverable, ReviewAssignment
from workflows.reviewers import eligible_reviewers, suggest_reviewers

TODAY = datetime.date(2026, 3, 2)
REVIEW_DUE = "2026-03-20"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
API = "/api/v1"
SECRET = "Amina's secret comments"


@pytest.fixture(autouse=True)
def _today():
    with (
        time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False),
        translation.override("en"),
    ):
        yield


def pdf(name: str = "draft.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- the cast and the world ---------------------------------------------------------------


@pytest.fixture
def owner(staff):
    return staff


@pytest.fixture
def colleague(db):
    """Branch staff asked to review a colleague's draft."""
    return person(
        Role.BRANCH_STAFF,
        username="colleague",
        first_name="Carla",
        last_name="Colleague",
        branch_code="e-govb",
    )


@pytest.fixture
def bystander(db):
    """Branch staff who reviews nothing: sees the branch's submitted reviews."""
    return person(
        Role.BRANCH_STAFF,
        username="bystander",
        first_name="Boris",
        last_name="Bystander",
        branch_code="e-govb",
    )


@pytest.fixture
def reviewer(cepa_member):
    cepa_member.first_name, cepa_member.last_name = "Amina", "Mensah"
    cepa_member.save(update_fields=["first_name", "last_name"])
    return cepa_member


@pytest.fixture
def product(chief):
    return services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
    )


def in_review(product, owner, title: str) -> Deliverable:
    deliverable = services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title=title,
        kind=DeliverableKind.CHAPTER,
        due_date=TODAY + datetime.timedelta(days=60),
    )
    services.fire_transition(owner, deliverable, "start_drafting")
    services.upload_version(owner, deliverable, pdf())
    services.fire_transition(owner, deliverable, "submit_for_review")
    return Deliverable.objects.select_related("product").get(pk=deliverable.pk)


@pytest.fixture
def deliverable(product, owner):
    return in_review(product, owner, "Chapter 3: Digital services")


# --- the owner and the branch chief never review their deliverable ----------------------------


@pytest.mark.parametrize("refused", ["owner", "chief"])
@pytest.mark.django_db
def test_service_refuses_the_owner_and_the_chief_as_reviewers_naming_the_field(
    request, deliverable, owner, refused, django_capture_on_commit_callbacks
):
    person_refused = request.getfixturevalue(refused)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as excinfo,
    ):
        services.assign_reviewers(owner, deliverable, [person_refused], TODAY)

    expected = {
        "owner": "The owner cannot review their own deliverable.",
        "chief": f"{person_refused.get_full_name()} is the branch chief, who decides on this "
        "deliverable: not a reviewer.",
    }[refused]
    assert excinfo.value.message_dict == {"reviewers": [expected]}
    assert ReviewAssignment.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize(("actor", "refused"), [("owner", "owner"), ("chief", "chief")])
@pytest.mark.django_db
def test_page_and_api_refuse_the_owner_and_the_chief_as_reviewers_naming_the_field(
    client, request, deliverable, actor, refused, django_capture_on_commit_callbacks
):
    acting, person_refused = request.getfixturevalue(actor), request.getfixturevalue(refused)
    client.force_login(acting)
    body = {"reviewers": [person_refused.pk], "due_date": REVIEW_DUE}

    chooser = html(client.get(f"/deliverables/{deliverable.pk}/reviewers/"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(f"/deliverables/{deliverable.pk}/reviewers/", body)
        api = api_as(acting).post(
            f"{API}/deliverables/{deliverable.pk}/reviewers/", body, format="json"
        )

    assert f'value="{person_refused.pk}"' not in chooser
    assert page.status_code == 400
    assert list(page.context["form"].errors) == ["reviewers"]
    assert "Not someone who may review this deliverable" in page.content.decode()
    assert api.status_code == 400
    assert list(api.json()) == ["reviewers"]
    assert ReviewAssignment.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


# --- the page and the API accept exactly the same reviewers ------------------------------------


CAST = {
    # who: (make them, may they review an e-Government Branch deliverable?)
    "cepa_member": (lambda: person(Role.CEPA_MEMBER, username="m1", country="KEN"), True),
    "branch_staff": (
        lambda: person(Role.BRANCH_STAFF, username="s1", branch_code="e-govb"),
        True,
    ),
    "branch_adviser": (
        lambda: person(Role.INTER_REGIONAL_ADVISOR, username="a1", branch_code="e-govb"),
        True,
    ),
    "owner": (None, False),
    "chief": (None, False),
    "other_branch_staff": (
        lambda: person(Role.BRANCH_STAFF, username="s2", branch_code="pacb"),
        False,
    ),
    "other_branch_adviser": (
        lambda: person(Role.INTER_REGIONAL_ADVISOR, username="a2", branch_code="dmb"),
        False,
    ),
    "other_branch_chief": (
        lambda: person(Role.BRANCH_CHIEF, username="c2", branch_code="pacb"),
        False,
    ),
    "focal_point": (lambda: person(Role.FOCAL_POINT, username="f1", country="OMN"), False),
    "secretariat_admin": (
        lambda: person(Role.SECRETARIAT_ADMIN, username="admin1", is_staff=True),
        False,
    ),
    "former_cepa_member": (
        lambda: person(Role.CEPA_MEMBER, username="m2", country="PER", is_active=False),
        False,
    ),
}


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.django_db
def test_page_and_api_accept_exactly_the_same_reviewers(
    client, request, product, owner, chief, who, django_capture_on_commit_callbacks
):
    make, may_review = CAST[who]
    candidate = request.getfixturevalue(who) if make is None else make()
    on_page = in_review(product, owner, "Chapter 4 (page)")
    on_api = in_review(product, owner, "Chapter 4 (API)")
    client.force_login(owner)
    body = {"reviewers": [candidate.pk], "due_date": REVIEW_DUE}

    offered = candidate in [s.user for s in suggest_reviewers(on_page, today=TODAY)]
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/deliverables/{on_page.pk}/reviewers/", body)
        api = api_as(owner).post(f"{API}/deliverables/{on_api.pk}/reviewers/", body, format="json")

    assert (page.status_code, api.status_code) == ((302, 201) if may_review else (400, 400))
    assert offered is may_review
    assert (candidate in eligible_reviewers(on_page)) is may_review
    assigned = sorted(
        ReviewAssignment.objects.filter(reviewer=candidate).values_list("deliverable", flat=True)
    )
    assert assigned == (sorted([on_page.pk, on_api.pk]) if may_review else [])
    assert len(mail.outbox) == (2 if may_review else 0)
    if not may_review:
        assert list(page.context["form"].errors) == ["reviewers"]
        assert list(api.json()) == ["reviewers"]
