"""Pages of CEPA members' contributions: the list, proposing one of each kind, the
contribution's page with its actions, editing a draft, and its files.

Thin on purpose: contributions are loaded through `contributions.queries` (404 for what the
person may not see), operations go through `contributions.services`, and the services'
errors are translated: ValidationError → errors on the re-rendered bound form (status 400),
PermissionDenied → 403 (raised on), ServiceConflict → a message and a redirect.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cepa_collab import documents, pages, transitions
from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.history import history_rows
from cepa_collab.models import roles_for
from cepa_collab.service_errors import add_service_errors
from cepa_collab.services import profile_for
from contributions import queries, rules, services
from contributions.enums import ContributionKind, ContributionState
from contributions.forms import (
    ContributionForm,
    FilterForm,
    IncorporateForm,
    TransitionForm,
)
from contributions.models import TRANSITION_LABELS, Contribution
from workflows.queries import visible_deliverables

PAGE_SIZE = 50
BAD_REQUEST = 400


def _detail_url(pk: int) -> str:
    return reverse("contributions:detail", args=[pk])


# --- the list --------------------------------------------------------------------------------


def filters_active(form: FilterForm) -> bool:
    """Whether the list is narrowed: some filter of the form was given a value."""
    return form.is_bound and any(form.data.get(name) for name in form.fields)


@login_required
def contribution_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_member = Role.CEPA_MEMBER in roles_for(user)
    form = FilterForm(request.GET or None, with_mine=is_member)
    rows = form.apply(queries.visible_contributions(user), user=user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for contribution in page:
        # Whether the row may show its review's due date (no query: roles and profile).
        contribution.viewer_sees_review = rules.sees_review(contribution, user)
    active = filters_active(form)
    return render(
        request,
        "contributions/contribution_list.html",
        {
            "filter_form": form,
            "page": page,
            "can_propose": rules.CONTRIBUTION.propose.permits(None, user),
            "kinds": ContributionKind.choices,
            "filters_active": active,
            # Unfiltered, the count is the whole list's: no filters for a single row.
            "show_filters": active or page.paginator.count > 1,
        },
    )


# --- proposing and editing -----------------------------------------------------------------


def _save(request: HttpRequest, form: ContributionForm, contribution: Contribution | None):
    """The contribution, its files and its submission if asked, through the one service
    operation: all or nothing (on an error the form keeps what was typed)."""
    return services.save_contribution(
        request.user,
        contribution,
        kind=form.kind,
        attachments=form.cleaned_data.get("attachments") or [],
        submit=ContributionForm.SUBMIT in request.POST,
        **form.changes(),
    )


def _saved_message(contribution: Contribution) -> str:
    if contribution.state == ContributionState.SUBMITTED:
        return _("Your contribution was submitted: the branch's staff will review it.")
    return _("Your draft was saved. Only you can see it until you submit it.")


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind", "")
    rules.CONTRIBUTION.propose.require_person(kind, user)
    if kind not in ContributionKind.values:
        return render(
            request,
            "contributions/contribution_kind.html",
            {"kinds": ContributionKind.choices},
            status=BAD_REQUEST if kind else 200,
        )
    deliverables = visible_deliverables(user)
    status = 200
    if request.method == "POST":
        form = ContributionForm(request.POST, request.FILES, kind=kind, deliverables=deliverables)
        if form.is_valid():
            try:
                contribution = _save(request, form, None)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _saved_message(contribution))
                return redirect(_detail_url(contribution.pk))
        status = BAD_REQUEST
    else:
        form = ContributionForm(kind=kind, deliverables=deliverables)
    return render(
        request,
        "contributions/contribution_form.html",
        {"form": form, "kind_label": ContributionKind(kind).label, "contribution": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contribution = queries.get_contribution_for_user(user, pk)
    rule = rules.CONTRIBUTION.edit
    rule.require_person(contribution, user)
    back = _detail_url(pk)
    try:
        rule.require(contribution, user)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, back)
    deliverables = visible_deliverables(user)
    status = 200
    if request.method == "POST":
        form = ContributionForm(
            request.POST, request.FILES, kind=contribution.kind, deliverables=deliverables
        )
        done = pages.submit(
            request,
            form,
            lambda data: _save(request, form, contribution),
            success_url=back,
            message=_saved_message,
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = ContributionForm(
            initial=ContributionForm.initial_from(contribution),
            kind=contribution.kind,
            deliverables=deliverables,
        )
    return render(
        request,
        "contributions/contribution_form.html",
        {
            "form": form,
            "kind_label": contribution.get_kind_display(),
            "contribution": contribution,
            "attachments": list(contribution.attachments.all()),
        },
        status=status,
    )


# --- the contribution's page -----------------------------------------------------------------


@dataclass
class DeliverableRef:
    """A deliverable named on the page: linked if the viewer may open it, else its title
    only (for the author), else not shown."""

    pk: int
    title: str
    linked: bool


def _ref(deliverable, visible: set[int], is_author: bool) -> DeliverableRef | None:
    if deliverable is None:
        return None
    if deliverable.pk in visible:
        return DeliverableRef(deliverable.pk, str(deliverable.title), True)
    if is_author:
        return DeliverableRef(deliverable.pk, str(deliverable.title), False)
    return None


def _render_detail(
    request: HttpRequest,
    contribution: Contribution,
    *,
    bound_transition: TransitionForm | None = None,
    bound_incorporate: IncorporateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_author = rules.is_author(contribution, user)
    can = rules.CONTRIBUTION.can(contribution, user)
    citing = list(queries.citing_links(user, contribution))
    visible = queries.visible_deliverable_ids(
        user, [contribution], also=[link.deliverable_id for link in citing]
    )
    transition_forms = []
    confirmed_transitions = []
    for name in services.available_transitions(contribution, user):
        if name in rules.CONFIRMED_TRANSITIONS:
            confirmed_transitions.append(name)
        elif bound_transition is not None and bound_transition.name == name:
            transition_forms.append(bound_transition)
        else:
            transition_forms.append(TransitionForm(name=name))
    incorporate_form = None
    if can.incorporate:
        incorporate_form = bound_incorporate or IncorporateForm(
            deliverables=visible_deliverables(user).filter(
                product__branch_id=contribution.branch_id
            ),
            initial={"deliverable": contribution.incorporated_into_id},
        )
    cited_by = [(link, _ref(link.deliverable, visible, is_author)) for link in citing]
    sees_history = can.see_history
    context = {
        "contribution": contribution,
        "can": can,
        "kind": ContributionKind,
        "is_author": is_author,
        "sees_review": rules.sees_review(contribution, user),
        "attachments": list(contribution.attachments.all()),
        "transition_forms": transition_forms,
        "confirmed_transitions": confirmed_transitions,
        "bound_transition": bound_transition,
        "incorporate_form": incorporate_form,
        "for_deliverable": _ref(contribution.deliverable, visible, is_author),
        "incorporated_into": _ref(contribution.incorporated_into, visible, is_author),
        "cited_by": cited_by,
        "history": history_rows(queries.contribution_history(contribution))
        if sees_history
        else None,
        "viewer_zone": profile_for(user).time_zone if sees_history else "",
    }
    return render(request, "contributions/contribution_detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = queries.get_contribution_for_user(request.user, pk)
    return _render_detail(request, contribution)


def _render_confirm(
    request: HttpRequest, contribution: Contribution, form: TransitionForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "contributions/contribution_confirm.html",
        {"contribution": contribution, "form": form},
        status=status,
    )


@login_required
@require_safe
def confirm(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The page that asks to confirm a transition that ends the contribution (withdraw);
    its warning button fires it."""
    contribution = queries.get_contribution_for_user(request.user, pk)
    if name not in rules.CONFIRMED_TRANSITIONS:
        raise Http404("No such action.")
    try:
        transitions.check(contribution, name, request.user, rules.MACHINE)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, _detail_url(pk))
    return _render_confirm(request, contribution, TransitionForm(name=name))


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = queries.get_contribution_for_user(request.user, pk)
    name = request.POST.get("transition", "")
    if name not in TRANSITION_LABELS:
        messages.error(request, _("Unknown action."))
        return redirect(_detail_url(pk))
    if name in rules.CONFIRMED_TRANSITIONS and not request.POST.get("confirmed"):
        # Not confirmed on its page: ask first.
        return _render_confirm(request, contribution, TransitionForm(name=name))
    form = TransitionForm(request.POST, name=name)
    if form.is_valid():
        try:
            services.fire_transition(
                request.user, contribution, name, comment=form.cleaned_data.get("comment", "")
            )
        except ValidationError as exc:
            if name == "submit" and hasattr(exc, "error_dict"):
                # What the contribution still lacks: the fields are on the edit page.
                form.add_error(None, [_("Before you submit it, complete the draft:")])
                for field, errors in exc.message_dict.items():
                    label = Contribution._meta.get_field(field).verbose_name
                    form.add_error(None, [f"{label}: {error}" for error in errors])
            else:
                add_service_errors(form, exc)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, _detail_url(pk))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": TRANSITION_LABELS[name]})
            return redirect(_detail_url(pk))
    # Re-read it: the page shows its current state next to the errors.
    contribution = queries.get_contribution_for_user(request.user, pk)
    return _render_detail(request, contribution, bound_transition=form, status=BAD_REQUEST)


