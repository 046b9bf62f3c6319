"""The branch cockpit: what is on track, at risk or late across the branch, who carries it,
what waits, and how fast reviews and decisions come.

Every figure comes from a fixed number of aggregate queries (``annotate``/``Count``
with filters, ``Exists`` and ``Subquery``), whatever the number of records;
the page (`workflows.dashboard_views`) and its CSV export share `deliverable_rows`,
so the export is exactly the filtered list (the page shows it 50 rows at a time).
The branch-wide part (`branch_overview`: per-product counts and timelines, the workload
of staff and reviewers, the waiting list, turnaround per quarter) is reused from the
cache until `change_stamp` says something changed, or the day. What the higher apps add
(plans of action, milestones, contributions, meetings: `workflows.cockpit`) is read
live, a fixed number of queries per app.

Definitions (also stated on the page):

- **overdue**: due before today and still being produced (`Deliverable.objects.overdue_q`);
- **at risk**: still being produced, due today or within `AT_RISK_DAYS` days, and
  either a review is outstanding (invited or accepted) or no version exists yet;
- **waiting for a decision**: `Deliverable.objects.awaiting_decision(today)`: in review,
  and every review of the open round is in, or the missing ones are past their due date;
- **flagged**: overdue, at risk, or a reviewer of the open round has not answered an
  invitation for `SILENT_DAYS` days; a flagged row says why (`flag_reasons`);
- **response rate**: invitations answered (accepted, declined or submitted) out of the
  invitations sent, leaving out those withdrawn before any answer; **on-time rate**:
  reviews submitted by their due date out of the reviews submitted;
- **turnaround**: per quarter, the median days from an invitation to its review, and
  from a round's last review to the chief's decision (the round closed by approving or
  returning; cancelled deliverables left out).

Blindness: recommendations are counted only for someone who decides on the
branch's deliverables (`is_decider`); other viewers get no recommendation figure,
not even an aggregate.
"""

from __future__ import annotations

import datetime
import hashlib
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cepa_collab import viewer
from cepa_collab.models import Branch
from cepa_collab.names import display_name
from cepa_collab.services import profile_for
from cepa_collab.spreadsheets import neutralise
from workflows import cockpit
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
# A reviewer who has not answered an invitation for this many days flags the deliverable.
SILENT_DAYS = 10
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


def _awaiting_per(waiting: QuerySet[Deliverable], field_name: str) -> dict[int, int]:
    """How many of `waiting` (`Deliverable.objects.awaiting_decision`) per `field_name`."""
    return {
        row[field_name]: row["n"]
        for row in waiting.values(field_name).annotate(n=Count("pk")).order_by()
    }


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
    qs = Deliverable.objects.all()
    if filters.awaiting_decision:
        qs = Deliverable.objects.awaiting_decision(today)
    # The branch through EXISTS rather than a join: the database then walks the due-date
    # index and stops after a page, where the join sorted every deliverable of the branch
    # first (270 ms at 100,000 deliverables, against under 1 ms).
    qs = qs.filter(Exists(Product.objects.filter(pk=OuterRef("product_id"), branch=branch)))
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


def annotate_flags(rows: QuerySet[Deliverable]) -> QuerySet[Deliverable]:
    """`rows` (annotated by `annotate_rows`) with what `flag_reasons` reads about the open
    round: `reviews_expected` (reviewers who did not decline or withdraw),
    `reviews_in` (submitted) and `oldest_unanswered` (the oldest invitation not answered);
    still one query, meant for a page of rows or the export."""
    open_round = ReviewAssignment.objects.filter(
        deliverable=OuterRef("pk"), round__state=RoundState.OPEN
    ).order_by()
    expected = (*ASSIGNMENT_OUTSTANDING_STATES, AssignmentState.SUBMITTED)

    def count(qs):
        return Subquery(qs.values("deliverable").annotate(n=Count("pk")).values("n")[:1])

    return rows.annotate(
        reviews_expected=count(open_round.filter(state__in=expected)),
        reviews_in=count(open_round.filter(state=AssignmentState.SUBMITTED)),
        oldest_unanswered=Subquery(
            open_round.filter(state=AssignmentState.INVITED)
            .order_by("created_at")
            .values("created_at")[:1]
        ),
    )


