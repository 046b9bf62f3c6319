"""The workflow API under /api/v1/, checked from the outside with APIClient."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from tests.factories import PDF_BYTES as PDF
from tests.factories import branch, person
from workflows import services
from workflows.enums import (
    AssignmentState,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    ReviewStatus,
)
from workflows.models import (
    Deliverable,
    DeliverableHistory,
    DeliverableUserObjectPermission,
    Product,
    Review,
    ReviewAssignment,
    ReviewRound,
    Version,
    VersionUserObjectPermission,
)

API = "/api/v1"
TODAY = datetime.date(2026, 3, 2)
REVIEW_DUE = datetime.date(2026, 3, 20)


def pdf(name: str = "draft.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def fetch(model, pk):
    return model.objects.get(pk=pk)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)


@pytest.fixture
def api():
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


@pytest.fixture
def other_member(db):
    return person(Role.CEPA_MEMBER, username="ben", country="OMN")


def put_in_review(deliverable, actor, reviewers) -> Deliverable:
    services.fire_transition(actor, deliverable, "start_drafting")
    services.upload_version(actor, deliverable, pdf(), notes="First draft")
    services.fire_transition(actor, deliverable, "submit_for_review")
    services.assign_reviewers(actor, deliverable, reviewers, REVIEW_DUE)
    return fetch(Deliverable, deliverable.pk)


@pytest.fixture
def world(chief, staff, cepa_member, other_branch_staff):
    """e-govb: a survey with chapter 1 in review (assigned to amina) and chapter 2 planned,
    a toolkit without deliverables; pacb: a guideline with one deliverable."""
    survey = services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
    )
    toolkit = services.create_product(
        chief, branch=branch("e-govb"), kind=ProductKind.TOOLKIT, title="METER"
    )
    reviewed = services.create_deliverable(
        staff,
        product=survey,
        owner=staff,
        title="Chapter 1",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2026, 4, 30),
    )
    reviewed = put_in_review(reviewed, staff, [cepa_member])
    planned = services.create_deliverable(
        staff,
        product=survey,
        owner=staff,
        title="Chapter 2",
        kind=DeliverableKind.CHAPTER,
        due_date=datetime.date(2026, 6, 30),
    )
    guideline = services.create_product(
        other_branch_staff,
        branch=branch("pacb"),
        kind=ProductKind.GUIDELINE,
        title="Public service guidelines",
    )
    pacb = services.create_deliverable(
        other_branch_staff,
        product=guideline,
        owner=other_branch_staff,
        title="Guideline draft",
        kind=DeliverableKind.GUIDELINE,
        due_date=datetime.date(2026, 5, 31),
    )
    return SimpleNamespace(
        survey=survey,
        toolkit=toolkit,
        guideline=guideline,
        reviewed=reviewed,
        planned=planned,
        pacb=pacb,
        assignment=ReviewAssignment.objects.get(deliverable=reviewed, reviewer=cepa_member),
    )


def snapshot(deliverable) -> tuple:
    deliverable = fetch(Deliverable, deliverable.pk)
    return (
        deliverable.state,
        deliverable.due_date,
        DeliverableHistory.objects.count(),
        Version.objects.count(),
        ReviewAssignment.objects.count(),
        list(ReviewAssignment.objects.order_by("pk").values_list("state", flat=True)),
        Review.objects.count(),
    )


def denied(callbacks, before, deliverable) -> None:
    """Nothing changed in the database and nothing was scheduled or sent."""
    assert snapshot(deliverable) == before
    assert callbacks == []
    assert mail.outbox == []


# --- lists show only what the caller may see ---------------------------------------------


@pytest.mark.django_db
def test_deliverable_list_for_cepa_member_shows_only_assigned(api, world, cepa_member):
    response = as_user(api, cepa_member).get(f"{API}/deliverables/")

    assert ids(response) == [world.reviewed.pk]


@pytest.mark.django_db
def test_deliverable_list_for_other_branch_staff_shows_nothing_of_egovb(
    api, world, other_branch_staff
):
    response = as_user(api, other_branch_staff).get(f"{API}/deliverables/")

    assert ids(response) == [world.pacb.pk]


@pytest.mark.django_db
def test_deliverable_list_for_branch_staff_shows_their_branch(api, world, staff):
    response = as_user(api, staff).get(f"{API}/deliverables/")

    assert ids(response) == [world.reviewed.pk, world.planned.pk]


@pytest.mark.django_db
def test_deliverable_list_for_admin_shows_all(api, world, secretariat_admin):
    response = as_user(api, secretariat_admin).get(f"{API}/deliverables/")

    assert ids(response) == [world.reviewed.pk, world.pacb.pk, world.planned.pk]


@pytest.mark.django_db
def test_deliverable_list_for_focal_point_is_empty(api, world, focal_point):
    response = as_user(api, focal_point).get(f"{API}/deliverables/")

    assert ids(response) == []


@pytest.mark.django_db
def test_deliverable_list_anonymous_is_401(api, world):
    response = api.get(f"{API}/deliverables/")

    assert response.status_code == 401


@pytest.mark.django_db
def test_deliverable_list_row_describes_the_deliverable(api, world, staff):
    response = as_user(api, staff).get(f"{API}/deliverables/", {"state": "in_review"})

    assert response.json()["results"] == [
        {
            "id": world.reviewed.pk,
            "product": world.survey.pk,
            "product_title": "UN E-Government Survey 2026",
            "branch": "e-govb",
            "title": "Chapter 1",
            "kind": "chapter",
            "kind_label": "Chapter",
            "owner": staff.pk,
            "owner_name": staff.get_full_name(),
            "due_date": "2026-04-30",
            "overdue": False,
            "state": "in_review",
            "state_label": "In review",
            "state_changed_at": "2026-03-02T10:00:00Z",
            "description": "",
            "created_at": "2026-03-02T10:00:00Z",
            "updated_at": "2026-03-02T10:00:00Z",
        }
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("cepa_member", ["UN E-Government Survey 2026"]),
        ("staff", ["METER", "UN E-Government Survey 2026"]),
        ("other_branch_staff", ["Public service guidelines"]),
        (
            "secretariat_admin",
            ["METER", "UN E-Government Survey 2026", "Public service guidelines"],
        ),
        ("focal_point", []),
    ],
)
@pytest.mark.django_db
def test_product_list_shows_products_the_caller_sees(api, world, request, who, expected):
    user = request.getfixturevalue(who)

    response = as_user(api, user).get(f"{API}/products/")

    assert response.status_code == 200
    assert [
        f"{row['title']} {row['edition']}".strip() for row in response.json()["results"]
    ] == expected


@pytest.mark.django_db
def test_product_detail_of_another_branch_is_404(api, world, other_branch_staff):
    response = as_user(api, other_branch_staff).get(f"{API}/products/{world.survey.pk}/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_product_create_by_branch_staff_returns_201(api, world, staff):
    response = as_user(api, staff).post(
        f"{API}/products/",
        {"branch": "e-govb", "kind": "compendium", "title": "Compendium", "edition": "2026"},
        format="json",
    )

    assert response.status_code == 201, response.content
    product = Product.objects.get(title="Compendium")
    assert (response.json()["id"], product.branch.code, product.kind) == (
        product.pk,
        "e-govb",
        "compendium",
    )


@pytest.mark.django_db
def test_product_create_by_cepa_member_is_403_and_creates_nothing(api, world, cepa_member):
    response = as_user(api, cepa_member).post(
        f"{API}/products/",
        {"branch": "e-govb", "kind": "compendium", "title": "Compendium"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the branch's staff create its products."}
    assert Product.objects.count() == 3


@pytest.mark.django_db
def test_product_create_twice_is_400_and_creates_nothing(api, world, staff):
    response = as_user(api, staff).post(
        f"{API}/products/",
        {
            "branch": "e-govb",
            "kind": "survey",
            "title": "UN E-Government Survey",
            "edition": "2026",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Product.objects.count() == 3


# --- deliverables: detail and create ---------------------------------------------------


@pytest.mark.parametrize(
    ("who", "which", "expected"),
    [
        ("cepa_member", "reviewed", 200),
        ("cepa_member", "planned", 404),
        ("other_member", "reviewed", 404),
        ("other_branch_staff", "reviewed", 404),
        ("focal_point", "reviewed", 404),
        ("staff", "planned", 200),
        ("chief", "reviewed", 200),
        ("secretariat_admin", "pacb", 200),
        ("staff", "pacb", 404),
    ],
)
@pytest.mark.django_db
def test_deliverable_detail_answers_404_to_who_may_not_see_it(
    api, world, request, who, which, expected
):
    user = request.getfixturevalue(who)
    deliverable = getattr(world, which)

    response = as_user(api, user).get(f"{API}/deliverables/{deliverable.pk}/")

    assert response.status_code == expected
    if expected == 404:
        assert response.json() == {"detail": "No such deliverable."}


@pytest.mark.django_db
def test_deliverable_create_by_staff_returns_201_planned(api, world, staff):
    response = as_user(api, staff).post(
        f"{API}/deliverables/",
        {
            "product": world.survey.pk,
            "owner": staff.pk,
            "title": "Chapter 3",
            "kind": "chapter",
            "due_date": "2026-09-30",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    created = Deliverable.objects.get(title="Chapter 3")
    assert (response.json()["id"], response.json()["state"]) == (created.pk, "planned")
    assert (created.product, created.owner, created.due_date) == (
        world.survey,
        staff,
        datetime.date(2026, 9, 30),
    )


@pytest.mark.django_db
def test_deliverable_create_on_a_product_not_seen_is_400_naming_product(
    api, world, other_branch_staff
):
    response = as_user(api, other_branch_staff).post(
        f"{API}/deliverables/",
        {
            "product": world.survey.pk,
            "owner": other_branch_staff.pk,
            "title": "Sneaky",
            "kind": "chapter",
            "due_date": "2026-09-30",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["product"]
    assert Deliverable.objects.count() == 3


@pytest.mark.django_db
def test_deliverable_create_with_owner_outside_the_branch_is_400_naming_owner(
    api, world, staff, other_branch_staff
):
    response = as_user(api, staff).post(
        f"{API}/deliverables/",
        {
            "product": world.survey.pk,
            "owner": other_branch_staff.pk,
            "title": "Chapter 3",
            "kind": "chapter",
            "due_date": "2026-09-30",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"owner": ["The owner must be a member of the product's branch."]}
    assert Deliverable.objects.count() == 3


@pytest.mark.django_db
def test_deliverable_create_by_assigned_cepa_member_is_403(api, world, cepa_member, staff):
    response = as_user(api, cepa_member).post(
        f"{API}/deliverables/",
        {
            "product": world.survey.pk,
            "owner": staff.pk,
            "title": "Chapter 3",
            "kind": "chapter",
            "due_date": "2026-09-30",
        },
        format="json",
    )

    assert response.status_code == 403
    assert Deliverable.objects.count() == 3


# --- transitions ------------------------------------------------------------------------


@pytest.mark.django_db
def test_transition_list_for_chief_names_what_they_may_fire(api, world, chief):
    response = as_user(api, chief).get(f"{API}/deliverables/{world.reviewed.pk}/transitions/")

    assert response.status_code == 200
    assert response.json() == [
        {"name": "return_for_revision", "label": "Return for revision"},
        {"name": "approve", "label": "Approve"},
        {"name": "cancel", "label": "Cancel deliverable"},
    ]


@pytest.mark.django_db
def test_transition_list_for_owner_of_planned_deliverable(api, world, staff):
    response = as_user(api, staff).get(f"{API}/deliverables/{world.planned.pk}/transitions/")

    assert response.json() == [{"name": "start_drafting", "label": "Start drafting"}]


@pytest.mark.django_db
def test_transition_list_for_reviewer_is_empty(api, world, cepa_member):
    response = as_user(api, cepa_member).get(f"{API}/deliverables/{world.reviewed.pk}/transitions/")

    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.django_db
def test_transition_list_of_an_unseen_deliverable_is_404(api, world, other_branch_staff):
    response = as_user(api, other_branch_staff).get(
        f"{API}/deliverables/{world.reviewed.pk}/transitions/"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(("who", "expected"), [("staff", 403), ("cepa_member", 403)])
@pytest.mark.django_db
def test_approve_by_someone_who_sees_but_may_not_decide_is_403_and_changes_nothing(
    api, world, request, who, expected, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, user).post(
            f"{API}/deliverables/{world.reviewed.pk}/transitions/",
            {"transition": "approve", "waiver_reason": "Urgent"},
            format="json",
        )

    assert response.status_code == expected
    assert response.json() == {"detail": "You may not “Approve” this deliverable."}
    denied(callbacks, before, world.reviewed)


@pytest.mark.parametrize("who", ["other_branch_staff", "other_member", "focal_point"])
@pytest.mark.django_db
def test_approve_by_someone_who_may_not_see_is_404_and_changes_nothing(
    api, world, request, who, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, user).post(
            f"{API}/deliverables/{world.reviewed.pk}/transitions/",
            {"transition": "approve", "waiver_reason": "Urgent"},
            format="json",
        )

    assert response.status_code == 404
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_approve_with_reviews_outstanding_is_400_naming_waiver_reason(
    api, world, chief, django_capture_on_commit_callbacks
):
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, chief).post(
            f"{API}/deliverables/{world.reviewed.pk}/transitions/",
            {"transition": "approve"},
            format="json",
        )

    assert response.status_code == 400
    assert response.json() == {
        "waiver_reason": ["1 review is outstanding: give a reason to approve without it."]
    }
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_approve_with_waiver_returns_the_approved_deliverable(
    api, world, chief, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, chief).post(
            f"{API}/deliverables/{world.reviewed.pk}/transitions/",
            {"transition": "approve", "comment": "Good", "waiver_reason": "Deadline"},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["state"]) == (world.reviewed.pk, "approved")
    assert fetch(Deliverable, world.reviewed.pk).state == DeliverableState.APPROVED
    entry = DeliverableHistory.objects.filter(deliverable=world.reviewed).last()
    assert (entry.actor, entry.from_state, entry.to_state, entry.comment, entry.summary) == (
        chief,
        "in_review",
        "approved",
        "Good",
        "Waiver: Deadline",
    )
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("amina@example.org", "Review withdrawn: Chapter 1"),
        ("staff@example.org", "Chapter 1: Approved"),
    ]


@pytest.mark.django_db
def test_approve_twice_is_409_and_changes_nothing(
    api, world, chief, django_capture_on_commit_callbacks
):
    as_user(api, chief)
    body = {"transition": "approve", "waiver_reason": "Deadline"}
    first = api.post(f"{API}/deliverables/{world.reviewed.pk}/transitions/", body, format="json")
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = api.post(
            f"{API}/deliverables/{world.reviewed.pk}/transitions/", body, format="json"
        )

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {
        "detail": "“Approve” is not possible: the deliverable is now approved."
    }
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_cancel_without_comment_is_400_naming_comment(
    api, world, chief, django_capture_on_commit_callbacks
):
    before = snapshot(world.planned)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, chief).post(
            f"{API}/deliverables/{world.planned.pk}/transitions/",
            {"transition": "cancel", "comment": "  "},
            format="json",
        )

    assert response.status_code == 400
    assert response.json() == {"comment": ["Give a reason."]}
    denied(callbacks, before, world.planned)


@pytest.mark.django_db
def test_unknown_transition_is_400_naming_transition(api, world, chief):
    before = snapshot(world.planned)

    response = as_user(api, chief).post(
        f"{API}/deliverables/{world.planned.pk}/transitions/",
        {"transition": "teleport"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["transition"]
    assert snapshot(world.planned) == before


@pytest.mark.django_db
def test_submit_for_review_without_a_version_is_400_naming_transition(api, world, staff):
    as_user(api, staff).post(
        f"{API}/deliverables/{world.planned.pk}/transitions/",
        {"transition": "start_drafting"},
        format="json",
    )

    response = api.post(
        f"{API}/deliverables/{world.planned.pk}/transitions/",
        {"transition": "submit_for_review"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "transition": ["Upload a new version before submitting it for review."]
    }
    assert fetch(Deliverable, world.planned.pk).state == DeliverableState.DRAFTING


# --- due date --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_date_change_by_owner_is_audited(api, world, staff):
    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.planned.pk}/due-date/",
        {"due_date": "2026-07-31", "reason": "Data arrives late"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["due_date"] == "2026-07-31"
    entry = DeliverableHistory.objects.get(deliverable=world.planned)
    assert (entry.old_due_date, entry.new_due_date, entry.comment) == (
        datetime.date(2026, 6, 30),
        datetime.date(2026, 7, 31),
        "Data arrives late",
    )


@pytest.mark.django_db
def test_due_date_change_without_reason_is_400_naming_reason(api, world, staff):
    before = snapshot(world.planned)

    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.planned.pk}/due-date/", {"due_date": "2026-07-31"}
    )

    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why the due date moves."]}
    assert snapshot(world.planned) == before


@pytest.mark.django_db
def test_due_date_change_by_reviewer_is_403(api, world, cepa_member):
    before = snapshot(world.reviewed)

    response = as_user(api, cepa_member).post(
        f"{API}/deliverables/{world.reviewed.pk}/due-date/",
        {"due_date": "2026-07-31", "reason": "Please"},
    )

    assert response.status_code == 403
    assert snapshot(world.reviewed) == before


# --- versions -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_version_upload_multipart_and_download_returns_the_bytes(api, world, staff):
    as_user(api, staff)

    upload = api.post(
        f"{API}/deliverables/{world.planned.pk}/versions/",
        {"file": pdf("My Draft.pdf"), "notes": "Outline"},
        format="multipart",
    )
    download = api.get(f"{API}/deliverables/{world.planned.pk}/versions/1/download/")

    assert upload.status_code == 201, upload.content
    body = upload.json()
    assert (body["number"], body["original_name"], body["size"], body["notes"]) == (
        1,
        "My Draft.pdf",
        len(PDF),
        "Outline",
    )
    assert body["download_url"] == (
        f"http://testserver{API}/deliverables/{world.planned.pk}/versions/1/download/"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="chapter-2-v1.pdf"'


@pytest.mark.django_db
def test_version_upload_of_a_non_document_is_400_naming_file(api, world, staff):
    before = snapshot(world.planned)

    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.planned.pk}/versions/",
        {"file": SimpleUploadedFile("notes.pdf", b"just text, not a PDF")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {
        "file": ["This file is not a PDF, DOCX, ODT, XLSX or PPTX document (checked by content)."]
    }
    assert snapshot(world.planned) == before


@pytest.mark.django_db
def test_version_upload_too_large_is_400_naming_file(api, world, staff, settings):
    settings.UPLOAD_MAX_BYTES = 20
    before = snapshot(world.planned)

    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.planned.pk}/versions/", {"file": pdf()}, format="multipart"
    )

    assert response.status_code == 400
    # (the request stopped being read at the limit: cepa_collab.uploads)
    assert response.json() == {
        "file": [
            "This upload is over the limit of 0 MB (all its files together); it was not received."
        ]
    }
    assert snapshot(world.planned) == before


@pytest.mark.django_db
def test_version_upload_without_file_is_400_naming_file(api, world, staff):
    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.planned.pk}/versions/", {"notes": "x"}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert Version.objects.filter(deliverable=world.planned).count() == 0


@pytest.mark.django_db
def test_version_upload_while_in_review_is_409(api, world, staff):
    before = snapshot(world.reviewed)

    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.reviewed.pk}/versions/", {"file": pdf()}, format="multipart"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": (
            "A new version can be uploaded while planned, drafting or revising, not in review."
        )
    }
    assert snapshot(world.reviewed) == before


@pytest.mark.django_db
def test_version_upload_by_reviewer_is_403(api, world, cepa_member):
    before = snapshot(world.reviewed)

    response = as_user(api, cepa_member).post(
        f"{API}/deliverables/{world.reviewed.pk}/versions/", {"file": pdf()}, format="multipart"
    )

    assert response.status_code == 403
    assert snapshot(world.reviewed) == before


@pytest.mark.django_db
def test_version_list_and_download_for_reviewer_only_the_assigned_version(
    api, world, chief, staff, cepa_member
):
    # given amina reviewed version 1, and version 2 was uploaded after that round
    services.save_review(
        cepa_member, world.assignment, recommendation="major_revision", comments="Redo", submit=True
    )
    services.fire_transition(chief, world.reviewed, "return_for_revision", comment="Redo")
    services.upload_version(staff, world.reviewed, pdf(content=PDF + b"v2"))
    as_user(api, cepa_member)

    listing = api.get(f"{API}/deliverables/{world.reviewed.pk}/versions/")
    first = api.get(f"{API}/deliverables/{world.reviewed.pk}/versions/1/download/")
    second = api.get(f"{API}/deliverables/{world.reviewed.pk}/versions/2/download/")

    assert [row["number"] for row in listing.json()] == [1]
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == PDF
    assert second.status_code == 404


@pytest.mark.django_db
def test_version_list_for_staff_shows_every_version(api, world, chief, staff):
    services.fire_transition(chief, world.reviewed, "return_for_revision", comment="Redo")
    services.upload_version(staff, world.reviewed, pdf())

    response = as_user(api, staff).get(f"{API}/deliverables/{world.reviewed.pk}/versions/")

    assert [row["number"] for row in response.json()] == [1, 2]


@pytest.mark.parametrize(
    ("who", "which"),
    [
        ("cepa_member", "planned"),
        ("other_member", "reviewed"),
        ("other_branch_staff", "reviewed"),
        ("focal_point", "reviewed"),
    ],
)
@pytest.mark.django_db
def test_version_download_is_404_for_who_may_not_see_it(api, world, staff, request, who, which):
    deliverable = getattr(world, which)
    if which == "planned":
        services.upload_version(staff, deliverable, pdf())
    user = request.getfixturevalue(who)

    download = as_user(api, user).get(f"{API}/deliverables/{deliverable.pk}/versions/1/download/")
    listing = api.get(f"{API}/deliverables/{deliverable.pk}/versions/")

    assert (download.status_code, listing.status_code) == (404, 404)


@pytest.mark.django_db
def test_version_download_of_a_missing_number_is_404(api, world, staff):
    response = as_user(api, staff).get(
        f"{API}/deliverables/{world.reviewed.pk}/versions/9/download/"
    )

    assert response.status_code == 404


# --- reviewers and assignments ---------------------------------------------------------------


@pytest.mark.django_db
def test_assign_reviewers_through_the_api_mails_each_reviewer_once(
    api, world, staff, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, staff).post(
            f"{API}/deliverables/{world.reviewed.pk}/reviewers/",
            {"reviewers": [other_member.pk], "due_date": "2026-03-25"},
            format="json",
        )

    assert response.status_code == 201, response.content
    created = ReviewAssignment.objects.get(reviewer=other_member)
    assert [row["id"] for row in response.json()] == [created.pk]
    assert (created.state, created.due_date) == ("invited", datetime.date(2026, 3, 25))
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ben@example.org"], "Review requested: Chapter 1, due 25 March 2026")
    ]


@pytest.mark.django_db
def test_assign_reviewers_by_reviewer_is_403_and_changes_nothing(
    api, world, cepa_member, other_member, django_capture_on_commit_callbacks
):
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, cepa_member).post(
            f"{API}/deliverables/{world.reviewed.pk}/reviewers/",
            {"reviewers": [other_member.pk], "due_date": "2026-03-25"},
            format="json",
        )

    assert response.status_code == 403
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_assign_reviewers_with_unknown_user_is_400_naming_reviewers(api, world, staff):
    before = snapshot(world.reviewed)

    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.reviewed.pk}/reviewers/",
        {"reviewers": [987654], "due_date": "2026-03-25"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reviewers"]
    assert snapshot(world.reviewed) == before


@pytest.mark.django_db
def test_assign_reviewers_twice_is_400_naming_reviewers(api, world, staff, cepa_member):
    response = as_user(api, staff).post(
        f"{API}/deliverables/{world.reviewed.pk}/reviewers/",
        {"reviewers": [cepa_member.pk], "due_date": "2026-03-25"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reviewers"]


@pytest.mark.django_db
def test_assignment_list_for_reviewer_shows_only_their_own(
    api, world, staff, cepa_member, other_member
):
    services.assign_reviewers(staff, world.reviewed, [other_member], REVIEW_DUE)

    mine = as_user(api, cepa_member).get(f"{API}/review-assignments/")
    filtered = api.get(f"{API}/review-assignments/", {"deliverable": world.reviewed.pk})

    assert ids(mine) == [world.assignment.pk]
    assert ids(filtered) == [world.assignment.pk]
    row = mine.json()["results"][0]
    assert (row["deliverable"], row["round"], row["version"], row["state"]) == (
        world.reviewed.pk,
        1,
        1,
        "invited",
    )


@pytest.mark.django_db
def test_assignment_list_for_unassigned_member_is_empty(api, world, other_member):
    response = as_user(api, other_member).get(f"{API}/review-assignments/")

    assert ids(response) == []


@pytest.mark.django_db
def test_assignment_list_for_staff_filtered_by_deliverable_shows_all(
    api, world, staff, other_member
):
    services.assign_reviewers(staff, world.reviewed, [other_member], REVIEW_DUE)
    second = ReviewAssignment.objects.get(reviewer=other_member)

    response = as_user(api, staff).get(
        f"{API}/review-assignments/", {"deliverable": world.reviewed.pk}
    )

    assert ids(response) == [world.assignment.pk, second.pk]


@pytest.mark.parametrize("who", ["other_branch_staff", "other_member"])
@pytest.mark.django_db
def test_assignment_list_filtered_by_an_unseen_deliverable_is_404(api, world, request, who):
    user = request.getfixturevalue(who)

    response = as_user(api, user).get(
        f"{API}/review-assignments/", {"deliverable": world.reviewed.pk}
    )

    assert response.status_code == 404


@pytest.mark.django_db
def test_assignment_list_with_a_malformed_filter_is_400(api, world, staff):
    response = as_user(api, staff).get(f"{API}/review-assignments/", {"deliverable": "x"})

    assert response.status_code == 400
    assert list(response.json()) == ["deliverable"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("cepa_member", 200),
        ("staff", 200),
        ("other_member", 404),
        ("other_branch_staff", 404),
        ("focal_point", 404),
    ],
)
@pytest.mark.django_db
def test_assignment_detail_answers_404_to_who_may_not_see_it(api, world, request, who, expected):
    user = request.getfixturevalue(who)

    response = as_user(api, user).get(f"{API}/review-assignments/{world.assignment.pk}/")

    assert response.status_code == expected


@pytest.mark.django_db
def test_assignment_accept_by_reviewer(api, world, cepa_member):
    response = as_user(api, cepa_member).post(
        f"{API}/review-assignments/{world.assignment.pk}/accept/"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "accepted"
    assert fetch(ReviewAssignment, world.assignment.pk).state == AssignmentState.ACCEPTED


@pytest.mark.django_db
def test_assignment_accept_twice_is_409(api, world, cepa_member):
    as_user(api, cepa_member).post(f"{API}/review-assignments/{world.assignment.pk}/accept/")

    response = api.post(f"{API}/review-assignments/{world.assignment.pk}/accept/")

    assert response.status_code == 409
    assert response.json() == {"detail": "The assignment is now accepted."}


@pytest.mark.parametrize(("who", "expected"), [("staff", 403), ("other_member", 404)])
@pytest.mark.django_db
def test_assignment_accept_by_someone_else_is_denied_and_changes_nothing(
    api, world, request, who, expected, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, user).post(
            f"{API}/review-assignments/{world.assignment.pk}/accept/"
        )

    assert response.status_code == expected
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_assignment_decline_without_reason_is_400_naming_reason(
    api, world, cepa_member, django_capture_on_commit_callbacks
):
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, cepa_member).post(
            f"{API}/review-assignments/{world.assignment.pk}/decline/", {}, format="json"
        )

    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why you decline."]}
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_assignment_decline_with_conflict_of_interest_tells_the_owner_and_revokes_access(
    api, world, cepa_member, django_capture_on_commit_callbacks
):
    as_user(api, cepa_member)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{API}/review-assignments/{world.assignment.pk}/decline/",
            {"reason": "I advised this ministry", "conflict_of_interest": True},
            format="json",
        )

    assert response.status_code == 200
    assignment = fetch(ReviewAssignment, world.assignment.pk)
    assert (assignment.state, assignment.decline_reason, assignment.conflict_of_interest) == (
        "declined",
        "I advised this ministry",
        True,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["staff@example.org"], "Review declined: Chapter 1")
    ]
    assert api.get(f"{API}/deliverables/{world.reviewed.pk}/").status_code == 404


@pytest.mark.django_db
def test_assignment_withdraw_by_owner_revokes_the_reviewers_access(api, world, staff, cepa_member):
    response = as_user(api, staff).post(
        f"{API}/review-assignments/{world.assignment.pk}/withdraw/",
        {"reason": "Wrong expert"},
        format="json",
    )
    reviewer_view = as_user(APIClient(), cepa_member).get(
        f"{API}/deliverables/{world.reviewed.pk}/versions/1/download/"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert reviewer_view.status_code == 404


@pytest.mark.django_db
def test_assignment_withdraw_by_reviewer_is_403_and_changes_nothing(
    api, world, cepa_member, django_capture_on_commit_callbacks
):
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, cepa_member).post(
            f"{API}/review-assignments/{world.assignment.pk}/withdraw/"
        )

    assert response.status_code == 403
    denied(callbacks, before, world.reviewed)


# --- reviews ---------------------------------------------------------------------------------


def review_url(assignment) -> str:
    return f"{API}/review-assignments/{assignment.pk}/review/"


@pytest.mark.django_db
def test_review_draft_then_submit_through_the_api(
    api, world, cepa_member, django_capture_on_commit_callbacks
):
    as_user(api, cepa_member)

    draft = api.put(
        review_url(world.assignment),
        {"recommendation": "minor_revision", "comments": "Half done"},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted = api.patch(
            review_url(world.assignment),
            {"comments": "Tighten chapter 2.", "submit": True},
            format="json",
        )

    assert draft.status_code == 200, draft.content
    assert (draft.json()["status"], draft.json()["comments"]) == ("draft", "Half done")
    assert submitted.status_code == 200, submitted.content
    review = Review.objects.get(assignment=world.assignment)
    assert (review.status, review.recommendation, review.comments) == (
        ReviewStatus.SUBMITTED,
        Recommendation.MINOR_REVISION,
        "Tighten chapter 2.",
    )
    assert fetch(ReviewAssignment, world.assignment.pk).state == AssignmentState.SUBMITTED
    # the only review of the round is in: the chief is told a decision waits
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["staff@example.org"], "Review submitted: Chapter 1"),
        (["chief@example.org"], "Ready for your decision: Chapter 1"),
    ]


@pytest.mark.django_db
def test_review_submit_without_recommendation_is_400_naming_it(api, world, cepa_member):
    response = as_user(api, cepa_member).put(
        review_url(world.assignment), {"comments": "Fine", "submit": True}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"recommendation": ["Choose a recommendation before submitting."]}
    assert fetch(ReviewAssignment, world.assignment.pk).state == AssignmentState.INVITED
    assert Review.objects.count() == 0


@pytest.mark.django_db
def test_review_with_annotated_file_as_multipart(api, world, cepa_member):
    response = as_user(api, cepa_member).put(
        review_url(world.assignment),
        {"recommendation": "ready", "comments": "See file", "annotated_file": pdf("notes.pdf")},
        format="multipart",
    )

    assert response.status_code == 200, response.content
    assert response.json()["has_annotated_file"] is True
    review = Review.objects.get(assignment=world.assignment)
    assert review.annotated_file.file.read() == PDF


@pytest.mark.django_db
def test_review_with_a_bad_annotated_file_is_400_naming_it(api, world, cepa_member):
    response = as_user(api, cepa_member).put(
        review_url(world.assignment),
        {"comments": "See file", "annotated_file": SimpleUploadedFile("x.pdf", b"nope")},
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["annotated_file"]
    assert Review.objects.count() == 0


@pytest.mark.parametrize(("who", "expected"), [("staff", 403), ("other_member", 404)])
@pytest.mark.django_db
def test_review_by_someone_else_is_denied_and_changes_nothing(
    api, world, request, who, expected, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    before = snapshot(world.reviewed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(api, user).put(
            review_url(world.assignment),
            {"recommendation": "ready", "comments": "x", "submit": True},
            format="json",
        )

    assert response.status_code == expected
    denied(callbacks, before, world.reviewed)


@pytest.mark.django_db
def test_review_after_submission_is_409(api, world, cepa_member):
    as_user(api, cepa_member)
    body = {"recommendation": "ready", "comments": "x", "submit": True}
    api.put(review_url(world.assignment), body, format="json")

    response = api.patch(review_url(world.assignment), {"comments": "changed"}, format="json")

    assert response.status_code == 409
    assert Review.objects.get(assignment=world.assignment).comments == "x"


@pytest.fixture
def two_reviews(world, staff, cepa_member, other_member):
    """amina and ben review chapter 1; ben has submitted, amina has a draft."""
    services.assign_reviewers(staff, world.reviewed, [other_member], REVIEW_DUE)
    bens = ReviewAssignment.objects.get(reviewer=other_member)
    services.save_review(
        other_member, bens, recommendation="not_ready", comments="Ben's view", submit=True
    )
    services.save_review(cepa_member, world.assignment, recommendation="", comments="Amina's")
    return SimpleNamespace(
        amina=Review.objects.get(assignment=world.assignment),
        ben=Review.objects.get(assignment=bens),
    )


@pytest.mark.django_db
def test_reviews_are_blind_until_the_reviewer_submits(api, world, two_reviews, cepa_member):
    as_user(api, cepa_member)

    before_list = api.get(f"{API}/reviews/")
    before_detail = api.get(f"{API}/reviews/{two_reviews.ben.pk}/")
    api.patch(
        review_url(world.assignment), {"recommendation": "ready", "submit": True}, format="json"
    )
    after_list = api.get(f"{API}/reviews/")
    after_detail = api.get(f"{API}/reviews/{two_reviews.ben.pk}/")

    assert ids(before_list) == [two_reviews.amina.pk]
    assert before_detail.status_code == 404
    assert ids(after_list) == [two_reviews.amina.pk, two_reviews.ben.pk]
    assert after_detail.json()["comments"] == "Ben's view"


@pytest.mark.django_db
def test_reviews_of_a_submitter_hide_the_others_drafts(api, world, two_reviews, other_member):
    response = as_user(api, other_member).get(f"{API}/reviews/")

    assert ids(response) == [two_reviews.ben.pk]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", ["ben"]),
        ("chief", ["ben"]),
        ("secretariat_admin", ["ben"]),
        ("other_branch_staff", []),
        ("focal_point", []),
    ],
)
@pytest.mark.django_db
def test_review_list_for_staff_shows_submitted_reviews_of_their_branch(
    api, world, two_reviews, request, who, expected
):
    user = request.getfixturevalue(who)

    response = as_user(api, user).get(f"{API}/reviews/")

    assert ids(response) == [getattr(two_reviews, name).pk for name in expected]


@pytest.mark.django_db
def test_review_list_filtered_by_deliverable(api, world, two_reviews, staff):
    as_user(api, staff)

    this = api.get(f"{API}/reviews/", {"deliverable": world.reviewed.pk})
    other = api.get(f"{API}/reviews/", {"deliverable": world.planned.pk})

    assert (ids(this), ids(other)) == ([two_reviews.ben.pk], [])


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliverable_filter_by_state_product_and_owner(api, world, staff, secretariat_admin):
    as_user(api, secretariat_admin)

    planned = api.get(f"{API}/deliverables/", {"state": "planned"})
    by_product = api.get(f"{API}/deliverables/", {"product": world.guideline.pk})
    by_owner = api.get(f"{API}/deliverables/", {"owner": staff.pk})

    assert ids(planned) == [world.pacb.pk, world.planned.pk]
    assert ids(by_product) == [world.pacb.pk]
    assert ids(by_owner) == [world.reviewed.pk, world.planned.pk]


@pytest.mark.django_db
def test_deliverable_filter_by_due_dates_is_inclusive(api, world, secretariat_admin):
    as_user(api, secretariat_admin)

    before = api.get(f"{API}/deliverables/", {"due_before": "2026-05-31"})
    after = api.get(f"{API}/deliverables/", {"due_after": "2026-05-31"})
    between = api.get(
        f"{API}/deliverables/", {"due_after": "2026-05-01", "due_before": "2026-06-29"}
    )

    assert ids(before) == [world.reviewed.pk, world.pacb.pk]
    assert ids(after) == [world.pacb.pk, world.planned.pk]
    assert ids(between) == [world.pacb.pk]


@pytest.mark.django_db
def test_deliverable_filter_overdue_follows_the_clock(
    api, world, chief, secretariat_admin, time_machine
):
    # given chapter 2 cancelled: never overdue
    services.fire_transition(chief, world.planned, "cancel", comment="Dropped")
    as_user(api, secretariat_admin)
    now_overdue = ids(api.get(f"{API}/deliverables/", {"overdue": "true"}))

    time_machine.move_to("2026-07-15 10:00:00+00:00", tick=False)
    later_overdue = api.get(f"{API}/deliverables/", {"overdue": "true"})
    later_not = ids(api.get(f"{API}/deliverables/", {"overdue": "false"}))

    assert now_overdue == []
    assert ids(later_overdue) == [world.reviewed.pk, world.pacb.pk]
    assert [row["overdue"] for row in later_overdue.json()["results"]] == [True, True]
    assert later_not == [world.planned.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"due_before": "tomorrow"}, "due_before"),
        ({"overdue": "perhaps"}, "overdue"),
    ],
)
@pytest.mark.django_db
def test_deliverable_filter_with_bad_value_is_400_naming_it(api, world, staff, params, field):
    response = as_user(api, staff).get(f"{API}/deliverables/", params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- query counts ----------------------------------------------------------------------------


def bulk_world(count: int, owner, reviewer) -> None:
    """`count` e-govb deliverables in review, each assigned to `reviewer` with a submitted
    review, inserted in bulk."""
    product = Product.objects.create(branch=branch("e-govb"), kind="survey", title="Bulk")
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            product=product,
            owner=owner,
            title=f"Deliverable {n}",
            kind="chapter",
            due_date=datetime.date(2026, 4, 1) + datetime.timedelta(days=n % 90),
            description="x",
        )
        for n in range(count)
    )
    versions = Version.objects.bulk_create(
        Version(
            deliverable=d,
            number=1,
            file=f"deliverables/{d.pk}/v1/d.pdf",
            original_name="d.pdf",
            content_type="application/pdf",
            size=10,
            uploaded_by=owner,
        )
        for d in deliverables
    )
    rounds = ReviewRound.objects.bulk_create(
        ReviewRound(deliverable=d, version=v, number=1, opened_by=owner)
        for d, v in zip(deliverables, versions, strict=True)
    )
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=r, deliverable=d, reviewer=reviewer, due_date=REVIEW_DUE, assigned_by=owner
        )
        for d, r in zip(deliverables, rounds, strict=True)
    )
    now = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    Review.objects.bulk_create(
        Review(
            assignment=a,
            recommendation="ready",
            comments="ok",
            status=ReviewStatus.SUBMITTED,
            submitted_at=now,
        )
        for a in assignments
    )
    view_d = Permission.objects.get(codename="view_deliverable")
    view_v = Permission.objects.get(codename="view_version")
    DeliverableUserObjectPermission.objects.bulk_create(
        DeliverableUserObjectPermission(user=reviewer, permission=view_d, content_object=d)
        for d in deliverables
    )
    VersionUserObjectPermission.objects.bulk_create(
        VersionUserObjectPermission(user=reviewer, permission=view_v, content_object=v)
        for v in versions
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# Token and user, roles, profile, count, page; the visibility rules are subqueries.
@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize(
    ("who", "path", "queries"),
    [
        ("staff", "/deliverables/", 5),
        ("cepa_member", "/deliverables/", 5),
        ("staff", "/products/", 5),
        ("cepa_member", "/review-assignments/", 3),
        ("cepa_member", "/reviews/", 5),
        ("chief", "/reviews/", 5),
    ],
)
@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(
    request, staff, cepa_member, django_assert_num_queries, count, who, path, queries
):
    bulk_world(count, staff, cepa_member)
    client = token_client(request.getfixturevalue(who))

    with django_assert_num_queries(queries):
        response = client.get(f"{API}{path}")

    assert response.status_code == 200
    assert response.json()["count"] == (1 if path == "/products/" else count)


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.django_db
def test_assignment_list_filtered_by_deliverable_query_count(
    staff, cepa_member, other_member, django_assert_num_queries, count
):
    bulk_world(count, staff, cepa_member)
    deliverable = Deliverable.objects.first()
    client = token_client(staff)

    with django_assert_num_queries(6):
        response = client.get(f"{API}/review-assignments/", {"deliverable": deliverable.pk})

    assert response.json()["count"] == 1


# --- schema and root -------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_documents_the_workflow_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    assert {
        "/api/v1/products/",
        "/api/v1/products/{id}/",
        "/api/v1/deliverables/",
        "/api/v1/deliverables/{id}/",
        "/api/v1/deliverables/{id}/transitions/",
        "/api/v1/deliverables/{id}/due-date/",
        "/api/v1/deliverables/{id}/versions/",
        "/api/v1/deliverables/{id}/versions/{number}/download/",
        "/api/v1/deliverables/{id}/reviewers/",
        "/api/v1/review-assignments/",
        "/api/v1/review-assignments/{id}/",
        "/api/v1/review-assignments/{id}/accept/",
        "/api/v1/review-assignments/{id}/decline/",
        "/api/v1/review-assignments/{id}/withdraw/",
        "/api/v1/review-assignments/{id}/review/",
        "/api/v1/reviews/",
        "/api/v1/reviews/{id}/",
    } <= set(paths)
    assert set(paths["/api/v1/deliverables/{id}/transitions/"]) == {"get", "post"}
    assert (
        "multipart/form-data"
        in (paths["/api/v1/deliverables/{id}/versions/"]["post"]["requestBody"]["content"])
    )
    filters = {p["name"] for p in paths["/api/v1/deliverables/"]["get"]["parameters"]}
    assert {"product", "state", "owner", "overdue", "due_before", "due_after"} <= filters


@pytest.mark.django_db
def test_api_root_lists_the_workflow_endpoints(api, cepa_member):
    body = as_user(api, cepa_member).get(f"{API}/").json()

    assert (body["deliverables"], body["reviews"]) == (
        "http://testserver/api/v1/deliverables/",
        "http://testserver/api/v1/reviews/",
    )
