"""The reminder sweep at scale: claiming what fell due among many open deadlines.

The ``reminder_deadlines`` data set holds ``deadlines`` open deadlines (default
100,000; every kind, bulk-inserted `Deadline` rows) owed by 300 people with profiles
in eight time zones, in six branches of their own, four of which have a chief (so
an overdue item of those four is escalated to its chief, once per overdue step).

At every measured instant exactly ``due`` of them (default 2,000) are in a reminder
window — a mix of "7 days before", "2 days before", "on the day" and every overdue
step, so some are escalated — and none of the others is. Each timed sweep needs a
fresh state (nothing claimed yet) without time spent undoing the last one, so the
data set holds one *generation* per sweep: ``due`` deadlines due around its own
instant, the instants 30 days apart (further than the 25 days a deadline stays in
some window), so each sweep at its instant finds its own generation and nothing
else. A claimed reminder is not re-enqueued by a later sweep here
(`MAIL_REQUEUE_AFTER` is set far beyond the instants), and nothing is enqueued or
mailed (`delivery.enqueue_reminders` is replaced by a no-op around each sweep):
what is timed is the transaction that decides, claims and commits.

Cases (targets from issue 5):

- ``reminder_sweep_first``: (a) `reminders.sweep_reminders(now)` at an instant where
  ``due`` deadlines fell due: claiming included, sending excluded; under 1 s.
- ``reminder_sweep_first_small``: the same with ``due_small`` due (default 200): the
  number of queries is the same (set-based claiming), which its setup checks and
  prints, with the number of escalations claimed.
- ``reminder_sweep_again``: (b) the next sweep, which finds nothing new; under 0.2 s.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from bench.harness import BENCH_PASSWORD, BenchFailure, Context, count_queries
from bench.registry import benchmark, dataset
from cepa_collab.enums import Role
from cepa_collab.models import Branch, Profile
from notifications import delivery, reminders
from notifications.deadlines import registered_kinds as deadline_kinds
from notifications.models import Deadline

BATCH = 5000
DAY = datetime.timedelta(days=1)
PEOPLE = 300
BRANCHES = 6
BRANCHES_WITH_A_CHIEF = 4
# Generations: 3 warm-ups + 20 timed sweeps + 1 for the query check (+ 1 for case b).
SWEEPS = 24
FIRST_INSTANT = datetime.datetime(2027, 3, 1, 10, 30, tzinfo=datetime.UTC)
SPACING = 30 * DAY  # a deadline is in some window for 25 days: generations never overlap
TIME_ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Africa/Accra",
    "Asia/Seoul",
    "Asia/Muscat",
    "America/Sao_Paulo",
    "Australia/Sydney",
]
# Of the deadlines due at an instant, how many are at each offset (days from due):
# mostly upcoming, a quarter overdue (escalated where the branch has a chief).
OFFSET_MIX = [(-7, 35), (-2, 20), (0, 20), (3, 8), (6, 6), (9, 5), (12, 3), (15, 3)]


@dataclass
class Generation:
    instant: datetime.datetime
    deadlines: int
    escalations: int  # overdue, in a branch with a chief

    @property
    def claims(self) -> int:
        return self.deadlines + self.escalations


@dataclass
class ReminderDeadlines:
    total: int
    big: list[Generation]  # `due` deadlines due at each instant
    small: list[Generation]  # `due_small` deadlines due at each instant
    again: Generation  # `due` deadlines, kept for case (b)
    used: dict[str, int] = field(default_factory=lambda: {"big": 0, "small": 0})

    def take(self, size: str) -> Generation:
        """A generation no sweep has seen yet."""
        pool = self.big if size == "big" else self.small
        index = self.used[size]
        if index >= len(pool):
            raise BenchFailure(
                f"the data set holds {len(pool)} sweeps of this size (warm-ups included, one "
                "kept for the query check): run with --repeat 20 or fewer (3 warm-ups)"
            )
        self.used[size] = index + 1
        return pool[index]


def _people(rng: random.Random, branches: list[Branch]) -> tuple[list[int], list[int]]:
    """PEOPLE responsible people with profiles; one chief in each of the first branches."""
    User = get_user_model()
    password = make_password(BENCH_PASSWORD)
    now = timezone.now()
    chiefs = [f"rd_chief{i}" for i in range(BRANCHES_WITH_A_CHIEF)]
    names = [f"rd_person{i:04d}" for i in range(PEOPLE)] + chiefs
    User.objects.bulk_create(
        User(
            username=name,
            email=f"{name}@example.org",
            first_name="Reminded",
            last_name=name,
            password=password,
            date_joined=now,
        )
        for name in names
    )
    ids = dict(User.objects.filter(username__startswith="rd_").values_list("username", "id"))
    Profile.objects.bulk_create(
        Profile(
            user_id=ids[name],
            branch=branches[i % len(branches)] if name.startswith("rd_person") else None,
            time_zone=rng.choice(TIME_ZONES),
        )
        for i, name in enumerate(names)
    )
    for i, name in enumerate(chiefs):
        Profile.objects.filter(user_id=ids[name]).update(branch=branches[i])
    chief_group = Group.objects.get(name=Role.BRANCH_CHIEF)
    staff_group = Group.objects.get(name=Role.BRANCH_STAFF)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        Membership(user_id=ids[name], group_id=(chief_group if name in chiefs else staff_group).pk)
        for name in names
    )
    return [ids[name] for name in names if name.startswith("rd_person")], [
        ids[name] for name in chiefs
    ]


def _generation(
    rng: random.Random,
    instant: datetime.datetime,
    count: int,
    make,
) -> Generation:
    """`count` deadlines in a reminder window at `instant`, with the offset mix."""
    found = reminders.windows(instant)
    by_kind_offset = {(w.kind, w.offset): w for w in found}
    offsets = rng.choices([o for o, _ in OFFSET_MIX], [w for _, w in OFFSET_MIX], k=count)
    escalations = 0
    for offset in offsets:
        kind = rng.choice(deadline_kinds())
        window = by_kind_offset[(kind, offset)]
        span = (window.upper - window.lower).total_seconds()
        # Strictly inside (lower, upper]: a whole number of seconds after `lower`.
        due_at = window.lower + datetime.timedelta(seconds=rng.randint(1, int(span)))
        branch_index = make(kind, due_at)
        if offset > 0 and branch_index < BRANCHES_WITH_A_CHIEF:
            escalations += 1
    return Generation(instant=instant, deadlines=count, escalations=escalations)


@dataset("reminder_deadlines", scale={"deadlines": 100_000, "due": 2_000, "due_small": 200})
def build_reminder_deadlines(ctx: Context) -> ReminderDeadlines:
    """Open deadlines by bulk inserts: one generation due per sweep, the rest far ahead."""
    total, due, small = ctx.scale["deadlines"], ctx.scale["due"], ctx.scale["due_small"]
    big_count, small_count = SWEEPS + 1, SWEEPS
    in_windows = big_count * due + small_count * small
    if in_windows > total:
        raise BenchFailure(
            f"{big_count} sweeps of {due:,} and {small_count} of {small:,} due need "
            f"{in_windows:,} deadlines; the scale has {total:,} (raise --scale deadlines)"
        )
    # A claimed reminder is enqueued again after MAIL_REQUEUE_AFTER: far beyond the instants
    # here, so that no sweep re-enqueues another generation's claims (none is mailed).
    settings.MAIL_REQUEUE_AFTER = datetime.timedelta(days=3650)
    rng = random.Random(2027)
    rows: list[Deadline] = []

    with transaction.atomic():
        Branch.objects.bulk_create(
            Branch(code=f"rb-{i}", name=f"Reminder bench branch {i}") for i in range(BRANCHES)
        )
        branches = list(Branch.objects.filter(code__startswith="rb-").order_by("code"))
        people, _chiefs = _people(rng, branches)
        object_ids = {kind: 0 for kind in deadline_kinds()}

        def make(kind: str, due_at: datetime.datetime) -> int:
            """Add a deadline; return its branch's index (BRANCHES: no branch)."""
            object_ids[kind] += 1
            branch_index = rng.randrange(BRANCHES + 1)
            row = Deadline(
                kind=kind,
                object_id=object_ids[kind],
                user_id=rng.choice(people),
                branch=branches[branch_index] if branch_index < BRANCHES else None,
                title=f"Bench {kind} {object_ids[kind]}",
                link=f"/bench/{kind}/{object_ids[kind]}/",
                due_date=due_at.date(),
                due_at=due_at,
            )
            rows.append(row)
            return branch_index

        instants = [FIRST_INSTANT + i * SPACING for i in range(big_count + small_count)]
        big = [_generation(rng, at, due, make) for at in instants[:big_count]]
        small_gens = [_generation(rng, at, small, make) for at in instants[big_count:]]
        # The rest: open, due after the last instant's "7 days before" window.
        ahead = instants[-1] + 8 * DAY
        for _ in range(total - in_windows):
            make(
                rng.choice(deadline_kinds()),
                ahead + datetime.timedelta(seconds=rng.randint(0, 365 * 86400)),
            )
        Deadline.objects.bulk_create(rows, batch_size=BATCH)
    count = Deadline.objects.filter(done_at__isnull=True).count()
    if count != total:
        raise BenchFailure(f"built {count:,} open deadlines, expected {total:,}")
    return ReminderDeadlines(total=total, big=big[:-1], small=small_gens, again=big[-1])


