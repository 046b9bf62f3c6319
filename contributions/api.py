"""The contributions API: serializers that translate, a viewset that calls the services.

The same rules as the pages (`contributions.rules`, `.queries`, `.services`); service errors
are answered once by `workflows.api.ServiceErrorsMixin`: ValidationError → 400 naming the
fields, PermissionDenied → 403 (seen but not allowed), Http404 → 404 (hidden),
ServiceConflict → 409.
"""

from __future__ import annotations

from django.utils.text import format_lazy
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

from cepa_collab import documents
from cepa_collab.api_contract import DOWNLOAD_RESPONSES, ID
from cepa_collab.forms import FilterSet
from cepa_collab.models import MemberState
from cepa_collab.names import display_name
from cepa_collab.serializers import HistoryEntrySerializer, LabelField, StrictBooleanFilter
from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from contributions import queries, rules, services
from contributions.enums import (
    ContributionAction,
    ContributionKind,
    ContributionState,
    RepositoryCategory,
)
from contributions.models import (
    TRANSITION_LABELS,
    Attachment,
    Contribution,
    ContributionHistory,
)
from workflows.api import TransitionOptionSerializer
from workflows.models import Product
from workflows.queries import visible_deliverables


def _name_or_none(user) -> str | None:
    return None if user is None else display_name(user)


# --- output ----------------------------------------------------------------------------------


