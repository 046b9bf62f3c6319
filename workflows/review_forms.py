"""Review forms, scores and conflict-of-interest declarations (issue 16, items 1 and 2).

A product's review form lists criteria (a name, a scale, guidance, an optional weight) and
the reviewers' guidelines; a product that has none yet uses its kind's defaults
(`DEFAULT_CRITERIA`). When a round opens it takes a copy (`freeze`): its reviews score
that copy, whatever the product's form becomes. Reviews carry a score per criterion and
comments for the chief and owner only (`store_scores`, called by
`workflows.services.save_review`); accepting an assignment records a declaration
(`declare`, called by `workflows.services.accept_assignment`).

Scores are read through the reviews they belong to: whoever may read a review
(`workflows.queries.visible_reviews`, the blind rule) reads its scores, nobody else.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workflows import rules
from workflows.enums import ProductKind, ReviewStatus
from workflows.models import (
    ChiefComments,
    ConflictDeclaration,
    CriterionScore,
    FormCriterion,
    Product,
    ProductReviewForm,
    Review,
    ReviewAssignment,
    ReviewRound,
    RoundCriterion,
    RoundReviewForm,
    ScoreScale,
)

# --- the defaults, by product kind ------------------------------------------------------

# (name, guidance), written in English and translated for whoever creates the form.
_CASE_STUDY = (
    (gettext_noop("Innovation"), gettext_noop("How new is the approach, here or anywhere?")),
    (
        gettext_noop("Transferability"),
        gettext_noop("Could another country or level of government apply it?"),
    ),
    (
        gettext_noop("Adaptability"),
        gettext_noop("Does the case say what to change for another context?"),
    ),
    (gettext_noop("Impact"), gettext_noop("Are the results shown, measured and attributed?")),
)
_SURVEY_CHAPTER = (
    (gettext_noop("Methodology"), gettext_noop("Is the method sound, stated and followed?")),
    (gettext_noop("Data quality"), gettext_noop("Are the data current, sourced and complete?")),
    (gettext_noop("Clarity"), gettext_noop("Can a policy maker follow it on first reading?")),
    (
        gettext_noop("Policy relevance"),
        gettext_noop("Does it lead to recommendations a government can act on?"),
    ),
)
_GENERAL = (
    (gettext_noop("Accuracy"), gettext_noop("Are facts, figures and sources right?")),
    (gettext_noop("Relevance"), gettext_noop("Does it serve its readers and its purpose?")),
    (gettext_noop("Clarity"), gettext_noop("Is it well organised and clearly written?")),
    (gettext_noop("Completeness"), gettext_noop("Is anything important missing?")),
)
DEFAULT_CRITERIA = {
    ProductKind.COMPENDIUM: _CASE_STUDY,
    ProductKind.SURVEY: _SURVEY_CHAPTER,
}

# Reviewers disagree on a criterion when their scores spread over at least this share of
# its scale (max − min ≥ 0.4 × (scale − 1): 2 points on 1–5, 4 on 1–10, 1 on 1–3).
DISAGREEMENT_SHARE = Decimal("0.4")


@dataclass
class CriterionSpec:
    """A criterion as written on a form (a product's, a round's, or one being edited)."""

    name: str
    guidance: str = ""
    scale: int = ScoreScale.FIVE
    weight: Decimal | None = None


def default_criteria(kind: str) -> list[CriterionSpec]:
    """The criteria a product of `kind` starts with, in the active language."""
    return [
        CriterionSpec(name=_(name), guidance=_(guidance))
        for name, guidance in DEFAULT_CRITERIA.get(kind, _GENERAL)
    ]


@dataclass
class FormView:
    """A product's form as it stands: saved, or its kind's defaults (`saved` False)."""

    product: Product
    guidelines: str
    criteria: list[CriterionSpec]
    saved: bool


def form_of(product: Product) -> FormView:
    """The product's review form, or its kind's defaults when none was saved (two queries)."""
    saved = (
        ProductReviewForm.objects.filter(product=product)
        .prefetch_related(Prefetch("criteria", FormCriterion.objects.order_by("position", "pk")))
        .first()
    )
    if saved is None:
        return FormView(product, "", default_criteria(product.kind), saved=False)
    criteria = [CriterionSpec(c.name, c.guidance, c.scale, c.weight) for c in saved.criteria.all()]
    return FormView(product, saved.guidelines, criteria, saved=True)


def check_criteria(criteria: list[CriterionSpec]) -> None:
    """The rules of a form's criteria: at least one, each named once, a known scale, a
    positive weight when one is given."""
    errors = []
    if not criteria:
        errors.append(_("Give at least one criterion."))
    names = [spec.name.strip().casefold() for spec in criteria]
    if any(not name for name in names):
        errors.append(_("Give each criterion a name."))
    if len(set(names)) != len(names):
        errors.append(_("Two criteria have the same name."))
    if any(spec.scale not in ScoreScale.values for spec in criteria):
        errors.append(_("Choose one of the scales."))
    if any(spec.weight is not None and spec.weight <= 0 for spec in criteria):
        errors.append(_("A weight is more than zero (leave it empty for 1)."))
    if errors:
        raise ValidationError({"criteria": errors})


@transaction.atomic
def save_form(
    actor, product: Product | int, *, guidelines: str, criteria: list[CriterionSpec]
) -> ProductReviewForm:
    """Replace the product's review form (the branch's staff and chief). Rounds already open
    keep the form they opened with."""
    pk = product.pk if isinstance(product, Product) else product
    locked = Product.objects.select_for_update().get(pk=pk)
    rules.REVIEW_FORM.edit.require(locked, actor)
    check_criteria(criteria)
    form, _created = ProductReviewForm.objects.get_or_create(product=locked)
    form.guidelines = guidelines.strip()
    form.full_clean(exclude=["product"])
    form.save()
    form.criteria.all().delete()
    rows = [
        FormCriterion(
            form=form,
            position=position,
            name=spec.name.strip(),
            guidance=spec.guidance.strip(),
            scale=spec.scale,
            weight=spec.weight,
        )
        for position, spec in enumerate(criteria, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["form"])
    FormCriterion.objects.bulk_create(rows)
    return form


def freeze(round_: ReviewRound) -> RoundReviewForm:
    """Copy the product's form (or its kind's defaults) into a round that opens now (called
    by `workflows.services` when it opens the round)."""
    current = form_of(round_.deliverable.product)
    frozen = RoundReviewForm.objects.create(round=round_, guidelines=current.guidelines)
    RoundCriterion.objects.bulk_create(
        RoundCriterion(
            form=frozen,
            position=position,
            name=spec.name,
            guidance=spec.guidance,
            scale=spec.scale,
            weight=spec.weight,
        )
        for position, spec in enumerate(current.criteria, start=1)
    )
    return frozen


def round_criteria(round_id: int) -> list[RoundCriterion]:
    """The criteria of a round's form, in order (none for a round opened before forms)."""
    return list(RoundCriterion.objects.filter(form__round_id=round_id).order_by("position", "pk"))


