"""What a locked-out person sees after too many failed sign-ins (django-axes)."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    message = ngettext(
        "Too many failed sign-in attempts. This account is locked on this address "
        "for %(minutes)d minute; try again later or reset your password.",
        "Too many failed sign-in attempts. This account is locked on this address "
        "for %(minutes)d minutes; try again later or reset your password.",
        minutes,
    ) % {"minutes": minutes}
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message, "title": _("Account locked")},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response
