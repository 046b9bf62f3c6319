"""API shell: the caller's profile, their work, and the token exchange."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cepa_collab import second_factor, work
from cepa_collab.enums import Language
from cepa_collab.models import roles_for
from cepa_collab.names import display_name
from cepa_collab.parsers import JSONObjectParser
from cepa_collab.services import profile_for, update_preferences


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    roles = RoleSerializer(many=True, read_only=True)
    branch = serializers.DictField(read_only=True, allow_null=True)
    country = serializers.DictField(read_only=True, allow_null=True)
    time_zone = serializers.CharField(required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


def me_payload(user) -> dict:
    profile = profile_for(user)
    branch = profile.branch
    country = profile.country
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": display_name(user),
        "email": user.email,
        "roles": [{"code": role.value, "label": str(role.label)} for role in roles_for(user)],
        "branch": {"code": branch.code, "name": branch.name} if branch else None,
        "country": {"iso3": country.iso3, "name": country.name} if country else None,
        "time_zone": profile.time_zone,
        "language": profile.language,
    }


class MeView(APIView):
    """The caller's profile and roles; PATCH changes time zone and language."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(me_payload(request.user))

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            update_preferences(request.user, **serializer.validated_data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(me_payload(request.user))


class WorkItemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("What kind of work: review_invitation, decision…"))
    title = serializers.CharField()
    about = serializers.CharField(help_text=_("What it belongs to (a product, a country…)."))
    action = serializers.CharField(help_text=_("The action's label, in the caller's language."))
    url = serializers.URLField(help_text=_("The page where the action is done."))
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    at = serializers.DateTimeField(
        allow_null=True, help_text=_("When it was done, or when the meeting starts.")
    )


class WorkKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    see_all = serializers.CharField(help_text=_("The page listing all of them (a path)."))


class MyWorkSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("How many things wait for the caller."))
    kinds = WorkKindSerializer(many=True)
    waiting = WorkItemSerializer(
        many=True, help_text=_("What waits: the 12 soonest (`kinds` counts them all).")
    )
    coming_up = WorkItemSerializer(many=True)
    done = WorkItemSerializer(many=True, help_text=_("Done in the last two weeks."))


class MyWorkView(APIView):
    """What waits for the caller across every module, soonest first, each item with the
    address of the page where its action is done; then what is coming up and what was
    recently done: the start page's list."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyWorkSerializer

    @extend_schema(responses=MyWorkSerializer)
    def get(self, request):
        payload = work.my_work(request.user).as_dict()
        for item in (*payload["waiting"], *payload["coming_up"], *payload["done"]):
            item["url"] = request.build_absolute_uri(item["url"])
        return Response(payload)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text=_(
            "The current code of the person's authenticator app, or one of their recovery "
            "codes: required for accounts with a second factor (branch chiefs, the "
            "secretariat, admins, and whoever turned it on)."
        ),
    )


class TokenView(APIView):
    """Exchange a username and password (and, for accounts with a second factor, its code)
    for an API token; locked out like the sign-in page."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []
    # Also a form, as `curl -d username=… -d password=…` sends it.
    parser_classes = [JSONObjectParser, FormParser, MultiPartParser]

    @staticmethod
    def _second_factor_error(request, user, code: str | None) -> str | None:
        """Why the second factor stops this exchange, or None when its code is right."""
        if not second_factor.is_enabled(user):
            return _(
                "Your role requires a second factor: set it up by signing in on the site "
                "first, then ask for a token with its code."
            )
        if not code:
            return _("This account has a second factor: send the current code of its app.")
        if not second_factor.check_code(user, code, request._request):
            return _("That code is not right, or was already used.")
        return None

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: inline_serializer(
                "TokenError",
                {
                    "detail": serializers.CharField(required=False),
                    "username": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "password": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "otp": serializers.ListField(child=serializers.CharField(), required=False),
                },
            ),
            429: inline_serializer("TokenLockedOut", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request=request._request,
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
            )
        except PermissionDenied:
            # A locked-out caller: AxesMiddleware answers 429 with the lockout message.
            user = None
        if user is None:
            return Response(
                {"detail": _("Unable to sign in with the username and password provided.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not user.is_active:
            return Response(
                {"detail": _("This account is disabled.")}, status=status.HTTP_400_BAD_REQUEST
            )
        if second_factor.needs_second_factor(user):
            error = self._second_factor_error(request, user, serializer.validated_data.get("otp"))
            if error:
                return Response({"otp": [error]}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
