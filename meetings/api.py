"""The meetings API: meetings, their participants, the caller's reply and calendar feeds.

Serializers only translate (types, choices, codes to objects); the rules live in
`meetings.services` (who may schedule, edit and cancel; replies; tokens) and
`meetings.queries` (who sees which meeting). Service errors map to HTTP as in the
workflow API (`workflows.api.ServiceErrorsMixin`): a django `ValidationError` is a
400 naming the fields, `PermissionDenied` a 403 (the caller sees the meeting but may
not act), `Http404` a 404 (the caller may not see it).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse as url_path
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
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from cepa_collab.api_contract import ID
from cepa_collab.forms import FilterSet
from cepa_collab.models import Branch, MemberState, validate_time_zone
from cepa_collab.names import display_name
from cepa_collab.serializers import LabelField, StrictBooleanFilter, required_text
from cepa_collab.service_errors import ServiceErrorsMixin, errors, validated
from cepa_collab.validation import wall_clock_to_aware
from meetings import rules, services
from meetings.enums import MeetingKind, MeetingStatus, ParticipantRole, Reply, TokenKind, Visibility
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from meetings.queries import (
    get_meeting_for_user,
    invitable_people,
    visible_meetings,
    with_mission_lead,
)
from meetings.services import INVITATION_FIELDS, Invitation
from workflows.queries import visible_deliverables

# --- serializers: output ------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting as listed: times in UTC and in the meeting's own time zone."""

    # Plain strings here: their enums are documented once, in MeetingWrite (one enum per
    # choice set keeps the schema's enum names stable).
    kind = serializers.CharField(read_only=True, help_text=", ".join(MeetingKind.values))
    kind_label = LabelField(MeetingKind, source="kind")
    branch = serializers.CharField(source="branch.code", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    country = serializers.SerializerMethodField()
    country_name = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    start_local = serializers.SerializerMethodField()
    end_local = serializers.SerializerMethodField()
    visibility_label = LabelField(Visibility, source="visibility")
    status = serializers.CharField(read_only=True, help_text=", ".join(MeetingStatus.values))
    status_label = LabelField(MeetingStatus, source="status")
    my_reply = serializers.SerializerMethodField()
    can_manage = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "description",
            "branch",
            "branch_name",
            "country",
            "country_name",
            "region",
            "start",
            "end",
            "time_zone",
            "start_local",
            "end_local",
            "location",
            "online_link",
            "visibility",
            "visibility_label",
            "status",
            "status_label",
            "revision",
            "cancel_reason",
            "cancelled_at",
            "my_reply",
            "can_manage",
            "ics_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_country(self, meeting: Meeting) -> str | None:
        return meeting.country.iso3 if meeting.country_id else None

    def get_country_name(self, meeting: Meeting) -> str | None:
        return meeting.country.name if meeting.country_id else None

    def get_region(self, meeting: Meeting) -> str | None:
        return meeting.country.region.code if meeting.country_id else None

    def _local(self, meeting: Meeting, value: datetime.datetime) -> str:
        return value.astimezone(ZoneInfo(meeting.time_zone)).isoformat()

    def get_start_local(self, meeting: Meeting) -> str:
        """The start in the meeting's time zone, ISO 8601 with its UTC offset."""
        return self._local(meeting, meeting.start)

    def get_end_local(self, meeting: Meeting) -> str:
        return self._local(meeting, meeting.end)

    def get_my_reply(self, meeting: Meeting) -> str | None:
        """The caller's reply if they take part (invited, accepted, declined, tentative)."""
        return getattr(meeting, "my_reply", None)

    def get_can_manage(self, meeting: Meeting) -> bool:
        """Whether the caller may edit and cancel it (the branch's staff and chief)."""
        return rules.MEETING.edit.permits(meeting, self.context["request"].user)

    def get_ics_url(self, meeting: Meeting) -> str:
        """The meeting as an .ics file to add to a calendar."""
        return reverse(
            "meetings:meeting_ics", args=[meeting.pk], request=self.context.get("request")
        )


class AgendaItemSerializer(serializers.ModelSerializer):
    deliverable = serializers.SerializerMethodField()
    deliverable_title = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["position", "title", "notes", "deliverable", "deliverable_title"]
        read_only_fields = fields

    def _visible(self, item: AgendaItem) -> bool:
        return item.deliverable_id in self.context.get("visible_deliverables", ())

    def get_deliverable(self, item: AgendaItem) -> int | None:
        """The linked deliverable's id, if the caller may see it."""
        return item.deliverable_id if self._visible(item) else None

    def get_deliverable_title(self, item: AgendaItem) -> str | None:
        return item.deliverable.title if self._visible(item) else None


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its agenda (deliverables shown only to those who may see them)."""

    agenda = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda"]
        read_only_fields = fields

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting: Meeting) -> list[dict]:
        items = list(meeting.agenda.select_related("deliverable"))
        linked = {item.deliverable_id for item in items if item.deliverable_id}
        visible: set[int] = set()
        if linked:
            user = self.context["request"].user
            visible = set(
                visible_deliverables(user).filter(pk__in=linked).values_list("pk", flat=True)
            )
        return AgendaItemSerializer(
            items, many=True, context={**self.context, "visible_deliverables": visible}
        ).data


class ParticipantSerializer(serializers.ModelSerializer):
    """A participant: a user (with their id) or an external person; the e-mail address of an
    external person is shown to those who manage the meeting only."""

    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    role_label = LabelField(ParticipantRole, source="role")
    reply_label = LabelField(Reply, source="reply")

    class Meta:
        model = Participant
        fields = ["id", "user", "name", "email", "role", "role_label", "reply", "reply_label"]
        read_only_fields = fields

    def get_name(self, participant: Participant) -> str:
        return display_name(participant.user) if participant.user_id else participant.name

    def get_email(self, participant: Participant) -> str | None:
        if not self.context.get("manages"):
            return None
        return participant.user.email if participant.user_id else participant.email


# --- serializers: input (translation only; the services decide) ---------------------------


class WallClockDateTimeField(serializers.DateTimeField):
    """A date-time that keeps a value given without UTC offset naive: `MeetingWriteSerializer`
    then reads it in the meeting's time zone."""

    def enforce_timezone(self, value):
        return value


class InvitationSerializer(serializers.Serializer):
    """Someone to invite: a user by id, or a person without an account by name (and
    e-mail). They are told, with the meeting's calendar file attached."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=invitable_people(),
        required=False,
        allow_null=True,
        help_text=_("Id of an active CEPA member or staff member (the people the page lists)."),
        error_messages={
            "does_not_exist": _("No active CEPA member or staff member has the id {pk_value}.")
        },
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("A person without an account: their name."),
    )
    email = serializers.EmailField(
        required=False, allow_blank=True, help_text=_("A person without an account: e-mail.")
    )
    role = serializers.ChoiceField(choices=ParticipantRole.choices, default=ParticipantRole.EXPERT)


WRITABLE_STATUSES = [
    (MeetingStatus.TENTATIVE.value, MeetingStatus.TENTATIVE.label),
    (MeetingStatus.CONFIRMED.value, MeetingStatus.CONFIRMED.label),
]


class MeetingWriteSerializer(serializers.Serializer):
    """What POST takes (PATCH: any of it, except the branch). `start` and `end` given without
    a UTC offset are read in the meeting's time zone (`time_zone`, UTC if none).
    `participants` are invited (added to those already taking part); `agenda`, when given,
    becomes the agenda."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    branch = serializers.SlugRelatedField(
        slug_field="code", queryset=Branch.objects.all(), help_text=_("Branch code, e.g. e-govb.")
    )
    country = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=MemberState.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Host country: ISO 3166 alpha-3 code, e.g. ETH."),
    )
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text=_("IANA time zone, e.g. Africa/Addis_Ababa.")
    )
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_link = serializers.URLField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    status = serializers.ChoiceField(
        choices=WRITABLE_STATUSES,
        required=False,
        help_text=_("Tentative or confirmed; cancel a meeting with its cancel action."),
    )
    participants = InvitationSerializer(
        many=True,
        required=False,
        help_text=_("People to invite, added to those already taking part."),
    )
    agenda = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_(
            "The agenda's item titles in order; it replaces the agenda (an item whose title "
            "stays keeps its notes and linked deliverable). Blank titles are left out."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        zone_name = attrs.get("time_zone") or getattr(self.instance, "time_zone", "UTC")
        try:
            validate_time_zone(zone_name)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"time_zone": exc.messages}) from None
        errors = {}
        for name in ("start", "end"):
            value = attrs.get(name)
            if value is not None:
                try:
                    attrs[name] = wall_clock_to_aware(value, zone_name, field=name)
                except DjangoValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = required_text(help_text=_("Why it is cancelled (participants read it)."))


