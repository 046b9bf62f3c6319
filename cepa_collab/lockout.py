"""The sign-in lock-out (django-axes): two counts, and what a locked-out person sees.

Failed sign-ins are counted per account and address (`AXES_FAILURE_LIMIT`, 5 by default:
guessing one person's password) and per address across all accounts
(`AXES_ADDRESS_FAILURE_LIMIT`, 25: one password tried on every account, "spraying"). Either
count reaching its limit locks out for `AXES_COOLOFF_TIME`. A successful sign-in clears the
account's own failures on that address, never the address's failures on other accounts.
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The counts, in the order of settings.AXES_LOCKOUT_PARAMETERS.
ACCOUNT_AND_ADDRESS, ADDRESS = 0, 1


def failure_limits() -> tuple[int, int]:
    """The limit of each count: per account and address, per address."""
    return settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each count."""

    def failures_per_count(self, request, credentials=None) -> list[int]:
        return [_failures(attempts) for attempts in self.get_user_attempts(request, credentials)]

    def get_failures(self, request, credentials=None) -> int:
        """Failures on the scale of the per-account limit: that limit less the fewest tries
        any count has left, so it reaches AXES_FAILURE_LIMIT when any count reaches its own."""
        counts = self.failures_per_count(request, credentials)
        limits = failure_limits()
        left = min(limit - count for count, limit in zip(counts, limits, strict=True))
        return settings.AXES_FAILURE_LIMIT - left

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in: the account's failures on this address only."""
        username = get_client_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def address_locked(request: HttpRequest, credentials=None) -> bool:
    """Whether the address as a whole is locked out (not only one account on it)."""
    counts = LockoutHandler().failures_per_count(request, credentials)
    return counts[ADDRESS] >= settings.AXES_ADDRESS_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    title = _("Account locked")
    if address_locked(request, credentials):
        title = _("Signing in paused")
        message = ngettext(
            "Too many failed sign-in attempts from this address. Signing in from it is "
            "paused for %(minutes)d minute; try again later or reset your password.",
            "Too many failed sign-in attempts from this address. Signing in from it is "
            "paused for %(minutes)d minutes; try again later or reset your password.",
            minutes,
        ) % {"minutes": minutes}
    else:
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
            {"message": message, "title": title},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response
