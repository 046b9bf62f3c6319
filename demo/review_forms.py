"""The demo's review forms (issue 16, items 1 and 2): reviewer guidelines for each product's
form, scores and comments for the chief on the submitted reviews, one declared conflict of
interest. Runs after `demo.workflows` (its rounds froze their kind's default criteria);
creates only what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.enums import ProductKind, ReviewStatus
from workflows.models import (
    ChiefComments,
    ConflictDeclaration,
    CriterionScore,
    Product,
    ProductReviewForm,
    Review,
    RoundCriterion,
)
from workflows.review_forms import default_criteria

GUIDELINES = {
    ProductKind.COMPENDIUM: (
        "Judge the case study as a practice another government could adopt. Score each "
        "criterion on its own; say in your comments which evidence you missed."
    ),
    ProductKind.SURVEY: (
        "Check the chapter's figures against the Survey's data annex. Flag any country "
        "ranking you believe is wrong in the comments for the chief."
    ),
}
# Scores given by the demo's reviews, in turn (on a 1–5 scale): disagreement shows.
SCORES = ((4, 5, 3, 4), (2, 4, 3, 1), (5, 4, 4, 5))


@dataclass
class ReviewFormDemoResult:
    forms_created: int = 0
    reviews_scored: int = 0

    def summary(self) -> str:
        return f"{self.forms_created} review forms and {self.reviews_scored} scored reviews"


def seed_review_forms() -> ReviewFormDemoResult:
    result = ReviewFormDemoResult()
    for product in Product.objects.exclude(
        pk__in=ProductReviewForm.objects.values("product_id")
    ).order_by("pk"):
        guidelines = GUIDELINES.get(product.kind)
        if guidelines is None:
            continue
        form = ProductReviewForm.objects.create(product=product, guidelines=guidelines)
        form.criteria.bulk_create(
            form.criteria.model(form=form, position=n, **vars(spec))
            for n, spec in enumerate(default_criteria(product.kind), start=1)
        )
        result.forms_created += 1
    reviews = (
        Review.objects.filter(status=ReviewStatus.SUBMITTED, scores__isnull=True)
        .select_related("assignment")
        .order_by("pk")
    )
    new_scores = []
    for turn, review in enumerate(reviews):
        criteria = RoundCriterion.objects.filter(form__round_id=review.assignment.round_id)
        values = SCORES[turn % len(SCORES)]
        new_scores += [
            CriterionScore(review=review, criterion=criterion, score=min(value, criterion.scale))
            for criterion, value in zip(criteria.order_by("position"), values, strict=False)
        ]
        if turn == 1:
            ChiefComments.objects.get_or_create(
                review=review,
                defaults={"text": "Table 4 seems to repeat last edition's figures."},
            )
            ConflictDeclaration.objects.filter(assignment=review.assignment).update(
                has_conflict=True, details="I advised the ministry whose portal is the case."
            )
        result.reviews_scored += 1
    CriterionScore.objects.bulk_create(new_scores)
    return result
