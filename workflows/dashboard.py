"""The branch dashboard: what is on track, at risk or late, who is loaded, what waits.

Every figure comes from a fixed number of aggregate queries (``annotate``/``Count``
with filters, ``Exists`` and ``Subquery``), whatever the number of deliverables;
the page (`workflows.dashboard_views`) and its CSV export share `deliverable_rows`,
so the export is exactly the filtered list (the page shows it 50 rows at a time).
The branch-wide part (`branch_overview`: per-product counts, workload, waiting list)
is reused from the cache until `change_stamp` says something changed, or the day.

Definitions (also stated on the page):

- **overdue**: due before today and still being produced (`DELIVERABLE_ACTIVE_STATES`);
- **at risk**: still being produced, due today or within `AT_RISK_DAYS` days, and
  either a review is outstanding (invited or accepted) or no version exists yet;
- **waiting for a decision**: in review, the open round has at least one submitted
  review and no review outstanding (every reviewer submitted, declined or was withdrawn).

Blindness: recommendations are counted only for someone who decides on the
branch's deliverables (`is_decider`); other viewers get no recommendation figure,
not even an aggregate.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cepa_collab import viewer
from cepa_collab.models import Branch
from cepa_collab.services import profile_for
from cepa_collab.spreadsheets import neutralise
from workflows.enums import (
    ASSIGNMENT_OUTSTANDING_STATES,
    DELIVERABLE_ACTIVE_STATES,
    AssignmentState,
    DeliverableState,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.models import (
    Deliverable,
    DeliverableHistory,
    Product,
    ReviewAssignment,
    ReviewRound,
    Version,
)

AT_RISK_DAYS = 14
DECISION_LIST_LIMIT = 10
# Seconds an overview may be reused at most (a bound on changes made around the services).
OVERVIEW_TTL = 120
# The state filter also accepts this group value: still being produced.
ACTIVE = "active"


# --- who sees which branch ------------------------------------------------------------


def dashboard_branch(user, code: str | None = None) -> Branch:
    """The branch whose dashboard `user` may see, or Http404.

    The secretariat admin chooses any branch (`code`, else the first one); the
    branch's chief, staff and advisers see their own branch only; anyone else
    (CEPA member, focal point, another branch asking for this one) gets a 404.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404("No dashboard.")
    code = (code or "").strip()
    if viewer.is_admin(user):
        branches = Branch.objects.all()
        branch = branches.filter(code=code).first() if code else branches.first()
        if branch is None:
            raise Http404("No such branch.")
        return branch
    branch_id = viewer.user_branch_id(user)
    if branch_id is None or not viewer.is_branch_member(user, branch_id):
        raise Http404("No dashboard.")
    branch = profile_for(user).branch
    if code and code != branch.code:
        raise Http404("No such branch.")
    return branch


def is_decider(user, branch: Branch) -> bool:
    """Who decides on the branch's deliverables (and so may see recommendations)."""
    return bool(user.is_superuser) or viewer.is_branch_chief(user, branch.pk)


# --- classifications, as reusable conditions ----------------------------------------------


def _outstanding_review():
    return Exists(
        ReviewAssignment.objects.filter(
            deliverable=OuterRef("pk"), state__in=ASSIGNMENT_OUTSTANDING_STATES
        )
    )


def overdue_q(today: datetime.date) -> Q:
    return Deliverable.objects.overdue_q(today)


def at_risk_q(today: datetime.date) -> Q:
    no_version = ~Exists(Version.objects.filter(deliverable=OuterRef("pk")))
    return Q(
        state__in=DELIVERABLE_ACTIVE_STATES,
        due_date__gte=today,
        due_date__lte=today + datetime.timedelta(days=AT_RISK_DAYS),
    ) & (Q(_outstanding_review()) | Q(no_version))


