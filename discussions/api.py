"""The discussions API: a thread with its messages, and writing in it.

`/deliverable-discussions/{deliverable id}/` is the deliverable's thread,
`/review-discussions/{assignment id}/` a review assignment's; `POST …/messages/` writes.
The same rules as the pages (`discussions.rules`, loaded through `discussions.queries`:
404 for who may not see the thread); service errors are answered once
(`ServiceErrorsMixin`): 400 naming the field, 403, 404, 409.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cepa_collab.api_contract import id_field
from cepa_collab.names import display_name
from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from discussions import queries, rules, services
from discussions.models import MAX_LENGTH, Message, Thread
from discussions.services import MAX_MENTIONS


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, person) -> str:
        return display_name(person)


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author", "author_name", "text", "created_at"]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return display_name(message.author)


class ThreadSerializer(serializers.Serializer):
    """A thread as the caller may see it: its messages oldest first, whether they may write
    now (else why not), and whom a message may mention (`mentions` takes their ids)."""

    deliverable = serializers.IntegerField(source="thread.deliverable_id", read_only=True)
    assignment = serializers.IntegerField(
        source="thread.assignment_id", read_only=True, allow_null=True
    )
    url = serializers.CharField(read_only=True, help_text=_("The thread's page."))
    can_post = serializers.BooleanField(read_only=True)
    closed = serializers.CharField(read_only=True, help_text=_("Why you may not write now."))
    participants = PersonSerializer(many=True, read_only=True)
    messages = MessageSerializer(many=True, read_only=True)


class PostSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_LENGTH,
        help_text=_("Plain text; @login mentions someone."),
    )
    mentions = serializers.ListField(
        child=id_field(),
        required=False,
        default=list,
        max_length=MAX_MENTIONS,
        help_text=_("Ids of people to tell (see the thread's participants)."),
    )


class PostedSerializer(serializers.Serializer):
    message = MessageSerializer(read_only=True)
    notified = PersonSerializer(many=True, read_only=True)
    not_notified = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_(
            "Mentions that reached nobody: people who may not read the thread, or unknown "
            "logins (as written: @login, or #id)."
        ),
    )


class _View:
    def __init__(self, thread: Thread, user):
        decision = rules.THREAD.post.decide(thread, user)
        self.thread = thread
        self.url = queries.thread_url(thread)
        self.can_post = bool(decision)
        self.closed = "" if decision else decision.message
        self.participants = queries.participants(thread)
        self.messages = list(queries.messages_of(thread))


class _DiscussionViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    serializer_class = ThreadSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Thread.objects.none()

    def load(self, pk) -> Thread:
        raise NotImplementedError

    def retrieve(self, request, pk=None):
        return Response(ThreadSerializer(_View(self.load(pk), request.user)).data)

    def _post(self, request, pk):
        thread = self.load(pk)
        data = validated(PostSerializer, request)
        ids = list(dict.fromkeys(data["mentions"]))
        people = {person.pk: person for person in get_user_model().objects.filter(pk__in=ids)}
        posted = services.post_message(
            request.user,
            thread,
            data["text"],
            mentions=[people[pk] for pk in ids if pk in people],
        )
        posted.not_notified += [f"#{pk}" for pk in ids if pk not in people]
        return Response(PostedSerializer(posted).data, status=status.HTTP_201_CREATED)


THREAD_RESPONSES = {200: ThreadSerializer, **errors(404)}
POST_RESPONSES = {201: PostedSerializer, **errors(400, 404, 409)}


class DeliverableDiscussionViewSet(_DiscussionViewSet):
    """The deliverable's own thread: its owner, the branch's staff and its chief."""

    def load(self, pk) -> Thread:
        return queries.get_deliverable_thread(self.request.user, pk)

    @extend_schema(summary=_("The deliverable's discussion"), responses=THREAD_RESPONSES)
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)

    @extend_schema(
        summary=_("Write in the deliverable's discussion"),
        request=PostSerializer,
        responses=POST_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        return self._post(request, pk)


class ReviewDiscussionViewSet(_DiscussionViewSet):
    """A review assignment's thread: that reviewer, the owner and the chief."""

    def load(self, pk) -> Thread:
        return queries.get_review_thread(self.request.user, pk)

    @extend_schema(summary=_("A review's discussion"), responses=THREAD_RESPONSES)
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)

    @extend_schema(
        summary=_("Write in a review's discussion"),
        request=PostSerializer,
        responses=POST_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        return self._post(request, pk)
