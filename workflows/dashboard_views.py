"""The branch cockpit, its CSV export and the Division view (thin: figures come from
workflows.dashboard)."""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cepa_collab import viewer
from cepa_collab.models import Branch
from workflows import cockpit
from workflows import dashboard as board
from workflows.dashboard import ACTIVE, DashboardFilters
from workflows.enums import DeliverableState
from workflows.models import Product

# The cockpit's list is one part of a long page (the full list is /deliverables/, 50 a page):
# twenty rows a page keep the page light on a slow link.
PAGE_SIZE = 20
# Rows shown per section of the higher apps (plans of action, milestones, ...).
SECTION_ROWS = 5


class DashboardFilterForm(forms.Form):
    """The GET filters of the dashboard's list; an invalid value is ignored (and shown)."""

    product = forms.TypedChoiceField(label=_("Product"), required=False, coerce=int)
    state = forms.ChoiceField(label=_("State"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    at_risk = forms.BooleanField(label=_("At risk only"), required=False)
    awaiting_decision = forms.BooleanField(label=_("Waiting for a decision only"), required=False)

    def __init__(self, data, *, products, owners):
        super().__init__(data, auto_id="filter-%s")
        any_choice = [("", _("Any"))]
        self.fields["product"].choices = any_choice + [(p.pk, str(p)) for p in products]
        self.fields["state"].choices = [
            *any_choice,
            (ACTIVE, _("Still being produced")),
            *DeliverableState.choices,
        ]
        self.fields["owner"].choices = any_choice + owners

    def controls(self) -> list[dict]:
        """The fields as plain data for the template, which renders them itself (Django's
        widget templates, one per option, were a large share of the page's rendering)."""
        controls = []
        for bound in self:
            control = {
                "name": bound.html_name,
                "id": bound.auto_id,
                "label": bound.label,
                "errors": bound.errors,
                "checkbox": isinstance(bound.field, forms.BooleanField),
            }
            if control["checkbox"]:
                control["checked"] = bool(bound.value())
            else:
                current = str(bound.value() or "")
                control["options"] = [
                    (str(value), label, str(value) == current)
                    for value, label in bound.field.choices
                ]
            controls.append(control)
        return controls

    def filters_given(self) -> bool:
        """Whether any filter narrows the list (an invalid value is ignored, as in `filters`)."""
        return self.filters() != DashboardFilters()

    def filters(self) -> DashboardFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        return DashboardFilters(
            product=data["product"] or None,
            state=data["state"] or "",
            owner=data["owner"] or None,
            overdue=bool(data["overdue"]),
            at_risk=bool(data["at_risk"]),
            awaiting_decision=bool(data["awaiting_decision"]),
        )


def _filtered(request: HttpRequest, branch: Branch, products):
    """The filter form and the filtered list: one code path for the page and the export."""
    form = DashboardFilterForm(request.GET, products=products, owners=board.owner_choices(branch))
    return form, board.deliverable_rows(branch, form.filters(), timezone.localdate())


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    if board.sees_division(request.user) and not request.GET.get("branch"):
        # The secretariat lands on the Division; a branch is chosen from there.
        return redirect("workflows:division")
    branch = board.dashboard_branch(request.user, request.GET.get("branch"))
    today = timezone.localdate()
    decider = board.is_decider(request.user, branch)
    overview = board.branch_overview(branch, decider=decider, today=today)
    form, rows = _filtered(request, branch, [s.product for s in overview.summaries])
    paginator = Paginator(rows.values_list("pk", flat=True), PAGE_SIZE)
    if not form.filters_given():
        # The unfiltered list is the branch's deliverables: the overview counted them already.
        paginator.count = overview.totals.deliverables
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = board.page_of_rows(list(page.object_list), today)
    query = request.GET.copy()
    query.pop("page", None)
    filters_active = any(request.GET.get(name) for name in form.fields)
    sections = cockpit.sections([branch.pk], today, SECTION_ROWS)
    return render(
        request,
        "workflows/dashboard.html",
        {
            "branch": branch,
            "branches": Branch.objects.order_by("name") if viewer.is_admin(request.user) else None,
            "today": today,
            "decider": decider,
            "summaries": overview.summaries,
            "totals": overview.totals,
            "states": DeliverableState,
            "decisions": overview.decisions,
            "form": form,
            "controls": form.controls(),
            "filters_active": filters_active,
            # Filtering a list of one row helps nobody: the panel shows from two rows (the
            # branch's count comes from the overview, no query of its own).
            "show_filters": filters_active or overview.totals.deliverables > 1,
            "page": page,
            "export_query": query.urlencode(),
            "workload": overview.workload,
            "staff": overview.staff,
            "timelines": overview.timelines,
            "timeline_width": board.timeline_width(),
            "chart_height": board.CHART_HEIGHT,
            "turnaround": overview.turnaround,
            "sections": sections,
            "at_risk_days": board.AT_RISK_DAYS,
            "silent_days": board.SILENT_DAYS,
            "branch_query": f"branch={branch.code}&" if viewer.is_admin(request.user) else "",
        },
    )


@login_required
@require_safe
def division(request: HttpRequest) -> HttpResponse:
    """Every branch side by side, for the Director and the secretariat (404 for others)."""
    if not board.sees_division(request.user):
        raise Http404("No Division view.")
    today = timezone.localdate()
    overview = board.division_overview(today)
    return render(
        request,
        "workflows/division.html",
        {"today": today, "branches": overview.branches, "sections": overview.sections},
    )


@login_required
@require_safe
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """Exactly the dashboard's filtered list, as CSV (formula-like cells neutralised)."""
    branch = board.dashboard_branch(request.user, request.GET.get("branch"))
    products = Product.objects.filter(branch=branch).order_by("title", "edition", "pk")
    _form, rows = _filtered(request, branch, products)
    filename = f"dashboard-{slugify(branch.code)}-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # a byte order mark, so spreadsheets read the file as UTF-8
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(board.export_header())
    today = timezone.localdate()
    annotated = board.annotate_flags(board.annotate_rows(rows, today))
    writer.writerows(board.export_rows(annotated.iterator(chunk_size=2000), today))
    return response
