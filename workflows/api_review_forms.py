"""The API of review forms (issue 16, items 1 and 2): a product's form, a review's scores
and comments for the chief, the chief's score summary, the conflict-of-interest
declarations. Serializers translate; `workflows.review_forms` and `workflows.services`
decide; errors map to HTTP once (`ServiceErrorsMixin`)."""

from __future__ import annotations

from django.db.models import Case, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from workflows import queries, review_forms, rules, services
from workflows.api import visible_products
from workflows.enums import RoundState
from workflows.models import Product, Review, ReviewAssignment, ScoreScale
from workflows.review_forms import CriterionSpec

# --- serializers --------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    guidance = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    scale = serializers.ChoiceField(choices=ScoreScale.choices, required=False, default=5)
    weight = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Empty counts as 1 in the weighted total."),
    )


class ReviewFormSerializer(serializers.Serializer):
    product = serializers.IntegerField(read_only=True)
    saved = serializers.BooleanField(
        read_only=True, help_text=_("False: the product uses its kind's default criteria.")
    )
    guidelines = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000
    )
    criteria = CriterionSerializer(many=True)


class RoundCriterionSerializer(CriterionSerializer):
    id = serializers.IntegerField(read_only=True)


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text=_("A criterion id of the round's form."))
    score = serializers.IntegerField(allow_null=True, help_text=_("Null: not scored."))


class ReviewScoresSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(read_only=True)
    round = serializers.IntegerField(read_only=True)
    criteria = RoundCriterionSerializer(many=True, read_only=True)
    guidelines = serializers.CharField(read_only=True)
    scores = ScoreSerializer(many=True)
    comments_for_chief = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text=_(
            "For the chief and owner only, never other reviewers. Null when you may not "
            "read them; on writing, left out keeps them."
        ),
    )


class CriterionSummarySerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    name = serializers.CharField(source="criterion.name")
    scale = serializers.IntegerField(source="criterion.scale")
    weight = serializers.DecimalField(
        source="criterion.weight", max_digits=4, decimal_places=1, allow_null=True
    )
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    low = serializers.IntegerField(allow_null=True)
    high = serializers.IntegerField(allow_null=True)
    disagree = serializers.BooleanField(
        help_text=_("Scores spread over at least 40% of the scale.")
    )


class ScoreSummarySerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.number")
    reviews = serializers.IntegerField(help_text=_("Submitted reviews counted."))
    weighted_total = serializers.DecimalField(
        max_digits=5,
        decimal_places=0,
        allow_null=True,
        help_text=_("The means weighted, as a percentage of the top score."),
    )
    disagreements = serializers.ListField(child=serializers.CharField())
    criteria = CriterionSummarySerializer(many=True)


class DeclarationSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="pk")
    reviewer = serializers.IntegerField(source="reviewer_id")
    has_conflict = serializers.BooleanField(source="declared.has_conflict")
    details = serializers.CharField(source="declared.details")
    declared_at = serializers.DateTimeField(source="declared.declared_at")


# --- viewsets -----------------------------------------------------------------------------


@extend_schema(tags=["review forms"])
class ReviewFormViewSet(ServiceErrorsMixin, viewsets.ViewSet):
    """A product's review form (its id is the product's): criteria and guidelines."""

    serializer_class = ReviewFormSerializer

    def _product(self, pk):
        try:
            return visible_products(self.request.user).get(pk=pk)
        except (Product.DoesNotExist, ValueError, TypeError):
            raise Http404("No such product.") from None

    @staticmethod
    def _data(form: review_forms.FormView) -> dict:
        return ReviewFormSerializer(
            {
                "product": form.product.pk,
                "saved": form.saved,
                "guidelines": form.guidelines,
                "criteria": form.criteria,
            }
        ).data

    @extend_schema(
        summary=_("A product's review form"),
        parameters=[OpenApiParameter("id", int, "path", description=_("Product id."))],
        responses={200: ReviewFormSerializer, **errors(404)},
    )
    def retrieve(self, request, pk=None):
        return Response(self._data(review_forms.form_of(self._product(pk))))

    @extend_schema(
        summary=_("Replace a product's review form (its branch's staff and chief)"),
        parameters=[OpenApiParameter("id", int, "path", description=_("Product id."))],
        request=ReviewFormSerializer,
        responses={200: ReviewFormSerializer, **errors(400, 403, 404)},
    )
    def update(self, request, pk=None):
        product = self._product(pk)
        rules.REVIEW_FORM.edit.require(product, request.user)
        data = validated(ReviewFormSerializer, request)
        review_forms.save_form(
            request.user,
            product,
            guidelines=data["guidelines"],
            criteria=[CriterionSpec(**criterion) for criterion in data["criteria"]],
        )
        return Response(self._data(review_forms.form_of(product)))


