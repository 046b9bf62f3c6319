"""Pages of the notification centre: the list, marking read, the preferences and unsubscribing.

Thin on purpose: notifications are loaded through `notifications.queries` (another person's
answers 404), changes go through `notifications.services`. The unsubscribe page needs no
sign-in: the signed token from the mail (`notifications.mail.unsubscribe_token`) names the
person and the kind of notification; a tampered token changes nothing and answers 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cepa_collab import pages
from cepa_collab.services import profile_for
from notifications import mail, queries, services
from notifications.enums import Delivery
from notifications.forms import MarkReadForm, NextForm, PreferencesForm
from notifications.kinds import NOTIFICATION_KINDS
from notifications.panels import preferences_section

PAGE_SIZE = 50
BAD_REQUEST = 400

private_page = cache_control(private=True, no_store=True)


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request: HttpRequest, url: str) -> HttpResponse:
    """Back to the page the form was on (this site only), else the notification list."""
    return redirect(url if _safe(request, url) else reverse("notifications:list"))


# --- the notification centre -----------------------------------------------------------------


@login_required
@private_page
@require_http_methods(["GET", "HEAD"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    only_unread = request.GET.get("unread") == "1"
    notifications = queries.visible_notifications(user, unread=True if only_unread else None)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "only_unread": only_unread,
            "viewer_zone": profile_for(user).time_zone,
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one of the person's notifications read; with `open`, go on to what it is about."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Which notification? The form was incomplete."))
    notification = queries.get_notification_for_user(
        request.user, form.cleaned_data["notification"]
    )
    services.mark_read(request.user, [notification.pk])
    if form.cleaned_data["open"] and _safe(request, notification.link):
        return redirect(notification.link)
    messages.success(
        request, _("“%(subject)s” is marked as read.") % {"subject": notification.subject}
    )
    return _back(request, form.cleaned_data["next"])


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    form = NextForm(request.POST)
    back = form.cleaned_data["next"] if form.is_valid() else ""
    count = services.mark_all_read(request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification is marked as read.",
                "%(count)d notifications are marked as read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("There was nothing unread."))
    return _back(request, back)


# --- preferences -----------------------------------------------------------------------------


@login_required
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The grid of how each kind reaches the person (also a section of their account page,
    whose form posts here and comes back there)."""
    user = request.user
    status = 200
    form = None
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not _safe(request, back):
        back = reverse("notifications:preferences")
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: services.set_preferences(user, form.choices()),
            success_url=back,
            message=_("Your notification preferences are saved."),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    section = preferences_section(user, form, next_url=back)
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": section.context["form"],
            "section": section,
            "viewer_zone": section.context["viewer_zone"],
            "local_now": timezone.now(),
        },
        status=status,
    )


# --- unsubscribing from a mail ------------------------------------------------------------


def _unsubscribe_target(token: str) -> tuple[object, str] | None:
    """The person and the kind of notification ("": every kind) the token stops, or None if
    the token is not ours (tampered, truncated) or names nobody we know."""
    try:
        payload = mail.read_unsubscribe_token(token)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, kind = payload.get("u"), payload.get("k")
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    if kind and kind not in NOTIFICATION_KINDS:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    return user, kind


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a CSRF token; the token is the key
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners follow links); POST stops the mail: of one kind,
    or of every kind when the token names none. The notification centre keeps them all."""
    target = _unsubscribe_target(token)
    if target is None:
        response = render(request, "notifications/unsubscribe_invalid.html", status=BAD_REQUEST)
        response["X-Robots-Tag"] = "noindex"
        return response
    user, kind = target
    kinds = [kind] if kind else NOTIFICATION_KINDS.values()
    with translation.override(mail.language_of(user)):
        done = request.method == "POST"
        if done:
            services.set_preferences(user, dict.fromkeys(kinds, Delivery.NONE.value))
        context = {
            "token": token,
            "done": done,
            "every_kind": not kind,
            "kind_labels": [NOTIFICATION_KINDS.label(each) for each in kinds],
        }
        response = render(request, "notifications/unsubscribe.html", context)
        response["Content-Language"] = translation.get_language()
    response["X-Robots-Tag"] = "noindex"
    return response
