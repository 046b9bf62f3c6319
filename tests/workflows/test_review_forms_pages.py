"""The pages of review forms: the product's form, the scored review with its guidelines,
accepting with a declaration, the chief's summary and who reads what on the deliverable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cepa_collab.enums import Role
from tests.factories import PersonFactory, ReviewAssignmentFactory
from workflows import review_forms, services
from workflows.enums import AssignmentState, Recommendation
from workflows.models import ConflictDeclaration, CriterionScore, ProductReviewForm
from workflows.review_forms import CriterionSpec

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _criteria_post(*rows, guidelines="") -> dict:
    data = {
        "guidelines": guidelines,
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, (name, scale, weight) in enumerate(rows):
        data.update(
            {
                f"criteria-{i}-name": name,
                f"criteria-{i}-guidance": "",
                f"criteria-{i}-scale": str(scale),
                f"criteria-{i}-weight": weight,
            }
        )
    return data


@pytest.fixture
def submitted_pair(cast):
    """Two reviewers of the cast's deliverable who submitted, scores and comments for the
    chief included; returns (first, second) assignments."""
    deliverable = cast.deliverable
    first = deliverable.assignments.get()
    services.accept_assignment(first.reviewer, first)
    second = ReviewAssignmentFactory(
        deliverable=deliverable,
        reviewer=PersonFactory(roles=[Role.CEPA_MEMBER], country="KEN"),
        state=AssignmentState.ACCEPTED,
    )
    criteria = review_forms.round_criteria(first.round_id)
    for assignment, (score, secret) in zip(
        (first, second), [(5, "Secret of the first."), (1, "Secret of the second.")], strict=True
    ):
        services.save_review(
            assignment.reviewer,
            assignment,
            recommendation=Recommendation.READY,
            comments="Public comment.",
            scores={criteria[0].pk: score},
            comments_for_chief=secret,
            submit=True,
        )
    return first, second


# --- the product's form --------------------------------------------------------------------


def test_review_form_page_saves_the_criteria(client, chief, cast):
    product = cast.deliverable.product
    client.force_login(chief)

    shown = client.get(f"/products/{product.pk}/review-form/")
    saved = client.post(
        f"/products/{product.pk}/review-form/",
        _criteria_post(("Rigour", 10, "2"), ("", 5, ""), guidelines="Be kind."),
    )

    assert shown.status_code == 200
    assert 'value="Methodology"' in html(shown)
    assert saved.status_code == 302
    form = review_forms.form_of(product)
    assert (form.guidelines, [(c.name, c.scale, c.weight) for c in form.criteria]) == (
        "Be kind.",
        [("Rigour", 10, Decimal("2.0"))],
    )


def test_review_form_page_with_no_criterion_says_so(client, chief, cast):
    product = cast.deliverable.product
    client.force_login(chief)

    response = client.post(f"/products/{product.pk}/review-form/", _criteria_post(("", 5, "")))

    assert response.status_code == 400
    assert "Give at least one criterion." in html(response)
    assert ProductReviewForm.objects.count() == 0


def test_product_page_shows_the_form_and_offers_editing_to_branch_staff_only(client, cast, staff):
    product = cast.deliverable.product
    url = f"/products/{product.pk}/review-form/"
    offered = {}
    for user in (staff, cast.chief, cast.secretariat_admin):
        client.force_login(user)
        page = client.get(f"/products/{product.pk}/")
        offered[user.username] = (page.status_code, f'href="{url}"' in html(page))

    assert offered == {"staff": (200, True), "chief": (200, True), "admin": (200, False)}


# --- the review page -----------------------------------------------------------------------


def test_review_page_shows_the_guidelines_before_the_form_and_saves_scores(client, chief, cast):
    review_forms.save_form(
        chief,
        cast.deliverable.product,
        guidelines="Mind the 2024 data.",
        criteria=[CriterionSpec("Rigour")],
    )
    # The cast's round opened before: its form is the defaults; a new assignment keeps it.
    assignment = cast.deliverable.assignments.get()
    services.accept_assignment(assignment.reviewer, assignment)
    criterion = review_forms.round_criteria(assignment.round_id)[0]
    client.force_login(assignment.reviewer)

    page = html(client.get(f"/reviews/{assignment.pk}/"))
    saved = client.post(
        f"/reviews/{assignment.pk}/",
        {
            "action": "save",
            "comments": "Draft.",
            f"score_{criterion.pk}": "4",
            "comments_for_chief": "Only for you.",
        },
    )

    assert page.index('id="guidelines-heading"') < page.index('name="comments"')
    assert "Methodology" in page
    assert "Comments for the chief and owner only" in page
    assert saved.status_code == 302
    assert list(CriterionScore.objects.values_list("criterion_id", "score")) == [(criterion.pk, 4)]
    again = html(client.get(f"/reviews/{assignment.pk}/"))
    assert f'name="score_{criterion.pk}" value="4"' in again and "Only for you." in again


def test_review_page_refuses_a_score_off_the_scale(client, cast):
    assignment = cast.deliverable.assignments.get()
    criterion = review_forms.round_criteria(assignment.round_id)[0]
    client.force_login(assignment.reviewer)

    response = client.post(
        f"/reviews/{assignment.pk}/", {"action": "save", f"score_{criterion.pk}": "9"}
    )

    assert response.status_code == 400
    assert CriterionScore.objects.count() == 0


# --- accepting with a declaration ------------------------------------------------------------


def test_accept_page_asks_for_a_declaration(client, cast):
    assignment = cast.deliverable.assignments.get()
    client.force_login(assignment.reviewer)
    url = f"/reviews/{assignment.pk}/accept/"

    shown = client.get(url)
    nothing = client.post(url, {})
    no_details = client.post(url, {"declaration": "conflict", "conflict_details": ""})
    accepted = client.post(
        url, {"declaration": "conflict", "conflict_details": "I advise the ministry."}
    )

    assert shown.status_code == 200
    assert "I have no conflict of interest" in html(shown)
    assert nothing.status_code == 400
    assert "Declare whether you have a conflict of interest." in html(nothing)
    assert no_details.status_code == 400
    assert "Say what the conflict of interest is." in html(no_details)
    assert accepted.status_code == 302
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.has_conflict, declaration.details) == (True, "I advise the ministry.")


def test_accept_page_is_the_reviewers_only(client, cast):
    assignment = cast.deliverable.assignments.get()
    url = f"/reviews/{assignment.pk}/accept/"
    statuses = {}
    for who in ("owner", "chief", "unassigned_reviewer", "other_branch_staff"):
        client.force_login(cast[who])
        statuses[who] = (
            client.get(url).status_code,
            client.post(url, {"declaration": "none"}).status_code,
        )

    assert statuses == {
        "owner": (403, 403),
        "chief": (403, 403),
        "unassigned_reviewer": (404, 404),
        "other_branch_staff": (404, 404),
    }
    assert ConflictDeclaration.objects.count() == 0


def test_declarations_are_shown_to_the_chief_and_owner_not_other_reviewers(
    client, cast, submitted_pair
):
    first, second = submitted_pair
    ConflictDeclaration.objects.filter(assignment=second).update(
        has_conflict=True, details="Co-author of chapter 1."
    )
    seen = {}
    for who, user in (
        ("chief", cast.chief),
        ("owner", cast.owner),
        ("first", first.reviewer),
        ("second", second.reviewer),
    ):
        client.force_login(user)
        page = html(client.get(f"/deliverables/{cast.deliverable.pk}/"))
        seen[who] = "Co-author of chapter 1." in page

    assert seen == {"chief": True, "owner": True, "first": False, "second": True}


# --- the deliverable page ---------------------------------------------------------------------


def test_chief_sees_the_score_summary_beside_the_recommendations(client, cast, submitted_pair):
    client.force_login(cast.chief)

    page = html(client.get(f"/deliverables/{cast.deliverable.pk}/"))

    assert page.index("Recommendations") < page.index('id="scores-heading"')
    assert page.index('id="scores-heading"') < page.index('id="decision-form-heading"')
    assert "Reviewers disagree" in page
    assert "Reviewers disagree on: Methodology." in page
    assert "Weighted total: 60% of the top score." in page


def test_comments_for_the_chief_are_hidden_from_the_other_reviewers(client, cast, submitted_pair):
    first, second = submitted_pair
    seen = {}
    for who, user in (
        ("chief", cast.chief),
        ("owner", cast.owner),
        ("first", first.reviewer),
        ("second", second.reviewer),
        ("other_branch_staff", cast.other_branch_staff),
    ):
        client.force_login(user)
        response = client.get(f"/deliverables/{cast.deliverable.pk}/")
        page = html(response) if response.status_code == 200 else ""
        seen[who] = ("Secret of the first." in page, "Secret of the second." in page)

    assert seen == {
        "chief": (True, True),
        "owner": (True, True),
        "first": (True, False),
        "second": (False, True),
        "other_branch_staff": (False, False),
    }


def test_scores_follow_the_blind_rule_on_the_deliverable_page(client, cast, submitted_pair):
    deliverable = cast.deliverable
    third = ReviewAssignmentFactory(
        deliverable=deliverable,
        reviewer=PersonFactory(roles=[Role.CEPA_MEMBER], country="BRA"),
        state=AssignmentState.ACCEPTED,
    )
    client.force_login(third.reviewer)

    page = html(client.get(f"/deliverables/{deliverable.pk}/"))

    # Still reviewing: the others' reviews and their scores are hidden.
    assert "5 of 5" not in page and "1 of 5" not in page
