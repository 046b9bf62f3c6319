"""The second factor's pages: the code step after the password, setting up an authenticator,
recovery codes (shown once), and the account's security page (turning it on or off)."""

from __future__ import annotations

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cepa_collab import second_factor
from cepa_collab.forms import Form
from cepa_collab.lockout import lockout_response

RECOVERY_CODES_ONCE = "cepa_recovery_codes_once"


class CodeForm(Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class SetupForm(Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your app"),
        max_length=16,
        help_text=gettext_lazy("The 6 digits the app shows for CEPA Collab."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    """Where to go once the step is done: a `next` on this site, or home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


@never_cache
@login_required
def code_step(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator (or a recovery code)."""
    user = request.user
    target = _next(request)
    if second_factor.session_state(request) == second_factor.VERIFIED:
        return redirect(target)
    if not second_factor.is_enabled(user):
        if second_factor.is_required(user):
            return redirect(_with_next("second_factor_setup", target))
        second_factor.mark_not_needed(request)
        return redirect(target)
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return lockout_response(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if second_factor.check_code(user, form.cleaned_data["code"], request):
            second_factor.mark_verified(request)
            return redirect(target)
        form.add_error(
            "code",
            _("That code is not right, or was already used. Enter the code your app shows now."),
        )
    return render(
        request,
        "registration/second_factor.html",
        {"form": form, "next": target, "title": _("Enter your code")},
    )


def _qr_svg(url: str) -> str:
    """The otpauth URL as an inline SVG QR code (served with the page: no outside service)."""
    return mark_safe(
        segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    )


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: scan the QR code (or type the secret), enter a code."""
    user = request.user
    target = _next(request)
    verified = second_factor.session_state(request) == second_factor.VERIFIED
    if second_factor.is_enabled(user) and not verified:
        # Replacing an authenticator takes a code from the current one first.
        return redirect(_with_next("second_factor", target))
    device = second_factor.pending_authenticator(user)
    form = SetupForm(request.POST or None)
    if form.is_valid():
        try:
            codes = second_factor.confirm_authenticator(user, device.pk, form.cleaned_data["code"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            second_factor.mark_verified(request)
            request.session[RECOVERY_CODES_ONCE] = codes
            return redirect(_with_next("second_factor_recovery_codes", target))
    return render(
        request,
        "registration/second_factor_setup.html",
        {
            "form": form,
            "next": target,
            "qr": _qr_svg(second_factor.setup_url(device)),
            "secret": second_factor.secret_for_typing(device),
            "required": second_factor.is_required(user),
            "title": _("Set up your second factor"),
        },
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown this once."""
    codes = request.session.pop(RECOVERY_CODES_ONCE, None)
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "next": _next(request), "title": _("Your recovery codes")},
    )


@never_cache
@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "account/security.html",
        {
            "enabled": second_factor.is_enabled(user),
            "required": second_factor.is_required(user),
            "codes_left": second_factor.recovery_codes_left(user),
            "title": _("Sign-in and security"),
        },
    )


@require_POST
@login_required
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not second_factor.is_enabled(request.user):
        return redirect("account_security")
    request.session[RECOVERY_CODES_ONCE] = second_factor.new_recovery_codes(request.user)
    return redirect(_with_next("second_factor_recovery_codes", reverse("account_security")))


@never_cache
@login_required
def turn_off(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off (a confirmation page first), where it is not required."""
    user = request.user
    if second_factor.is_required(user) or not second_factor.is_enabled(user):
        return redirect("account_security")
    if request.method == "POST":
        try:
            second_factor.turn_off(user)
        except ValidationError as exc:
            messages.error(request, format_html("{}", " ".join(exc.messages)))
        else:
            second_factor.mark_not_needed(request)
            messages.success(
                request, _("The second factor is off. Signing in takes your password only.")
            )
        return redirect("account_security")
    return render(
        request, "account/second_factor_off.html", {"title": _("Turn off the second factor")}
    )