@login_required
@require_POST
def incorporate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contribution = queries.get_contribution_for_user(user, pk)
    rule = rules.CONTRIBUTION.incorporate
    rule.require_person(contribution, user)
    form = IncorporateForm(
        request.POST,
        deliverables=visible_deliverables(user).filter(product__branch_id=contribution.branch_id),
    )
    done = pages.submit(
        request,
        form,
        lambda data: services.incorporate(user, contribution, data["deliverable"]),
        success_url=_detail_url(pk),
        message=lambda result: (
            _("Recorded: the contribution was incorporated into “%(title)s”.")
            % {"title": form.cleaned_data["deliverable"].title}
        ),
    )
    if done is not None:
        return done
    contribution = queries.get_contribution_for_user(user, pk)
    try:
        rule.require(contribution, user)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, _detail_url(pk))
    return _render_detail(request, contribution, bound_incorporate=form, status=BAD_REQUEST)


# --- files -----------------------------------------------------------------------------------


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of a contribution, for those who may see the contribution (404 otherwise);
    never served from MEDIA_URL."""
    return documents.serve(queries.get_attachment_for_user(request.user, pk, attachment_pk))


@login_required
@require_http_methods(["GET", "POST"])
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """GET: the page that asks to confirm removing a file; POST with `confirmed` removes it
    (without, it asks first)."""
    attachment = queries.get_attachment_for_user(request.user, pk, attachment_pk)
    back = reverse("contributions:edit", args=[pk])
    if not request.POST.get("confirmed"):
        try:
            rules.CONTRIBUTION.remove_attachment.require(attachment.contribution, request.user)
        except ServiceConflict as exc:
            return pages.conflict(request, exc, _detail_url(pk))
        return render(
            request,
            "contributions/attachment_remove.html",
            {"contribution": attachment.contribution, "attachment": attachment},
        )
    try:
        services.remove_attachment(request.user, attachment)
    except ServiceConflict as exc:
        return pages.conflict(request, exc, _detail_url(pk))
    messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.original_name})
    return redirect(back)
