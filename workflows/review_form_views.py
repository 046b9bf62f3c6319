"""Pages of review forms (issue 16, items 1 and 2): a product's review form, and accepting
an assignment with a conflict-of-interest declaration. The scored review itself is the
review page (`workflows.views.review_form`), the chief's summary the deliverable page.

Thin like `workflows.views`: objects load through permission helpers (404 for what the
person may not see, 403 for what they see but may not change), the services decide.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cepa_collab import pages
from cepa_collab.exceptions import ServiceConflict
from workflows import planning, queries, review_forms, rules, services
from workflows.review_form_forms import CriterionFormSet, DeclarationForm, GuidelinesForm

BAD_REQUEST = 400


@login_required
@require_http_methods(["GET", "POST"])
def review_form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The product's review form: guidelines and criteria (its branch's staff and chief)."""
    product = planning.get_product_for_user(request.user, pk)
    rules.REVIEW_FORM.edit.require(product, request.user)
    current = review_forms.form_of(product)
    status = 200
    if request.method == "POST":
        form = GuidelinesForm(request.POST)
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and criteria.is_valid():
            specs = [spec for row in criteria.forms if (spec := row.spec()) is not None]
            done = pages.submit(
                request,
                form,
                lambda data: review_forms.save_form(
                    request.user, product, guidelines=data["guidelines"], criteria=specs
                ),
                success_url=reverse("workflows:product_detail", args=[product.pk]),
                message=_("The review form was saved. Rounds that open from now on use it."),
            )
            if done is not None:
                return done
        status = BAD_REQUEST
    else:
        form = GuidelinesForm(initial={"guidelines": current.guidelines})
        criteria = CriterionFormSet(
            prefix="criteria",
            initial=[
                {"name": c.name, "guidance": c.guidance, "scale": c.scale, "weight": c.weight}
                for c in current.criteria
            ],
        )
    return render(
        request,
        "workflows/review_form_edit.html",
        {"product": product, "form": form, "criteria": criteria, "current": current},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a review assignment, declaring no conflict of interest or which."""
    assignment = queries.get_assignment_for_user(request.user, pk)
    rule = rules.ASSIGNMENT.accept
    rule.require_person(assignment, request.user)
    back = reverse("workflows:my_reviews")
    status = 200
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: services.accept_assignment(
                request.user,
                assignment,
                has_conflict=form.has_conflict,
                conflict=data["conflict_details"] if form.has_conflict else "",
            ),
            success_url=reverse("workflows:review", args=[assignment.pk]),
            conflict_url=back,
            message=_("You accepted to review “%(title)s”.")
            % {"title": assignment.deliverable.title},
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        try:
            rule.require(assignment, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        form = DeclarationForm()
    return render(
        request,
        "workflows/assignment_accept.html",
        {
            "assignment": assignment,
            "form": form,
            "guidelines": review_forms.round_guidelines(assignment.round_id),
        },
        status=status,
    )