def awaiting_decision_q() -> Q:
    # The open round is found through its partial unique index (one open round at most).
    open_round = ReviewRound.objects.filter(deliverable=OuterRef("pk"), state=RoundState.OPEN)
    return (
        Q(state=DeliverableState.IN_REVIEW)
        & Q(Exists(open_round.filter(assignments__state=AssignmentState.SUBMITTED)))
        & ~Exists(open_round.filter(assignments__state__in=ASSIGNMENT_OUTSTANDING_STATES))
    )


# --- filters and the filtered list ----------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    product: int | None = None
    state: str = ""  # a DeliverableState value, ACTIVE, or "" for any
    owner: int | None = None
    overdue: bool = False
    at_risk: bool = False
    awaiting_decision: bool = False


def _as_bool(annotation: Q) -> ExpressionWrapper:
    return ExpressionWrapper(annotation, output_field=BooleanField())


def deliverable_rows(
    branch: Branch, filters: DashboardFilters, today: datetime.date | None = None
) -> QuerySet[Deliverable]:
    """The branch's deliverables matching `filters`, by due date (one query, however many
    rows); pass them (or a page of them) to `annotate_rows` for the figures of each row."""
    today = today or timezone.localdate()
    qs = Deliverable.objects.filter(product__branch=branch)
    if filters.product is not None:
        qs = qs.filter(product_id=filters.product)
    if filters.state == ACTIVE:
        qs = qs.filter(state__in=DELIVERABLE_ACTIVE_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.overdue:
        qs = qs.filter(overdue_q(today))
    if filters.at_risk:
        qs = qs.filter(at_risk_q(today))
    if filters.awaiting_decision:
        qs = qs.filter(awaiting_decision_q())
    return qs.order_by("due_date", "pk")


def annotate_rows(
    rows: QuerySet[Deliverable], today: datetime.date | None = None
) -> QuerySet[Deliverable]:
    """`rows` with product and owner, and `is_overdue`, `is_at_risk`, `review_outstanding`,
    `latest_version` and `round_number` computed by the database (still one query); the
    reasons a row is at risk are `risk_reasons(row)`."""
    today = today or timezone.localdate()
    latest_version = Version.objects.filter(deliverable=OuterRef("pk")).order_by("-number")
    latest_round = ReviewRound.objects.filter(deliverable=OuterRef("pk")).order_by("-number")
    return rows.select_related("product", "owner").annotate(
        is_overdue=_as_bool(overdue_q(today)),
        is_at_risk=_as_bool(at_risk_q(today)),
        review_outstanding=_as_bool(Q(_outstanding_review())),
        latest_version=Subquery(latest_version.values("number")[:1]),
        round_number=Subquery(latest_round.values("number")[:1]),
    )


def risk_reasons(row: Deliverable) -> list[str]:
    """Why an annotated row (`annotate_rows`) is at risk, in words: the two alternatives
    of `at_risk_q` that hold for it; empty when it is not at risk."""
    if not row.is_at_risk:
        return []
    reasons = []
    if row.latest_version is None:
        reasons.append(_("no version uploaded yet"))
    if row.review_outstanding:
        reasons.append(_("a review is outstanding"))
    return reasons


def with_risk_reasons(rows: Iterable[Deliverable]) -> list[Deliverable]:
    """The annotated rows as a list, each with `risk_reason` (its reasons joined, or "")
    for the deliverable row partial (`workflows/_deliverable_row.html`)."""
    rows = list(rows)
    for row in rows:
        row.risk_reason = "; ".join(risk_reasons(row))
    return rows


def page_of_rows(pks: list[int], today: datetime.date | None = None) -> list[Deliverable]:
    """The annotated deliverables of one page, given its primary keys in list order.

    Sorting the whole filtered list only by its own columns and annotating just the
    page keeps the per-row subqueries to the rows shown (one query)."""
    by_pk = {d.pk: d for d in annotate_rows(Deliverable.objects.filter(pk__in=pks), today)}
    return with_risk_reasons(by_pk[pk] for pk in pks if pk in by_pk)


def owner_choices(branch: Branch) -> list[tuple[int, str]]:
    """The people owning deliverables of the branch, for the owner filter (one query)."""
    owns_here = Deliverable.objects.filter(owner_id=OuterRef("pk"), product__branch=branch)
    owners = (
        get_user_model()
        .objects.filter(Exists(owns_here))
        .order_by("last_name", "first_name", "username")
        .only("pk", "username", "first_name", "last_name")
    )
    return [(owner.pk, owner.get_full_name() or owner.get_username()) for owner in owners]


# --- per product ------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    state: str
    label: str
    count: int
    percent: int  # its share of the bar, a whole percentage (the segments add up to 100)


@dataclass
class ProductSummary:
    product: Product
    counts: dict[str, int]
    overdue: int = 0
    at_risk: int = 0
    awaiting_decision: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[DeliverableState.APPROVED] + self.counts[DeliverableState.PUBLISHED]

    @property
    def done_percent(self) -> int:
        """Approved or published, out of the deliverables not cancelled."""
        planned = self.total - self.counts[DeliverableState.CANCELLED]
        return round(100 * self.done / planned) if planned else 0

    @property
    def segments(self) -> list[Segment]:
        present = [(s, n) for s in DeliverableState if (n := self.counts[s.value])]
        shares = whole_percentages([n for _state, n in present])
        return [
            Segment(state.value, str(state.label), n, share)
            for (state, n), share in zip(present, shares, strict=True)
        ]

    @property
    def state_counts(self) -> list[tuple[str, str, int]]:
        """(state, label, count) for every state, in workflow order (table columns)."""
        return [(s.value, str(s.label), self.counts[s.value]) for s in DeliverableState]


def whole_percentages(counts: list[int]) -> list[int]:
    """Each count's share of their sum in whole percentages that add up to 100 (largest
    remainders get the points lost to rounding down); all zeros for a zero sum."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [100 * n / total for n in counts]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class Totals:
    deliverables: int = 0
    active: int = 0
    overdue: int = 0
    at_risk: int = 0
    awaiting_decision: int = 0
    open_reviews: int = 0
    overdue_reviews: int = 0

    def add_workload(self, loads: Iterable[ReviewerLoad]) -> None:
        for load in loads:
            self.open_reviews += load.open
            self.overdue_reviews += load.overdue


def product_summaries(
    branch: Branch, today: datetime.date | None = None
) -> tuple[list[ProductSummary], Totals]:
    """Deliverables by state, overdue, at risk and waiting, per product (two queries)."""
    today = today or timezone.localdate()
    products = list(Product.objects.filter(branch=branch).order_by("title", "edition", "pk"))
    per_state = {
        state.value: Count("pk", filter=Q(state=state.value)) for state in DeliverableState
    }
    grouped = {
        row.pop("product_id"): row
        for row in Deliverable.objects.filter(product__branch=branch)
        .values("product_id")
        .annotate(
            **per_state,
            _overdue=Count("pk", filter=overdue_q(today)),
            _at_risk=Count("pk", filter=at_risk_q(today)),
            _awaiting=Count("pk", filter=awaiting_decision_q()),
        )
        .order_by()
    }
    summaries = []
    totals = Totals()
    for product in products:
        row = grouped.get(product.pk, {})
        summary = ProductSummary(
            product=product,
            counts={state.value: row.get(state.value, 0) for state in DeliverableState},
            overdue=row.get("_overdue", 0),
            at_risk=row.get("_at_risk", 0),
            awaiting_decision=row.get("_awaiting", 0),
        )
        summaries.append(summary)
        totals.deliverables += summary.total
        totals.active += sum(summary.counts[s] for s in DELIVERABLE_ACTIVE_STATES)
        totals.overdue += summary.overdue
        totals.at_risk += summary.at_risk
        totals.awaiting_decision += summary.awaiting_decision
    return summaries, totals


# --- waiting for a decision ---------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    deliverable: Deliverable
    submitted_reviews: int
    # Count per recommendation value; empty unless the viewer decides (blindness).
    tallies: dict[str, int] = field(default_factory=dict)

    @property
    def recommendations(self) -> list[tuple[str, int]]:
        """(label, count) per recommendation, labelled in the current language."""
        return [(str(rec.label), self.tallies[rec.value]) for rec in Recommendation if self.tallies]


def awaiting_decision(
    branch: Branch, *, with_recommendations: bool, limit: int = DECISION_LIST_LIMIT
) -> list[DecisionRow]:
    """The first `limit` deliverables waiting for the chief's decision, by due date.

    Recommendations are tallied only `with_recommendations` (the viewer decides); for
    anyone else the query does not even read them.
    """
    in_open_round = Q(
        assignments__round__state=RoundState.OPEN,
        assignments__state=AssignmentState.SUBMITTED,
        assignments__review__status=ReviewStatus.SUBMITTED,
    )
    tallies = {}
    if with_recommendations:
        tallies = {
            f"rec_{rec.value}": Count(
                "assignments", filter=in_open_round & Q(assignments__review__recommendation=rec)
            )
            for rec in Recommendation
        }
    waiting = (
        Deliverable.objects.filter(product__branch=branch)
        .filter(awaiting_decision_q())
        .order_by("due_date", "pk")
        .values_list("pk", flat=True)
    )
    # The first rows by due date are found first, so only they are tallied (two queries).
    pks = list(waiting[:limit])
    qs = (
        Deliverable.objects.filter(pk__in=pks)
        .select_related("product", "owner")
        .annotate(submitted_reviews=Count("assignments", filter=in_open_round), **tallies)
    )
    by_pk = {d.pk: d for d in qs}
    rows = []
    for deliverable in (by_pk[pk] for pk in pks if pk in by_pk):
        counts = {}
        if with_recommendations:
            counts = {rec.value: getattr(deliverable, f"rec_{rec.value}") for rec in Recommendation}
        rows.append(DecisionRow(deliverable, deliverable.submitted_reviews, counts))
    return rows


# --- reviewer workload --------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerLoad:
    reviewer_id: int
    name: str
    total: int
    open: int
    overdue: int
    responded: int
    submitted: int

    @property
    def response_rate(self) -> int | None:
        """Percentage of assignments the reviewer answered (accepted, declined or submitted)."""
        return round(100 * self.responded / self.total) if self.total else None


def reviewer_workload(branch: Branch, today: datetime.date | None = None) -> list[ReviewerLoad]:
    """Per reviewer, their assignments on this branch's deliverables: open (invited or
    accepted), overdue (open and past due), answered, submitted; the most loaded first.
    Counts only: no review content or recommendation.

    Two queries: the counts grouped by reviewer id alone (joining names to every
    assignment would cost a lookup per row), then the names of those reviewers."""
    today = today or timezone.localdate()
    outstanding = Q(state__in=ASSIGNMENT_OUTSTANDING_STATES)
    in_branch = Deliverable.objects.filter(product__branch=branch).values("pk")
    counts = list(
        ReviewAssignment.objects.filter(deliverable_id__in=in_branch)
        .values("reviewer_id")
        .annotate(
            total=Count("pk"),
            open_count=Count("pk", filter=outstanding),
            overdue_count=Count("pk", filter=ReviewAssignment.objects.overdue_q(today)),
            responded=Count("pk", filter=Q(responded_at__isnull=False)),
            submitted=Count("pk", filter=Q(state=AssignmentState.SUBMITTED)),
        )
        .order_by()
    )
    people = get_user_model().objects.filter(pk__in=[row["reviewer_id"] for row in counts])
    names = {
        person.pk: person.get_full_name() or person.get_username()
        for person in people.only("pk", "username", "first_name", "last_name")
    }
    loads = [
        ReviewerLoad(
            reviewer_id=row["reviewer_id"],
            name=names.get(row["reviewer_id"], ""),
            total=row["total"],
            open=row["open_count"],
            overdue=row["overdue_count"],
            responded=row["responded"],
            submitted=row["submitted"],
        )
        for row in counts
    ]
    loads.sort(key=lambda load: (-load.open, -load.overdue, load.name.casefold(), load.reviewer_id))
    return loads


# --- the branch overview, reused until something changes --------------------------------


@dataclass
class Overview:
    """The branch-wide figures of the dashboard (the filtered list is not part of it)."""

    summaries: list[ProductSummary]
    totals: Totals
    workload: list[ReviewerLoad]
    decisions: list[DecisionRow]


def change_stamp(branch: Branch) -> str:
    """A value that changes whenever a figure of the branch's overview may change (one query).

    Every service that changes a state, a due date, a version, an assignment or a review
    writes a history line (the newest line's id); creating or deleting a deliverable moves
    its branch's count and newest id; creating or editing a product moves the branch's
    product count or newest `updated_at`. Changes made around the services (an
    administrator renaming a deliverable or a person) show within `OVERVIEW_TTL`.
    """
    branch_deliverables = (
        Deliverable.objects.filter(product__branch=OuterRef("pk"))
        .order_by()
        .values("product__branch")
    )
    branch_products = Product.objects.filter(branch=OuterRef("pk")).order_by().values("branch")
    row = (
        Branch.objects.filter(pk=branch.pk)
        .values_list(
            Subquery(DeliverableHistory.objects.order_by("-pk").values("pk")[:1]),
            Subquery(branch_deliverables.annotate(n=Count("pk")).values("n")),
            Subquery(branch_deliverables.annotate(m=Max("pk")).values("m")),
            Subquery(branch_products.annotate(n=Count("pk")).values("n")),
            Subquery(branch_products.annotate(m=Max("updated_at")).values("m")),
        )
        .get()
    )
    return hashlib.blake2b(repr(row).encode(), digest_size=12).hexdigest()


def branch_overview(
    branch: Branch, *, decider: bool, today: datetime.date | None = None
) -> Overview:
    """Per-product counts, totals, reviewer workload and what waits for a decision.

    Computed by aggregate queries (seven, whatever the number of rows) and reused from
    the cache until `change_stamp` or the day changes. Deciders and readers get separate
    entries: a reader's overview never holds a recommendation.
    """
    today = today or timezone.localdate()
    audience = "decider" if decider else "reader"
    key = f"workflows:dashboard:v1:{branch.pk}:{today.isoformat()}:{audience}:" + change_stamp(
        branch
    )
    overview = cache.get(key)
    if overview is None:
        summaries, totals = product_summaries(branch, today)
        workload = reviewer_workload(branch, today)
        totals.add_workload(workload)
        decisions = awaiting_decision(branch, with_recommendations=decider)
        overview = Overview(summaries, totals, workload, decisions)
        cache.set(key, overview, OVERVIEW_TTL)
    return overview


# --- CSV export ---------------------------------------------------------------------------


def export_header() -> list[str]:
    return [
        _("product"),
        _("title"),
        _("owner"),
        _("state"),
        _("due date"),
        _("overdue"),
        _("at risk"),
        _("latest version"),
        _("round"),
    ]


def export_rows(rows: Iterable[Deliverable]) -> Iterator[list[object]]:
    """The CSV rows of `deliverable_rows(...)`, every text cell neutralised."""
    yes, no = _("yes"), _("no")
    for d in rows:
        cells = [
            str(d.product),
            d.title,
            d.owner.get_full_name() or d.owner.get_username(),
            d.get_state_display(),
            d.due_date.isoformat(),
            yes if d.is_overdue else no,
            yes if d.is_at_risk else no,
            d.latest_version if d.latest_version is not None else "",
            d.round_number if d.round_number is not None else "",
        ]
        yield [neutralise(cell) for cell in cells]
