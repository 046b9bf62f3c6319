"""One uploaded-document concept (`cepa_collab.models.UploadedDocument`, stored by
`cepa_collab.documents.store`, served by `cepa_collab.documents.serve`), the same for
deliverable versions, annotated review files, advisory request documents and
contribution attachments. What must hold for all four is parametrized over them."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from advisory.enums import Channel, DocumentKind, RequestKind
from advisory.models import AdvisoryRequest, RequestDocument
from cepa_collab import documents
from cepa_collab.enums import Role
from contributions.enums import ContributionKind
from contributions.models import Attachment, Contribution
from tests.factories import PDF_BYTES, branch, member_state, person
from tests.samples import docx
from workflows import services as workflow
from workflows.enums import DeliverableKind, ProductKind, Recommendation, ReviewStatus
from workflows.models import (
    AnnotatedFile,
    Deliverable,
    Product,
    Review,
    ReviewAssignment,
    ReviewRound,
    Version,
)

SAFE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def upload(name: str = "Draft final.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def world(db, secretariat_admin):
    """A record of each kind that holds documents, owned by one person of the branch."""
    owner = person(Role.BRANCH_STAFF, username="owner", branch_code="e-govb")
    reviewer = person(Role.CEPA_MEMBER, username="reviewer", country="GHA")
    product = Product.objects.create(
        branch=branch("e-govb"), kind=ProductKind.SURVEY, title="E-Government Survey"
    )
    deliverable = Deliverable.objects.create(
        product=product,
        title="Chapter 3: Digital government",
        kind=DeliverableKind.CHAPTER,
        owner=owner,
        due_date=datetime.date(2031, 6, 30),
    )
    reviewed = documents.store(Version, upload(), uploaded_by=owner, deliverable=deliverable)
    round_ = ReviewRound.objects.create(
        deliverable=deliverable, version=reviewed, number=1, opened_by=owner
    )
    assignment = ReviewAssignment.objects.create(
        round=round_,
        deliverable=deliverable,
        reviewer=reviewer,
        due_date=datetime.date(2031, 5, 31),
        assigned_by=owner,
    )
    review = Review.objects.create(
        assignment=assignment,
        recommendation=Recommendation.values[0],
        comments="See the file.",
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    request = AdvisoryRequest.objects.create(
        country=member_state("OMN"),
        branch=branch("e-govb"),
        kind=RequestKind.STRATEGY,
        channel=Channel.LETTER,
        received_on=datetime.date(2030, 1, 15),
        title="Oman digital strategy",
        description="A national e-government strategy.",
        created_by=owner,
    )
    contribution = Contribution.objects.create(
        author=reviewer,
        kind=ContributionKind.CASE_STUDY,
        branch=branch("e-govb"),
        title="Ghana card",
    )
    return SimpleNamespace(
        owner=owner,
        reviewer=reviewer,
        admin=secretariat_admin,
        deliverable=deliverable,
        assignment=assignment,
        review=review,
        request=request,
        contribution=contribution,
    )


@dataclass(frozen=True)
class Kind:
    """One kind of document: how to store one, where it goes, how it downloads."""

    model: type
    record: object  # world -> the keyword arguments that attach a document to its record
    folder: object  # (world, document) -> its folder under MEDIA_ROOT
    disposition: str  # the Content-Disposition of its download
    pages: object  # (world, document) -> the page download URL
    api: object  # (world, document) -> the API download URL, or None


KINDS = {
    "version": Kind(
        Version,
        lambda w: {"deliverable": w.deliverable},
        lambda w, d: f"deliverables/{w.deliverable.pk}/v{d.number}",
        'attachment; filename="chapter-3-digital-government-v2.pdf"',
        lambda w, d: reverse("workflows:version_download", args=[w.deliverable.pk, d.number]),
        lambda w, d: reverse(
            "api-deliverable-version-download", kwargs={"pk": w.deliverable.pk, "number": d.number}
        ),
    ),
    "annotated-file": Kind(
        AnnotatedFile,
        lambda w: {"review": w.review},
        lambda w, d: f"reviews/{w.assignment.pk}",
        'attachment; filename="chapter-3-digital-government-annotated-review-v1.pdf"',
        lambda w, d: reverse("workflows:annotated_download", args=[w.assignment.pk]),
        lambda w, d: None,
    ),
    "request-document": Kind(
        RequestDocument,
        lambda w: {"request": w.request, "kind": DocumentKind.PLAN_OF_ACTION},
        lambda w, d: f"advisory/{w.request.pk}/plan_of_action/v{d.number}",
        'attachment; filename="oman-digital-strategy-plan-of-action-v1.pdf"',
        lambda w, d: reverse("advisory:document_download", args=[w.request.pk, d.pk]),
        lambda w, d: reverse(
            "api-advisory-request-document-download",
            kwargs={"pk": w.request.pk, "document_pk": d.pk},
        ),
    ),
    "attachment": Kind(
        Attachment,
        lambda w: {"contribution": w.contribution},
        lambda w, d: f"contributions/{w.contribution.pk}",
        # an attachment downloads under the name it was uploaded with
        "attachment; filename=\"Draft-final.pdf\"; filename*=UTF-8''Draft%20final.pdf",
        lambda w, d: reverse("contributions:attachment", args=[w.contribution.pk, d.pk]),
        lambda w, d: reverse(
            "api-contribution-attachment-download",
            kwargs={"pk": w.contribution.pk, "attachment": d.pk},
        ),
    ),
}
kinds = pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())


# --- store -----------------------------------------------------------------------------------


@kinds
@pytest.mark.django_db
def test_store_records_the_name_the_sniffed_type_and_the_size(kind, world):
    document = documents.store(kind.model, upload(), uploaded_by=world.owner, **kind.record(world))

    document.refresh_from_db()
    assert (document.original_name, document.content_type, document.size) == (
        "Draft final.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    assert document.uploaded_by == world.owner
    assert document.file.read() == PDF_BYTES


@kinds
@pytest.mark.django_db
def test_store_goes_by_content_not_by_name(kind, world):
    # given a Word document called .pdf
    document = documents.store(
        kind.model, upload("notes.pdf", docx()), uploaded_by=world.owner, **kind.record(world)
    )

    # then it is stored and recorded as the Word document it is
    assert document.content_type == documents.DOCX.content_type
    assert re.fullmatch(r".+/[0-9a-f]{32}\.docx", document.file.name)
    assert document.extension == "docx"


@kinds
@pytest.mark.django_db
def test_store_refuses_other_content_naming_the_field_and_keeps_nothing(kind, world, settings):
    before = kind.model.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        documents.store(
            kind.model,
            upload("report.pdf", b"MZ\x90\x00 not a document"),
            uploaded_by=world.owner,
            field="upload",
            **kind.record(world),
        )

    assert excinfo.value.message_dict == {
        "upload": ["This file is not a PDF, DOCX, ODT, XLSX or PPTX document (checked by content)."]
    }
    assert kind.model.objects.count() == before
    assert not [path for path in settings.MEDIA_ROOT.rglob("report*") if path.is_file()]


@kinds
@pytest.mark.django_db
def test_store_keeps_the_file_outside_the_web_root_under_a_safe_name(kind, world, settings):
    document = documents.store(
        kind.model,
        upload('../../etc/Draft "final"; x.exe.pdf'),
        uploaded_by=world.owner,
        **kind.record(world),
    )

    # a generated name with the extension its content says, in the record's folder
    folder, name = document.file.name.rsplit("/", 1)
    assert folder == kind.folder(world, document)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name)
    path = settings.MEDIA_ROOT / document.file.name
    assert path.read_bytes() == PDF_BYTES
    assert path.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())
    assert not path.resolve().is_relative_to(settings.STATIC_ROOT.resolve())
    assert settings.MEDIA_URL in ("", "/")


@pytest.mark.django_db
def test_no_address_serves_stored_files_directly(world, client):
    version = world.deliverable.versions.get()
    client.force_login(world.admin)

    for address in (f"/{version.file.name}", f"/media/{version.file.name}"):
        assert client.get(address).status_code == 404


@pytest.mark.django_db
def test_store_numbers_versions_per_deliverable(world):
    other = Deliverable.objects.create(
        product=world.deliverable.product,
        title="Chapter 4",
        kind=DeliverableKind.CHAPTER,
        owner=world.owner,
        due_date=datetime.date(2031, 6, 30),
    )

    second = documents.store(
        Version, upload(), uploaded_by=world.owner, deliverable=world.deliverable
    )
    first_of_other = documents.store(Version, upload(), uploaded_by=world.owner, deliverable=other)
    third = documents.store(
        Version, upload(), uploaded_by=world.owner, deliverable=world.deliverable
    )

    assert (second.number, first_of_other.number, third.number) == (2, 1, 3)
    assert third.file.name.startswith(f"deliverables/{world.deliverable.pk}/v3/")


@pytest.mark.django_db
def test_store_numbers_request_documents_per_request_and_kind(world):
    def store(kind):
        return documents.store(
            RequestDocument, upload(), uploaded_by=world.owner, request=world.request, kind=kind
        )

    numbers = [
        (document.kind, document.number)
        for document in (
            store(DocumentKind.PLAN_OF_ACTION),
            store(DocumentKind.ANALYSIS),
            store(DocumentKind.PLAN_OF_ACTION),
        )
    ]

    assert numbers == [
        (DocumentKind.PLAN_OF_ACTION, 1),
        (DocumentKind.ANALYSIS, 1),
        (DocumentKind.PLAN_OF_ACTION, 2),
    ]


@pytest.mark.django_db
def test_a_new_annotated_file_replaces_the_review_s_and_its_file_goes_after_commit(
    world, settings, django_capture_on_commit_callbacks
):
    # given a reviewer's draft review with an annotated file
    reviewer = person(Role.CEPA_MEMBER, username="second_reviewer", country="GHA")
    assignment = ReviewAssignment.objects.create(
        round=world.assignment.round,
        deliverable=world.deliverable,
        reviewer=reviewer,
        due_date=datetime.date(2031, 5, 31),
        assigned_by=world.owner,
    )
    first = workflow.save_review(
        reviewer, assignment, comments="Draft", annotated_file=upload("first.pdf")
    ).annotated_file
    first_path = settings.MEDIA_ROOT / first.file.name
    assert first_path.read_bytes() == PDF_BYTES

    # when they save it with another file
    with django_capture_on_commit_callbacks(execute=True):
        review = workflow.save_review(
            reviewer, assignment, comments="Draft", annotated_file=upload("second.pdf", docx())
        )

    # then the review has the new one only, and the old file is gone from the disk
    assert list(AnnotatedFile.objects.filter(review=review).values_list("original_name")) == [
        ("second.pdf",)
    ]
    assert re.fullmatch(
        rf"reviews/{assignment.pk}/[0-9a-f]{{32}}\.docx", review.annotated_file.file.name
    )
    assert review.annotated_file.uploaded_by == reviewer
    assert not first_path.exists()


def test_only_versions_and_request_documents_are_numbered():
    assert {name: kind.model.numbered_within for name, kind in KINDS.items()} == {
        "version": ("deliverable",),
        "annotated-file": (),
        "request-document": ("request", "kind"),
        "attachment": (),
    }


# --- serve -----------------------------------------------------------------------------------


@kinds
@pytest.mark.django_db
def test_serve_sends_an_attachment_with_safe_headers(kind, world):
    document = documents.store(kind.model, upload(), uploaded_by=world.owner, **kind.record(world))
    document = kind.model.objects.get(pk=document.pk)

    response = documents.serve(document)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == kind.disposition
    assert {header: response[header] for header in SAFE_HEADERS} == SAFE_HEADERS
    assert b"".join(response.streaming_content) == PDF_BYTES


@kinds
@pytest.mark.django_db
def test_every_download_page_and_api_action_serves_the_same_way(kind, world, client):
    # given a document of this kind, and the admin, who may see every one
    document = documents.store(kind.model, upload(), uploaded_by=world.owner, **kind.record(world))
    client.force_login(world.admin)

    addresses = [kind.pages(world, document), kind.api(world, document)]
    for address in filter(None, addresses):
        response = client.get(address)

        assert response.status_code == 200, address
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == kind.disposition
        assert {header: response[header] for header in SAFE_HEADERS} == SAFE_HEADERS
        assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.django_db
def test_serve_is_404_when_the_file_is_gone(world):
    version = world.deliverable.versions.get()
    version.file.storage.delete(version.file.name)

    with pytest.raises(Http404):
        documents.serve(version)


@pytest.mark.django_db
def test_serve_sends_an_unknown_recorded_type_as_bytes(world):
    version = world.deliverable.versions.get()
    version.content_type = "text/html"

    response = documents.serve(version, filename="page.html")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    response.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chapter-2-v1.pdf", 'attachment; filename="chapter-2-v1.pdf"'),
        (
            "Côte d’Ivoire.pdf",
            'attachment; filename="Cote-dIvoire.pdf"; '
            "filename*=UTF-8''C%C3%B4te%20d%E2%80%99Ivoire.pdf",
        ),
        (
            "数字政府.docx",
            'attachment; filename="document.docx"; '
            "filename*=UTF-8''%E6%95%B0%E5%AD%97%E6%94%BF%E5%BA%9C.docx",
        ),
        (
            '../../etc/"x";\r\nSet-Cookie: a=b.pdf',
            'attachment; filename="x-Set-Cookie-a-b.pdf"; '
            "filename*=UTF-8''%22x%22%3BSet-Cookie%3A%20a%3Db.pdf",
        ),
        ("", 'attachment; filename="document"'),
    ],
    ids=["ascii", "accents", "non-latin", "path-quotes-newlines", "empty"],
)
def test_content_disposition_is_an_attachment_with_a_safe_ascii_and_an_exact_name(name, expected):
    header = documents.content_disposition(name)

    assert header == expected
    assert header.isascii()
    assert "\r" not in header and "\n" not in header
