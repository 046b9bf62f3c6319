"""The API of versions' texts and comparisons (issue 16, items 5 and 6).

- `GET /deliverables/{id}/versions/{number}/text/`: whether the version's text is read,
  its words and size, why not if it cannot be, and its sections (the preview) once ready.
- `GET /deliverables/{id}/comparisons/?old=&new=`: the word-level comparison of two
  versions, asked for if nobody has yet (then `status` is "pending" until the worker has
  computed it; ask again).

Both answer 404 for a version the caller may not see (`visible_versions`), as its download.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from cepa_collab.api_contract import ID
from cepa_collab.service_errors import ServiceErrorsMixin, errors
from workflows import comparison, queries, texts
from workflows.models import TextStatus, VersionComparison, VersionText

NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)


class TextSectionSerializer(serializers.Serializer):
    anchor = serializers.CharField(help_text=_("The section's anchor in the preview page."))
    title = serializers.CharField(allow_blank=True)
    level = serializers.IntegerField()
    paragraphs = serializers.ListField(child=serializers.CharField())


class VersionTextSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The version's number."))
    status = serializers.ChoiceField(choices=TextStatus.choices)
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the text cannot be read, when it cannot.")
    )
    words = serializers.IntegerField()
    characters = serializers.IntegerField()
    file_size = serializers.IntegerField(help_text=_("The original file's size in bytes."))
    truncated = serializers.BooleanField(help_text=_("The text was cut at the size limit."))
    sections = TextSectionSerializer(many=True)
    preview_url = serializers.URLField()


class ComparisonQuerySerializer(serializers.Serializer):
    old = serializers.IntegerField(min_value=1, max_value=10**9, help_text=_("Version number."))
    new = serializers.IntegerField(min_value=1, max_value=10**9, help_text=_("Version number."))

    def validate(self, attrs):
        if attrs["old"] == attrs["new"]:
            raise serializers.ValidationError({"new": [_("Choose two different versions.")]})
        return attrs


class ComparisonSerializer(serializers.Serializer):
    old = serializers.IntegerField()
    new = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TextStatus.choices)
    added = serializers.IntegerField(help_text=_("Words added."))
    removed = serializers.IntegerField(help_text=_("Words removed."))
    differences = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_(
            'Pairs [op, text]: op "=" unchanged, "+" added, "-" removed; paragraphs are '
            "separated by a line break."
        ),
    )
    page_url = serializers.URLField()


@extend_schema(tags=["deliverables"])
class VersionTextViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    """Versions' texts and comparisons (routes under /deliverables/{id}/)."""

    lookup_value_regex = ID
    pagination_class = None
    filter_backends: list = []
    serializer_class = VersionTextSerializer

    @extend_schema(
        summary=_("A version's text: its status and, once read, its sections"),
        parameters=[NUMBER],
        responses={200: VersionTextSerializer, **errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"versions/(?P<number>{ID})/text",
        url_name="version-text",
    )
    def version_text(self, request, pk=None, number=None):
        version = queries.get_version_for_user(request.user, pk, number)
        text = VersionText.objects.filter(version=version).first()
        ready = text is not None and text.status == TextStatus.READY
        unreadable = text is not None and text.status == TextStatus.UNREADABLE
        data = {
            "number": version.number,
            "status": text.status if text is not None else TextStatus.PENDING,
            "reason": str(texts.reason_message(text.reason)) if unreadable else "",
            "words": text.words if ready else 0,
            "characters": text.chars if ready else 0,
            "file_size": version.size,
            "truncated": text.truncated if ready else False,
            "sections": [vars(section) for section in texts.preview(text)] if ready else [],
            "preview_url": reverse(
                "workflows:version_preview",
                args=[version.deliverable_id, version.number],
                request=request,
            ),
        }
        return Response(VersionTextSerializer(data).data)

    @extend_schema(
        summary=_("Compare two versions, word by word"),
        parameters=[ComparisonQuerySerializer],
        responses={200: ComparisonSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["get"], url_path="comparisons", url_name="comparisons")
    def comparisons(self, request, pk=None):
        deliverable = queries.get_deliverable_for_user(request.user, pk)
        query = ComparisonQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        numbers = (query.validated_data["old"], query.validated_data["new"])
        versions = {
            v.number: v
            for v in queries.visible_versions(request.user, deliverable).filter(number__in=numbers)
        }
        if any(number not in versions for number in numbers):
            raise Http404("No such version.")  # or not one the caller may see
        old, new = versions[numbers[0]], versions[numbers[1]]
        found: VersionComparison = comparison.request_comparison(deliverable, old, new)
        ready = found.status == TextStatus.READY
        data = {
            "old": old.number,
            "new": new.number,
            "status": found.status,
            "added": found.added if ready else 0,
            "removed": found.removed if ready else 0,
            "differences": found.ops if ready else [],
            "page_url": reverse("workflows:version_compare", args=[deliverable.pk], request=request)
            + f"?old={old.number}&new={new.number}",
        }
        return Response(ComparisonSerializer(data).data)
