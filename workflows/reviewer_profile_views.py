"""A CEPA member's reviewer profile and away periods: a section of their account page
(`cepa_collab.panels.ACCOUNT_PAGE`, registered in `workflows.panels`) whose forms post here.

Only ever the signed-in member's own records (no person in the address); someone who is not
a CEPA member is refused (403), another person's away period answers 404. Saving goes back to
the account page; a refused form is shown again on a page of its own, with its errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from cepa_collab import pages
from cepa_collab.panels import Section
from workflows import reviewer_profiles
from workflows.reviewer_profile_forms import AwayPeriodForm, ReviewerProfileForm

BAD_REQUEST = 400
KEY = "reviewer-profile"

private_page = cache_control(private=True, no_store=True)


def _back() -> str:
    return f"{reverse('account')}#{KEY}"


def _initial(profile) -> dict:
    return {
        "themes": profile.themes,
        "regions": list(profile.regions.all()) if profile.pk else [],
        "max_assignments": profile.max_assignments,
        "conflicts": profile.conflicts,
    }


def reviewer_section(user, *, profile_form=None, away_form=None) -> Section:
    """The section of `user`'s account page (forms bound after a refused POST)."""
    profile = reviewer_profiles.reviewer_profile_of(user)
    return Section(
        key=KEY,
        title=_("Your reviewer profile"),
        template="workflows/_reviewer_profile.html",
        context={
            "profile_form": profile_form or ReviewerProfileForm(initial=_initial(profile)),
            "away_form": away_form or AwayPeriodForm(prefix="away"),
            "away_periods": list(reviewer_profiles.away_periods_of(user)),
        },
    )


def _require_member(request: HttpRequest) -> None:
    if not reviewer_profiles.may_have_reviewer_profile(request.user):
        raise PermissionDenied


def _refused(request: HttpRequest, section: Section, form) -> HttpResponse:
    return render(
        request,
        "workflows/reviewer_profile.html",
        {"section": section, "form": form, "title": section.title},
        status=BAD_REQUEST,
    )


@login_required
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def reviewer_profile(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    if request.method != "POST":
        return redirect(_back())
    form = ReviewerProfileForm(request.POST)
    done = pages.submit(
        request,
        form,
        lambda data: reviewer_profiles.update_reviewer_profile(request.user, **data),
        success_url=_back(),
        message=_("Your reviewer profile is saved."),
    )
    if done is not None:
        return done
    return _refused(request, reviewer_section(request.user, profile_form=form), form)


@login_required
@private_page
@require_http_methods(["POST"])
def away_add(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    form = AwayPeriodForm(request.POST, prefix="away")
    done = pages.submit(
        request,
        form,
        lambda data: reviewer_profiles.add_away_period(request.user, **data),
        success_url=_back(),
        message=_("Your away period is added: staff see it when they choose reviewers."),
    )
    if done is not None:
        return done
    return _refused(request, reviewer_section(request.user, away_form=form), form)


@login_required
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def away_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page first; POST removes the period."""
    _require_member(request)
    period = reviewer_profiles.get_own_away_period(request.user, pk)
    if request.method == "POST":
        reviewer_profiles.remove_away_period(request.user, period.pk)
        messages.success(request, _("The away period is removed."))
        return redirect(_back())
    return render(
        request,
        "workflows/away_remove.html",
        {"period": period, "back": _back(), "title": _("Remove this away period?")},
    )
