"""Planning pages: products and deliverables created and edited by a branch's staff and
chief, the hand-over, and sending a draft for review in one step.

Thin like `workflows.views`: objects load through permission helpers (404 for what the
person may not see, 403 for what they see but may not do), operations are the services'
(`workflows.services`, the API's; `workflows.planning`), their refusals go on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cepa_collab import documents, pages, viewer
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.names import display_name
from cepa_collab.service_errors import add_service_errors
from workflows import dashboard as board
from workflows import planning, queries, review_forms, rules, services
from workflows.planning_forms import (
    DeliverableForm,
    HandOverForm,
    ProductForm,
    ReviewerChooser,
    SendForReviewForm,
)
from workflows.response_forms import replies_from, with_response_fields

PAGE_SIZE = 50
BAD_REQUEST = 400


def _submit(request, form, operation, *, url, message) -> HttpResponse | None:
    """`pages.submit` for an operation that creates what the page then shows: the
    redirect goes to `url(result)`."""
    if not form.is_valid():
        return None
    try:
        result = operation(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, message(result))
    return redirect(url(result))


def _require_planner(user) -> None:
    if not planning.may_plan(user):
        raise PermissionDenied(_("The planning pages are for the branches' staff."))


# --- products ------------------------------------------------------------------------------


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_planner(user)
    products = planning.with_counts(planning.branch_products(user), timezone.localdate())
    page = Paginator(products.order_by("title", "edition", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    branch_id = viewer.user_branch_id(user)
    may_create = user.is_superuser or (
        branch_id is not None and viewer.can_create_in_branch(user, branch_id)
    )
    return render(request, "workflows/product_list.html", {"page": page, "may_create": may_create})


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    product = planning.get_product_for_user(user, pk)
    today = timezone.localdate()
    rows = queries.visible_deliverables(user).filter(product=product)
    page = Paginator(board.annotate_rows(rows, today), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = board.with_risk_reasons(page.object_list)
    return render(
        request,
        "workflows/product_detail.html",
        {
            "product": product,
            "page": page,
            "may_edit": planning.PRODUCT.edit(product, user),
            "may_add": rules.DELIVERABLE.create(product, user),
            "review_form": review_forms.form_of(product),
            "may_edit_review_form": rules.REVIEW_FORM.edit(product, user),
        },
    )


def _branch_of_new_product(user):
    """The branch a new product of `user` goes to (None: they choose, a superuser)."""
    if user.is_superuser and viewer.user_branch_id(user) is None:
        return None
    branch_id = viewer.user_branch_id(user)
    if branch_id is None or not viewer.can_create_in_branch(user, branch_id):
        raise PermissionDenied(rules.PRODUCT.create.denied)
    return branch_id


@login_required
@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    branch_id = _branch_of_new_product(user)
    leads = planning.branch_people(branch_id) if branch_id else planning.branch_people(0)
    status = 200
    if request.method == "POST":
        form = ProductForm(request.POST, leads=leads, with_branch=branch_id is None)
        if branch_id is None and form.is_valid():
            # the superuser's choice of branch decides who may lead
            form = ProductForm(
                request.POST,
                leads=planning.branch_people(form.cleaned_data["branch"].pk),
                with_branch=True,
            )

        def create(data):
            fields = dict(data)
            if branch_id is not None:
                fields["branch_id"] = branch_id
            return services.create_product(user, **fields)

        done = _submit(
            request,
            form,
            create,
            url=lambda product: reverse("workflows:product_detail", args=[product.pk]),
            message=lambda product: (
                _("“%(title)s” was created. Next: add its deliverables.") % {"title": product}
            ),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = ProductForm(leads=leads, with_branch=branch_id is None)
    return render(
        request, "workflows/product_form.html", {"form": form, "product": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    product = planning.get_product_for_user(user, pk)
    planning.PRODUCT.edit.require(product, user)
    leads = planning.branch_people(product.branch_id)
    back = reverse("workflows:product_detail", args=[pk])
    status = 200
    if request.method == "POST":
        form = ProductForm(request.POST, leads=leads)
        done = pages.submit(
            request,
            form,
            lambda data: planning.update_product(user, product, **data),
            success_url=back,
            message=_("Your changes to “%(title)s” were saved.") % {"title": product.title},
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = ProductForm(
            leads=leads,
            initial={name: getattr(product, name) for name in planning.PRODUCT_FIELDS},
        )
    return render(
        request,
        "workflows/product_form.html",
        {"form": form, "product": product},
        status=status,
    )


# --- deliverables --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    products = planning.creatable_products(user)
    chosen = None
    if request.GET.get("product"):
        chosen = planning.get_product_for_user(user, request.GET["product"])
        rules.DELIVERABLE.create.require(chosen, user)
    elif not products.exists():
        raise PermissionDenied(rules.DELIVERABLE.create.denied)
    branch_id = chosen.branch_id if chosen else viewer.user_branch_id(user)
    owners = planning.branch_people(branch_id or 0)
    back = (
        reverse("workflows:product_detail", args=[chosen.pk])
        if chosen
        else reverse("workflows:product_list")
    )
    status = 200
    if request.method == "POST":
        form = DeliverableForm(request.POST, products=products, owners=owners)
        done = _submit(
            request,
            form,
            lambda data: services.create_deliverable(user, **data),
            url=lambda deliverable: reverse("workflows:deliverable", args=[deliverable.pk]),
            message=lambda deliverable: (
                _("“%(title)s” was added to %(product)s. Next: upload a draft.")
                % {"title": deliverable.title, "product": deliverable.product}
            ),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = DeliverableForm(
            products=products,
            owners=owners,
            initial={"product": chosen, "owner": user if owners.filter(pk=user.pk) else None},
        )
    return render(
        request,
        "workflows/deliverable_form.html",
        {"form": form, "deliverable": None, "product": chosen, "back": back},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    deliverable = queries.get_deliverable_for_user(user, pk)
    rules.DELIVERABLE.edit.require(deliverable, user)
    # Only who may move a deliverable chooses its product (among those of their branch).
    products = (
        planning.creatable_products(user)
        if rules.DELIVERABLE.move(deliverable, user)
        else planning.creatable_products(user).none()
    )
    back = reverse("workflows:deliverable", args=[pk])
    status = 200
    if request.method == "POST":
        form = DeliverableForm(request.POST, products=products, editing=True)
        done = pages.submit(
            request,
            form,
            lambda data: services.update_deliverable(user, deliverable, **data),
            success_url=back,
            message=_("Your changes to “%(title)s” were saved.") % {"title": deliverable.title},
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = DeliverableForm(
            products=products,
            editing=True,
            initial={
                "product": deliverable.product_id,
                "title": deliverable.title,
                "kind": deliverable.kind,
                "description": deliverable.description,
            },
        )
    return render(
        request,
        "workflows/deliverable_form.html",
        {"form": form, "deliverable": deliverable, "product": deliverable.product, "back": back},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the deliverable to another person of its branch: the chief
    (`services.update_deliverable` with a new owner, the API's and the admin's rule)."""
    user = request.user
    deliverable = queries.get_deliverable_for_user(user, pk)
    rules.DELIVERABLE.hand_over.require(deliverable, user)
    owners = planning.branch_people(deliverable.product.branch_id).exclude(pk=deliverable.owner_id)
    back = reverse("workflows:deliverable", args=[pk])
    status = 200
    if request.method == "POST":
        form = HandOverForm(request.POST, owners=owners)
        done = pages.submit(
            request,
            form,
            lambda data: services.update_deliverable(user, deliverable, owner=data["owner"]),
            success_url=back,
            message=lambda result: (
                _("“%(title)s” now belongs to %(name)s.")
                % {"title": result.title, "name": display_name(result.owner)}
            ),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = HandOverForm(owners=owners)
    return render(
        request,
        "workflows/hand_over.html",
        {"form": form, "deliverable": deliverable, "owner": display_name(deliverable.owner)},
        status=status,
    )


# --- send a draft for review in one step ------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def send_for_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    deliverable = queries.get_deliverable_for_user(user, pk)
    rule = rules.DELIVERABLE.upload_version
    rule.require_person(deliverable, user)
    back = reverse("workflows:deliverable", args=[pk])
    today = timezone.localdate()
    max_mb = documents.max_upload_bytes() / 1_000_000
    status = 200
    if request.method == "POST":
        form = SendForReviewForm(
            request.POST, request.FILES, max_mb=max_mb, deliverable=deliverable
        )
        response_fields = with_response_fields(form, deliverable, user)
        done = pages.submit(
            request,
            form,
            lambda data: planning.send_for_review(
                user,
                deliverable,
                upload=data["file"],
                notes=data["notes"],
                reviewers=list(data["reviewers"]),
                due_date=data["due_date"],
                response=data.get("response", ""),
                replies=replies_from(data),
            ),
            success_url=back,
            message=lambda created: (
                ngettext(
                    "“%(title)s” is now in review: %(count)d reviewer was asked to review it by "
                    "%(due)s.",
                    "“%(title)s” is now in review: %(count)d reviewers were asked to review it by "
                    "%(due)s.",
                    len(created),
                )
                % {
                    "title": deliverable.title,
                    "count": len(created),
                    "due": formats.date_format(form.cleaned_data["due_date"], "DATE_FORMAT"),
                }
            ),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
        posted_due = form.cleaned_data.get("due_date") if hasattr(form, "cleaned_data") else None
        chooser = ReviewerChooser.for_request(
            request.GET, deliverable, today=today, due_date=posted_due
        )
    else:
        try:
            rule.require(deliverable, user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, back)
        chooser = ReviewerChooser.for_request(request.GET, deliverable, today=today)
        form = SendForReviewForm(
            max_mb=max_mb, deliverable=deliverable, initial={"due_date": chooser.due_date}
        )
        response_fields = with_response_fields(form, deliverable, user)
    return render(
        request,
        "workflows/send_for_review.html",
        {
            "deliverable": deliverable,
            "form": form,
            "chooser": chooser,
            "suggestions": chooser.suggestions,
            "chosen": form.chosen_pks(),
            "response_fields": response_fields,
        },
        status=status,
    )
