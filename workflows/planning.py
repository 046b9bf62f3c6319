"""Planning a branch's work in the pages: products, and sending a draft to review in one step.

The operations on deliverables are those of `workflows.services` (the API's too):
`create_product`, `create_deliverable`, `update_deliverable` (an edit, or a hand-over when
the owner changes), `upload_version`, `fire_transition`, `assign_reviewers`. What was
missing lives here: editing a product (`update_product`) and `send_for_review`, which
composes the existing operations in one transaction — all of it happens, or nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cepa_collab import documents, viewer
from cepa_collab.rulebook import Rule, RuleBook
from cepa_collab.validation import check_due_date
from workflows import responses, rules, services
from workflows.enums import DELIVERABLE_ACTIVE_STATES, DeliverableState
from workflows.models import Deliverable, Product, ReviewAssignment
from workflows.reviewers import refusals

# Who edits a product: the staff and the chief of its branch (as who creates one).
PRODUCT = RuleBook(
    edit=Rule(
        lambda product, user: viewer.can_create_in_branch(user, product.branch_id),
        gettext_lazy("Only the branch's staff edit its products."),
    ),
)
PRODUCT_FIELDS = ("kind", "title", "edition", "description", "lead")


# --- who sees what ----------------------------------------------------------------------


def may_plan(user) -> bool:
    """Whether the planning pages are for `user`: the branches' people and the admin."""
    return getattr(user, "is_authenticated", False) and (
        viewer.is_admin(user) or viewer.branch_person_id(user) is not None
    )


def branch_products(user) -> QuerySet[Product]:
    """The products the planning pages list for `user`: their branch's (all for the admin),
    each with its number of deliverables and of late ones (one query)."""
    qs = Product.objects.select_related("branch", "lead")
    if not may_plan(user):
        return qs.none()
    if not viewer.is_admin(user):
        qs = qs.filter(branch_id=viewer.branch_person_id(user))
    return qs


def with_counts(products: QuerySet[Product], today: datetime.date) -> QuerySet[Product]:
    late = Q(
        deliverables__due_date__lt=today,
        deliverables__state__in=DELIVERABLE_ACTIVE_STATES,
    )
    return products.annotate(
        deliverable_count=Count("deliverables", distinct=True),
        open_count=Count(
            "deliverables",
            filter=Q(deliverables__state__in=DELIVERABLE_ACTIVE_STATES),
            distinct=True,
        ),
        late_count=Count("deliverables", filter=late, distinct=True),
    )


def get_product_for_user(user, pk) -> Product:
    """The product, or Http404 if it does not exist or is not of a branch `user` plans in."""
    try:
        return branch_products(user).get(pk=pk)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise Http404("No such product.") from None


def creatable_products(user) -> QuerySet[Product]:
    """Products `user` may add deliverables to (`rules.DELIVERABLE.create`: their branch's,
    for its staff and chief; all for a superuser)."""
    qs = Product.objects.select_related("branch").order_by("title", "edition")
    if user.is_superuser:
        return qs
    branch_id = viewer.user_branch_id(user)
    if branch_id is None or not viewer.can_create_in_branch(user, branch_id):
        return qs.none()
    return qs.filter(branch_id=branch_id)


def branch_people(branch_id: int) -> QuerySet:
    """Active people of a branch (its chief, staff and advisers): who may own its
    deliverables (the hand-over rule of `services`) or lead its products."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            profile__branch_id=branch_id,
            groups__name__in=viewer.BRANCH_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- products ------------------------------------------------------------------------------


@transaction.atomic
def update_product(actor, product: Product | int, **changes) -> Product:
    """Change a product's kind, title, edition, description or lead (its branch stays):
    the staff and the chief of its branch. The lead is one of the branch's people."""
    pk = product.pk if isinstance(product, Product) else product
    locked = Product.objects.select_for_update().get(pk=pk)
    PRODUCT.edit.require(locked, actor)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed.") for name in sorted(unknown)}
        )
    lead = changes.get("lead")
    if lead is not None and not viewer.is_branch_member(lead, locked.branch_id):
        raise ValidationError({"lead": _("The lead must be a member of the product's branch.")})
    changed = [
        name
        for name in PRODUCT_FIELDS
        if name in changes and getattr(locked, name) != changes[name]
    ]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    return locked


# --- send a draft for review in one step ------------------------------------------------


@transaction.atomic
def send_for_review(
    actor,
    deliverable: Deliverable | int,
    *,
    upload: UploadedFile,
    reviewers: Iterable,
    due_date: datetime.date | None,
    notes: str = "",
    response: str = "",
    replies: dict[int, str] | None = None,
) -> list[ReviewAssignment]:
    """Upload the draft, open a review round on it and give it to `reviewers` by
    `due_date`, in one transaction: a planned deliverable starts drafting first. Every
    rule is the composed operations' own (`upload_version`, `fire_transition`,
    `assign_reviewers`); what the input lacks is said at once, before anything is stored,
    and a later refusal undoes what was done (the file included). A draft revised after a
    round carries the owner's `response` to that round's reviews (and `replies` to single
    reviews, by review id), stored before the new round opens (`responses.save_response`):
    the next round's reviewers read it."""
    pk = deliverable.pk if isinstance(deliverable, Deliverable) else deliverable
    locked = Deliverable.objects.select_for_update().select_related("product").get(pk=pk)
    rules.DELIVERABLE.upload_version.require(locked, actor)
    reviewers = list(dict.fromkeys(reviewers))
    errors: dict[str, list[str]] = {}
    try:
        documents.validate_upload(upload)
    except ValidationError as exc:
        errors["file"] = exc.messages
    if not reviewers:
        errors["reviewers"] = [_("Choose at least one reviewer.")]
    else:
        refused = refusals(locked, reviewers)
        if refused:
            errors["reviewers"] = refused
    if due_date is None:
        errors["due_date"] = [_("Give the date the reviews are due.")]
    else:
        try:
            check_due_date(due_date)
        except ValidationError as exc:
            errors["due_date"] = exc.messages
    answers = responses.RESPONSE.write(locked, actor) and (
        response.strip() or any(text.strip() for text in (replies or {}).values())
    )
    if answers:
        round_ = responses.last_round(locked)
        for messages in responses.check_response(round_, response, replies).values():
            errors.setdefault("response", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if answers:
        responses.save_response(actor, locked, text=response, replies=replies)
    services.upload_version(actor, locked, upload, notes=notes)
    if locked.state == DeliverableState.PLANNED:
        services.fire_transition(actor, locked, "start_drafting")
    services.fire_transition(actor, locked, "submit_for_review")
    return services.assign_reviewers(actor, locked.pk, reviewers, due_date)
