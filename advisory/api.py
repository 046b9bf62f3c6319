"""The advisory API: requests for technical cooperation, their documents, comments and
milestones, under /api/v1/.

Serializers only translate (types, choices, codes to objects); the rules live in
`advisory.services`, `advisory.rules` and `advisory.queries`, as for the pages. Service
errors map to HTTP as in the workflow API (`workflows.api.ServiceErrorsMixin`): a django
`ValidationError` is a 400 naming the fields, `PermissionDenied` a 403 (the caller sees
the request but may not act), `Http404` a 404 (the caller may not see it),
`ServiceConflict` a 409.

What the Member State's focal point receives is the country's view: the request without
its internal fields (team, creator, the mission's meeting id, the plan's review), the plan
of action once drafted (never the mission report or the analysis), public comments only,
and never the request's history (a 404, as for an internal document).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
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

from advisory import queries, rules, services
from advisory.enums import (
    Channel,
    DocumentKind,
    MilestoneState,
    RequestAction,
    RequestKind,
    RequestState,
)
from advisory.models import (
    TRANSITION_LABELS,
    AdvisoryRequest,
    Comment,
    Milestone,
    RequestDocument,
    RequestHistory,
)
from cepa_collab import documents
from cepa_collab.api_contract import DOWNLOAD_RESPONSES, ID, IdFilter
from cepa_collab.forms import FilterSet
from cepa_collab.models import Branch, MemberState, validate_time_zone
from cepa_collab.names import display_name
from cepa_collab.serializers import HistoryEntrySerializer, LabelField
from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from cepa_collab.validation import wall_clock_to_aware
from meetings.api import WallClockDateTimeField
from meetings.enums import MeetingStatus
from workflows.enums import DeliverableState

User = get_user_model()

# Fields of a request that only the Division's people see (not the country's focal point).
INTERNAL_REQUEST_FIELDS = (
    "lead",
    "team",
    "plan_review",
    "created_by",
    "created_at",
    "updated_at",
)


# --- serializers: output ---------------------------------------------------------------------


class MissionSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text=_("The meeting's id (not shown to focal points).")
    )
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    start_local = serializers.SerializerMethodField()
    end_local = serializers.SerializerMethodField()
    time_zone = serializers.CharField()
    location = serializers.CharField()
    cancelled = serializers.SerializerMethodField()

    def get_start_local(self, meeting) -> str:
        return timezone.localtime(meeting.start, ZoneInfo(meeting.time_zone)).isoformat()

    def get_end_local(self, meeting) -> str:
        return timezone.localtime(meeting.end, ZoneInfo(meeting.time_zone)).isoformat()

    def get_cancelled(self, meeting) -> bool:
        return meeting.status == MeetingStatus.CANCELLED


class PlanReviewRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text=_("The deliverable through which the plan is reviewed.")
    )
    state = serializers.CharField(help_text=", ".join(DeliverableState.values))


class AdvisoryRequestSerializer(serializers.ModelSerializer):
    """A request. For the country's focal point, `lead`, `team`, `plan_review`, `created_by`,
    `created_at`, `updated_at` and the mission's `id` are left out."""

    country = serializers.CharField(source="country.iso3", read_only=True)
    country_name = serializers.CharField(source="country.name", read_only=True)
    branch = serializers.CharField(source="branch.code", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    # A plain string here: the enum is documented once, in RequestCreate (one enum per
    # choice set keeps the schema's enum names stable).
    kind = serializers.CharField(read_only=True, help_text=", ".join(RequestKind.values))
    kind_label = LabelField(RequestKind, source="kind")
    channel_label = LabelField(Channel, source="channel")
    state_label = LabelField(RequestState, source="state")
    lead_name = serializers.SerializerMethodField()
    mission = serializers.SerializerMethodField()
    team = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    plan_review = serializers.SerializerMethodField()

    schema_optional_fields = INTERNAL_REQUEST_FIELDS  # (cepa_collab.api_contract.ApiSchema)

    class Meta:
        model = AdvisoryRequest
        fields = [
            "id",
            "country",
            "country_name",
            "branch",
            "branch_name",
            "kind",
            "kind_label",
            "channel",
            "channel_label",
            "received_on",
            "title",
            "description",
            "state",
            "state_label",
            "state_changed_at",
            "decline_reason",
            "lead",
            "lead_name",
            "team",
            "mission",
            "plan_review",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanReviewRefSerializer(allow_null=True))
    def get_plan_review(self, obj: AdvisoryRequest) -> dict | None:
        # The deliverable comes with the request (advisory.queries.visible_requests).
        if obj.plan_review_id is None:
            return None
        return {"id": obj.plan_review_id, "state": obj.plan_review.state}

    def get_lead_name(self, obj: AdvisoryRequest) -> str | None:
        return display_name(obj.lead) if obj.lead_id else None

    @extend_schema_field(MissionSerializer(allow_null=True))
    def get_mission(self, obj: AdvisoryRequest) -> dict | None:
        if obj.mission_id is None:
            return None
        data = MissionSerializer(obj.mission).data
        if not self._sees_internal(obj):
            data.pop("id")
        return data

    def _sees_internal(self, obj: AdvisoryRequest) -> bool:
        cache = self.context.setdefault("_internal", {})
        if obj.pk not in cache:
            cache[obj.pk] = rules.sees_internal(obj, self.context["request"].user)
        return cache[obj.pk]

    def to_representation(self, obj: AdvisoryRequest) -> dict:
        internal = self._sees_internal(obj)
        data = super().to_representation(obj)
        if not internal:
            for name in INTERNAL_REQUEST_FIELDS:
                data.pop(name, None)
        return data


class HistorySerializer(HistoryEntrySerializer):
    action = serializers.CharField(read_only=True, help_text=", ".join(RequestAction.values))
    action_label = LabelField(RequestAction, source="action")
    from_state = serializers.CharField(
        read_only=True, help_text=_("The state before a state change (else empty).")
    )
    to_state = serializers.CharField(
        read_only=True, help_text=_("The state after a state change or on recording (else empty).")
    )

    class Meta(HistoryEntrySerializer.Meta):
        model = RequestHistory


class PlanReviewSerializer(serializers.Serializer):
    """The plan of action's review: a deliverable, reviewed like any other."""

    deliverable = serializers.IntegerField(help_text=_("The review's deliverable id."))
    url = serializers.URLField(help_text=_("The deliverable in the API (reviewers, reviews)."))
    page_url = serializers.CharField(help_text=_("The deliverable's page."))
    state = serializers.CharField(help_text=", ".join(DeliverableState.values))
    round = serializers.IntegerField(help_text=_("The review round now open."))


class RequestTransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=", ".join(DocumentKind.values))
    kind_label = LabelField(DocumentKind, source="kind")
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = RequestDocument
        fields = [
            "id",
            "kind",
            "kind_label",
            "number",
            "original_name",
            "content_type",
            "size",
            "notes",
            "uploaded_by_name",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_uploaded_by_name(self, document: RequestDocument) -> str:
        return display_name(document.uploaded_by)

    def get_download_url(self, document: RequestDocument) -> str:
        return reverse(
            "api-advisory-request-document-download",
            kwargs={"pk": document.request_id, "document_pk": document.pk},
            request=self.context.get("request"),
        )


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    document_label = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "author_name",
            "text",
            "internal",
            "document",
            "document_label",
            "created_at",
        ]
        read_only_fields = fields

    def get_author_name(self, comment: Comment) -> str:
        return display_name(comment.author)

    def get_document_label(self, comment: Comment) -> str | None:
        return str(comment.document) if comment.document_id else None


