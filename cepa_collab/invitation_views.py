"""The invitation pages: invite (one or a list), the list with resend and revoke, and the
invited person's page that sets their password. Rules and operations are the service's
(`cepa_collab.invitations`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from cepa_collab import invitations, pages
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.invitation_forms import AcceptForm, InviteForm
from cepa_collab.service_errors import add_service_errors


def _require_inviter(user) -> None:
    if not invitations.may_invite(user):
        raise PermissionDenied(gettext("You may not invite people."))


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    _require_inviter(request.user)
    page = Paginator(invitations.visible_to(request.user), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "invitation": invitation,
            "can_resend": invitations.RULES.resend(invitation, request.user),
            "can_revoke": invitations.RULES.revoke(invitation, request.user),
        }
        for invitation in page
    ]
    return render(request, "cepa_collab/invitations/list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    _require_inviter(request.user)
    roles = invitations.roles_invitable_by(request.user)
    form = InviteForm(request.POST or None, roles=roles, initial={"language": get_language()})
    if request.method == "POST":
        response = pages.submit(
            request,
            form,
            lambda data: invitations.invite_many(
                request.user,
                addresses=data["addresses"],
                role=data["role"],
                country=data["country"],
                language=data["language"],
            ),
            success_url=reverse("invitation_list"),
            message=lambda created: (
                ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", len(created))
                % {"count": len(created)}
            ),
        )
        if response is not None:
            return response
    return render(
        request,
        "cepa_collab/invitations/invite.html",
        {"form": form, "invitation_days": settings.INVITATION_DAYS},
        status=400 if form.errors else 200,
    )


def _manage(request: HttpRequest, pk: int, operation, done: str) -> HttpResponse:
    invitation = invitations.get_for_user(request.user, pk)
    try:
        operation(request.user, invitation)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, reverse("invitation_list"))
    messages.success(request, done % {"address": invitation.email})
    return redirect("invitation_list")


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        invitations.resend,
        gettext("The invitation to %(address)s was sent again, with a new link."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the revocation."""
    invitation = invitations.get_for_user(request.user, pk)
    invitations.RULES.revoke.require_person(invitation, request.user)
    if request.method == "POST":
        return _manage(
            request,
            pk,
            invitations.revoke,
            gettext("The invitation to %(address)s was revoked: its link no longer works."),
        )
    return render(request, "cepa_collab/invitations/revoke.html", {"invitation": invitation})


@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's page: choose a password, and be signed in."""
    try:
        invitation = invitations.from_token(token)
    except invitations.LinkError as exc:
        return render(
            request,
            "cepa_collab/invitations/unusable.html",
            {"reason": exc.reason},
            status=410 if exc.reason in {"accepted", "expired", "revoked"} else 404,
        )
    if request.user.is_authenticated:
        messages.error(request, gettext("Sign out first to accept an invitation."))
        return redirect("home")
    names = invitation.name.split(" ", 1)
    form = AcceptForm(
        request.POST or None,
        initial={"first_name": names[0], "last_name": names[1] if len(names) > 1 else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(
                token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password"],
            )
        except invitations.LinkError as exc:
            return render(
                request, "cepa_collab/invitations/unusable.html", {"reason": exc.reason}, status=410
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                gettext("Welcome to CEPA Collab. You sign in with %(username)s and your password.")
                % {"username": user.get_username()},
            )
            return redirect("home")
    return render(
        request,
        "cepa_collab/invitations/accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )
