"""The API of review rounds that build on each other: the owner's responses to the reviews
(read; write the latest) and inviting the previous round's reviewers again. Serializers
translate; `workflows.responses` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cepa_collab.api_contract import id_field
from cepa_collab.names import display_name
from cepa_collab.parsers import JSONObjectParser
from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from workflows import responses as owner_responses
from workflows.api import ReviewAssignmentSerializer
from workflows.models import Deliverable
from workflows.queries import get_deliverable_for_user


class PointSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("Whose review it answers, as you may know it."))
    text = serializers.CharField()


class ResponseSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text=_("The number of the round answered."))
    text = serializers.CharField()
    written_by = serializers.IntegerField()
    written_by_name = serializers.CharField()
    updated_at = serializers.DateTimeField()
    points = PointSerializer(many=True)


def _response_data(view: owner_responses.ResponseView) -> dict:
    response = view.response
    return {
        "round": view.round.number,
        "text": response.text,
        "written_by": response.written_by_id,
        "written_by_name": display_name(response.written_by),
        "updated_at": response.updated_at,
        "points": [{"label": point.label, "text": point.text} for point in view.points],
    }


class ReplyInputSerializer(serializers.Serializer):
    review = id_field(help_text=_("A submitted review of the round answered."))
    text = serializers.CharField(max_length=owner_responses.MAX_TEXT, allow_blank=True)


class ResponseInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=owner_responses.MAX_TEXT)
    replies = ReplyInputSerializer(many=True, required=False, default=list)


class ReinviteInputSerializer(serializers.Serializer):
    due_date = serializers.DateField()


class ReinvitedSerializer(serializers.Serializer):
    assignments = ReviewAssignmentSerializer(many=True)
    skipped = serializers.ListField(
        child=serializers.CharField(), help_text=_("Who was not invited again, and why.")
    )


class DeliverableRoundsViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    """The owner's responses to a deliverable's review rounds; the previous round's
    reviewers invited again."""

    queryset = Deliverable.objects.none()
    serializer_class = ResponseSerializer
    parser_classes = [JSONObjectParser]
    pagination_class = None
    filter_backends: list = []

    def get_object(self) -> Deliverable:
        return get_deliverable_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary=_("The owner's responses to the reviews you may read"),
        description=_(
            "One per round answered, oldest first: those who see the whole deliverable read "
            "every one; a reviewer reads the responses to the rounds before theirs."
        ),
        responses={200: ResponseSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def responses(self, request, pk=None):
        deliverable = self.get_object()
        views = sorted(
            owner_responses.visible_responses(request.user, deliverable).values(),
            key=lambda view: view.round.number,
        )
        return Response([_response_data(view) for view in views])

    @extend_schema(
        summary=_("Write the response to the latest round's reviews"),
        description=_(
            "While the deliverable is revised, its owner or chief writes (or rewrites) the "
            "response to the latest round's reviews, with optional replies to single reviews."
        ),
        request=ResponseInputSerializer,
        responses={200: ResponseSerializer, **errors(400, 403, 404, 409)},
    )
    @responses.mapping.post
    def write_response(self, request, pk=None):
        deliverable = self.get_object()
        data = validated(ResponseInputSerializer, request)
        replies = {reply["review"]: reply["text"] for reply in data["replies"]}
        response = owner_responses.save_response(
            request.user, deliverable, text=data["text"], replies=replies
        )
        view = owner_responses.visible_response(request.user, response.round)
        return Response(_response_data(view))

    @extend_schema(
        summary=_("Invite the previous round's reviewers again"),
        description=_(
            "Those who submitted a review in the round before the open one are invited in "
            "it, by the due date; people already invited or no longer eligible are skipped "
            "and named."
        ),
        request=ReinviteInputSerializer,
        responses={201: ReinvitedSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reinvite(self, request, pk=None):
        deliverable = self.get_object()
        data = validated(ReinviteInputSerializer, request)
        result = owner_responses.reinvite_previous(request.user, deliverable, data["due_date"])
        return Response(
            {
                "assignments": ReviewAssignmentSerializer(
                    result.created, many=True, context=self.get_serializer_context()
                ).data,
                "skipped": result.skipped,
            },
            status=status.HTTP_201_CREATED,
        )