@extend_schema(tags=["reviews"])
class ReviewScoresViewSet(ServiceErrorsMixin, viewsets.ViewSet):
    """A review's scores per criterion and comments for the chief (its id is the review
    assignment's), read as the review is (blind between reviewers)."""

    serializer_class = ReviewScoresSerializer

    def _data(self, assignment, review: Review | None) -> dict:
        if review is not None:
            review_forms.dress(self.request.user, [review])
        mine = assignment.reviewer_id == self.request.user.pk
        return ReviewScoresSerializer(
            {
                "assignment": assignment.pk,
                "round": assignment.round.number,
                "criteria": review_forms.round_criteria(assignment.round_id),
                "guidelines": review_forms.round_guidelines(assignment.round_id),
                "scores": [
                    {"criterion": s.criterion_id, "score": s.score}
                    for s in (review.score_rows if review else [])
                ],
                "comments_for_chief": (
                    (review.comments_for_chief or "")
                    if review is not None and rules.FOR_CHIEF.read(assignment, self.request.user)
                    else ("" if mine else None)
                ),
            }
        ).data

    def _readable(self, pk):
        """The assignment and its review as the caller may read it (the blind rule:
        `queries.visible_reviews`), or their own assignment with no review yet; else 404."""
        user = self.request.user
        try:
            deliverable_id = (
                ReviewAssignment.objects.filter(pk=pk)
                .values_list("deliverable_id", flat=True)
                .get()
            )
        except (ReviewAssignment.DoesNotExist, ValueError, TypeError):
            raise Http404("No such review.") from None
        deliverable = queries.get_deliverable_for_user(user, deliverable_id)
        review = (
            queries.visible_reviews(user, deliverable)
            .select_related("assignment__deliverable__product")
            .filter(assignment_id=pk)
            .first()
        )
        if review is not None:
            return review.assignment, review
        assignment = queries.get_assignment_for_user(user, pk)
        if assignment.reviewer_id != user.pk:
            raise Http404("No such review.")
        return assignment, None

    @extend_schema(
        summary=_("A review's scores and comments for the chief"),
        parameters=[OpenApiParameter("id", int, "path", description=_("Review assignment id."))],
        responses={200: ReviewScoresSerializer, **errors(404)},
    )
    def retrieve(self, request, pk=None):
        assignment, review = self._readable(pk)
        return Response(self._data(assignment, review))

    @extend_schema(
        summary=_("Save your draft review's scores and comments for the chief"),
        description=_(
            "Replaces the scores (a criterion left out is not scored) and, when given, the "
            "comments for the chief; the recommendation and comments stay. Submit the review "
            "with the review assignment's `review` endpoint."
        ),
        parameters=[OpenApiParameter("id", int, "path", description=_("Review assignment id."))],
        request=ReviewScoresSerializer,
        responses={200: ReviewScoresSerializer, **errors(400, 403, 404, 409)},
    )
    def update(self, request, pk=None):
        assignment = queries.get_assignment_for_user(request.user, pk)
        data = validated(ReviewScoresSerializer, request)
        current = Review.objects.filter(assignment=assignment).first()
        review = services.save_review(
            request.user,
            assignment,
            recommendation=current.recommendation if current else "",
            comments=current.comments if current else "",
            scores={item["criterion"]: item["score"] for item in data["scores"]},
            comments_for_chief=data.get("comments_for_chief"),
        )
        return Response(self._data(assignment, review))


@extend_schema(tags=["deliverables"])
class ScoreSummaryViewSet(ServiceErrorsMixin, viewsets.ViewSet):
    """The per-criterion scores of a deliverable's round (its id is the deliverable's), from
    the reviews the caller may read."""

    serializer_class = ScoreSummarySerializer

    @extend_schema(
        summary=_("Scores per criterion of the open (else the latest) round"),
        parameters=[
            OpenApiParameter("id", int, "path", description=_("Deliverable id.")),
            OpenApiParameter("round", int, description=_("Round number (default: latest).")),
        ],
        responses={200: ScoreSummarySerializer, **errors(404)},
    )
    def retrieve(self, request, pk=None):
        deliverable = queries.get_deliverable_for_user(request.user, pk)
        rounds = deliverable.rounds.order_by("-number")
        if not queries.sees_all_of(request.user, deliverable):
            rounds = rounds.filter(assignments__reviewer=request.user)
        number = request.query_params.get("round")
        if number:
            rounds = rounds.filter(number=number) if number.isdigit() else rounds.none()
        else:
            open_first = Case(When(state=RoundState.OPEN, then=Value(0)), default=Value(1))
            rounds = rounds.order_by(open_first, "-number")
        round_ = rounds.first()
        if round_ is None:
            raise Http404("No such round.")
        reviews = list(
            queries.visible_reviews(request.user, deliverable).filter(assignment__round=round_)
        )
        summary = review_forms.summary(round_, reviews)
        if summary is None:
            raise Http404("This round has no review form.")
        return Response(ScoreSummarySerializer(summary).data)


@extend_schema(tags=["review assignments"])
class DeclarationViewSet(ServiceErrorsMixin, viewsets.ViewSet):
    """The conflict-of-interest declarations of a deliverable's reviewers (its id is the
    deliverable's): the chief and owner read all, a reviewer their own."""

    serializer_class = DeclarationSerializer

    @extend_schema(
        summary=_("Conflict-of-interest declarations of a deliverable's reviewers"),
        parameters=[OpenApiParameter("id", int, "path", description=_("Deliverable id."))],
        responses={200: DeclarationSerializer(many=True), **errors(404)},
    )
    def retrieve(self, request, pk=None):
        deliverable = queries.get_deliverable_for_user(request.user, pk)
        assignments = list(queries.visible_assignments(request.user, deliverable))
        review_forms.dress_assignments(request.user, assignments)
        declared = [a for a in assignments if a.declared is not None]
        return Response(DeclarationSerializer(declared, many=True).data)


ROUTES = [
    ("review-forms", ReviewFormViewSet),
    ("review-scores", ReviewScoresViewSet),
    ("score-summaries", ScoreSummaryViewSet),
    ("conflict-declarations", DeclarationViewSet),
]
