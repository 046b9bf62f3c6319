"""The country and region views: what the viewer may see of each Member State's
technical cooperation, contributions, repository entries and meetings, in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from advisory.queries import visible_requests
from cepa_collab.models import MemberState, Region
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.queries import visible_contributions
from meetings.queries import visible_meetings


def _count(qs: QuerySet, **filters) -> Coalesce:
    counted = (
        qs.filter(country=OuterRef("pk"), **filters)
        .order_by()
        .values("country")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def repository_entries(user) -> QuerySet:
    return visible_contributions(user).filter(
        kind=ContributionKind.REPOSITORY_ENTRY, state=ContributionState.ACCEPTED
    )


def countries_with_activity(user, region: Region | None = None) -> QuerySet[MemberState]:
    """Member States annotated with what the viewer may see of each: requests, case
    studies, repository entries per category, meetings held there."""
    requests = visible_requests(user)
    contributions = visible_contributions(user)
    entries = repository_entries(user)
    meetings = visible_meetings(user)
    qs = MemberState.objects.select_related("region")
    if region is not None:
        qs = qs.filter(region=region)
    annotations = {
        "requests_count": _count(requests),
        "case_studies_count": _count(contributions, kind=ContributionKind.CASE_STUDY),
        "contributions_count": _count(contributions),
        "meetings_count": _count(meetings),
    }
    for category in RepositoryCategory.values:
        annotations[f"repository_{category}"] = _count(entries, category=category)
    return qs.annotate(**annotations).order_by("name")


@dataclass
class RegionSummary:
    region: Region
    countries: list[MemberState]
    active: list[MemberState] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, int] = field(default_factory=dict)


def region_summary(user, region: Region) -> RegionSummary:
    """Countries with activity, counts by category and repository coverage of a region."""
    countries = list(countries_with_activity(user, region))
    summary = RegionSummary(region=region, countries=countries)
    keys = ["requests_count", "case_studies_count", "contributions_count", "meetings_count"]
    categories = [f"repository_{c}" for c in RepositoryCategory.values]
    for country in countries:
        values = [getattr(country, key) for key in keys + categories]
        if any(values):
            summary.active.append(country)
    summary.totals = {key: sum(getattr(c, key) for c in countries) for key in keys + categories}
    summary.coverage = {key: sum(1 for c in countries if getattr(c, key)) for key in categories}
    return summary


def country_records(user, country: MemberState) -> dict:
    """What the viewer may see about one Member State, each list in one query."""
    entries = repository_entries(user).filter(country=country).order_by("category", "-year")
    by_category = {category: [] for category in RepositoryCategory.values}
    for entry in entries:
        by_category[entry.category].append(entry)
    return {
        "requests": list(
            visible_requests(user)
            .filter(country=country)
            .select_related("mission", "lead")
            .order_by("-received_on", "-pk")
        ),
        "contributions": list(
            visible_contributions(user)
            .filter(country=country)
            .exclude(kind=ContributionKind.REPOSITORY_ENTRY)
            .order_by("-updated_at", "-pk")
        ),
        "repository": by_category,
        "meetings": list(visible_meetings(user).filter(country=country).order_by("-start", "-pk")),
    }
