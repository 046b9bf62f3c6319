"""Pages of the knowledge value chain: the countries, each country, each region (with the
repository coverage table and its CSV export), and the links between a deliverable and
the requests and contributions it draws on.

Who sees what: these pages are for people who are signed in (like every page but the
public calendar feed). Each figure and list is built by `knowledge.queries` on the
visibility helpers of the apps that own the records, so a focal point, a CEPA member and
the branch's staff see the same page with what each may see — and a count never reveals
a record the viewer may not open.

Thin on purpose: objects are loaded through the query helpers (404 for what the viewer
may not see), links go through `knowledge.services` (PermissionDenied → 403,
ValidationError → the form again with the errors, status 400).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from advisory.enums import RequestState
from cepa_collab import pages, places
from cepa_collab.models import MemberState, Region
from cepa_collab.spreadsheets import neutralise
from contributions.enums import RepositoryCategory
from knowledge import queries, rules, services
from knowledge.forms import CountryFilterForm, LinkContributionForm, LinkRequestForm
from knowledge.models import KnowledgeLink
from workflows.queries import get_deliverable_for_user

BAD_REQUEST = 400


def _regions() -> list[Region]:
    return list(Region.objects.order_by("position", "name"))


# --- countries -------------------------------------------------------------------------


@dataclass
class RegionGroup:
    region: Region
    countries: list[MemberState]
    active: int


@login_required
@require_safe
def country_list(request: HttpRequest) -> HttpResponse:
    """The 193 Member States by region, with what the viewer may see of each."""
    regions = _regions()
    form = CountryFilterForm(request.GET or None, regions=regions)
    code, active_only = form.values()
    chosen = next((r for r in regions if r.code == code), None)
    by_region: dict[int, list[MemberState]] = {}
    for country in queries.countries_with_activity(request.user, chosen, active_only=active_only):
        country.covered = queries.covered_categories(country)
        country.active = queries.has_activity(country)
        by_region.setdefault(country.region_id, []).append(country)
    groups = [
        RegionGroup(region, places.sorted_by_name(rows), sum(1 for c in rows if c.active))
        for region in regions
        if (rows := by_region.get(region.pk)) is not None
    ]
    return render(
        request,
        "knowledge/country_list.html",
        {
            "filter_form": form,
            "filters_active": form.narrows(),
            "groups": groups,
            "regions": regions,
            "active_only": active_only,
            "shown": sum(len(g.countries) for g in groups),
            "categories": RepositoryCategory,
        },
    )


def _page_of(request: HttpRequest, rows, param: str, anchor: str) -> Page:
    """One page of a list of the country page, read from `?<param>=n`; the page carries
    `previous_url` and `next_url`, which keep the other lists' pages and return to the
    list (`#anchor`)."""
    page = Paginator(rows, queries.COUNTRY_PAGE_SIZE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


@login_required
@require_safe
def country_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    """One Member State: its requests and missions, contributions, repository entries by
    category and the meetings held there, as the viewer may see them — each list a page at
    a time (`queries.COUNTRY_PAGE_SIZE` rows), so the page keeps its time as the country's
    history grows."""
    country = queries.get_country(iso3)
    if country.iso3 != iso3:
        return redirect("knowledge:country", iso3=country.iso3)
    lists = queries.country_lists(request.user, country)
    requests = _page_of(request, lists["requests"], "requests", "requests-heading")
    repository = [
        (
            category,
            _page_of(
                request,
                lists["repository"][category.value],
                category.value,
                f"category-{category.value}",
            ),
        )
        for category in RepositoryCategory
    ]
    return render(
        request,
        "knowledge/country_detail.html",
        {
            "country": country,
            "requests": requests,
            "contributions": _page_of(
                request, lists["contributions"], "contributions", "contributions-heading"
            ),
            "repository": repository,
            "repository_total": sum(entries.paginator.count for _c, entries in repository),
            "meetings": _page_of(request, lists["meetings"], "meetings", "meetings-heading"),
            "declined": RequestState.DECLINED,
        },
    )


# --- regions -----------------------------------------------------------------------------


def _region(regions: list[Region], code: str) -> Region:
    for region in regions:
        if region.code == code:
            return region
    raise Http404("No such region.")


@login_required
@require_safe
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A regional repository: countries with activity, counts by category, coverage."""
    regions = _regions()
    region = _region(regions, code)
    summary = queries.region_summary(request.user, region)
    for country in summary.countries:
        country.covered = queries.covered_categories(country)
        country.coverage_cells = queries.coverage_cells(country)
    return render(
        request,
        "knowledge/region_detail.html",
        {
            "region": region,
            "regions": regions,
            "summary": summary,
            "categories": RepositoryCategory,
            "category_count": len(RepositoryCategory),
        },
    )


