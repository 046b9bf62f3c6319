"""The workflow API: serializers and viewsets that translate requests and call the services.

Serializers only translate (types, choices, ids to objects); every rule lives in
`workflows.services`, `workflows.rules` and `workflows.queries`. Service errors
map to HTTP here, once (`ServiceErrorsMixin`): a django `ValidationError` is a
400 naming the fields, `PermissionDenied` a 403 (the caller sees the object but
may not act), `Http404` a 404 (the caller may not see it), `ServiceConflict` a
409 with `{"detail": message}`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from cepa_collab import documents, viewer
from cepa_collab.api_contract import (
    DOWNLOAD_RESPONSES,
    ID,
    IdFilter,
    id_field,
)
from cepa_collab.forms import FilterSet
from cepa_collab.models import Branch
from cepa_collab.names import display_name
from cepa_collab.parsers import JSONObjectParser
from cepa_collab.serializers import (
    HistoryEntrySerializer,
    LabelField,
    StrictBooleanFilter,
    required_text,
)
from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from workflows import services
from workflows.enums import (
    AssignmentState,
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
)
from workflows.models import (
    TRANSITION_LABELS,
    Deliverable,
    DeliverableHistory,
    Product,
    Review,
    ReviewAssignment,
    Version,
)
from workflows.queries import (
    ANOTHER_REVIEWER,
    PagedRows,
    get_assignment_for_user,
    get_deliverable_for_user,
    get_version_for_user,
    my_assignments,
    names_reviewer,
    visible_assignments,
    visible_deliverables,
    visible_history,
    visible_reviews_of_all,
    visible_versions,
)
from workflows.reviewers import NOT_ELIGIBLE, eligible_reviewers

User = get_user_model()


# --- errors ----------------------------------------------------------------------------


# --- visibility of the lists that have no shared query (same rules as workflows.queries) --


def visible_products(user) -> QuerySet[Product]:
    """Products of the branches the caller sees, and those of deliverables assigned to them."""
    qs = Product.objects.select_related("branch", "lead")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if viewer.is_admin(user):
        return qs
    condition = Q(pk__in=visible_deliverables(user).values("product_id"))
    branch_id = viewer.branch_person_id(user)
    if branch_id is not None:
        condition |= Q(branch_id=branch_id)
    return qs.filter(condition)


# --- serializers: output ------------------------------------------------------------------


class VisibleProductField(serializers.PrimaryKeyRelatedField):
    """A product id the caller may see: any other is 'does not exist', so nothing leaks."""

    def get_queryset(self):
        return visible_products(self.context["request"].user)


class ProductSerializer(serializers.ModelSerializer):
    """A product; POST takes branch (code), kind, title, edition, description, lead."""

    branch = serializers.SlugRelatedField(slug_field="code", queryset=Branch.objects.all())
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    kind_label = LabelField(ProductKind, source="kind")
    lead = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    lead_name = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "branch",
            "branch_name",
            "kind",
            "kind_label",
            "title",
            "edition",
            "description",
            "lead",
            "lead_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness and every other rule are checked by the service (full_clean).
        validators: list = []

    def get_lead_name(self, product: Product) -> str | None:
        return display_name(product.lead) if product.lead else None


class DeliverableSerializer(serializers.ModelSerializer):
    """A deliverable; POST takes product, owner, title, kind, due_date, description."""

    product = VisibleProductField()
    product_title = serializers.SerializerMethodField()
    branch = serializers.CharField(source="product.branch.code", read_only=True)
    kind_label = LabelField(DeliverableKind, source="kind")
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    owner_name = serializers.SerializerMethodField()
    state_label = LabelField(DeliverableState, source="state")
    overdue = serializers.BooleanField(
        read_only=True,
        help_text=_("Past its due date and still being produced (planned to revising)."),
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "product",
            "product_title",
            "branch",
            "title",
            "kind",
            "kind_label",
            "owner",
            "owner_name",
            "due_date",
            "overdue",
            "state",
            "state_label",
            "state_changed_at",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "state_changed_at", "created_at", "updated_at"]
        validators: list = []

    def get_product_title(self, deliverable: Deliverable) -> str:
        return str(deliverable.product)

    def get_owner_name(self, deliverable: Deliverable) -> str:
        return display_name(deliverable.owner)


class DeliverableHistorySerializer(HistoryEntrySerializer):
    """A line of the deliverable's history."""

    action = serializers.CharField(read_only=True, help_text=", ".join(DeliverableAction.values))
    action_label = LabelField(DeliverableAction, source="action")
    from_state = serializers.CharField(
        read_only=True,
        help_text=_(
            "The state before the change: the deliverable's, or on an assignment's line the "
            "assignment's (else empty)."
        ),
    )
    to_state = serializers.CharField(
        read_only=True,
        help_text=_(
            "The state after the change: the deliverable's, or on an assignment's line the "
            "assignment's (else empty)."
        ),
    )
    assignment = serializers.IntegerField(
        source="assignment_id",
        read_only=True,
        allow_null=True,
        help_text=_("The review assignment the line is about (else null)."),
    )
    old_due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("On a due date change: the date before.")
    )
    new_due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("On a due date change: the date after.")
    )

    class Meta(HistoryEntrySerializer.Meta):
        model = DeliverableHistory
        fields = [*HistoryEntrySerializer.Meta.fields, "assignment", "old_due_date", "new_due_date"]
        read_only_fields = fields


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class VersionSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = [
            "number",
            "original_name",
            "content_type",
            "size",
            "notes",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_uploaded_by_name(self, version: Version) -> str:
        return display_name(version.uploaded_by)

    def get_download_url(self, version: Version) -> str:
        return reverse(
            "api-deliverable-version-download",
            kwargs={"pk": version.deliverable_id, "number": version.number},
            request=self.context.get("request"),
        )


def _names(serializer, assignment: ReviewAssignment) -> bool:
    request = serializer.context.get("request")
    return request is not None and names_reviewer(request.user, assignment)


def _reviewer_name(serializer, assignment: ReviewAssignment) -> str:
    """The reviewer's name, or "another reviewer" for whom may not know it (as the pages)."""
    if _names(serializer, assignment):
        return display_name(assignment.reviewer)
    return str(ANOTHER_REVIEWER)


class ReviewAssignmentSerializer(serializers.ModelSerializer):
    deliverable_title = serializers.CharField(source="deliverable.title", read_only=True)
    product_title = serializers.SerializerMethodField()
    round = serializers.IntegerField(source="round.number", read_only=True)
    version = serializers.IntegerField(source="round.version.number", read_only=True)
    reviewer = serializers.SerializerMethodField()
    reviewer_name = serializers.SerializerMethodField()
    state_label = LabelField(AssignmentState, source="state")

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "deliverable",
            "deliverable_title",
            "product_title",
            "round",
            "version",
            "reviewer",
            "reviewer_name",
            "due_date",
            "state",
            "state_label",
            "decline_reason",
            "conflict_of_interest",
            "responded_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_product_title(self, assignment: ReviewAssignment) -> str:
        return str(assignment.deliverable.product)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reviewer(self, assignment: ReviewAssignment) -> int | None:
        return assignment.reviewer_id if _names(self, assignment) else None

    def get_reviewer_name(self, assignment: ReviewAssignment) -> str:
        return _reviewer_name(self, assignment)


class ReviewSerializer(serializers.ModelSerializer):
    deliverable = serializers.IntegerField(source="assignment.deliverable_id", read_only=True)
    deliverable_title = serializers.CharField(source="assignment.deliverable.title", read_only=True)
    round = serializers.IntegerField(source="assignment.round.number", read_only=True)
    reviewer = serializers.SerializerMethodField()
    reviewer_name = serializers.SerializerMethodField()
    recommendation_label = LabelField(Recommendation, source="recommendation")
    has_annotated_file = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "assignment",
            "deliverable",
            "deliverable_title",
            "round",
            "reviewer",
            "reviewer_name",
            "recommendation",
            "recommendation_label",
            "comments",
            "has_annotated_file",
            "status",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reviewer(self, review: Review) -> int | None:
        return review.assignment.reviewer_id if _names(self, review.assignment) else None

    def get_reviewer_name(self, review: Review) -> str:
        return _reviewer_name(self, review.assignment)

    def get_has_annotated_file(self, review: Review) -> bool:
        return hasattr(review, "annotated_file")


# --- serializers: input (translation only; the services decide) ---------------------------


class TransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=list(TRANSITION_LABELS.items()))
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    waiver_reason = serializers.CharField(required=False, allow_blank=True, default="")


class DueDateSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    reason = required_text(help_text=_("Why it moves (kept in the history)."))


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AssignReviewersSerializer(serializers.Serializer):
    """Ids of people who may review the deliverable (`eligible_reviewers`, the page's rule
    too); whether they may in this round is the service's to say."""

    reviewers = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.none(),
        error_messages={"does_not_exist": NOT_ELIGIBLE},
        help_text=_(
            "User ids of CEPA members or staff or advisers of the deliverable's branch (not "
            "its owner or its branch chief)."
        ),
    )
    due_date = serializers.DateField()

    def __init__(self, *args, deliverable: Deliverable | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if deliverable is not None:
            self.fields["reviewers"].child_relation.queryset = eligible_reviewers(deliverable)


class DeclineSerializer(serializers.Serializer):
    reason = required_text(help_text=_("Why you decline (the owner reads it)."))
    conflict_of_interest = serializers.BooleanField(required=False, default=False)


class AcceptSerializer(serializers.Serializer):
    """Accepting an assignment: the conflict-of-interest declaration."""

    has_conflict = serializers.BooleanField(
        required=False, default=False, help_text=_("You have a possible conflict of interest.")
    )
    conflict_details = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("What the conflict is (required with has_conflict)."),
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignmentDueDateSerializer(serializers.Serializer):
    due_date = serializers.DateField(help_text=_("The new due date of the review."))
    reason = required_text(help_text=_("Why it moves (the reviewer reads it)."))


class ReviewWriteSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, required=False, allow_blank=True
    )
    comments = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    annotated_file = serializers.FileField(required=False)
    submit = serializers.BooleanField(
        required=False, help_text=_("Submit the review (it can no longer change afterwards).")
    )


