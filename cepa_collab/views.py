"""Pages of the web shell: home, health, language switch, sign-in."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from cepa_collab import second_factor, work
from cepa_collab.health import check_health
from cepa_collab.net import client_address
from cepa_collab.ratelimit import password_reset_hit
from cepa_collab.services import greeting_role, profile_for, update_preferences


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My work: what waits for the person signed in, across every app, soonest first, each
    with its action in place; then what is coming up and what was recently done."""
    profile = profile_for(request.user)
    return render(
        request,
        "cepa_collab/home.html",
        {
            "profile": profile,
            "greeting_role": greeting_role(request.user),
            "work": work.my_work(request.user, known_counts=work.request_counts(request)),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    health = check_health()
    return JsonResponse(
        {
            "status": "ok" if health.ok else "unavailable",
            "checks": health.checks,
            # Seconds since a worker last ran beat's heartbeat task (null: never, or unknown).
            "worker_heartbeat_age": health.worker_heartbeat_age,
        },
        status=200 if health.ok else 503,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembering the choice on the person's profile too."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        language = request.POST.get("language")
        if language in dict(settings.LANGUAGES):
            update_preferences(request.user, language=language)
    return response


class LoginView(auth_views.LoginView):
    """Sign-in that switches the interface to the person's preferred language and, for
    whoever needs a second factor, goes on to the code step (or its set-up)."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if not second_factor.settle_session(self.request, form.get_user()):
            query = urlencode({"next": self.get_success_url()})
            response = HttpResponseRedirect(f"{reverse('second_factor')}?{query}")
        language = profile_for(form.get_user()).language
        if language != get_language():
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset whose mailed link points at SITE_URL, not at the request's host,
    rate limited per client address and per e-mail address (the same answer whether an
    account has the address or not)."""

    def post(self, request, *args, **kwargs):
        verdict = password_reset_hit(
            client_address(request) or "unknown", request.POST.get("email", "")
        )
        if not verdict.allowed:
            minutes = max(1, math.ceil(verdict.retry_after / 60))
            response = render(
                request,
                "registration/password_reset_throttled.html",
                {"minutes": minutes},
                status=429,
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)
