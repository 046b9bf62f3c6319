"""The countries and regions API (read-only): the same figures and records as the pages,
built by `knowledge.queries` on the visibility helpers, so a caller's counts never include
what they may not open.

`countries/`            the 193 Member States with activity counts (filters: region,
                        with_activity); `countries/{iso3}/` adds the records themselves.
`regions/`              the five regional repositories with their summary;
`regions/{code}/`       adds the countries with activity and the coverage table.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse

from advisory.enums import RequestKind, RequestState
from cepa_collab.models import Region
from cepa_collab.names import display_name
from cepa_collab.serializers import LabelField
from cepa_collab.service_errors import ServiceErrorsMixin, errors
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from knowledge import queries
from meetings.enums import MeetingKind, MeetingStatus

# --- countries -----------------------------------------------------------------------------


class RepositoryCountsSerializer(serializers.Serializer):
    policy = serializers.IntegerField(source="repository_policy")
    legal = serializers.IntegerField(source="repository_legal")
    institutional = serializers.IntegerField(source="repository_institutional")


class CountryCountsSerializer(serializers.Serializer):
    """What the caller may see of a Member State, counted."""

    requests = serializers.IntegerField(source="requests_count")
    contributions = serializers.IntegerField(
        source="contributions_count", help_text=_("Contributions of every kind.")
    )
    case_studies = serializers.IntegerField(source="case_studies_count")
    meetings = serializers.IntegerField(source="meetings_count", help_text=_("Held there."))
    repository = RepositoryCountsSerializer(
        source="*", help_text=_("Accepted repository entries per category.")
    )


class CountrySerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    iso2 = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    active = serializers.SerializerMethodField()
    categories_covered = serializers.SerializerMethodField()
    counts = CountryCountsSerializer(source="*")
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    def get_active(self, country) -> bool:
        """Whether the caller may see any activity of the country."""
        return queries.has_activity(country)

    def get_categories_covered(self, country) -> int:
        """How many of the three repository categories have an accepted entry."""
        return queries.covered_categories(country)

    def get_url(self, country) -> str:
        return reverse(
            "api-country-detail", args=[country.iso3], request=self.context.get("request")
        )

    def get_page_url(self, country) -> str:
        return reverse(
            "knowledge:country", args=[country.iso3], request=self.context.get("request")
        )


class InformedSerializer(serializers.Serializer):
    """A deliverable (that the caller may see) which draws on the record."""

    deliverable = serializers.IntegerField(source="deliverable_id")
    title = serializers.CharField(source="deliverable.title")
    note = serializers.CharField()


class CountryMissionSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False,
        help_text=_("The meeting's id, only for those who may open the meeting."),
    )
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    time_zone = serializers.CharField()
    location = serializers.CharField()
    status = serializers.CharField()

    def to_representation(self, meeting) -> dict:
        data = super().to_representation(meeting)
        # As on the country's page: a participants-only mission is named, not pointed at.
        if meeting.pk not in self.context.get("visible_meeting_ids", ()):
            data.pop("id")
        return data


class CountryRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = LabelField(RequestKind, source="kind")
    state = serializers.CharField()
    state_label = LabelField(RequestState, source="state")
    received_on = serializers.DateField()
    lead_name = serializers.SerializerMethodField()
    mission = CountryMissionSerializer(allow_null=True)
    informed = InformedSerializer(many=True)
    url = serializers.SerializerMethodField()

    def get_lead_name(self, request) -> str | None:
        return display_name(request.lead) if request.lead_id else None

    def get_url(self, request) -> str:
        return reverse(
            "api-advisory-request-detail", args=[request.pk], request=self.context.get("request")
        )


class CountryContributionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = LabelField(ContributionKind, source="kind")
    category = serializers.CharField()
    category_label = LabelField(RepositoryCategory, source="category")
    year = serializers.IntegerField(allow_null=True)
    document_url = serializers.CharField()
    state = serializers.CharField()
    state_label = LabelField(ContributionState, source="state")
    author_name = serializers.SerializerMethodField()
    incorporated_into = serializers.SerializerMethodField()
    informed = InformedSerializer(many=True)
    url = serializers.SerializerMethodField()

    def get_author_name(self, contribution) -> str:
        return display_name(contribution.author)

    def get_incorporated_into(self, contribution) -> int | None:
        """The deliverable it went into, if the caller may see that deliverable."""
        return contribution.incorporated_into_id if contribution.incorporated_visible else None

    def get_url(self, contribution) -> str:
        return reverse(
            "api-contribution-detail", args=[contribution.pk], request=self.context.get("request")
        )


class CountryMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = LabelField(MeetingKind, source="kind")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    time_zone = serializers.CharField()
    location = serializers.CharField()
    status = serializers.CharField()
    status_label = LabelField(MeetingStatus, source="status")
    url = serializers.SerializerMethodField()

    def get_url(self, meeting) -> str:
        return reverse("api-meeting-detail", args=[meeting.pk], request=self.context.get("request"))


class RepositorySerializer(serializers.Serializer):
    policy = CountryContributionSerializer(many=True)
    legal = CountryContributionSerializer(many=True)
    institutional = CountryContributionSerializer(many=True)


class CountryDetailSerializer(CountrySerializer):
    """A Member State with its records (`country.records`: `queries.country_records`)."""

    requests = CountryRequestSerializer(many=True, source="records.requests")
    contributions = CountryContributionSerializer(
        many=True,
        source="records.contributions",
        help_text=_("Every kind but the accepted repository entries (see repository)."),
    )
    repository = RepositorySerializer(source="records.repository")
    meetings = CountryMeetingSerializer(many=True, source="records.meetings")


class CountryListQuery(serializers.Serializer):
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False
    )
    with_activity = serializers.BooleanField(required=False, default=False)


REGION = OpenApiParameter(
    "region",
    OpenApiTypes.STR,
    enum=["asia", "arab", "africa", "americas", "europe"],
    description=_("A region's code: only its Member States."),
)
WITH_ACTIVITY = OpenApiParameter(
    "with_activity",
    OpenApiTypes.BOOL,
    description=_("Only the Member States with activity that you may see."),
)
ISO3 = OpenApiParameter("iso3", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary=_("Member States with the activity you may see"),
        parameters=[REGION, WITH_ACTIVITY],
        responses={200: CountrySerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(
        summary=_("A Member State with the records you may see"),
        parameters=[ISO3],
        responses={200: CountryDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["countries"])
class CountryViewSet(
    ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The Member States: activity counts, and for one its requests, contributions,
    repository entries and meetings — what the caller may see."""

    serializer_class = CountrySerializer
    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return queries.MemberState.objects.none()
        query = CountryListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return queries.countries_with_activity(
            self.request.user,
            query.validated_data.get("region"),
            active_only=query.validated_data["with_activity"],
        )

    def retrieve(self, request, iso3=None):
        country = queries.get_country(iso3)
        counted = queries.countries_with_activity(request.user).get(pk=country.pk)
        counted.records = queries.country_records(request.user, country)
        context = {
            "request": request,
            "visible_meeting_ids": {meeting.pk for meeting in counted.records["meetings"]},
        }
        return Response(CountryDetailSerializer(counted, context=context).data)