@contextmanager
def _nothing_enqueued() -> Iterator[None]:
    """The sweep's after-commit enqueue of the mail tasks does nothing (sending excluded)."""
    with mock.patch.object(delivery, "enqueue_reminders", lambda ids: None):
        yield


def _sweep(generation: Generation) -> reminders.SweepResult:
    with _nothing_enqueued():
        return reminders.sweep_reminders(generation.instant)


# --- (a) the first sweep ----------------------------------------------------------------------


@dataclass
class FirstSweep:
    data: ReminderDeadlines
    size: str


def _first(size: str):
    def setup(ctx: Context) -> FirstSweep:
        return FirstSweep(data=ctx.data["reminder_deadlines"], size=size)

    return setup


def _sweep_fresh(state: FirstSweep) -> None:
    generation = state.data.take(state.size)
    result = _sweep(generation)
    if len(result.claimed) != generation.claims or result.requeued:
        raise BenchFailure(
            f"the sweep at {generation.instant:%Y-%m-%d %H:%M} claimed {len(result.claimed)} "
            f"and re-enqueued {len(result.requeued)}; expected {generation.claims} "
            f"({generation.deadlines} due + {generation.escalations} escalations) and none"
        )


@benchmark(
    "reminder_sweep_first",
    "(a) first sweep: {deadlines:,} open deadlines, {due:,} due a reminder (and escalations);"
    " claimed and committed, nothing sent",
    setup=_first("big"),
    needs=("reminder_deadlines",),
)
def reminder_sweep_first(state: FirstSweep) -> None:
    _sweep_fresh(state)