def flag_reasons(row: Deliverable, today: datetime.date | None = None) -> list[str]:
    """Why a row (`annotate_rows` + `annotate_flags`) is flagged, in words: how many days
    late, no draft, how many reviews are missing, a reviewer silent for `SILENT_DAYS`;
    empty when it is on track (not overdue, not at risk, no silent reviewer)."""
    today = today or timezone.localdate()
    since = row.oldest_unanswered
    silent = since is not None and (today - timezone.localdate(since)).days >= SILENT_DAYS
    if not (row.is_overdue or row.is_at_risk or silent):
        return []
    reasons = []
    if row.is_overdue:
        reasons.append(cockpit.days_late(row.due_date, today))
    if row.latest_version is None:
        reasons.append(_("no draft"))
    expected = row.reviews_expected or 0
    missing = expected - (row.reviews_in or 0)
    if row.state == DeliverableState.IN_REVIEW and missing > 0:
        reasons.append(
            ngettext(
                "%(missing)d of %(expected)d review missing",
                "%(missing)d of %(expected)d reviews missing",
                expected,
            )
            % {"missing": missing, "expected": expected}
        )
    if silent:
        reasons.append(cockpit.silent_for(timezone.localdate(since), today, SILENT_DAYS))
    return reasons


def with_risk_reasons(
    rows: Iterable[Deliverable], today: datetime.date | None = None
) -> list[Deliverable]:
    """The annotated rows as a list, each with `risk_reason` (its reasons joined, or "")
    and, when `annotate_flags` ran, `flags` (`flag_reasons`), for the deliverable row
    partial (`workflows/_deliverable_row.html`)."""
    rows = list(rows)
    for row in rows:
        row.risk_reason = "; ".join(risk_reasons(row))
        if hasattr(row, "reviews_expected"):
            row.flags = flag_reasons(row, today)
    return rows


def page_of_rows(pks: list[int], today: datetime.date | None = None) -> list[Deliverable]:
    """The annotated and flagged deliverables of one page, given their keys in list order.

    Sorting the whole filtered list only by its own columns and annotating just the
    page keeps the per-row subqueries to the rows shown (one query)."""
    annotated = annotate_flags(annotate_rows(Deliverable.objects.filter(pk__in=pks), today))
    by_pk = {d.pk: d for d in annotated}
    return with_risk_reasons((by_pk[pk] for pk in pks if pk in by_pk), today)