class ReplySerializer(serializers.Serializer):
    reply = serializers.ChoiceField(
        choices=[(value, label) for value, label in Reply.choices if value != Reply.INVITED]
    )


class FeedLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text=_("The feed's address (https on the live site)."))
    webcal_url = serializers.CharField(help_text=_("The same address for calendar apps."))


class PrivateFeedSerializer(serializers.Serializer):
    """A private feed as its owner sees it afterwards: never the token itself."""

    kind = serializers.CharField(help_text=", ".join(TokenKind.values))
    active = serializers.BooleanField(help_text=_("Whether a feed address exists."))
    prefix = serializers.CharField(
        allow_null=True, help_text=_("The first characters of the secret in its address.")
    )
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Last time a calendar fetched it (to within minutes).")
    )


class CalendarFeedsSerializer(serializers.Serializer):
    public = FeedLinkSerializer()
    personal = PrivateFeedSerializer()
    branch = PrivateFeedSerializer(
        allow_null=True, help_text=_("Branch staff only: all the meetings of their branch.")
    )


class CalendarResetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TokenKind.choices, default=TokenKind.PERSONAL)


class NewFeedSerializer(serializers.Serializer):
    """The new private address, shown in full this once."""

    kind = serializers.CharField(help_text=", ".join(TokenKind.values))
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    url = serializers.URLField()
    webcal_url = serializers.CharField()


