"""The second factor's gate: a session that still owes its code reaches only the sign-in steps.

Every way of signing in (the sign-in page, the admin's, any other backend) ends in a session
for the person; whoever needs a second factor (cepa_collab.second_factor) and has not
entered a code in that session is sent to the code step (pages) or refused with 403 (the
API with a session; the token endpoint asks for the code itself). Costs nothing for a
session already settled ("verified" or "not-needed").
"""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cepa_collab import second_factor
from cepa_collab.services import profile_for

# Pages a session owing its code may still reach: the steps themselves, signing out, the
# language switch, the health check, the password reset and the API token exchange.
OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "second_factor",
        "second_factor_setup",
        "second_factor_recovery_codes",
        "set_language",
        "healthz",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "api-token",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if second_factor.session_state(request) in (
            second_factor.VERIFIED,
            second_factor.NOT_NEEDED,
        ):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if second_factor.settle_session(request, user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Enter the code of your second factor on the sign-in page first.")},
                status=403,
            )
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('second_factor')}?{query}")


class ViewerTimeZoneMiddleware:
    """Pages show every date and time in the viewer's own zone (their profile's).

    Django converts each aware date-time to the active zone when a template shows it, and
    `timezone.localdate()` gives the viewer's today. The API (ISO 8601 with offsets) and the
    calendar feeds (zones of their own) do not need the profile, so they skip its query.
    """

    SKIP_PREFIXES = ("/api/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(self.SKIP_PREFIXES)
            or request.path.endswith(".ics")
        ):
            return self.get_response(request)
        try:
            zone = zoneinfo.ZoneInfo(profile_for(user).time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = datetime.UTC
        with timezone.override(zone):
            return self.get_response(request)