def round_guidelines(round_id: int) -> str:
    return (
        RoundReviewForm.objects.filter(round_id=round_id).values_list("guidelines", flat=True)
    ).first() or ""


# --- scores and the comments for the chief (parts of `services.save_review`) ---------------


def check_scores(assignment: ReviewAssignment, scores: dict[int, int | None] | None) -> None:
    """Raise (naming `scores`) unless each score is of a criterion of the assignment's round
    and on its scale. A criterion may stay unscored (one that does not apply to the draft):
    the summary counts the scores given."""
    if not scores:
        return
    by_pk = {c.pk: c for c in round_criteria(assignment.round_id)}
    errors = []
    for criterion_id, score in scores.items():
        criterion = by_pk.get(criterion_id)
        if criterion is None:
            errors.append(_("Score only the criteria of this round's form."))
        elif score is not None and not 1 <= score <= criterion.scale:
            errors.append(
                _("Score “%(name)s” from 1 to %(top)d.")
                % {"name": criterion.name, "top": criterion.scale}
            )
    if errors:
        raise ValidationError({"scores": errors})


def store_scores(review: Review, scores: dict[int, int] | None, for_chief: str | None) -> None:
    """Save the scores given (None: keep the saved ones; a None score clears it) and the
    comments for the chief (None: keep them; empty: remove them). Checked by `check_scores`."""
    if scores is not None:
        CriterionScore.objects.filter(review=review).delete()
        CriterionScore.objects.bulk_create(
            CriterionScore(review=review, criterion_id=pk, score=score)
            for pk, score in scores.items()
            if score is not None
        )
    if for_chief is not None:
        text = for_chief.strip()
        if text:
            ChiefComments.objects.update_or_create(review=review, defaults={"text": text})
        else:
            ChiefComments.objects.filter(review=review).delete()


def initial_of(review: Review | None) -> dict:
    """A draft's saved scores and comments for the chief, as the review page's initial data."""
    if review is None:
        return {}
    initial = {
        f"score_{criterion_id}": score
        for criterion_id, score in review.scores.values_list("criterion_id", "score")
    }
    comments = ChiefComments.objects.filter(review=review).values_list("text", flat=True).first()
    initial["comments_for_chief"] = comments or ""
    return initial


# --- declarations (part of `services.accept_assignment`) ------------------------------------


def check_declaration(has_conflict: bool, details: str) -> None:
    if has_conflict and not details.strip():
        raise ValidationError({"conflict_details": _("Say what the conflict of interest is.")})


def declare(assignment: ReviewAssignment, has_conflict: bool, details: str) -> ConflictDeclaration:
    """Record what the reviewer declared on accepting (checked by `check_declaration`)."""
    declaration, _created = ConflictDeclaration.objects.update_or_create(
        assignment=assignment,
        defaults={"has_conflict": has_conflict, "details": details.strip() if has_conflict else ""},
    )
    return declaration


def _same_deliverable(assignments, deliverable) -> None:
    """Give `assignments` their (known, loaded) deliverable: asking the rules about each row
    loads nothing more."""
    if deliverable is None:
        return
    for assignment in assignments:
        if assignment.deliverable_id == deliverable.pk:
            assignment.deliverable = deliverable