# --- filters -------------------------------------------------------------------------------


class MeetingFilter(FilterSet):
    kind = filters.ChoiceFilter(choices=MeetingKind.choices)
    branch = filters.CharFilter(field_name="branch__code", help_text=_("Branch code."))
    region = filters.CharFilter(
        field_name="country__region__code",
        help_text=_("Region code of the host country (africa, americas, arab, asia, europe)."),
    )
    status = filters.ChoiceFilter(choices=MeetingStatus.choices)
    start_after = filters.DateTimeFilter(
        field_name="start",
        lookup_expr="gte",
        help_text=_("Starting at or after this date or date-time (UTC unless an offset is given)."),
    )
    start_before = filters.DateTimeFilter(
        field_name="start",
        lookup_expr="lt",
        help_text=_("Starting before this date or date-time."),
    )
    upcoming = StrictBooleanFilter(
        method="filter_upcoming",
        help_text=_(
            "true: meetings not over yet, soonest first; false: past meetings, latest first."
        ),
    )

    class Meta:
        model = Meeting
        fields = ["kind", "branch", "region", "status", "start_after", "start_before", "upcoming"]

    def filter_upcoming(self, queryset, name: str, value: bool):
        now = timezone.now()
        if value:
            return queryset.filter(end__gte=now).order_by("start", "pk")
        return queryset.filter(end__lt=now).order_by("-start", "-pk")


# --- helpers ---------------------------------------------------------------------------------


def with_my_reply(qs: QuerySet[Meeting], user) -> QuerySet[Meeting]:
    """Each meeting with the caller's reply (`my_reply`), in the same query."""
    reply = Participant.objects.filter(meeting=OuterRef("pk"), user_id=user.pk).values("reply")
    return qs.annotate(my_reply=Subquery(reply[:1]))