# --- regions -------------------------------------------------------------------------------


class CategoryCountsSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    legal = serializers.IntegerField()
    institutional = serializers.IntegerField()


class RegionTotalsSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    contributions = serializers.IntegerField()
    case_studies = serializers.IntegerField()
    meetings = serializers.IntegerField()
    repository = CategoryCountsSerializer(help_text=_("Accepted entries per category."))


class CoverageRowSerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField()
    policy = serializers.IntegerField(source="repository_policy")
    legal = serializers.IntegerField(source="repository_legal")
    institutional = serializers.IntegerField(source="repository_institutional")
    categories_covered = serializers.SerializerMethodField()

    def get_categories_covered(self, country) -> int:
        return queries.covered_categories(country)


def _by_category(values: dict[str, int]) -> dict[str, int]:
    return {
        category: values[key]
        for category, key in zip(RepositoryCategory.values, queries.REPOSITORY_KEYS, strict=True)
    }


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField(source="region.code")
    name = serializers.CharField(source="region.name")
    member_states = serializers.SerializerMethodField()
    active_member_states = serializers.SerializerMethodField()
    fully_covered = serializers.IntegerField(
        help_text=_("Member States with entries in all three repository categories.")
    )
    totals = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    coverage_csv_url = serializers.SerializerMethodField()

    def get_member_states(self, summary) -> int:
        return len(summary.countries)

    def get_active_member_states(self, summary) -> int:
        """Member States with activity that the caller may see."""
        return len(summary.active)

    @extend_schema_field(RegionTotalsSerializer)
    def get_totals(self, summary) -> dict:
        totals = summary.totals
        return {
            "requests": totals["requests_count"],
            "contributions": totals["contributions_count"],
            "case_studies": totals["case_studies_count"],
            "meetings": totals["meetings_count"],
            "repository": _by_category(totals),
        }

    @extend_schema_field(CategoryCountsSerializer)
    def get_coverage(self, summary) -> dict:
        """Member States with at least one accepted entry, per category."""
        return _by_category(summary.coverage)

    def _reverse(self, name: str, summary) -> str:
        return reverse(name, args=[summary.region.code], request=self.context.get("request"))

    def get_url(self, summary) -> str:
        return self._reverse("api-region-detail", summary)

    def get_page_url(self, summary) -> str:
        return self._reverse("knowledge:region", summary)

    def get_coverage_csv_url(self, summary) -> str:
        return self._reverse("knowledge:coverage_csv", summary)


class RegionDetailSerializer(RegionSerializer):
    active = CountrySerializer(
        many=True, help_text=_("The Member States with activity that you may see.")
    )
    coverage_table = CoverageRowSerializer(
        source="countries", many=True, help_text=_("Every Member State of the region.")
    )


CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary=_("The five regional repositories, with what you may see of them"),
        responses={200: RegionSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary=_("A regional repository: countries with activity and coverage"),
        parameters=[CODE],
        responses={200: RegionDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["regions"])
class RegionViewSet(ServiceErrorsMixin, viewsets.ViewSet):
    """The five regional repositories of the UN-emGKR."""

    lookup_field = "code"
    lookup_value_regex = "[a-z0-9-]+"
    serializer_class = RegionSerializer

    def list(self, request):
        summaries = queries.region_summaries(request.user)
        return Response(RegionSerializer(summaries, many=True, context={"request": request}).data)

    def retrieve(self, request, code=None):
        summary = queries.region_summary(request.user, queries.get_region(code))
        return Response(RegionDetailSerializer(summary, context={"request": request}).data)
