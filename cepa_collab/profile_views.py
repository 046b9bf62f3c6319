"""The person's own account page: name, e-mail, time zone and language (this module), and
the sections apps higher up add to it (`cepa_collab.panels.ACCOUNT_PAGE`: how each kind of
notification reaches them, a CEPA member's reviewer profile), each with its own form."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from cepa_collab import pages, services
from cepa_collab.panels import ACCOUNT_PAGE
from cepa_collab.profile_forms import AccountForm

BAD_REQUEST = 400


def _saved(profile) -> str:
    """Said in the language just chosen (the pages switch to it from the next one on)."""
    with translation.override(profile.language):
        return _("Your account is saved.")


def _switch_language(response: HttpResponse, language: str) -> None:
    """The interface follows the language chosen, as signing in makes it (`LoginView`)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )


@login_required
@cache_control(private=True, no_store=True)
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Only ever the signed-in person's own account: no id in the address to change."""
    user = request.user
    profile = services.profile_for(user)
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST, current_zone=profile.time_zone)
        done = pages.submit(
            request,
            form,
            lambda data: services.update_account(user, **data),
            success_url=reverse("account"),
            message=_saved,
        )
        if done is not None:
            if form.is_valid() and form.cleaned_data["language"] != get_language():
                _switch_language(done, form.cleaned_data["language"])
            return done
        status = BAD_REQUEST
    else:
        form = AccountForm(
            initial={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "time_zone": profile.time_zone,
                "language": profile.language,
            },
            current_zone=profile.time_zone,
        )
    return render(
        request,
        "cepa_collab/account.html",
        {
            "form": form,
            "sections": ACCOUNT_PAGE.chain(user, request),
            "title": _("Your account"),
        },
        status=status,
    )