def feed_links(path: str) -> dict:
    """The full address of a feed, and the same for calendar apps (webcal://)."""
    url = settings.SITE_URL + path
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def private_feed(user, kind: str) -> dict:
    token = (
        CalendarToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return {
        "kind": kind,
        "active": token is not None,
        "prefix": token.prefix if token else None,
        "created_at": token.created_at if token else None,
        "last_used_at": token.last_used_at if token else None,
    }


FEED_URL_NAMES = {
    TokenKind.PERSONAL: "meetings:personal_feed",
    TokenKind.BRANCH: "meetings:branch_feed",
}
NO_STORE = {"Cache-Control": "private, no-store"}


# --- views -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Meetings you may see")),
    retrieve=extend_schema(responses={200: MeetingDetailSerializer, **errors(404)}),
)
@extend_schema(tags=["meetings"])
class MeetingViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings: public ones, those you take part in, and your branch's (for its staff)."""

    queryset = Meeting.objects.none()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return Meeting.objects.none()
        return with_my_reply(
            with_mission_lead(visible_meetings(user).select_related("country__region")), user
        )

    def get_object(self) -> Meeting:
        user = self.request.user
        meeting = get_meeting_for_user(user, self.kwargs["pk"])
        meeting.my_reply = (
            Participant.objects.filter(meeting=meeting, user_id=user.pk)
            .values_list("reply", flat=True)
            .first()
        )
        return meeting

    def get_serializer_class(self):
        if self.action == "list":
            return MeetingSerializer
        return MeetingDetailSerializer

    def retrieve(self, request, pk=None):
        return Response(
            MeetingDetailSerializer(self.get_object(), context={"request": request}).data
        )

    def _save(self, meeting: Meeting | None, data: dict) -> Meeting:
        """The meeting, its invitations and agenda through the one service operation; an
        invitation's error names `participants`."""
        data = dict(data)
        invitations = [Invitation(**item) for item in data.pop("participants", [])]
        try:
            return services.save_meeting(
                self.request.user,
                meeting,
                invitations=invitations,
                agenda=data.pop("agenda", None),
                **data,
            )
        except DjangoValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            renamed: dict[str, list] = {}
            for name, texts in exc.message_dict.items():
                key = "participants" if name in INVITATION_FIELDS else name
                renamed.setdefault(key, []).extend(texts)
            raise DjangoValidationError(renamed) from None

    def _answer(self, meeting: Meeting, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = get_meeting_for_user(self.request.user, meeting.pk)
        fresh.my_reply = getattr(meeting, "my_reply", None)
        data = MeetingDetailSerializer(fresh, context={"request": self.request}).data
        return Response(data, status=status_code)

    @extend_schema(
        summary=_("Schedule a meeting (branch staff)"),
        description=_(
            "With its participants and agenda, all or nothing: each person invited is told, "
            "with the meeting's calendar file attached."
        ),
        request=MeetingWriteSerializer,
        responses={201: MeetingDetailSerializer, **errors(400, 403)},
    )
    def create(self, request):
        data = validated(MeetingWriteSerializer, request)
        meeting = self._save(None, data)
        return self._answer(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a meeting (branch staff)"),
        description=_(
            "Only the fields given change; `participants` are invited, `agenda` replaces the "
            "agenda, all or nothing. A change of time, place, status or title raises the "
            "revision (calendars then update the event); participants are told what changed."
        ),
        request=MeetingWriteSerializer,
        responses={200: MeetingDetailSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        serializer = MeetingWriteSerializer(
            meeting, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        changed = self._save(meeting, serializer.validated_data)
        changed.my_reply = meeting.my_reply
        return self._answer(changed)

    @extend_schema(
        summary=_("Cancel a meeting, with a reason (branch staff)"),
        description=_("It stays in calendars, marked cancelled, for 30 days."),
        request=CancelSerializer,
        responses={200: MeetingDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        data = validated(CancelSerializer, request)
        cancelled = services.cancel_meeting(request.user, meeting, data["reason"])
        cancelled.my_reply = meeting.my_reply
        return self._answer(cancelled)

    @extend_schema(
        summary=_("Who takes part"),
        responses={200: ParticipantSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def participants(self, request, pk=None):
        meeting = self.get_object()
        participants = meeting.participants.select_related("user")
        context = {
            "request": request,
            "manages": rules.MEETING.edit.permits(meeting, request.user),
        }
        return Response(ParticipantSerializer(participants, many=True, context=context).data)

    @extend_schema(
        summary=_("Take someone off the meeting (branch staff)"),
        description=_(
            "A user taken off is told, with a calendar file that removes the meeting from "
            "their calendar."
        ),
        parameters=[
            OpenApiParameter(
                "participant_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description=_("The participant's id (from the participants list)."),
            )
        ],
        request=None,
        responses={204: None, **errors(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"participants/(?P<participant_id>{ID})",
        filter_backends=[],
        pagination_class=None,
    )
    def remove_participant(self, request, pk=None, participant_id=None):
        meeting = self.get_object()
        services.remove_participant(request.user, meeting, int(participant_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Reply to your invitation"),
        request=ReplySerializer,
        responses={200: ParticipantSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def reply(self, request, pk=None):
        meeting = self.get_object()
        data = validated(ReplySerializer, request)
        participant = services.set_reply(request.user, meeting, data["reply"])
        context = {
            "request": request,
            "manages": rules.MEETING.edit.permits(meeting, request.user),
        }
        return Response(ParticipantSerializer(participant, context=context).data)


@extend_schema(tags=["calendar"])
class CalendarView(APIView):
    """Your calendar feeds: the public one, and your private ones (never their secret)."""

    @extend_schema(summary=_("Your calendar feeds"), responses=CalendarFeedsSerializer)
    def get(self, request):
        user = request.user
        data = {
            "public": feed_links(url_path("meetings:public_feed")),
            "personal": private_feed(user, TokenKind.PERSONAL),
            "branch": private_feed(user, TokenKind.BRANCH) if rules.has_branch_feed(user) else None,
        }
        return Response(CalendarFeedsSerializer(data).data)


@extend_schema(tags=["calendar"])
class CalendarResetView(ServiceErrorsMixin, APIView):
    """A new private feed address; the old one stops working at once."""

    @extend_schema(
        summary=_("Reset a private feed address"),
        description=_(
            "Answers the new address in full, this once: store it in your calendar app. "
            "The previous address answers 404 from now on."
        ),
        request=CalendarResetSerializer,
        responses={200: NewFeedSerializer, **errors(400, 403)},
    )
    def post(self, request):
        kind = validated(CalendarResetSerializer, request)["kind"]
        raw = services.reset_token(request.user, kind)
        token = CalendarToken.objects.get(token_hash=services.hash_token(raw))
        data = {
            "kind": kind,
            "prefix": token.prefix,
            "created_at": token.created_at,
            **feed_links(url_path(FEED_URL_NAMES[kind], args=[raw])),
        }
        return Response(NewFeedSerializer(data).data, headers=NO_STORE)