class ContributionSerializer(serializers.ModelSerializer):
    """A contribution as the caller may see it. The deliverables it names are given by title
    only to those who may see them (and to its author); the review to its author and to
    the branch's people. The view passes `visible_deliverables` (ids) in the context."""

    # Plain strings here: the kinds' enum is documented once, in ContributionCreate (one enum
    # per choice set keeps the schema's enum names stable).
    kind = serializers.CharField(read_only=True, help_text=", ".join(ContributionKind.values))
    kind_label = LabelField(ContributionKind, source="kind")
    state = serializers.CharField(read_only=True, help_text=", ".join(ContributionState.values))
    state_label = LabelField(ContributionState, source="state")
    category_label = LabelField(RepositoryCategory, source="category")
    author_name = serializers.SerializerMethodField()
    branch = serializers.CharField(source="branch.code", read_only=True)
    country = serializers.SerializerMethodField()
    country_name = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    product_title = serializers.SerializerMethodField()
    deliverable_title = serializers.SerializerMethodField()
    incorporated_into_title = serializers.SerializerMethodField()
    reviewer_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    REVIEW_FIELDS = ("review_due", "reviewer", "reviewer_name", "review_comment", "decided_at")
    # Null for those who may not see them (cepa_collab.api_contract.ApiSchema).
    schema_nullable_fields = (*REVIEW_FIELDS, "deliverable", "incorporated_into")

    class Meta:
        model = Contribution
        fields = [
            "id",
            "url",
            "kind",
            "kind_label",
            "title",
            "state",
            "state_label",
            "author",
            "author_name",
            "branch",
            "country",
            "country_name",
            "summary",
            "innovation",
            "transferability",
            "links",
            "category",
            "category_label",
            "year",
            "document_url",
            "product",
            "product_title",
            "deliverable",
            "deliverable_title",
            "submitted_at",
            "review_due",
            "reviewer",
            "reviewer_name",
            "review_comment",
            "decided_at",
            "incorporated_into",
            "incorporated_into_title",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _shown(self, contribution: Contribution, pk: int | None) -> bool:
        if pk is None:
            return False
        user = self.context["request"].user
        return contribution.author_id == user.pk or pk in self.context["visible_deliverables"]

    def to_representation(self, contribution: Contribution) -> dict:
        data = super().to_representation(contribution)
        user = self.context["request"].user
        for name in ("deliverable", "incorporated_into"):
            if not self._shown(contribution, data[name]):
                data[name] = None
        if not rules.sees_review(contribution, user):
            for name in self.REVIEW_FIELDS:
                data[name] = None
        return data

    def get_author_name(self, contribution: Contribution) -> str | None:
        return _name_or_none(contribution.author)

    def get_country(self, contribution: Contribution) -> str | None:
        return contribution.country.iso3 if contribution.country_id else None

    def get_country_name(self, contribution: Contribution) -> str | None:
        return contribution.country.name if contribution.country_id else None

    def get_links(self, contribution: Contribution) -> list[str]:
        return contribution.link_list()

    def get_product_title(self, contribution: Contribution) -> str | None:
        return str(contribution.product) if contribution.product_id else None

    def get_deliverable_title(self, contribution: Contribution) -> str | None:
        if not self._shown(contribution, contribution.deliverable_id):
            return None
        return contribution.deliverable.title

    def get_incorporated_into_title(self, contribution: Contribution) -> str | None:
        if not self._shown(contribution, contribution.incorporated_into_id):
            return None
        return contribution.incorporated_into.title

    def get_reviewer_name(self, contribution: Contribution) -> str | None:
        return _name_or_none(contribution.reviewer)

    def get_url(self, contribution: Contribution) -> str:
        return reverse("contributions:detail", args=[contribution.pk])


class CitationSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField()
    title = serializers.CharField()
    note = serializers.CharField()


class ContributionDetailSerializer(ContributionSerializer):
    cited_by = serializers.SerializerMethodField()

    class Meta(ContributionSerializer.Meta):
        fields = [*ContributionSerializer.Meta.fields, "cited_by"]
        read_only_fields = fields

    @extend_schema_field(CitationSerializer(many=True))
    def get_cited_by(self, contribution: Contribution) -> list[dict]:
        """The deliverables that cite it, those the caller may see (all for the author)."""
        return [
            {"deliverable": link.deliverable_id, "title": link.deliverable.title, "note": link.note}
            for link in self.context["citing_links"]
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse(
            "api-contribution-attachment-download",
            kwargs={"pk": attachment.contribution_id, "attachment": attachment.pk},
            request=self.context.get("request"),
        )


FROM_STATE_HELP = format_lazy(
    _("{states}; empty unless the line is a state change."),
    states=", ".join(ContributionState.values),
)
TO_STATE_HELP = format_lazy(
    _("{states}; empty unless the line is a state change or the proposal (draft)."),
    states=", ".join(ContributionState.values),
)


class ContributionHistorySerializer(HistoryEntrySerializer):
    """A line of the contribution's history."""

    # Plain strings, as in ContributionSerializer (stable enum names in the schema).
    action = serializers.CharField(read_only=True, help_text=", ".join(ContributionAction.values))
    action_label = LabelField(ContributionAction, source="action")
    from_state = serializers.CharField(read_only=True, help_text=FROM_STATE_HELP)
    to_state = serializers.CharField(read_only=True, help_text=TO_STATE_HELP)

    class Meta(HistoryEntrySerializer.Meta):
        model = ContributionHistory


# --- input (translation only; the services decide) --------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class VisibleDeliverableField(serializers.PrimaryKeyRelatedField):
    """A deliverable id the caller may see: any other is 'does not exist', so nothing leaks."""

    def get_queryset(self):
        return visible_deliverables(self.context["request"].user)


class ContributionWriteSerializer(serializers.Serializer):
    """The fields of a contribution; each kind uses its own (see the description of POST)."""

    title = serializers.CharField(max_length=200)
    country = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=MemberState.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("ISO 3166 alpha-3 code of the country, e.g. GHA."),
    )
    summary = serializers.CharField(required=False, allow_blank=True)
    innovation = serializers.CharField(required=False, allow_blank=True)
    transferability = serializers.CharField(required=False, allow_blank=True)
    links = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        help_text=_("Addresses starting with http:// or https://."),
    )
    category = serializers.ChoiceField(
        choices=RepositoryCategory.choices, required=False, allow_blank=True
    )
    year = serializers.IntegerField(required=False, allow_null=True)
    document_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    deliverable = VisibleDeliverableField(required=False, allow_null=True)

    def to_fields(self) -> dict:
        """The validated data as the services take it."""
        data = dict(self.validated_data)
        if "links" in data:
            data["links"] = "\n".join(line.strip() for line in data["links"] if line.strip())
        for name in ("summary", "innovation", "transferability", "category", "document_url"):
            if name in data and data[name] is None:
                data[name] = ""
        return data


