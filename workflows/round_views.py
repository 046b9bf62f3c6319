"""The pages of review rounds that build on each other: the owner's response to the latest
round's reviews, and inviting the previous round's reviewers again (the services are
`workflows.responses`)."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cepa_collab import pages
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.names import display_name
from workflows import queries, responses
from workflows.response_forms import ReinviteForm, ResponseForm, replies_from
from workflows.reviewers import eligible_reviewers

BAD_REQUEST = 400
DEFAULT_REVIEW_DAYS = 21


@login_required
@require_http_methods(["GET", "POST"])
def owner_response(request: HttpRequest, pk: int) -> HttpResponse:
    """Write or rewrite the response to the latest round's reviews (the owner or the chief,
    while the deliverable is revised)."""
    user = request.user
    deliverable = queries.get_deliverable_for_user(user, pk)
    rule = responses.RESPONSE.write
    rule.require_person(deliverable, user)
    back = reverse("workflows:deliverable", args=[pk])
    try:
        rule.require(deliverable, user)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, back)
    round_ = responses.last_round(deliverable)
    reviews = responses.answered_reviews(round_)
    existing = getattr(round_, "owner_response", None) if _has_response(round_) else None
    status = 200
    if request.method == "POST":
        form = ResponseForm(request.POST, reviews=reviews)
        done = pages.submit(
            request,
            form,
            lambda data: responses.save_response(
                user, deliverable, text=data["text"], replies=replies_from(data)
            ),
            success_url=back,
            message=_(
                "Your response to the reviews of round %(number)d is saved. The next round's "
                "reviewers will read it."
            )
            % {"number": round_.number},
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        initial = {}
        if existing is not None:
            initial["text"] = existing.text
            for point in existing.points.all():
                initial[f"reply_{point.review_id}"] = point.text
        form = ResponseForm(reviews=reviews, initial=initial)
    return render(
        request,
        "workflows/owner_response_form.html",
        {"deliverable": deliverable, "round": round_, "form": form, "reviews": reviews},
        status=status,
    )


def _has_response(round_) -> bool:
    try:
        round_.owner_response  # noqa: B018
    except responses.OwnerResponse.DoesNotExist:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite the previous round's reviewers again: who will be asked, who not and why,
    and when their reviews are due."""
    user = request.user
    deliverable = queries.get_deliverable_for_user(user, pk)
    rule = responses.RESPONSE.reinvite
    rule.require_person(deliverable, user)
    back = reverse("workflows:deliverable", args=[pk])
    try:
        rule.require(deliverable, user)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, back)
    people = responses.previous_reviewers(deliverable)
    status = 200
    if request.method == "POST":
        form = ReinviteForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: responses.reinvite_previous(user, deliverable, data["due_date"]),
            success_url=back,
            message=lambda result: _said(result, form.cleaned_data["due_date"]),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        due = timezone.localdate() + datetime.timedelta(days=DEFAULT_REVIEW_DAYS)
        form = ReinviteForm(initial={"due_date": due})
    already = set(deliverable.open_round.assignments.values_list("reviewer_id", flat=True))
    eligible = set(
        eligible_reviewers(deliverable)
        .filter(pk__in=[person.pk for person in people])
        .values_list("pk", flat=True)
    )
    rows = [
        (
            display_name(person),
            _("already invited in this round")
            if person.pk in already
            else ("" if person.pk in eligible else _("no longer eligible to review it")),
        )
        for person in people
    ]
    return render(
        request,
        "workflows/reinvite.html",
        {
            "deliverable": deliverable,
            "form": form,
            "rows": rows,
            "previous": deliverable.open_round.number - 1,
        },
        status=status,
    )


def _said(result: responses.Reinvited, due: datetime.date) -> str:
    said = ngettext(
        "%(count)d reviewer of the previous round was invited again, due %(due)s.",
        "%(count)d reviewers of the previous round were invited again, due %(due)s.",
        len(result.created),
    ) % {"count": len(result.created), "due": formats.date_format(due, "DATE_FORMAT")}
    if result.skipped:
        said += " " + _("Not invited: %(who)s") % {"who": " ".join(result.skipped)}
    return said
