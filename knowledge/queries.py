"""The country and region views: what the viewer may see of each Member State's
technical cooperation, contributions, repository entries and meetings, in a fixed
number of queries whatever the number of rows.

Every count and every list is built on the visibility helpers of the apps that own the
records (`advisory.queries.visible_requests`, `contributions.queries.visible_contributions`,
`meetings.queries.visible_meetings`, `workflows.queries.visible_deliverables`), so a
country's figures never count what the viewer may not see: the focal point of one
country sees the requests of theirs only, a CEPA member none at all, and both see the
same zero as for a country with no activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from advisory.queries import visible_requests
from cepa_collab.models import MemberState, Region
from contributions.enums import ContributionKind, ContributionState, RepositoryCategory
from contributions.queries import visible_contributions
from knowledge import rules
from knowledge.models import KnowledgeLink
from meetings.queries import visible_meetings
from workflows.queries import visible_deliverables

# The annotations of `countries_with_activity`, in the order pages and exports show them.
ACTIVITY_KEYS = ("requests_count", "contributions_count", "case_studies_count", "meetings_count")
REPOSITORY_KEYS = tuple(f"repository_{category}" for category in RepositoryCategory.values)
ACTIVITY_LABELS = {
    "requests_count": _("Advisory requests"),
    "contributions_count": _("Contributions (all kinds)"),
    "case_studies_count": _("Compendium case studies"),
    "meetings_count": _("Meetings held there"),
}


def _count(qs: QuerySet, **filters) -> Coalesce:
    counted = (
        qs.filter(country=OuterRef("pk"), **filters)
        .order_by()
        .values("country")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def linkable_requests(user) -> QuerySet:
    """The requests `user` sees that a deliverable may draw on (`rules.LINK`)."""
    return visible_requests(user).exclude(state__in=rules.REQUEST_STATES_WITHOUT_FINDINGS)


def citable_contributions(user) -> QuerySet:
    """The contributions `user` sees that a deliverable may cite (`rules.LINK`)."""
    return visible_contributions(user).filter(state__in=rules.CITED_CONTRIBUTION_STATES)


def repository_entries(user) -> QuerySet:
    """The knowledge repository as the viewer may see it: accepted entries only."""
    return visible_contributions(user).filter(
        kind=ContributionKind.REPOSITORY_ENTRY, state=ContributionState.ACCEPTED
    )


def _activity_q() -> Q:
    condition = Q()
    for key in (*ACTIVITY_KEYS, *REPOSITORY_KEYS):
        condition |= Q(**{f"{key}__gt": 0})
    return condition


def countries_with_activity(
    user, region: Region | None = None, *, active_only: bool = False
) -> QuerySet[MemberState]:
    """Member States annotated with what the viewer may see of each: requests, contributions
    (all kinds, and case studies), meetings held there, accepted repository entries per
    category. One query; `active_only` keeps the countries with at least one of them."""
    requests = visible_requests(user)
    contributions = visible_contributions(user)
    entries = repository_entries(user)
    meetings = visible_meetings(user)
    qs = MemberState.objects.select_related("region")
    if region is not None:
        qs = qs.filter(region=region)
    annotations = {
        "requests_count": _count(requests),
        "contributions_count": _count(contributions),
        "case_studies_count": _count(contributions, kind=ContributionKind.CASE_STUDY),
        "meetings_count": _count(meetings),
    }
    for category, key in zip(RepositoryCategory.values, REPOSITORY_KEYS, strict=True):
        annotations[key] = _count(entries, category=category)
    qs = qs.annotate(**annotations)
    if active_only:
        qs = qs.filter(_activity_q())
    return qs.order_by("name", "pk")


def has_activity(country: MemberState) -> bool:
    return any(getattr(country, key) for key in (*ACTIVITY_KEYS, *REPOSITORY_KEYS))


def coverage_cells(country: MemberState) -> list[int]:
    """The accepted repository entries of each category, in the categories' order."""
    return [getattr(country, key) for key in REPOSITORY_KEYS]


def covered_categories(country: MemberState) -> int:
    """How many of the three repository categories have at least one entry."""
    return sum(1 for count in coverage_cells(country) if count)


def get_country(iso3: str) -> MemberState:
    try:
        return MemberState.objects.select_related("region").get(iso3=str(iso3).upper())
    except MemberState.DoesNotExist:
        raise Http404("No such Member State.") from None


def get_region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404("No such region.") from None


@dataclass
class Bar:
    """One bar of a chart: its value and its length relative to the longest bar."""

    key: str
    label: str
    value: int
    percent: int


def bars(items: list[tuple[str, str, int]]) -> list[Bar]:
    top = max((value for _key, _label, value in items), default=0)
    return [
        Bar(key, str(label), value, round(100 * value / top) if top else 0)
        for key, label, value in items
    ]


@dataclass
class RegionSummary:
    region: Region
    countries: list[MemberState]
    active: list[MemberState] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, int] = field(default_factory=dict)

    @property
    def activity_bars(self) -> list[Bar]:
        return bars([(key, ACTIVITY_LABELS[key], self.totals[key]) for key in ACTIVITY_KEYS])

    @property
    def repository_bars(self) -> list[Bar]:
        return bars(
            [
                (key, category.label, self.totals[key])
                for key, category in zip(REPOSITORY_KEYS, RepositoryCategory, strict=True)
            ]
        )

    @property
    def coverage_bars(self) -> list[Bar]:
        """Countries with at least one entry per category (relative to all the region's)."""
        total = len(self.countries)
        return [
            Bar(
                key,
                str(category.label),
                self.coverage[key],
                round(100 * self.coverage[key] / total) if total else 0,
            )
            for key, category in zip(REPOSITORY_KEYS, RepositoryCategory, strict=True)
        ]

    @property
    def fully_covered(self) -> int:
        return sum(1 for c in self.countries if covered_categories(c) == len(REPOSITORY_KEYS))


def summarise(region: Region, countries: list[MemberState]) -> RegionSummary:
    summary = RegionSummary(region=region, countries=countries)
    summary.active = [country for country in countries if has_activity(country)]
    keys = (*ACTIVITY_KEYS, *REPOSITORY_KEYS)
    summary.totals = {key: sum(getattr(c, key) for c in countries) for key in keys}
    summary.coverage = {
        key: sum(1 for c in countries if getattr(c, key)) for key in REPOSITORY_KEYS
    }
    return summary


def region_summary(user, region: Region) -> RegionSummary:
    """Countries with activity, counts by category and repository coverage of a region."""
    return summarise(region, list(countries_with_activity(user, region)))


def region_summaries(user) -> list[RegionSummary]:
    """The summary of each of the five regions, from one query over all Member States."""
    by_region: dict[int, list[MemberState]] = {}
    for country in countries_with_activity(user):
        by_region.setdefault(country.region_id, []).append(country)
    return [
        summarise(region, by_region.get(region.pk, []))
        for region in Region.objects.order_by("position", "name")
    ]


def _visible_links(user) -> QuerySet[KnowledgeLink]:
    return KnowledgeLink.objects.filter(
        deliverable__in=visible_deliverables(user).values("pk")
    ).select_related("deliverable__product")


def country_records(user, country: MemberState) -> dict:
    """What the viewer may see about one Member State, each list in one query.

    `requests` (with their mission), `contributions` (every kind but the accepted
    repository entries), `repository` ({category: accepted entries}) and `meetings` held
    there. Requests and contributions carry `informed`: the knowledge links to the
    deliverables (that the viewer may see) which draw on them; contributions carry
    `incorporated_visible`, whether the viewer may see the deliverable they went into."""
    links = _visible_links(user).order_by("created_at", "pk")
    deliverables = visible_deliverables(user)
    contributions = (
        visible_contributions(user)
        .filter(country=country)
        .annotate(
            incorporated_visible=Exists(deliverables.filter(pk=OuterRef("incorporated_into_id")))
        )
        .prefetch_related(Prefetch("knowledge_links", queryset=links, to_attr="informed"))
    )
    listed = list(contributions.order_by("-updated_at", "-pk"))
    accepted_entries = [
        c
        for c in listed
        if c.kind == ContributionKind.REPOSITORY_ENTRY and c.state == ContributionState.ACCEPTED
    ]
    in_repository = {entry.pk for entry in accepted_entries}
    by_category: dict[str, list] = {category: [] for category in RepositoryCategory.values}
    for entry in sorted(accepted_entries, key=lambda e: (-(e.year or 0), e.title, e.pk)):
        by_category[entry.category].append(entry)
    requests = (
        visible_requests(user)
        .filter(country=country)
        .select_related("mission")
        .prefetch_related(Prefetch("knowledge_links", queryset=links, to_attr="informed"))
        .order_by("-received_on", "-pk")
    )
    return {
        "requests": list(requests),
        "contributions": [c for c in listed if c.pk not in in_repository],
        "repository": by_category,
        "meetings": list(visible_meetings(user).filter(country=country).order_by("-start", "-pk")),
    }