def owner_choices(branch: Branch) -> list[tuple[int, str]]:
    """The people owning deliverables of the branch, for the owner filter (one query)."""
    owns_here = Deliverable.objects.filter(owner_id=OuterRef("pk"), product__branch=branch)
    owners = (
        get_user_model()
        .objects.filter(Exists(owns_here))
        .order_by("last_name", "first_name", "username")
        .only("pk", "username", "first_name", "last_name")
    )
    return [(owner.pk, display_name(owner)) for owner in owners]


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
    """Deliverables by state, overdue, at risk and waiting, per product (three queries)."""
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
        )
        .order_by()
    }
    # Counted apart: SQLite evaluates an `IN (subquery)` inside an aggregate's filter again
    # for every row (20 s at 10,000 deliverables), a filtered query once.
    waiting = _awaiting_per(
        Deliverable.objects.awaiting_decision(today).filter(product__branch=branch), "product_id"
    )
    summaries = []
    totals = Totals()
    for product in products:
        row = grouped.get(product.pk, {})
        summary = ProductSummary(
            product=product,
            counts={state.value: row.get(state.value, 0) for state in DeliverableState},
            overdue=row.get("_overdue", 0),
            at_risk=row.get("_at_risk", 0),
            awaiting_decision=waiting.get(product.pk, 0),
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
    branch: Branch,
    *,
    with_recommendations: bool,
    limit: int = DECISION_LIST_LIMIT,
    today: datetime.date | None = None,
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
        Deliverable.objects.awaiting_decision(today or timezone.localdate())
        .filter(product__branch=branch)
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
    invited: int = 0  # invitations sent, less those withdrawn before any answer
    on_time: int = 0  # reviews submitted on or before their due date

    @property
    def response_rate(self) -> int | None:
        """Invitations answered (accepted, declined or submitted) out of those sent, less
        the ones withdrawn before an answer, in whole percent."""
        return round(100 * self.responded / self.invited) if self.invited else None

    @property
    def on_time_rate(self) -> int | None:
        """Reviews submitted by their due date out of the reviews submitted, in percent."""
        return round(100 * self.on_time / self.submitted) if self.submitted else None


def _names(user_ids: Iterable[int]) -> dict[int, str]:
    """Full names (or usernames) of these people, one query."""
    people = get_user_model().objects.filter(pk__in=list(user_ids))
    return {
        person.pk: display_name(person)
        for person in people.only("pk", "username", "first_name", "last_name")
    }


def reviewer_workload(branch: Branch, today: datetime.date | None = None) -> list[ReviewerLoad]:
    """Per reviewer, their assignments on this branch's deliverables: open (invited or
    accepted), overdue (open and past due), answered, submitted, submitted on time; the
    most loaded first. Counts only: no review content or recommendation.

    Two queries: the counts grouped by reviewer id alone (joining names to every
    assignment would cost a lookup per row), then the names of those reviewers."""
    today = today or timezone.localdate()
    outstanding = Q(state__in=ASSIGNMENT_OUTSTANDING_STATES)
    in_branch = Deliverable.objects.filter(product__branch=branch).values("pk")
    withdrawn_unanswered = Q(state=AssignmentState.WITHDRAWN, responded_at__isnull=True)
    on_time = Q(state=AssignmentState.SUBMITTED, review__submitted_at__date__lte=F("due_date"))
    counts = list(
        ReviewAssignment.objects.filter(deliverable_id__in=in_branch)
        .values("reviewer_id")
        .annotate(
            total=Count("pk"),
            invited=Count("pk", filter=~withdrawn_unanswered),
            open_count=Count("pk", filter=outstanding),
            overdue_count=Count("pk", filter=ReviewAssignment.objects.overdue_q(today)),
            responded=Count("pk", filter=Q(responded_at__isnull=False)),
            submitted=Count("pk", filter=Q(state=AssignmentState.SUBMITTED)),
            on_time=Count("pk", filter=on_time),
        )
        .order_by()
    )
    names = _names(row["reviewer_id"] for row in counts)
    loads = [
        ReviewerLoad(
            reviewer_id=row["reviewer_id"],
            name=names.get(row["reviewer_id"], ""),
            total=row["total"],
            open=row["open_count"],
            overdue=row["overdue_count"],
            responded=row["responded"],
            submitted=row["submitted"],
            invited=row["invited"],
            on_time=row["on_time"],
        )
        for row in counts
    ]
    loads.sort(key=lambda load: (-load.open, -load.overdue, load.name.casefold(), load.reviewer_id))
    return loads


# --- staff workload (owners and leads) ----------------------------------------------------


@dataclass(frozen=True)
class StaffLoad:
    person_id: int
    name: str
    owned: int  # deliverables still being produced
    overdue: int
    products_led: int
    others: tuple[int, ...]  # the registry's columns (`workflows.cockpit.LOADS`), in order


@dataclass
class StaffWorkload:
    columns: list[str]  # labels of the registry's columns
    rows: list[StaffLoad]


def staff_workload(branch: Branch, today: datetime.date | None = None) -> StaffWorkload:
    """Per person of staff, what they carry as owners and leads: deliverables still being
    produced (and late), products led, and what the higher apps count (milestones led,
    contributions under review); the most loaded first. Three queries plus one per app."""
    today = today or timezone.localdate()
    owned = {
        row["owner_id"]: row
        for row in Deliverable.objects.filter(
            product__branch=branch, state__in=DELIVERABLE_ACTIVE_STATES
        )
        .values("owner_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(today)))
        .order_by()
    }
    led = {
        row["lead_id"]: row["n"]
        for row in Product.objects.filter(branch=branch, lead__isnull=False)
        .values("lead_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    columns = cockpit.loads([branch.pk], today)
    people = set(owned) | set(led)
    for column in columns:
        people |= {pk for pk, n in column.counts.items() if n}
    names = _names(people)
    rows = [
        StaffLoad(
            person_id=pk,
            name=names.get(pk, ""),
            owned=owned.get(pk, {}).get("n", 0),
            overdue=owned.get(pk, {}).get("late", 0),
            products_led=led.get(pk, 0),
            others=tuple(column.counts.get(pk, 0) for column in columns),
        )
        for pk in people
    ]
    rows.sort(
        key=lambda r: (-(r.owned + sum(r.others)), -r.overdue, r.name.casefold(), r.person_id)
    )
    return StaffWorkload([str(column.label) for column in columns], rows)


# --- due dates over time, per product ------------------------------------------------------

TIMELINE_MONTHS_BEFORE = 3
TIMELINE_MONTHS_AFTER = 8
BAR_WIDTH = 40
CHART_HEIGHT = 60


@dataclass(frozen=True)
class Month:
    start: datetime.date
    count: int
    late: int
    x: int
    height: int  # of the whole bar, in the chart's units
    late_height: int

    @property
    def y(self) -> int:
        return CHART_HEIGHT - self.height

    @property
    def late_y(self) -> int:
        return CHART_HEIGHT - self.late_height

    @property
    def label_x(self) -> int:
        return self.x + BAR_WIDTH // 2


@dataclass(frozen=True)
class Timeline:
    product: Product
    months: list[Month]
    today_x: int

    @property
    def total(self) -> int:
        return sum(m.count for m in self.months)


def _month_add(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def timelines(
    branch: Branch, products: list[Product], today: datetime.date | None = None
) -> list[Timeline]:
    """Per product, the deliverables still being produced by month of their due date, from
    `TIMELINE_MONTHS_BEFORE` months back to `TIMELINE_MONTHS_AFTER` ahead (late ones are
    in the past months), scaled for an SVG drawn on the server (one query)."""
    today = today or timezone.localdate()
    first = _month_add(today, -TIMELINE_MONTHS_BEFORE)
    after = _month_add(today, TIMELINE_MONTHS_AFTER + 1)
    starts = [
        _month_add(first, i) for i in range(TIMELINE_MONTHS_BEFORE + TIMELINE_MONTHS_AFTER + 1)
    ]
    # Grouped by the due date itself (a year of days at most per product), then by month
    # here: truncating dates in SQLite calls a Python function on every row.
    grouped: dict[tuple[int, datetime.date], tuple[int, int]] = {}
    for row in (
        Deliverable.objects.filter(
            product__branch=branch,
            state__in=DELIVERABLE_ACTIVE_STATES,
            due_date__gte=first,
            due_date__lt=after,
        )
        .values("product_id", "due_date")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (row["product_id"], row["due_date"].replace(day=1))
        n, late = grouped.get(key, (0, 0))
        late += row["n"] if row["due_date"] < today else 0
        grouped[key] = (n + row["n"], late)
    peak = max((n for n, _late in grouped.values()), default=0) or 1
    this_month = starts.index(_month_add(today, 0))
    today_x = this_month * BAR_WIDTH + round(BAR_WIDTH * (today.day - 1) / 31)
    result = []
    for product in products:
        months = []
        for i, start in enumerate(starts):
            n, late = grouped.get((product.pk, start), (0, 0))
            height = round(CHART_HEIGHT * n / peak)
            if n and not height:
                height = 1
            late_height = round(height * late / n) if n else 0
            months.append(Month(start, n, late, i * BAR_WIDTH, height, late_height))
        result.append(Timeline(product, months, today_x))
    return result


def timeline_width() -> int:
    return (TIMELINE_MONTHS_BEFORE + TIMELINE_MONTHS_AFTER + 1) * BAR_WIDTH


# --- turnaround per quarter ----------------------------------------------------------------

TURNAROUND_QUARTERS = 4


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 to 4
    review_days: float | None  # median days from invitation to review
    reviews: int
    decision_days: float | None  # median days from the round's last review to the decision
    decisions: int


def _quarter_of(moment: datetime.datetime) -> tuple[int, int]:
    day = timezone.localdate(moment)
    return day.year, (day.month - 1) // 3 + 1


def _median_days(spans: list[datetime.timedelta]) -> float | None:
    if not spans:
        return None
    return round(statistics.median(span.total_seconds() for span in spans) / 86400, 1)


def turnaround(branch: Branch, today: datetime.date | None = None) -> list[Quarter]:
    """The last `TURNAROUND_QUARTERS` quarters (oldest first) of the branch: median days
    from an invitation to its submitted review, and from the last review of a round to the
    decision that closed it (approve or return; cancelled deliverables left out). Two
    queries; the medians are taken in Python (the database has no median)."""
    today = today or timezone.localdate()
    this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    first = _month_add(this_quarter, -3 * (TURNAROUND_QUARTERS - 1))
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    reviews: dict[tuple[int, int], list[datetime.timedelta]] = {}
    for invited, submitted in ReviewAssignment.objects.filter(
        deliverable__product__branch=branch,
        state=AssignmentState.SUBMITTED,
        review__submitted_at__gte=since,
    ).values_list("created_at", "review__submitted_at"):
        reviews.setdefault(_quarter_of(submitted), []).append(submitted - invited)
    decisions: dict[tuple[int, int], list[datetime.timedelta]] = {}
    for closed, last_review in (
        ReviewRound.objects.filter(
            deliverable__product__branch=branch,
            state=RoundState.CLOSED,
            closed_at__gte=since,
        )
        .exclude(deliverable__state=DeliverableState.CANCELLED)
        .annotate(last_review=Max("assignments__review__submitted_at"))
        .filter(last_review__isnull=False)
        .values_list("closed_at", "last_review")
    ):
        decisions.setdefault(_quarter_of(closed), []).append(closed - last_review)
    quarters = []
    for i in range(TURNAROUND_QUARTERS):
        start = _month_add(first, 3 * i)
        key = (start.year, (start.month - 1) // 3 + 1)
        quarters.append(
            Quarter(
                year=key[0],
                number=key[1],
                review_days=_median_days(reviews.get(key, [])),
                reviews=len(reviews.get(key, [])),
                decision_days=_median_days(decisions.get(key, [])),
                decisions=len(decisions.get(key, [])),
            )
        )
    return quarters


# --- the branch overview, reused until something changes --------------------------------


@dataclass
class Overview:
    """The branch-wide figures of the dashboard (the filtered list is not part of it)."""

    summaries: list[ProductSummary]
    totals: Totals
    workload: list[ReviewerLoad]
    decisions: list[DecisionRow]
    staff: StaffWorkload
    timelines: list[Timeline]
    turnaround: list[Quarter]


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
    """Per-product counts and due-date timelines, totals, the workload of staff and of
    reviewers, what waits for a decision, and turnaround per quarter.

    Computed by aggregate queries (about a dozen, whatever the number of rows) and reused
    from the cache until `change_stamp` or the day changes; the staff columns the higher
    apps count (milestones, contributions) leave no history line here, so a change to them
    shows within `OVERVIEW_TTL`. Deciders and readers get separate entries: a reader's
    overview never holds a recommendation.
    """
    today = today or timezone.localdate()
    audience = "decider" if decider else "reader"
    key = f"workflows:dashboard:v2:{branch.pk}:{today.isoformat()}:{audience}:" + change_stamp(
        branch
    )
    overview = cache.get(key)
    if overview is None:
        summaries, totals = product_summaries(branch, today)
        workload = reviewer_workload(branch, today)
        totals.add_workload(workload)
        decisions = awaiting_decision(branch, with_recommendations=decider, today=today)
        overview = Overview(
            summaries,
            totals,
            workload,
            decisions,
            staff=staff_workload(branch, today),
            timelines=timelines(branch, [s.product for s in summaries], today),
            turnaround=turnaround(branch, today),
        )
        cache.set(key, overview, OVERVIEW_TTL)
    return overview


# --- the Division: every branch side by side ----------------------------------------------


def sees_division(user) -> bool:
    """The Division view is for the Director and the secretariat (`viewer.is_admin`: the
    secretariat administrator and superusers; there is no separate Director role)."""
    return bool(getattr(user, "is_authenticated", False)) and viewer.is_admin(user)


@dataclass
class BranchFigures:
    branch: Branch
    totals: Totals
    sections: list[tuple[int, int]]  # (total, flagged) per section of `Division.sections`


@dataclass
class Division:
    branches: list[BranchFigures]
    sections: list[cockpit.Section]  # counts only (no rows)


def _division_stamp() -> str:
    """Like `change_stamp`, for every branch at once (one query): the newest history line,
    the number and newest id of deliverables, the newest product change."""
    every = Deliverable.objects.order_by().annotate(all=Value(1)).values("all")
    row = list(
        Branch.objects.order_by("pk").values_list(
            Subquery(DeliverableHistory.objects.order_by("-pk").values("pk")[:1]),
            Subquery(every.annotate(n=Count("pk")).values("n")[:1]),
            Subquery(every.annotate(m=Max("pk")).values("m")[:1]),
            Subquery(Product.objects.order_by("-updated_at").values("updated_at")[:1]),
        )[:1]
    )
    return hashlib.blake2b(repr(row).encode(), digest_size=12).hexdigest()


def _division_figures(today: datetime.date) -> tuple[dict, dict]:
    deliverables = {
        row.pop("product__branch"): row
        for row in Deliverable.objects.values("product__branch")
        .annotate(
            n=Count("pk"),
            active=Count("pk", filter=Q(state__in=DELIVERABLE_ACTIVE_STATES)),
            overdue=Count("pk", filter=overdue_q(today)),
            at_risk=Count("pk", filter=at_risk_q(today)),
        )
        .order_by()
    }
    waiting = _awaiting_per(Deliverable.objects.awaiting_decision(today), "product__branch")
    for branch_id, n in waiting.items():
        deliverables.setdefault(branch_id, {})["awaiting"] = n
    reviews = {
        row.pop("deliverable__product__branch"): row
        for row in ReviewAssignment.objects.values("deliverable__product__branch")
        .annotate(
            open=Count("pk", filter=Q(state__in=ASSIGNMENT_OUTSTANDING_STATES)),
            overdue=Count("pk", filter=ReviewAssignment.objects.overdue_q(today)),
        )
        .order_by()
    }
    return deliverables, reviews


def division_overview(today: datetime.date | None = None) -> Division:
    """Per branch: deliverables (all, being produced, overdue, at risk, waiting for a
    decision), reviews outstanding and past due, and each section of the higher apps
    (`workflows.cockpit`). The deliverable figures (two aggregate queries) are reused from
    the cache until the Division's change stamp or the day changes, as `branch_overview`;
    the apps' sections are counted live (one or two queries per app)."""
    today = today or timezone.localdate()
    branches = list(Branch.objects.order_by("name"))
    key = f"workflows:division:v1:{today.isoformat()}:{_division_stamp()}"
    figures = cache.get(key)
    if figures is None:
        figures = _division_figures(today)
        cache.set(key, figures, OVERVIEW_TTL)
    deliverables, reviews = figures
    sections = cockpit.sections([b.pk for b in branches], today, 0)
    rows = []
    for b in branches:
        d = deliverables.get(b.pk, {})
        r = reviews.get(b.pk, {})
        totals = Totals(
            deliverables=d.get("n", 0),
            active=d.get("active", 0),
            overdue=d.get("overdue", 0),
            at_risk=d.get("at_risk", 0),
            awaiting_decision=d.get("awaiting", 0),
            open_reviews=r.get("open", 0),
            overdue_reviews=r.get("overdue", 0),
        )
        rows.append(BranchFigures(b, totals, [sec.count_for(b.pk) for sec in sections]))
    return Division(rows, sections)


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
        _("flagged because"),
    ]


def export_rows(
    rows: Iterable[Deliverable], today: datetime.date | None = None
) -> Iterator[list[object]]:
    """The CSV rows of `deliverable_rows(...)` (annotated by `annotate_rows` and
    `annotate_flags`, as the page's rows), every text cell neutralised."""
    today = today or timezone.localdate()
    yes, no = _("yes"), _("no")
    for d in rows:
        cells = [
            str(d.product),
            d.title,
            display_name(d.owner),
            d.get_state_display(),
            d.due_date.isoformat(),
            yes if d.is_overdue else no,
            yes if d.is_at_risk else no,
            d.latest_version if d.latest_version is not None else "",
            d.round_number if d.round_number is not None else "",
            "; ".join(flag_reasons(d, today)),
        ]
        yield [neutralise(cell) for cell in cells]
