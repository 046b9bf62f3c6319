"""The notifications API: the caller's notification centre and how each kind reaches them.

Serializers only translate; the caller sees their own notifications only (`notifications.
queries`: another person's answers 404) and every change goes through `notifications.
services`. Service errors map to HTTP as in the workflow API (`ServiceErrorsMixin`): a
django `ValidationError` is a 400 naming the fields (here: the kinds of notification).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from cepa_collab.forms import FilterSet
from cepa_collab.serializers import LabelField, StrictBooleanFilter
from cepa_collab.service_errors import ServiceErrorsMixin, errors
from notifications import mail, queries, services
from notifications.enums import Delivery
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Notification

# --- serializers ---------------------------------------------------------------------------


# One schema component for the choice, shared by every kind (an enum per kind would give one
# choice set eight names).
@extend_schema_field(
    {
        "type": "string",
        "enum": Delivery.values,
        "description": (
            "`immediate`: mailed at once; `digest`: in the daily digest at 08:00 in your "
            "time zone; `none`: not mailed (it stays in the notification centre)."
        ),
    },
    component_name="Delivery",
)
class DeliveryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Delivery.choices, **kwargs)


class KindField(serializers.ChoiceField):
    """A kind of notification: one the apps registered, as registered when the serializer
    is made (the schema's `NotificationKindEnum` lists them: see `notification_choices`)."""

    def __init__(self, **kwargs):
        super().__init__(choices=NOTIFICATION_KINDS.choices(), **kwargs)


class NotificationSerializer(serializers.ModelSerializer):
    """A notification of the caller's notification centre, in the language it was written in."""

    kind = KindField(read_only=True)
    kind_label = LabelField(NOTIFICATION_KINDS, source="kind")
    link = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "body",
            "link",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_link(self, notification: Notification) -> str | None:
        """The full address of what it is about (on SITE_URL), if anything."""
        return mail.absolute(notification.link) or None

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many notifications were unread."))


class PreferenceSerializer(serializers.Serializer):
    """How one kind of notification reaches the caller besides the notification centre."""

    kind = KindField()
    label = serializers.CharField()
    delivery = DeliveryField()
    delivery_label = serializers.CharField()


class PreferencesWriteSerializer(serializers.Serializer):
    """{kind: delivery}: PATCH any kinds, PUT every kind. An unknown kind is an error."""

    refuses_unknown_fields = True  # documented so (cepa_collab.api_contract.ApiSchema)

    def get_fields(self) -> dict:
        return {kind.value: DeliveryField(help_text=str(kind.label)) for kind in NOTIFICATION_KINDS}

    def validate(self, attrs: dict) -> dict:
        unknown = [key for key in self.initial_data if key not in NOTIFICATION_KINDS]
        if unknown:
            message = _("Unknown kind of notification.")
            raise serializers.ValidationError({key: [message] for key in unknown})
        return attrs


def preferences_payload(user) -> list[dict]:
    """Every kind of notification, in their order, with how it reaches `user`."""
    delivery_labels = {value: str(label) for value, label in Delivery.choices}
    return [
        {
            "kind": kind,
            "label": NOTIFICATION_KINDS.label(kind),
            "delivery": delivery,
            "delivery_label": delivery_labels[delivery],
        }
        for kind, delivery in services.preferences_of(user).items()
    ]


# --- filters -------------------------------------------------------------------------------


class NotificationFilter(FilterSet):
    unread = StrictBooleanFilter(
        method="filter_unread", help_text=_("true (or 1): unread ones only; false: read ones.")
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name: str, value: bool):
        return queryset.filter(read_at__isnull=value)


# --- views ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Your notifications, newest first")),
    retrieve=extend_schema(responses={200: NotificationSerializer, **errors(404)}),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your notification centre: the notifications written to you, read or not."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return queries.visible_notifications(self.request.user)

    def get_object(self) -> Notification:
        return queries.get_notification_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary=_("Mark a notification read"),
        request=None,
        responses={200: NotificationSerializer, **errors(404)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(request.user, [notification.pk])
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary=_("Mark all your notifications read"),
        request=None,
        responses={200: ReadAllSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        url_name="read-all",
        filter_backends=[],
        pagination_class=None,
    )
    def read_all(self, request):
        return Response({"count": services.mark_all_read(request.user)})


@extend_schema(tags=["notifications"])
class NotificationPreferencesView(ServiceErrorsMixin, APIView):
    """How each kind of notification reaches you: mailed at once (`immediate`), in the daily
    digest at 08:00 in your time zone (`digest`), or not mailed (`none`). Every notification
    stays in your notification centre whatever you choose."""

    @extend_schema(
        summary=_("Your notification preferences"),
        responses=PreferenceSerializer(many=True),
    )
    def get(self, request):
        return Response(preferences_payload(request.user))

    def _save(self, request, *, partial: bool) -> Response:
        serializer = PreferencesWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.set_preferences(request.user, serializer.validated_data)
        return Response(preferences_payload(request.user))

    @extend_schema(
        summary=_("Change how some kinds of notification reach you"),
        description=_('Only the kinds given change, e.g. `{"reminder": "digest"}`.'),
        request=PreferencesWriteSerializer,
        responses={200: PreferenceSerializer(many=True), **errors(400)},
    )
    def patch(self, request):
        return self._save(request, partial=True)

    @extend_schema(
        summary=_("Set how every kind of notification reaches you"),
        description=_("Every kind must be given."),
        request=PreferencesWriteSerializer,
        responses={200: PreferenceSerializer(many=True), **errors(400)},
    )
    def put(self, request):
        return self._save(request, partial=False)
