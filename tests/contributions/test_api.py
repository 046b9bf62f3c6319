"""The contributions API under /api/v1/contributions/, checked from the outside: hidden →
404, seen but not allowed → 403, bad input → 400 naming the field, no longer possible → 409."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contributions import services
from contributions.enums import ContributionKind, ContributionState
from contributions.models import Attachment, Contribution
from knowledge import services as knowledge
from notifications.models import Notification
from tests.contributions.contribution_fixtures import (
    NOW,
    PDF_BYTES,
    REVIEW_DUE,
    accepted,
    case_study,
    compendium,
    country,
    pacb_report,
    pdf,
    repository_entry,
    returned,
    submitted,
    under_review,
    volume,
    written_input,
)
from tests.factories import branch
from workflows import services as workflows

# Every test here uses the database (some only through fixtures picked by name).
pytestmark = pytest.mark.django_db

API = "/api/v1/contributions"
S = ContributionState
REQUIRED = ["This field is required before submitting."]


@pytest.fixture(autouse=True)
def _now_and_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


# --- list and detail -------------------------------------------------------------------------


def test_list_filters_by_kind_state_country_category_branch_and_mine(people):
    author, staff = people["author"], people["staff"]
    draft = case_study(author, title="Draft")
    oman = accepted(case_study(author, title="Oman", iso3="OMN"), staff)
    legal = accepted(repository_entry(author, category="legal"), staff)
    lars = accepted(case_study(people["other_member"], title="Lars", iso3="SWE"), staff)
    product, _report = pacb_report(people["other_branch_staff"])
    pacb = accepted(written_input(author, product), people["other_branch_staff"])
    client = as_user(author)

    assert ids(client.get(f"{API}/")) == sorted([draft.pk, oman.pk, legal.pk, lars.pk, pacb.pk])
    assert ids(client.get(f"{API}/", {"kind": "case_study", "state": "accepted"})) == [
        oman.pk,
        lars.pk,
    ]
    assert ids(client.get(f"{API}/", {"country": "OMN"})) == [oman.pk]
    assert ids(client.get(f"{API}/", {"category": "legal"})) == [legal.pk]
    assert ids(client.get(f"{API}/", {"branch": "pacb"})) == [pacb.pk]
    assert ids(client.get(f"{API}/", {"mine": "true"})) == sorted(
        [draft.pk, oman.pk, legal.pk, pacb.pk]
    )
    assert ids(client.get(f"{API}/", {"mine": "false"})) == [lars.pk]


def test_list_rejects_a_bad_filter_value_naming_it(people):
    response = as_user(people["author"]).get(f"{API}/", {"state": "done", "mine": "maybe"})

    assert response.status_code == 400
    assert sorted(response.json()) == ["mine", "state"]


def test_detail_gives_the_fields_of_a_case_study(people):
    contribution = under_review(case_study(people["author"]), people["staff"])

    body = as_user(people["author"]).get(f"{API}/{contribution.pk}/").json()

    assert body == {
        "id": contribution.pk,
        "url": f"/contributions/{contribution.pk}/",
        "kind": "case_study",
        "kind_label": "Case study for the Compendium",
        "title": "Ghana's national digital identity",
        "state": "under_review",
        "state_label": "Under review",
        "author": people["author"].pk,
        "author_name": people["author"].get_full_name(),
        "branch": "e-govb",
        "country": "GHA",
        "country_name": "Ghana",
        "summary": "One identity card for every public service.",
        "innovation": "Issued at birth registration.",
        "transferability": "Needs only a civil register.",
        "links": ["https://nia.gov.gh/"],
        "category": "",
        "category_label": "",
        "year": None,
        "document_url": "",
        "product": None,
        "product_title": None,
        "deliverable": None,
        "deliverable_title": None,
        "submitted_at": "2026-03-02T10:00:00Z",
        "review_due": REVIEW_DUE.isoformat(),
        "reviewer": people["staff"].pk,
        "reviewer_name": people["staff"].get_full_name(),
        "review_comment": "",
        "decided_at": None,
        "incorporated_into": None,
        "incorporated_into_title": None,
        "created_at": "2026-03-02T10:00:00Z",
        "updated_at": "2026-03-02T10:00:00Z",
        "cited_by": [],
    }


def test_detail_hides_the_review_from_other_members(people):
    contribution = accepted(case_study(people["author"]), people["staff"], comment="Internal.")

    body = as_user(people["other_member"]).get(f"{API}/{contribution.pk}/").json()

    assert [body[name] for name in ("review_due", "reviewer", "review_comment")] == [
        None,
        None,
        None,
    ]
    assert body["state"] == "accepted"


def test_detail_names_the_deliverables_only_to_those_who_may_see_them(people):
    vol = volume(people["chief"], people["staff"], compendium(people["chief"]))
    contribution = accepted(case_study(people["author"]), people["staff"])
    services.incorporate(people["staff"], contribution, vol)
    knowledge.link_contribution(people["staff"], vol, contribution, "Case 12")

    staff = as_user(people["staff"]).get(f"{API}/{contribution.pk}/").json()
    author = as_user(people["author"]).get(f"{API}/{contribution.pk}/").json()
    other = as_user(people["other_member"]).get(f"{API}/{contribution.pk}/").json()

    cited = [{"deliverable": vol.pk, "title": "Compendium, volume 4", "note": "Case 12"}]
    assert (staff["incorporated_into"], staff["incorporated_into_title"]) == (
        vol.pk,
        "Compendium, volume 4",
    )
    assert staff["cited_by"] == cited
    assert (author["incorporated_into"], author["cited_by"]) == (vol.pk, cited)
    assert (other["incorporated_into"], other["incorporated_into_title"]) == (None, None)
    assert other["cited_by"] == []


def test_detail_of_a_hidden_contribution_is_not_found(people):
    draft = case_study(people["author"])

    responses = [
        as_user(people[who]).get(f"{API}/{draft.pk}/").status_code
        for who in ("other_member", "staff", "focal_point")
    ]

    assert responses == [404, 404, 404]


# --- proposing and editing -------------------------------------------------------------------


def test_create_case_study_as_a_draft(people):
    response = as_user(people["author"]).post(
        f"{API}/",
        {
            "kind": "case_study",
            "title": "Ghana Card",
            "country": "GHA",
            "summary": "One card.",
            "links": ["https://nia.gov.gh/", " https://ghana.gov.gh/ "],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    contribution = Contribution.objects.get()
    assert response.json()["id"] == contribution.pk
    assert (contribution.state, contribution.country.iso3, contribution.links) == (
        S.DRAFT,
        "GHA",
        "https://nia.gov.gh/\nhttps://ghana.gov.gh/",
    )


def test_create_written_input_for_a_product(people):
    product = compendium(people["chief"])

    response = as_user(people["author"]).post(
        f"{API}/",
        {"kind": "written_input", "title": "Input", "product": product.pk, "summary": "Text"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["product"], response.json()["product_title"]) == (
        product.pk,
        "Compendium of Innovative E-Government Practices 2027",
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "No kind"}, ["kind"]),
        ({"kind": "poem", "title": "Ode"}, ["kind"]),
        ({"kind": "case_study"}, ["title"]),
        ({"kind": "case_study", "title": "T", "country": "XXX"}, ["country"]),
        ({"kind": "case_study", "title": "T", "links": ["ftp://old"]}, ["links"]),
        ({"kind": "repository_entry", "title": "T", "country": "GHA"}, ["category"]),
        ({"kind": "repository_entry", "title": "T", "category": "legal", "year": 1800}, ["year"]),
        ({"kind": "written_input", "title": "T"}, ["product"]),
    ],
)
def test_create_with_bad_input_names_the_field(people, body, fields):
    response = as_user(people["author"]).post(f"{API}/", body, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert Contribution.objects.count() == 0


def test_create_for_a_deliverable_the_member_cannot_see_names_the_deliverable(people):
    product = compendium(people["chief"])
    unseen = volume(people["chief"], people["staff"], product)

    response = as_user(people["author"]).post(
        f"{API}/",
        {"kind": "written_input", "title": "T", "product": product.pk, "deliverable": unseen.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["deliverable"]
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize("who", ["staff", "chief", "focal_point", "secretariat_admin"])
def test_create_by_someone_not_a_cepa_member_is_forbidden(people, who):
    response = as_user(people[who]).post(
        f"{API}/", {"kind": "case_study", "title": "Mine"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Contributions are proposed by CEPA members."}
    assert Contribution.objects.count() == 0


def test_create_by_anonymous_is_unauthorised(db):
    response = APIClient().post(f"{API}/", {"kind": "case_study", "title": "T"}, format="json")

    assert response.status_code == 401
    assert Contribution.objects.count() == 0


def test_patch_changes_only_the_given_fields_of_a_draft(people):
    draft = case_study(people["author"])

    response = as_user(people["author"]).patch(
        f"{API}/{draft.pk}/", {"title": "Ghana Card", "links": []}, format="json"
    )

    saved = Contribution.objects.get(pk=draft.pk)
    assert response.status_code == 200
    assert (saved.title, saved.links, saved.summary) == (
        "Ghana Card",
        "",
        "One identity card for every public service.",
    )


def test_patch_cannot_change_the_kind(people):
    draft = case_study(people["author"])

    response = as_user(people["author"]).patch(
        f"{API}/{draft.pk}/", {"kind": "written_input"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"kind": ["The kind cannot be changed."]}


def test_patch_of_a_submitted_contribution_is_a_conflict(people):
    contribution = submitted(case_study(people["author"]))

    response = as_user(people["author"]).patch(
        f"{API}/{contribution.pk}/", {"title": "Late"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A contribution is edited while it is a draft or returned."
    }
    assert Contribution.objects.get(pk=contribution.pk).title != "Late"


def test_patch_of_a_returned_contribution_by_the_author(people):
    contribution = returned(case_study(people["author"]), people["staff"])

    response = as_user(people["author"]).patch(
        f"{API}/{contribution.pk}/", {"innovation": "More."}, format="json"
    )

    assert response.status_code == 200
    assert Contribution.objects.get(pk=contribution.pk).innovation == "More."


# --- transitions -----------------------------------------------------------------------------


def test_transitions_lists_what_the_caller_may_fire(people):
    contribution = submitted(case_study(people["author"]))

    author = as_user(people["author"]).get(f"{API}/{contribution.pk}/transitions/").json()
    staff = as_user(people["staff"]).get(f"{API}/{contribution.pk}/transitions/").json()

    assert author == [{"name": "withdraw", "label": "Withdraw"}]
    assert staff == [{"name": "start_review", "label": "Start review"}]


def test_submit_of_an_incomplete_case_study_names_each_missing_field(people):
    draft = services.propose(people["author"], kind=ContributionKind.CASE_STUDY, title="Bare")

    response = as_user(people["author"]).post(
        f"{API}/{draft.pk}/transitions/", {"name": "submit"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "country": REQUIRED,
        "summary": REQUIRED,
        "innovation": REQUIRED,
        "transferability": REQUIRED,
    }
    assert Contribution.objects.get(pk=draft.pk).state == S.DRAFT


def test_submit_then_review_then_accept_with_comment(people):
    contribution = case_study(people["author"])

    sent = as_user(people["author"]).post(
        f"{API}/{contribution.pk}/transitions/", {"name": "submit"}, format="json"
    )
    taken = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/transitions/", {"name": "start_review"}, format="json"
    )
    done = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/transitions/",
        {"name": "accept", "comment": "A fine case."},
        format="json",
    )

    assert [r.status_code for r in (sent, taken, done)] == [200, 200, 200]
    assert [r.json()["state"] for r in (sent, taken, done)] == [
        "submitted",
        "under_review",
        "accepted",
    ]
    assert done.json()["review_comment"] == "A fine case."
    assert Notification.objects.filter(user=people["author"]).count() == 1


def test_return_without_a_comment_names_the_comment(people):
    contribution = under_review(case_study(people["author"]), people["staff"])

    response = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/transitions/", {"name": "return_for_revision"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"comment": ["Say what should change."]}
    assert Contribution.objects.get(pk=contribution.pk).state == S.UNDER_REVIEW


def test_unknown_transition_names_the_name(people):
    contribution = case_study(people["author"])

    response = as_user(people["author"]).post(
        f"{API}/{contribution.pk}/transitions/", {"name": "publish"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["name"]


def test_transition_from_the_wrong_state_is_a_conflict(people):
    contribution = submitted(case_study(people["author"]))

    response = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/transitions/", {"name": "accept"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "“Accept” is not possible: the contribution is now submitted."
    }


def test_transition_by_the_author_of_a_staff_action_is_forbidden(people):
    contribution = submitted(case_study(people["author"]))

    response = as_user(people["author"]).post(
        f"{API}/{contribution.pk}/transitions/", {"name": "start_review"}, format="json"
    )

    assert response.status_code == 403
    assert Contribution.objects.get(pk=contribution.pk).state == S.SUBMITTED


# --- incorporation -------------------------------------------------------------------------------


def test_incorporate_into_a_compendium_volume(people):
    vol = volume(people["chief"], people["staff"], compendium(people["chief"]))
    contribution = accepted(case_study(people["author"]), people["staff"])

    response = as_user(people["chief"]).post(
        f"{API}/{contribution.pk}/incorporate/", {"deliverable": vol.pk}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["incorporated_into"], response.json()["incorporated_into_title"]) == (
        vol.pk,
        "Compendium, volume 4",
    )


def test_incorporate_before_acceptance_is_a_conflict(people):
    vol = volume(people["chief"], people["staff"], compendium(people["chief"]))
    contribution = under_review(case_study(people["author"]), people["staff"])

    response = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/incorporate/", {"deliverable": vol.pk}, format="json"
    )

    assert response.status_code == 409
    assert Contribution.objects.get(pk=contribution.pk).incorporated_into is None


def test_incorporate_into_an_unseen_or_foreign_deliverable_names_the_deliverable(people):
    _product, report = pacb_report(people["other_branch_staff"])
    contribution = accepted(case_study(people["author"]), people["staff"])

    missing = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/incorporate/", {}, format="json"
    )
    foreign = as_user(people["staff"]).post(
        f"{API}/{contribution.pk}/incorporate/", {"deliverable": report.pk}, format="json"
    )

    assert (missing.status_code, list(missing.json())) == (400, ["deliverable"])
    assert (foreign.status_code, list(foreign.json())) == (400, ["deliverable"])
    assert Contribution.objects.get(pk=contribution.pk).incorporated_into is None


def test_incorporate_by_the_author_is_forbidden(people):
    contribution = accepted(case_study(people["author"]), people["staff"])
    product = compendium(people["chief"])
    vol = volume(people["chief"], people["staff"], product)
    workflows.fire_transition(people["staff"], vol, "start_drafting")
    workflows.upload_version(people["staff"], vol, pdf())
    workflows.fire_transition(people["staff"], vol, "submit_for_review")
    workflows.assign_reviewers(people["staff"], vol, [people["author"]], datetime.date(2026, 4, 1))

    response = as_user(people["author"]).post(
        f"{API}/{contribution.pk}/incorporate/", {"deliverable": vol.pk}, format="json"
    )

    assert response.status_code == 403
    assert Contribution.objects.get(pk=contribution.pk).incorporated_into is None


# --- files -------------------------------------------------------------------------------------


def test_attachments_upload_list_and_download(people):
    draft = case_study(people["author"])
    client = as_user(people["author"])

    uploaded = client.post(
        f"{API}/{draft.pk}/attachments/", {"file": pdf("Ghana card.pdf")}, format="multipart"
    )
    listed = client.get(f"{API}/{draft.pk}/attachments/")
    download = client.get(uploaded.json()["download_url"])

    attachment = Attachment.objects.get()
    assert uploaded.status_code == 201
    assert listed.json() == [
        {
            "id": attachment.pk,
            "original_name": "Ghana card.pdf",
            "content_type": "application/pdf",
            "size": len(PDF_BYTES),
            "created_at": "2026-03-02T10:00:00Z",
            "download_url": (
                f"http://testserver{API}/{draft.pk}/attachments/{attachment.pk}/download/"
            ),
        }
    ]
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Cache-Control"] == "private, no-store"


def test_attachment_upload_of_a_non_document_names_the_file(people):
    draft = case_study(people["author"])
    fake = SimpleUploadedFile("case.pdf", b"MZ not a pdf", content_type="application/pdf")

    response = as_user(people["author"]).post(
        f"{API}/{draft.pk}/attachments/", {"file": fake}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert Attachment.objects.count() == 0


def test_attachment_upload_after_submission_is_a_conflict(people):
    contribution = submitted(case_study(people["author"]))

    response = as_user(people["author"]).post(
        f"{API}/{contribution.pk}/attachments/", {"file": pdf()}, format="multipart"
    )

    assert response.status_code == 409
    assert Attachment.objects.count() == 0


# --- query counts ------------------------------------------------------------------------------


def seed(author, count: int, deliverable) -> None:
    product = deliverable.product
    Contribution.objects.bulk_create(
        Contribution(
            author=author,
            kind=ContributionKind.WRITTEN_INPUT if n % 3 == 0 else ContributionKind.CASE_STUDY,
            branch=branch("e-govb"),
            country=None if n % 3 == 0 else country("GHA"),
            product=product if n % 3 == 0 else None,
            title=f"Contribution {n:03}",
            summary="s",
            state=S.ACCEPTED if n % 2 else S.SUBMITTED,
            incorporated_into=deliverable if n % 2 else None,
        )
        for n in range(count)
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# token and user, roles, profile, count, rows, which of the deliverables they name the caller
# sees (one query for the page, however many rows name one)
@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize(
    ("who", "queries", "share"), [("author", 6, 1), ("staff", 6, 1), ("other_member", 6, 2)]
)
def test_list_query_count_does_not_grow_with_rows(
    people, django_assert_num_queries, count, who, queries, share
):
    deliverable = volume(people["chief"], people["staff"], compendium(people["chief"]))
    seed(people["author"], count, deliverable)
    client = token_client(people[who])

    with django_assert_num_queries(queries):
        response = client.get(f"{API}/")

    assert response.status_code == 200
    assert response.json()["count"] == count // share