def _check_queries(ctx: Context) -> FirstSweep:
    """One sweep of each size, untimed: the query counts must be equal."""
    data: ReminderDeadlines = ctx.data["reminder_deadlines"]
    counts = []
    for size in ("small", "big"):
        generation = data.take(size)
        with count_queries() as counter:
            result = _sweep(generation)
        counts.append((counter[0], len(result.claimed), generation.escalations))
    (small_q, small_claims, small_esc), (big_q, big_claims, big_esc) = counts
    line = (
        f"reminder sweep queries: {small_q} with {small_claims - small_esc:,} due "
        f"({small_claims:,} claimed, {small_esc:,} escalations), {big_q} with "
        f"{big_claims - big_esc:,} due ({big_claims:,} claimed, {big_esc:,} escalations)"
    )
    print(f"bench: {line}: {'constant' if small_q == big_q else 'NOT CONSTANT'}", flush=True)
    if small_q != big_q:
        raise BenchFailure(f"the number of queries grows with the reminders claimed: {line}")
    return FirstSweep(data=data, size="small")


@benchmark(
    "reminder_sweep_first_small",
    "the same with {due_small:,} due: as many queries (checked)",
    setup=_check_queries,
    needs=("reminder_deadlines",),
)
def reminder_sweep_first_small(state: FirstSweep) -> None:
    _sweep_fresh(state)


# --- (b) the next sweep -------------------------------------------------------------------------


def _already_swept(ctx: Context) -> Generation:
    data: ReminderDeadlines = ctx.data["reminder_deadlines"]
    generation = data.again
    result = _sweep(generation)
    if len(result.claimed) != generation.claims:
        raise BenchFailure(f"the first sweep claimed {len(result.claimed)}")
    return generation


@benchmark(
    "reminder_sweep_again",
    "(b) the next sweep over the same {deadlines:,} deadlines: nothing new to claim",
    setup=_already_swept,
    needs=("reminder_deadlines",),
)
def reminder_sweep_again(generation: Generation) -> None:
    result = _sweep(generation)
    if result.claimed or result.requeued:
        raise BenchFailure(f"claimed {len(result.claimed)}, re-enqueued {len(result.requeued)}")