def coverage_header() -> list[str]:
    return [
        _("ISO code"),
        _("Member State"),
        *[str(category.label) for category in RepositoryCategory],
        _("categories covered"),
    ]


def coverage_rows(countries: list[MemberState]) -> list[list[object]]:
    """The coverage table as CSV rows, every text cell neutralised."""
    rows = []
    for country in countries:
        counts = queries.coverage_cells(country)
        cells = [country.iso3, country.name, *counts, queries.covered_categories(country)]
        rows.append([neutralise(cell) for cell in cells])
    return rows


@login_required
@require_safe
def region_coverage_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The region's repository coverage table as CSV (formula-like cells neutralised)."""
    region = queries.get_region(code)
    summary = queries.region_summary(request.user, region)
    filename = f"coverage-{region.code}-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # a byte order mark, so spreadsheets read the file as UTF-8
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    writer.writerow(coverage_header())
    writer.writerows(coverage_rows(summary.countries))
    return response


# --- links between a deliverable and what it draws on -----------------------------------


def _link_forms(user, deliverable, data=None, what: str = ""):
    requests = queries.linkable_requests(user).order_by("country__name", "-received_on", "pk")
    contributions = queries.citable_contributions(user).order_by("country__name", "title", "pk")
    return (
        LinkRequestForm(data if what == "request" else None, requests=requests),
        LinkContributionForm(data if what == "contribution" else None, contributions=contributions),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the deliverable to a request it draws on or to a contribution it cites."""
    user = request.user
    deliverable = get_deliverable_for_user(user, pk)
    rules.LINK.create.require(deliverable, user)
    back = reverse("workflows:deliverable", args=[deliverable.pk])
    what = request.POST.get("what", "") if request.method == "POST" else ""
    if request.method == "POST" and what not in {"request", "contribution"}:
        messages.error(request, _("Unknown action."))
        return redirect(request.path)
    request_form, contribution_form = _link_forms(user, deliverable, request.POST, what)
    status = 200
    if request.method == "POST":
        form = request_form if what == "request" else contribution_form
        link = services.link_request if what == "request" else services.link_contribution
        done = pages.submit(
            request,
            form,
            lambda data: link(user, deliverable, data[what], data["note"]),
            success_url=back,
            message=lambda made: (
                _("“%(deliverable)s” now draws on “%(source)s”.")
                % {"deliverable": deliverable.title, "source": made.request or made.contribution}
            ),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    return render(
        request,
        "knowledge/deliverable_link.html",
        {
            "deliverable": deliverable,
            "request_form": request_form,
            "contribution_form": contribution_form,
            "bound": what,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a link (the deliverable's branch), after a confirmation page (GET); 404 for
    those who may not see it, 403 for those who see it but may not remove it."""
    try:
        deliverable_id = KnowledgeLink.objects.values_list("deliverable_id", flat=True).get(pk=pk)
    except (KnowledgeLink.DoesNotExist, ValueError, TypeError):
        raise Http404("No such link.") from None
    deliverable = get_deliverable_for_user(request.user, deliverable_id)
    link = KnowledgeLink.objects.select_related("request__country", "contribution").get(pk=pk)
    link.deliverable = deliverable
    if request.method != "POST":
        rules.LINK.remove.require(link, request.user)
        return render(
            request,
            "knowledge/link_remove.html",
            {"link": link, "deliverable": deliverable, "source": link.request or link.contribution},
        )
    services.unlink(request.user, link)
    messages.success(
        request,
        _("“%(deliverable)s” no longer draws on “%(source)s”.")
        % {"deliverable": deliverable.title, "source": link.request or link.contribution},
    )
    return redirect("workflows:deliverable", pk=deliverable.pk)