# --- filters -------------------------------------------------------------------------------


class DeliverableFilter(FilterSet):
    product = IdFilter(field_name="product", help_text=_("Product id."))
    state = filters.ChoiceFilter(choices=DeliverableState.choices)
    owner = IdFilter(field_name="owner", help_text=_("Owner's user id."))
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        help_text=_("Past its due date and still being produced (planned to revising)."),
    )
    due_before = filters.DateFilter(
        field_name="due_date", lookup_expr="lte", help_text=_("Due on or before this date.")
    )
    due_after = filters.DateFilter(
        field_name="due_date", lookup_expr="gte", help_text=_("Due on or after this date.")
    )

    class Meta:
        model = Deliverable
        fields = ["product", "state", "owner", "overdue", "due_before", "due_after"]

    def filter_overdue(self, queryset, name: str, value: bool):
        return queryset.overdue() if value else queryset.not_overdue()


class ReviewFilter(FilterSet):
    deliverable = IdFilter(field_name="assignment__deliverable", help_text=_("Deliverable id."))

    class Meta:
        model = Review
        fields = ["deliverable"]


# --- viewsets --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Products of the branches you see")),
    retrieve=extend_schema(responses={200: ProductSerializer, **errors(404)}),
)
@extend_schema(tags=["products"])
class ProductViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Products of the branches (created by the branch's staff)."""

    queryset = Product.objects.none()
    serializer_class = ProductSerializer

    def get_queryset(self):
        return visible_products(self.request.user)

    @extend_schema(responses={201: ProductSerializer, **errors(400, 403)})
    def create(self, request):
        data = validated(ProductSerializer, request)
        product = services.create_product(request.user, **data)
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED)


NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary=_("Deliverables you may see")),
    retrieve=extend_schema(responses={200: DeliverableSerializer, **errors(404)}),
)
@extend_schema(tags=["deliverables"])
class DeliverableViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Deliverables, their transitions, versions and reviewers."""

    queryset = Deliverable.objects.none()
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter

    def get_queryset(self):
        return visible_deliverables(self.request.user)

    def paginate_queryset(self, queryset):
        # A page's ids first, then its rows: the list keeps its time as the table grows.
        return super().paginate_queryset(PagedRows(queryset))

    def get_object(self) -> Deliverable:
        return get_deliverable_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={201: DeliverableSerializer, **errors(400, 403)})
    def create(self, request):
        data = validated(DeliverableSerializer, request)
        deliverable = services.create_deliverable(request.user, **data)
        return Response(self.get_serializer(deliverable).data, status=status.HTTP_201_CREATED)

    # transitions
    @extend_schema(
        summary=_("Transitions you may fire now"),
        responses={200: TransitionOptionSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        deliverable = self.get_object()
        names = services.available_transitions(deliverable, request.user)
        return Response([{"name": name, "label": TRANSITION_LABELS[name]} for name in names])

    @extend_schema(
        summary=_("Fire a transition"),
        request=TransitionSerializer,
        responses={200: DeliverableSerializer, **errors(400, 403, 404, 409)},
    )
    @transitions.mapping.post
    def fire_transition(self, request, pk=None):
        deliverable = self.get_object()
        data = validated(TransitionSerializer, request)
        deliverable = services.fire_transition(
            request.user,
            deliverable,
            data["transition"],
            comment=data["comment"],
            waiver_reason=data["waiver_reason"],
        )
        return Response(self.get_serializer(deliverable).data)

    @extend_schema(
        summary=_("Move the due date"),
        request=DueDateSerializer,
        responses={200: DeliverableSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="due-date", url_name="due-date")
    def due_date(self, request, pk=None):
        deliverable = self.get_object()
        data = validated(DueDateSerializer, request)
        deliverable = services.change_due_date(
            request.user, deliverable, data["due_date"], data["reason"]
        )
        return Response(self.get_serializer(deliverable).data)

    @extend_schema(
        summary=_("The deliverable's history, oldest first"),
        description=_(
            "Who did what and when: state changes with their comments, due date changes, "
            "versions and the steps of each review assignment. A reviewer sees the "
            "deliverable's state changes and their own assignment's lines only."
        ),
        responses={200: DeliverableHistorySerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        deliverable = self.get_object()
        lines = visible_history(request.user, deliverable)
        return Response(DeliverableHistorySerializer(lines, many=True).data)

    # versions
    @extend_schema(
        summary=_("Versions you may see"),
        responses={200: VersionSerializer(many=True), **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        parser_classes=[MultiPartParser],
    )
    def versions(self, request, pk=None):
        deliverable = self.get_object()
        versions = visible_versions(request.user, deliverable)
        return Response(VersionSerializer(versions, many=True, context={"request": request}).data)

    @extend_schema(
        summary=_("Upload a new version (multipart)"),
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: VersionSerializer, **errors(400, 403, 404, 409)},
    )
    @versions.mapping.post
    def upload_version(self, request, pk=None):
        deliverable = self.get_object()
        data = validated(VersionUploadSerializer, request)
        version = services.upload_version(
            request.user, deliverable, data["file"], notes=data["notes"]
        )
        return Response(
            VersionSerializer(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Download a version's file"),
        parameters=[NUMBER],
        responses={**DOWNLOAD_RESPONSES, **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"versions/(?P<number>{ID})/download",
        url_name="version-download",
        pagination_class=None,
        filter_backends=[],
    )
    def version_download(self, request, pk=None, number=None):
        return documents.serve(get_version_for_user(request.user, pk, number))

    # reviewers
    @extend_schema(
        summary=_("Assign reviewers to the open round"),
        request=AssignReviewersSerializer,
        responses={201: ReviewAssignmentSerializer(many=True), **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reviewers(self, request, pk=None):
        deliverable = self.get_object()
        data = validated(AssignReviewersSerializer, request, deliverable=deliverable)
        assignments = services.assign_reviewers(
            request.user, deliverable, data["reviewers"], data["due_date"]
        )
        return Response(
            ReviewAssignmentSerializer(
                assignments, many=True, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )


class AssignmentListQuery(serializers.Serializer):
    deliverable = id_field(required=False)


@extend_schema_view(
    list=extend_schema(
        summary=_("Your review assignments"),
        parameters=[
            OpenApiParameter(
                "deliverable",
                OpenApiTypes.INT,
                description=_(
                    "Instead: the assignments of this deliverable that you may see "
                    "(all of them for its branch's staff, yours for a reviewer)."
                ),
            )
        ],
    ),
    retrieve=extend_schema(responses={200: ReviewAssignmentSerializer, **errors(404)}),
)
@extend_schema(tags=["review-assignments"])
class ReviewAssignmentViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Review assignments: the caller's own, with accept / decline and the review itself."""

    queryset = ReviewAssignment.objects.none()
    serializer_class = ReviewAssignmentSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return ReviewAssignment.objects.none()
        query = AssignmentListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        deliverable_id = query.validated_data.get("deliverable")
        if deliverable_id is not None:
            deliverable = get_deliverable_for_user(user, deliverable_id)
            return visible_assignments(user, deliverable).select_related("deliverable__product")
        return my_assignments(user).select_related("reviewer")

    def get_object(self) -> ReviewAssignment:
        return get_assignment_for_user(self.request.user, self.kwargs["pk"])

    def _answer(self, assignment: ReviewAssignment) -> Response:
        return Response(self.get_serializer(assignment).data)

    @extend_schema(
        summary=_("Accept the assignment, declaring no conflict of interest or which"),
        request=AcceptSerializer,
        responses={200: ReviewAssignmentSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        assignment = self.get_object()
        data = validated(AcceptSerializer, request)
        return self._answer(
            services.accept_assignment(
                request.user,
                assignment,
                has_conflict=data["has_conflict"],
                conflict=data["conflict_details"],
            )
        )

    @extend_schema(
        summary=_("Decline the assignment, with a reason"),
        request=DeclineSerializer,
        responses={200: ReviewAssignmentSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        assignment = self.get_object()
        data = validated(DeclineSerializer, request)
        return self._answer(
            services.decline_assignment(
                request.user,
                assignment,
                data["reason"],
                conflict_of_interest=data["conflict_of_interest"],
            )
        )

    @extend_schema(
        summary=_("Withdraw the assignment (owner or chief)"),
        request=WithdrawSerializer,
        responses={200: ReviewAssignmentSerializer, **errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        assignment = self.get_object()
        data = validated(WithdrawSerializer, request)
        return self._answer(
            services.withdraw_assignment(request.user, assignment, reason=data["reason"])
        )

    @extend_schema(
        summary=_("Move the review's due date (owner or chief)"),
        request=AssignmentDueDateSerializer,
        responses={200: ReviewAssignmentSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="due-date")
    def due_date(self, request, pk=None):
        assignment = self.get_object()
        data = validated(AssignmentDueDateSerializer, request)
        return self._answer(
            services.change_assignment_due_date(
                request.user, assignment, data["due_date"], data["reason"]
            )
        )

    @extend_schema(
        summary=_("Save the review as a draft, or submit it"),
        description=_(
            "PUT replaces the draft (fields left out become empty); PATCH changes only the "
            "fields given. `submit: true` submits it."
        ),
        request={
            "application/json": ReviewWriteSerializer,
            "multipart/form-data": ReviewWriteSerializer,
        },
        responses={200: ReviewSerializer, **errors(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["put", "patch"],
        parser_classes=[JSONObjectParser, MultiPartParser],
    )
    def review(self, request, pk=None):
        assignment = self.get_object()
        data = validated(ReviewWriteSerializer, request)
        fields = {"recommendation": "", "comments": ""}
        if request.method == "PATCH":
            current = Review.objects.filter(assignment=assignment).first()
            if current is not None:
                fields = {"recommendation": current.recommendation, "comments": current.comments}
        fields.update(
            {key: data[key] for key in ("recommendation", "comments") if key in data},
        )
        review = services.save_review(
            request.user,
            assignment,
            **fields,
            annotated_file=data.get("annotated_file"),
            submit=data.get("submit", False),
        )
        return Response(ReviewSerializer(review, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary=_("Reviews you may see (blind between reviewers)")),
    retrieve=extend_schema(responses={200: ReviewSerializer, **errors(404)}),
)
@extend_schema(tags=["reviews"])
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews: your own, and the others' of a round once yours is submitted; staff see the
    submitted reviews of their branch."""

    queryset = Review.objects.none()
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter

    def get_queryset(self):
        return visible_reviews_of_all(self.request.user).select_related("annotated_file")
