"""Review forms (issue 16, items 1 and 2): defaults by product kind, editing, the round's
frozen copy, scores and comments for the chief, declarations, the chief's summary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cepa_collab.enums import Role
from tests.factories import (
    DeliverableFactory,
    PersonFactory,
    ProductFactory,
    ReviewAssignmentFactory,
    branch,
    pdf,
)
from workflows import review_forms, services
from workflows.enums import AssignmentState, DeliverableState, ProductKind, Recommendation
from workflows.models import (
    ChiefComments,
    ConflictDeclaration,
    CriterionScore,
    ProductReviewForm,
    ReviewAssignment,
    RoundCriterion,
)
from workflows.review_forms import CriterionSpec

pytestmark = pytest.mark.django_db


def _names(criteria) -> list[str]:
    return [c.name for c in criteria]


def _in_review(product, **kwargs):
    return DeliverableFactory(product=product, state=DeliverableState.IN_REVIEW, **kwargs)


def _scores(assignment, *values) -> dict[int, int]:
    criteria = review_forms.round_criteria(assignment.round_id)
    return {c.pk: v for c, v in zip(criteria, values, strict=False)}


# --- defaults and editing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        (ProductKind.COMPENDIUM, ["Innovation", "Transferability", "Adaptability", "Impact"]),
        (ProductKind.SURVEY, ["Methodology", "Data quality", "Clarity", "Policy relevance"]),
        (ProductKind.TOOLKIT, ["Accuracy", "Relevance", "Clarity", "Completeness"]),
    ],
)
def test_form_of_a_product_without_one_is_its_kinds_defaults(kind, names):
    product = ProductFactory(kind=kind)

    form = review_forms.form_of(product)

    assert (form.saved, _names(form.criteria)) == (False, names)


def test_save_form_by_the_branch_staff_replaces_the_criteria(staff):
    product = ProductFactory()

    review_forms.save_form(
        staff,
        product,
        guidelines=" Read the annex first. ",
        criteria=[CriterionSpec("Rigour", "Sound?", 10, Decimal("2")), CriterionSpec("Style")],
    )

    form = review_forms.form_of(product)
    assert form.saved
    assert form.guidelines == "Read the annex first."
    assert [(c.name, c.scale, c.weight) for c in form.criteria] == [
        ("Rigour", 10, Decimal("2.0")),
        ("Style", 5, None),
    ]


def test_save_form_by_another_branch_or_a_reviewer_is_refused_and_changes_nothing(
    other_branch_staff, cepa_member
):
    product = ProductFactory()
    for user in (other_branch_staff, cepa_member):
        with pytest.raises(PermissionDenied):
            review_forms.save_form(user, product, guidelines="x", criteria=[CriterionSpec("A")])

    assert ProductReviewForm.objects.count() == 0


@pytest.mark.parametrize(
    "criteria",
    [
        [],
        [CriterionSpec("A"), CriterionSpec("a")],
        [CriterionSpec(" ")],
        [CriterionSpec("A", scale=7)],
        [CriterionSpec("A", weight=Decimal("0"))],
    ],
)
def test_save_form_refuses_bad_criteria_naming_the_field(chief, criteria):
    product = ProductFactory()

    with pytest.raises(ValidationError) as error:
        review_forms.save_form(chief, product, guidelines="", criteria=criteria)

    assert list(error.value.message_dict) == ["criteria"]
    assert ProductReviewForm.objects.count() == 0


def test_a_round_keeps_the_form_it_opened_with(chief):
    product = ProductFactory(kind=ProductKind.COMPENDIUM)
    review_forms.save_form(
        chief, product, guidelines="Version 1 rules.", criteria=[CriterionSpec("Innovation")]
    )
    deliverable = _in_review(product)
    round_ = deliverable.open_round

    review_forms.save_form(
        chief, product, guidelines="New rules.", criteria=[CriterionSpec("Something else")]
    )

    assert _names(review_forms.round_criteria(round_.pk)) == ["Innovation"]
    assert review_forms.round_guidelines(round_.pk) == "Version 1 rules."


def test_the_next_round_opens_with_the_form_as_it_is_then(chief):
    product = ProductFactory()
    deliverable = _in_review(product)
    services.fire_transition(chief, deliverable, "return_for_revision", comment="Revise.")
    review_forms.save_form(chief, product, guidelines="", criteria=[CriterionSpec("Rigour")])
    services.upload_version(deliverable.owner, deliverable, pdf("v2.pdf"))

    services.fire_transition(deliverable.owner, deliverable, "submit_for_review")

    rounds = deliverable.rounds.order_by("number")
    assert [_names(review_forms.round_criteria(r.pk)) for r in rounds] == [
        ["Methodology", "Data quality", "Clarity", "Policy relevance"],
        ["Rigour"],
    ]


# --- scores and comments for the chief ---------------------------------------------------


@pytest.fixture
def accepted():
    return ReviewAssignmentFactory(state=AssignmentState.ACCEPTED)


def test_save_review_stores_scores_and_comments_for_the_chief(accepted):
    scores = _scores(accepted, 4, 2)

    review = services.save_review(
        accepted.reviewer,
        accepted,
        recommendation=Recommendation.MINOR_REVISION,
        comments="Good.",
        scores=scores,
        comments_for_chief="The data of table 3 look copied.",
        submit=True,
    )

    assert dict(review.scores.values_list("criterion_id", "score")) == scores
    assert review.for_chief.text == "The data of table 3 look copied."


def test_save_review_without_scores_keeps_the_saved_ones(accepted):
    services.save_review(accepted.reviewer, accepted, scores=_scores(accepted, 3))

    review = services.save_review(accepted.reviewer, accepted, comments="More later.")

    assert list(review.scores.values_list("score", flat=True)) == [3]


@pytest.mark.parametrize("score", [0, 6])
def test_save_review_refuses_a_score_off_its_scale(accepted, score):
    with pytest.raises(ValidationError) as error:
        services.save_review(accepted.reviewer, accepted, scores=_scores(accepted, score))

    assert error.value.message_dict == {"scores": ["Score “Methodology” from 1 to 5."]}
    assert CriterionScore.objects.count() == 0


def test_save_review_refuses_a_criterion_of_another_round(accepted):
    other = ReviewAssignmentFactory(state=AssignmentState.ACCEPTED)

    with pytest.raises(ValidationError) as error:
        services.save_review(accepted.reviewer, accepted, scores=_scores(other, 3))

    assert list(error.value.message_dict) == ["scores"]


def test_save_review_by_someone_else_stores_no_scores(accepted, chief):
    with pytest.raises(PermissionDenied):
        services.save_review(chief, accepted, scores=_scores(accepted, 3), comments_for_chief="x")

    assert (CriterionScore.objects.count(), ChiefComments.objects.count()) == (0, 0)


def test_emptied_comments_for_the_chief_are_removed(accepted):
    services.save_review(accepted.reviewer, accepted, comments_for_chief="Careful.")

    services.save_review(accepted.reviewer, accepted, comments_for_chief="  ")

    assert ChiefComments.objects.count() == 0


# --- declarations --------------------------------------------------------------------------


def test_accept_records_no_conflict_by_default():
    assignment = ReviewAssignmentFactory()

    services.accept_assignment(assignment.reviewer, assignment)

    declaration = ConflictDeclaration.objects.get()
    assert (declaration.assignment_id, declaration.has_conflict, declaration.details) == (
        assignment.pk,
        False,
        "",
    )


def test_accept_records_the_conflict_declared():
    assignment = ReviewAssignmentFactory()

    services.accept_assignment(
        assignment.reviewer, assignment, has_conflict=True, conflict=" I advise its ministry. "
    )

    assert ConflictDeclaration.objects.get().details == "I advise its ministry."


def test_accept_with_a_conflict_and_no_details_is_refused_and_changes_nothing():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(ValidationError) as error:
        services.accept_assignment(assignment.reviewer, assignment, has_conflict=True)

    assert list(error.value.message_dict) == ["conflict_details"]
    assert ReviewAssignment.objects.get(pk=assignment.pk).state == AssignmentState.INVITED
    assert ConflictDeclaration.objects.count() == 0


# --- the chief's summary ---------------------------------------------------------------------


def test_disagreement_is_a_spread_of_four_tenths_of_the_scale():
    assert [
        review_forms.disagree([1, 3], 5),
        review_forms.disagree([2, 3], 5),
        review_forms.disagree([4], 5),
        review_forms.disagree([3, 7], 10),
        review_forms.disagree([3, 6], 10),
        review_forms.disagree([1, 2], 3),
    ] == [True, False, False, True, False, True]


def test_summary_gives_mean_low_high_disagreement_and_weighted_total(chief):
    product = ProductFactory()
    review_forms.save_form(
        chief,
        product,
        guidelines="",
        criteria=[CriterionSpec("A", weight=Decimal("3")), CriterionSpec("B", scale=10)],
    )
    deliverable = _in_review(product)
    reviewers = [PersonFactory(roles=[Role.CEPA_MEMBER], country="GHA") for _ in range(3)]
    for reviewer, (a, b) in zip(reviewers, [(5, 2), (4, 8), (1, None)], strict=True):
        assignment = ReviewAssignmentFactory(
            deliverable=deliverable, reviewer=reviewer, state=AssignmentState.ACCEPTED
        )
        services.save_review(
            reviewer,
            assignment,
            recommendation=Recommendation.READY,
            comments="c",
            scores=_scores(assignment, a, b),
            submit=True,
        )
    round_ = deliverable.open_round
    reviews = [a.review for a in round_.assignments.select_related("review")]

    summary = review_forms.summary(round_, reviews)

    rows = [(r.count, r.mean, r.low, r.high, r.disagree) for r in summary.criteria]
    assert rows == [(3, Decimal("3.3"), 1, 5, True), (2, Decimal("5.0"), 2, 8, True)]
    # (3 × (10/3)/5 + 1 × 5/10) / 4 = 62.5 %, rounded half up
    assert summary.weighted_total == Decimal("63")
    assert summary.disagreements == ["A", "B"]
    assert summary.reviews == 3


def test_summary_counts_submitted_reviews_only(accepted):
    draft = services.save_review(accepted.reviewer, accepted, scores=_scores(accepted, 5))

    summary = review_forms.summary(accepted.round, [draft])

    assert [r.count for r in summary.criteria] == [0, 0, 0, 0]
    assert summary.weighted_total is None


def test_a_round_opened_before_forms_has_no_summary(accepted):
    RoundCriterion.objects.all().delete()

    assert review_forms.summary(accepted.round, []) is None


def test_defaults_are_for_the_branch_in_every_branch():
    product = ProductFactory(branch=branch("pacb"), kind=ProductKind.COMPENDIUM)

    assert len(review_forms.form_of(product).criteria) == 4