class MilestoneSerializer(serializers.ModelSerializer):
    request_title = serializers.CharField(source="request.title", read_only=True)
    country = serializers.CharField(source="request.country.iso3", read_only=True)
    lead_name = serializers.SerializerMethodField()
    state_label = LabelField(MilestoneState, source="state")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "request",
            "request_title",
            "country",
            "title",
            "due_date",
            "lead",
            "lead_name",
            "state",
            "state_label",
            "done_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"lead": {"help_text": _("Left out for the country's focal point.")}}

    schema_optional_fields = ("lead",)  # (cepa_collab.api_contract.ApiSchema)

    def get_lead_name(self, milestone: Milestone) -> str:
        return display_name(milestone.lead)

    def to_representation(self, milestone: Milestone) -> dict:
        data = super().to_representation(milestone)
        # The lead's account is internal (as on the request): the country's focal point, the
        # only one who sees milestones but not the internal side, gets the name only.
        if self.context.get("focal_point"):
            data.pop("lead")
        return data


# --- serializers: input (translation only; the services decide) ---------------------------


class RequestCreateSerializer(serializers.Serializer):
    country = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=MemberState.objects.all(),
        help_text=_("ISO 3166 alpha-3 code, e.g. OMN."),
    )
    branch = serializers.SlugRelatedField(
        slug_field="code", queryset=Branch.objects.all(), help_text=_("Branch code, e.g. e-govb.")
    )
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()


class RequestTransitionSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=list(TRANSITION_LABELS.items()))
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to decline (the reason, shown to the Member State)."),
    )
    lead = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("To accept: the lead Inter-Regional Advisor's user id."),
    )


class TeamSerializer(serializers.Serializer):
    lead = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True)
    )


class MissionWriteSerializer(serializers.Serializer):
    """`start` and `end` given without a UTC offset are read in `time_zone`."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()
    time_zone = serializers.CharField(
        max_length=64, help_text=_("IANA time zone, e.g. Asia/Muscat.")
    )
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        try:
            validate_time_zone(attrs["time_zone"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"time_zone": exc.messages}) from None
        errors = {}
        for name in ("start", "end"):
            try:
                attrs[name] = wall_clock_to_aware(attrs[name], attrs["time_zone"], field=name)
            except DjangoValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PlanReviewWriteSerializer(serializers.Serializer):
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "When the reviewed plan should be final: required the first time; later the "
            "review's due date is kept unless given."
        ),
    )


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, allow_blank=True)
    internal = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_("Hidden from the Member State (a focal point's comment never is)."),
    )
    document = serializers.PrimaryKeyRelatedField(
        queryset=RequestDocument.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A document of this request you may read."),
    )

    def __init__(self, *args, documents: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["document"].queryset = documents


@extend_schema_field(OpenApiTypes.INT)
class VisibleRequestField(serializers.PrimaryKeyRelatedField):
    """A request id the caller may see: any other is 'does not exist', so nothing leaks."""

    def get_queryset(self):
        return queries.visible_requests(self.context["request"].user)


class MilestoneCreateSerializer(serializers.Serializer):
    request = VisibleRequestField(help_text=_("The advisory request's id."))
    title = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField()
    lead = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("By default the request's lead."),
    )


class NestedMilestoneCreateSerializer(MilestoneCreateSerializer):
    request = None


class MilestoneDueSerializer(serializers.Serializer):
    due_date = serializers.DateField()

    schema_required_fields = ("due_date",)  # also in a PATCH (cepa_collab.api_contract)


class MilestoneCompleteSerializer(serializers.Serializer):
    cancelled = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Cancel the milestone instead of marking it done."),
    )


# --- filters --------------------------------------------------------------------------------


class AdvisoryRequestFilter(FilterSet):
    country = filters.CharFilter(
        field_name="country__iso3", help_text=_("ISO 3166 alpha-3 code, e.g. OMN.")
    )
    state = filters.ChoiceFilter(choices=RequestState.choices)
    kind = filters.ChoiceFilter(choices=RequestKind.choices)
    branch = filters.CharFilter(field_name="branch__code", help_text=_("Branch code, e.g. e-govb."))

    class Meta:
        model = AdvisoryRequest
        fields = ["country", "state", "kind", "branch"]


class MilestoneFilter(FilterSet):
    request = IdFilter(field_name="request", help_text=_("Advisory request id."))
    state = filters.ChoiceFilter(choices=MilestoneState.choices)
    due_after = filters.DateFilter(
        field_name="due_date", lookup_expr="gte", help_text=_("Due on or after this date.")
    )
    due_before = filters.DateFilter(
        field_name="due_date", lookup_expr="lte", help_text=_("Due on or before this date.")
    )

    class Meta:
        model = Milestone
        fields = ["request", "state", "due_after", "due_before"]


# --- viewsets --------------------------------------------------------------------------------

DOCUMENT_PK = OpenApiParameter("document_pk", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary=_("Advisory requests you may see")),
    retrieve=extend_schema(responses={200: AdvisoryRequestSerializer, **errors(404)}),
)
@extend_schema(tags=["advisory-requests"])
class AdvisoryRequestViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Requests of Member States for technical cooperation: the branch's people see their
    branch's, the lead and the team theirs, a Member State's focal point their country's."""

    queryset = AdvisoryRequest.objects.none()
    serializer_class = AdvisoryRequestSerializer
    filterset_class = AdvisoryRequestFilter

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return AdvisoryRequest.objects.none()
        return queries.with_team_membership(
            queries.visible_requests(user).select_related("mission").prefetch_related("team"),
            user,
        )

    def get_object(self) -> AdvisoryRequest:
        return queries.get_request_for_user(self.request.user, self.kwargs["pk"])

    def _answer(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.get_request_for_user(self.request.user, pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(
        summary=_("Record a request (the branch's people)"),
        request=RequestCreateSerializer,
        responses={201: AdvisoryRequestSerializer, **errors(400, 403)},
    )
    def create(self, request):
        data = validated(RequestCreateSerializer, request)
        created = services.register_request(request.user, **data)
        return self._answer(created.pk, status.HTTP_201_CREATED)

    # transitions
    @extend_schema(
        summary=_("Transitions you may fire now"),
        responses={200: RequestTransitionOptionSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        adv = self.get_object()
        names = services.available_transitions(adv, request.user)
        return Response([{"name": name, "label": TRANSITION_LABELS[name]} for name in names])

    @extend_schema(
        summary=_("Fire a transition"),
        description=_(
            "`accept` takes the lead (a user id of the branch's advisors or staff); `decline` "
            "needs the reason as `comment`; `plan_mission` is fired by scheduling the mission."
        ),
        request=RequestTransitionSerializer,
        responses={200: AdvisoryRequestSerializer, **errors(400, 403, 404, 409)},
    )
    @transitions.mapping.post
    def fire_transition(self, request, pk=None):
        adv = self.get_object()
        data = validated(RequestTransitionSerializer, request)
        services.fire_transition(
            request.user, adv, data["name"], comment=data["comment"], lead=data["lead"]
        )
        return self._answer(adv.pk)

    @extend_schema(
        summary=_("Choose the team (the lead or the chief; the chief changes the lead)"),
        request=TeamSerializer,
        responses={200: AdvisoryRequestSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def team(self, request, pk=None):
        adv = self.get_object()
        data = validated(TeamSerializer, request)
        services.set_team(request.user, adv, lead=data["lead"], members=data["members"])
        return self._answer(adv.pk)

    @extend_schema(
        summary=_("Schedule the assessment mission (the lead or the chief)"),
        description=_(
            "Creates the meeting (kind assessment mission) with the lead and the team as "
            "participants and moves the request to “Assessment mission planned”."
        ),
        request=MissionWriteSerializer,
        responses={201: AdvisoryRequestSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def mission(self, request, pk=None):
        adv = self.get_object()
        data = validated(MissionWriteSerializer, request)
        services.schedule_mission(request.user, adv, **data)
        return self._answer(adv.pk, status.HTTP_201_CREATED)

    # the plan of action's review, the history
    @extend_schema(
        summary=_("Send the plan of action to review (the lead or the chief)"),
        description=_(
            "Opens a review round on the latest version of the plan, through a deliverable "
            "of the branch's “Plans of action” product owned by the lead; its reviewers are "
            "then assigned on that deliverable (`/deliverables/{id}/`)."
        ),
        request=PlanReviewWriteSerializer,
        responses={201: PlanReviewSerializer, **errors(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="plan-review",
        url_name="plan-review",
        pagination_class=None,
        filter_backends=[],
    )
    def plan_review(self, request, pk=None):
        adv = self.get_object()
        data = validated(PlanReviewWriteSerializer, request)
        deliverable = services.send_plan_for_review(request.user, adv, due_date=data["due_date"])
        round_number = deliverable.rounds.order_by("-number").values_list("number", flat=True)[0]
        answer = {
            "deliverable": deliverable.pk,
            "url": reverse("api-deliverable-detail", args=[deliverable.pk], request=request),
            "page_url": reverse("workflows:deliverable", args=[deliverable.pk], request=request),
            "state": deliverable.state,
            "round": round_number,
        }
        return Response(PlanReviewSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The request's history (not for the country's focal point)"),
        description=_(
            "Who did what and when, oldest first: recorded, state changes with their "
            "comments, lead and team, mission, documents, milestones, review of the plan. "
            "Internal: the country's focal point gets a 404, as for internal documents."
        ),
        responses={200: HistorySerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        adv = self.get_object()
        if not rules.sees_internal(adv, request.user):
            raise Http404("No such history.")
        return Response(
            HistorySerializer(queries.visible_history(request.user, adv), many=True).data
        )

    # documents
    @extend_schema(
        summary=_("Documents you may read"),
        description=_(
            "Every version for the Division's people; for the country's focal point, the plan "
            "of action once drafted."
        ),
        responses={200: DocumentSerializer(many=True), **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        parser_classes=[MultiPartParser],
    )
    def documents(self, request, pk=None):
        adv = self.get_object()
        documents = queries.visible_documents(request.user, adv)
        return Response(DocumentSerializer(documents, many=True, context={"request": request}).data)

    @extend_schema(
        summary=_("Upload a new version of a document (multipart)"),
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, **errors(400, 403, 404, 409)},
    )
    @documents.mapping.post
    def upload_document(self, request, pk=None):
        adv = self.get_object()
        data = validated(DocumentUploadSerializer, request)
        document = services.upload_document(
            request.user, adv, data["kind"], data["file"], notes=data["notes"]
        )
        return Response(
            DocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Download a document's file"),
        parameters=[DOCUMENT_PK],
        responses={**DOWNLOAD_RESPONSES, **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"documents/(?P<document_pk>{ID})/download",
        url_name="document-download",
        pagination_class=None,
        filter_backends=[],
    )
    def document_download(self, request, pk=None, document_pk=None):
        adv = self.get_object()
        return documents.serve(queries.get_document_for_user(request.user, adv, document_pk))

    # comments
    @extend_schema(
        summary=_("Comments you may read"),
        description=_("Internal notes are never shown to the country's focal point."),
        responses={200: CommentSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        adv = self.get_object()
        comments = queries.visible_comments(request.user, adv)
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(
        summary=_("Comment (the focal point: on the drafted plan of action, never internally)"),
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **errors(400, 403, 404)},
    )
    @comments.mapping.post
    def add_comment(self, request, pk=None):
        user = request.user
        adv = self.get_object()
        documents = queries.commentable_documents(user, adv)
        data = validated(CommentCreateSerializer, request, documents=documents)
        comment = services.add_comment(
            user, adv, data["text"], internal=data["internal"], document=data["document"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    # milestones of one request
    @extend_schema(
        summary=_("Milestones of the request"),
        responses={200: MilestoneSerializer(many=True), **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="milestones",
        url_name="milestones",
        pagination_class=None,
        filter_backends=[],
    )
    def request_milestones(self, request, pk=None):
        adv = self.get_object()
        milestones = adv.milestones.select_related("request__country", "lead").order_by(
            "due_date", "pk"
        )
        context = {"focal_point": rules.focal_point_country_id(request.user) is not None}
        return Response(MilestoneSerializer(milestones, many=True, context=context).data)

    @extend_schema(
        summary=_("Add a milestone to the request (the lead, the team or the chief)"),
        request=NestedMilestoneCreateSerializer,
        responses={201: MilestoneSerializer, **errors(400, 403, 404, 409)},
    )
    @request_milestones.mapping.post
    def add_milestone(self, request, pk=None):
        adv = self.get_object()
        data = validated(NestedMilestoneCreateSerializer, request)
        milestone = services.add_milestone(
            request.user, adv, title=data["title"], due_date=data["due_date"], lead=data["lead"]
        )
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("Milestones of the advisory requests you may see")),
    retrieve=extend_schema(responses={200: MilestoneSerializer, **errors(404)}),
)
@extend_schema(tags=["milestones"])
class MilestoneViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones: dated steps of a request's plan, owed by their lead."""

    queryset = Milestone.objects.none()
    serializer_class = MilestoneSerializer

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        user = self.request.user
        context["focal_point"] = user.is_authenticated and (
            rules.focal_point_country_id(user) is not None
        )
        return context

    filterset_class = MilestoneFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return Milestone.objects.none()
        return queries.visible_milestones(user).select_related("request").order_by("due_date", "pk")

    def get_object(self) -> Milestone:
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (Milestone.DoesNotExist, ValueError, TypeError):
            raise Http404("No such milestone.") from None

    @extend_schema(
        summary=_("Add a milestone (the request's lead, team or chief)"),
        request=MilestoneCreateSerializer,
        responses={201: MilestoneSerializer, **errors(400, 403, 409)},
    )
    def create(self, request):
        data = validated(MilestoneCreateSerializer, request)
        milestone = services.add_milestone(
            request.user,
            data["request"],
            title=data["title"],
            due_date=data["due_date"],
            lead=data["lead"],
        )
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Move the due date (the request's team)"),
        request=MilestoneDueSerializer,
        responses={200: MilestoneSerializer, **errors(400, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        milestone = self.get_object()
        data = validated(MilestoneDueSerializer, request)
        services.move_milestone(request.user, milestone, data["due_date"])
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=_("Mark the milestone done, or cancel it"),
        request=MilestoneCompleteSerializer,
        responses={200: MilestoneSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def complete(self, request, pk=None):
        milestone = self.get_object()
        data = validated(MilestoneCompleteSerializer, request)
        services.complete_milestone(request.user, milestone, cancelled=data["cancelled"])
        return Response(self.get_serializer(self.get_object()).data)