def declarations_for(
    user, assignments: list[ReviewAssignment], deliverable=None
) -> dict[int, ConflictDeclaration]:
    """The declarations of `assignments` (of `deliverable`, when given) that `user` may read
    (the chief, the owner, the reviewer themself), by assignment id: one query (none when
    they may read none)."""
    _same_deliverable(assignments, deliverable)
    readable = [a.pk for a in assignments if rules.FOR_CHIEF.read_declaration(a, user)]
    if not readable:
        return {}
    return {
        d.assignment_id: d for d in ConflictDeclaration.objects.filter(assignment_id__in=readable)
    }


def dress_assignments(user, assignments: list[ReviewAssignment], deliverable=None) -> None:
    """Set `declared` on each assignment: its declaration if `user` may read it, else None."""
    found = declarations_for(user, assignments, deliverable)
    for assignment in assignments:
        assignment.declared = found.get(assignment.pk)


# --- reading: the scores of readable reviews, the chief's summary ---------------------------


def dress(user, reviews: list[Review], deliverable=None) -> None:
    """Set on each review (all readable by `user`: `queries.visible_reviews`; of
    `deliverable`, when given) `score_rows` (its scores, in the criteria's order) and
    `comments_for_chief` (the comments for the chief, or None when `user` may not read them
    or there are none): two queries at most."""
    _same_deliverable([review.assignment for review in reviews], deliverable)
    pks = [review.pk for review in reviews]
    scores: dict[int, list[CriterionScore]] = {}
    for score in CriterionScore.objects.filter(review_id__in=pks).select_related("criterion"):
        scores.setdefault(score.review_id, []).append(score)
    readers = [r.pk for r in reviews if rules.FOR_CHIEF.read(r.assignment, user)]
    comments = (
        dict(ChiefComments.objects.filter(review_id__in=readers).values_list("review_id", "text"))
        if readers
        else {}
    )
    for review in reviews:
        review.score_rows = sorted(
            scores.get(review.pk, []), key=lambda s: (s.criterion.position, s.criterion_id)
        )
        review.comments_for_chief = comments.get(review.pk)


@dataclass
class CriterionSummary:
    criterion: RoundCriterion
    scores: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> Decimal | None:
        if not self.scores:
            return None
        return Decimal(str(statistics.fmean(self.scores))).quantize(Decimal("0.1"))

    @property
    def low(self) -> int | None:
        return min(self.scores, default=None)

    @property
    def high(self) -> int | None:
        return max(self.scores, default=None)

    @property
    def disagree(self) -> bool:
        return disagree(self.scores, self.criterion.scale)


def disagree(scores: list[int], scale: int) -> bool:
    """Whether reviewers disagree on a criterion: two scores or more spread over at least
    `DISAGREEMENT_SHARE` of the scale (the one definition)."""
    if len(scores) < 2:
        return False
    return Decimal(max(scores) - min(scores)) >= DISAGREEMENT_SHARE * (scale - 1)


@dataclass
class ScoreSummary:
    round: ReviewRound
    criteria: list[CriterionSummary]
    reviews: int

    @property
    def weighted_total(self) -> Decimal | None:
        """The means weighted by the criteria's weights, as a percentage of the top score
        (each mean over its own scale); None until a criterion is scored."""
        scored = [row for row in self.criteria if row.scores]
        if not scored:
            return None
        weights = sum(Fraction(row.criterion.effective_weight) for row in scored)
        total = sum(
            Fraction(row.criterion.effective_weight)
            * Fraction(sum(row.scores), len(row.scores) * row.criterion.scale)
            for row in scored
        )
        percent = 100 * total / weights  # exact, then rounded half up once
        return (Decimal(percent.numerator) / Decimal(percent.denominator)).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )

    @property
    def disagreements(self) -> list[str]:
        return [row.criterion.name for row in self.criteria if row.disagree]


def summary(round_: ReviewRound, reviews: list[Review]) -> ScoreSummary | None:
    """The per-criterion summary of the submitted ones of `reviews` (already filtered by the
    blind rule for the reader) in `round_`; None when the round has no criteria. One query
    for reviews `dress`ed already, else two."""
    criteria = round_criteria(round_.pk)
    if not criteria:
        return None
    submitted = {
        r.pk
        for r in reviews
        if r.status == ReviewStatus.SUBMITTED and r.assignment.round_id == round_.pk
    }
    rows = {c.pk: CriterionSummary(c) for c in criteria}
    dressed = all(hasattr(r, "score_rows") for r in reviews)
    pairs = (
        [(s.criterion_id, s.score) for r in reviews if r.pk in submitted for s in r.score_rows]
        if dressed
        else CriterionScore.objects.filter(review_id__in=submitted).values_list(
            "criterion_id", "score"
        )
    )
    for criterion_id, score in pairs:
        if criterion_id in rows:
            rows[criterion_id].scores.append(score)
    return ScoreSummary(round=round_, criteria=list(rows.values()), reviews=len(submitted))