# --- one country's page: every list a page of its own ---------------------------------------

# The rows of each list of a country's page; the others are on the list's further pages.
COUNTRY_PAGE_SIZE = 20


def country_lists(user, country: MemberState) -> dict:
    """What `country_records` lists, as querysets not yet read, each in its order, so that a
    page reads one page of each (its count and its rows) whatever the country's history:
    `requests`, `contributions` (all but the accepted repository entries), `repository`
    ({category: accepted entries}) and `meetings` held there."""
    links = _visible_links(user).order_by("created_at", "pk")
    informed = Prefetch("knowledge_links", queryset=links, to_attr="informed")
    deliverables = visible_deliverables(user)
    contributions = (
        visible_contributions(user)
        .filter(country=country)
        .exclude(kind=ContributionKind.REPOSITORY_ENTRY, state=ContributionState.ACCEPTED)
        .annotate(
            incorporated_visible=Exists(deliverables.filter(pk=OuterRef("incorporated_into_id")))
        )
        .prefetch_related(informed)
        .order_by("-updated_at", "-pk")
    )
    entries = repository_entries(user).filter(country=country)
    meetings = visible_meetings(user)
    return {
        # `mission_visible`: whether the viewer may open the request's mission.
        "requests": visible_requests(user)
        .filter(country=country)
        .select_related("mission")
        .annotate(mission_visible=Exists(meetings.filter(pk=OuterRef("mission_id"))))
        .prefetch_related(informed)
        .order_by("-received_on", "-pk"),
        "contributions": contributions,
        "repository": {
            category: entries.filter(category=category).order_by(
                F("year").desc(nulls_last=True), "title", "pk"
            )
            for category in RepositoryCategory.values
        },
        "meetings": meetings.filter(country=country).order_by("-start", "-pk"),
    }


# --- the deliverable's side of the chain --------------------------------------------------


def deliverable_links(user, deliverable) -> list[KnowledgeLink]:
    """The requests and contributions `deliverable` draws on, those the viewer may see of
    them (a reviewer of the deliverable sees the accepted contributions it cites, never an
    advisory request), in one query."""
    visible = Q(request__in=visible_requests(user).values("pk")) | Q(
        contribution__in=visible_contributions(user).values("pk")
    )
    return list(
        KnowledgeLink.objects.filter(visible, deliverable=deliverable)
        .select_related("request__country", "contribution__country", "created_by")
        .order_by("created_at", "pk")
    )


def request_links(user, request) -> list[KnowledgeLink]:
    """The deliverables `request` informed, those the viewer may see (one query)."""
    return list(
        KnowledgeLink.objects.filter(
            request=request, deliverable__in=visible_deliverables(user).values("pk")
        )
        .select_related("deliverable__product")
        .order_by("created_at", "pk")
    )


def citing_links(user, contribution) -> list[KnowledgeLink]:
    """The links of the deliverables that cite `contribution`, those `user` may see (the
    author sees them all), in one query."""
    qs = KnowledgeLink.objects.filter(contribution=contribution).select_related(
        "deliverable__product"
    )
    if contribution.author_id != getattr(user, "pk", None):
        qs = qs.filter(deliverable__in=visible_deliverables(user).values("pk"))
    return list(qs.order_by("created_at", "pk"))


def incorporated_contributions(user, deliverable, *, besides=()) -> list:
    """Accepted contributions incorporated into `deliverable` that the viewer may see and
    that are not among `besides` (those already shown through a link): one query."""
    return list(
        visible_contributions(user)
        .filter(incorporated_into=deliverable)
        .exclude(pk__in=[pk for pk in besides if pk is not None])
        .order_by("title", "pk")
    )