class ContributionCreateSerializer(ContributionWriteSerializer):
    kind = serializers.ChoiceField(choices=ContributionKind.choices)

    def to_fields(self) -> dict:
        data = super().to_fields()
        data.pop("kind")
        return data


class ContributionTransitionSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=list(TRANSITION_LABELS.items()))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class IncorporateSerializer(serializers.Serializer):
    deliverable = VisibleDeliverableField(
        help_text=_("A deliverable of the contribution's branch that you can see.")
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


# --- filters ---------------------------------------------------------------------------------


class ContributionFilter(FilterSet):
    kind = filters.ChoiceFilter(choices=ContributionKind.choices)
    state = filters.ChoiceFilter(choices=ContributionState.choices)
    country = filters.CharFilter(
        field_name="country__iso3", help_text=_("ISO 3166 alpha-3 code, e.g. GHA.")
    )
    category = filters.ChoiceFilter(choices=RepositoryCategory.choices)
    branch = filters.CharFilter(field_name="branch__code", help_text=_("Branch code."))
    mine = StrictBooleanFilter(
        method="filter_mine", help_text=_("true: only yours; false: only the others'.")
    )

    class Meta:
        model = Contribution
        fields = ["kind", "state", "country", "category", "branch", "mine"]

    def filter_mine(self, queryset, name: str, value: bool):
        own = {"author_id": self.request.user.pk}
        return queryset.filter(**own) if value else queryset.exclude(**own)


# --- the viewset -----------------------------------------------------------------------------

ATTACHMENT = OpenApiParameter("attachment", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary=_("Contributions you may see"),
        description=_(
            "Your own, the accepted ones, and for the branches' people all that were "
            "submitted to their branch."
        ),
    ),
    retrieve=extend_schema(responses={200: ContributionDetailSerializer, **errors(404)}),
)
@extend_schema(tags=["contributions"])
class ContributionViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """CEPA members' contributions: propose, edit while a draft or returned, submit, review,
    incorporate into a deliverable; their files."""

    queryset = Contribution.objects.none()
    serializer_class = ContributionSerializer
    filterset_class = ContributionFilter

    def get_queryset(self):
        return queries.visible_contributions(self.request.user).select_related(
            "product", "deliverable", "reviewer"
        )

    def get_object(self) -> Contribution:
        return queries.get_contribution_for_user(self.request.user, self.kwargs["pk"])

    def _context(self, contributions, *, also=(), **extra) -> dict:
        visible = queries.visible_deliverable_ids(self.request.user, contributions, also=also)
        return {**self.get_serializer_context(), "visible_deliverables": visible, **extra}

    def _detail(self, contribution: Contribution, status_code: int = status.HTTP_200_OK):
        contribution = queries.get_contribution_for_user(self.request.user, contribution.pk)
        citing = list(queries.citing_links(self.request.user, contribution))
        context = self._context(
            [contribution], also=[link.deliverable_id for link in citing], citing_links=citing
        )
        return Response(
            ContributionDetailSerializer(contribution, context=context).data, status=status_code
        )

    def list(self, request):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page if page is not None else qs)
        data = ContributionSerializer(rows, many=True, context=self._context(rows)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        summary=_("Propose a contribution (a draft only you see)"),
        description=_(
            "A case study takes country, title, summary, innovation, transferability and "
            "links; a repository entry country, category, title, year and document_url (or "
            "an attachment); written input product, optionally deliverable, title and "
            "summary (the input). Incomplete drafts are kept; submitting says what is missing."
        ),
        request=ContributionCreateSerializer,
        responses={201: ContributionDetailSerializer, **errors(400, 403)},
    )
    def create(self, request):
        rules.CONTRIBUTION.propose.require_person(None, request.user)
        serializer = ContributionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        contribution = services.save_contribution(
            request.user, None, kind=serializer.validated_data["kind"], **serializer.to_fields()
        )
        return self._detail(contribution, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a draft or a returned contribution (its author)"),
        request=ContributionWriteSerializer,
        responses={200: ContributionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        contribution = self.get_object()
        if "kind" in request.data:
            raise serializers.ValidationError({"kind": [_("The kind cannot be changed.")]})
        serializer = ContributionWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        contribution = services.save_contribution(
            request.user, contribution, **serializer.to_fields()
        )
        return self._detail(contribution)

    # transitions
    @extend_schema(
        summary=_("Transitions you may fire now"),
        responses={200: TransitionOptionSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        contribution = self.get_object()
        names = services.available_transitions(contribution, request.user)
        return Response([{"name": name, "label": TRANSITION_LABELS[name]} for name in names])

    @extend_schema(
        summary=_("Fire a transition"),
        description=_(
            "submit and withdraw (the author), start_review, accept and return_for_revision "
            "(the branch's staff and chief; returning needs a comment)."
        ),
        request=ContributionTransitionSerializer,
        responses={200: ContributionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @transitions.mapping.post
    def fire_transition(self, request, pk=None):
        contribution = self.get_object()
        data = validated(ContributionTransitionSerializer, request)
        contribution = services.fire_transition(
            request.user, contribution, data["name"], comment=data["comment"]
        )
        return self._detail(contribution)

    @extend_schema(
        summary=_("Record the deliverable an accepted contribution went into"),
        request=IncorporateSerializer,
        responses={200: ContributionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def incorporate(self, request, pk=None):
        contribution = self.get_object()
        data = validated(IncorporateSerializer, request)
        contribution = services.incorporate(request.user, contribution, data["deliverable"])
        return self._detail(contribution)

    # history
    @extend_schema(
        summary=_("History of the contribution, oldest first"),
        description=_(
            "Who proposed, edited, attached or removed files, changed its state (with the "
            "reviewer's comment) and incorporated it, and when. For its author, the branch's "
            "staff and chief who review it, and admins: 403 for the others who may see the "
            "contribution (other CEPA members, focal points, the branch's advisors), 404 for "
            "those who may not see it."
        ),
        responses={200: ContributionHistorySerializer(many=True), **errors(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        contribution = self.get_object()
        rules.CONTRIBUTION.see_history.require(contribution, request.user)
        rows = queries.contribution_history(contribution)
        return Response(ContributionHistorySerializer(rows, many=True).data)

    # files
    @extend_schema(
        summary=_("Attached files"),
        responses={200: AttachmentSerializer(many=True), **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        parser_classes=[MultiPartParser],
    )
    def attachments(self, request, pk=None):
        contribution = self.get_object()
        return Response(
            AttachmentSerializer(
                contribution.attachments.all(), many=True, context={"request": request}
            ).data
        )

    @extend_schema(
        summary=_("Attach a file (multipart; the author, while a draft or returned)"),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **errors(400, 403, 404, 409)},
    )
    @attachments.mapping.post
    def upload_attachment(self, request, pk=None):
        contribution = self.get_object()
        data = validated(AttachmentUploadSerializer, request)
        attachment = services.attach(request.user, contribution, data["file"])
        return Response(
            AttachmentSerializer(attachment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Download an attached file"),
        parameters=[ATTACHMENT],
        responses={**DOWNLOAD_RESPONSES, **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"attachments/(?P<attachment>{ID})/download",
        url_name="attachment-download",
        pagination_class=None,
        filter_backends=[],
    )
    def attachment_download(self, request, pk=None, attachment=None):
        return documents.serve(queries.get_attachment_for_user(request.user, pk, attachment))
