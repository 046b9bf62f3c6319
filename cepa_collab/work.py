"""My work: what waits for the person signed in, across every app, soonest first.

The start page (`/`), its count in the navigation, the API (`/api/v1/me/work/`) and the
top of the daily digest all read this one registry. `cepa_collab` knows no app above it:
each app declares its kinds of work in its own `work` module (`workflows/work.py`,
`meetings/work.py`, ...), which `CepaCollabConfig.ready` imports (autodiscovery, as for
`panels`).

A kind of work (`WorkKind`) names, for one person, the records that wait for them as one
queryset (`records`; None when the kind is not for them, costing no query) and how one
record reads as a `WorkItem`: its title, what it is about, its due date and its action —
a label and the address of the exact page where it is done. From the querysets:

- `counts(user)` counts every kind in ONE query (a scalar subquery per kind), and with
  them the other numbers the header shows (`HEADER_COUNTS`, e.g. unread notifications);
- `my_work(user)` lists at most `PER_KIND` records of each kind (one query per kind that
  applies), merged soonest first, then what is coming up and what was recently done
  (`SideList`s: one query each, at most `PER_SIDE` rows).

So the page's number of queries depends on the person's roles, never on how much data
there is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Case,
    Func,
    IntegerField,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone

# How many things the start page lists, soonest first, whatever their kinds (each kind's
# total and its page of them all are listed above them); loaded: as many of each kind.
PER_KIND = 12
# How long a stamped kind's count is kept at most (its stamp renews it sooner).
STAMPED_TTL = 60 * 60
# How many rows "coming up" and "recently done" show each.
PER_SIDE = 8
# Planned work due within this many days waits now; later, it is coming up.
HORIZON = datetime.timedelta(days=30)
# What was done within this many days is "recently done".
RECENT = datetime.timedelta(days=14)

WAITING = "waiting"
COMING_UP = "coming_up"
DONE = "done"


@dataclass(frozen=True)
class WorkItem:
    """One thing on someone's list, with its action in place."""

    kind: str  # the WorkKind's code, e.g. "review_invitation"
    title: str  # the record's own title
    url: str  # the page where the action is done (a path, anchors included)
    action: str  # the action's label: "Answer the invitation"
    due: datetime.date | None = None
    about: str = ""  # what it belongs to: "UN E-Government Survey 2026"
    overdue: bool = False
    at: datetime.datetime | None = None  # when it was done, or when it starts

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "about": self.about,
            "action": self.action,
            "url": self.url,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "at": self.at.isoformat() if self.at else None,
        }


Records = Callable[[object, datetime.date], "QuerySet | None"]
Item = Callable[[object, datetime.date], WorkItem]


@dataclass(frozen=True)
class WorkKind:
    """A kind of work waiting for someone: its records (a queryset, ordered soonest first,
    or None when the kind is not for this person) and how one of them reads."""

    code: str
    label: str  # a heading-like plural: "Invitations to review"
    records: Records
    item: Item
    see_all: str = ""  # the URL name of the full list, when there is one
    order: int = 100  # where the kind comes among kinds with the same due date
    # For a kind costly to count (a rule over a whole branch): `stamp(user)` is a
    # queryset of one value that changes whenever its records may change (None: no
    # stamp for this person) and `scope(user)` what the records depend on besides the
    # day (the chief's branch): the count and the first ids are kept in the cache under
    # (scope, day, stamp), and the stamp is read in the header's one query instead.
    stamp: Callable[[object], QuerySet | None] | None = None
    scope: Callable[[object], str] | None = None


@dataclass(frozen=True)
class SideList:
    """Rows of "coming up" or "recently done" (section COMING_UP or DONE), at most
    PER_SIDE of them, each read by `item`."""

    code: str
    section: str
    records: Records
    item: Item


@dataclass
class WorkRegistry:
    kinds: dict[str, WorkKind] = field(default_factory=dict)
    sides: dict[str, SideList] = field(default_factory=dict)
    # Other numbers the header shows, counted in the same query: name -> records(user).
    header: dict[str, Callable[[object], QuerySet | None]] = field(default_factory=dict)

    def register(self, entry: WorkKind | SideList) -> WorkKind | SideList:
        if isinstance(entry, WorkKind):
            self.kinds[entry.code] = entry
        else:
            self.sides[entry.code] = entry
        return entry

    def register_header_count(self, name: str, records: Callable[[object], QuerySet | None]):
        self.header[name] = records
        return records


WORK = WorkRegistry()


def _count_of(qs: QuerySet) -> Coalesce:
    """`qs`'s number of rows as a scalar subquery (COUNT without GROUP BY: one row)."""
    counted = qs.order_by().values(n=Func(Value(1), function="COUNT", output_field=IntegerField()))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class Kept:
    """What the cache keeps of a stamped kind: its count and (once listed) its first ids,
    as of `stamp`."""

    stamp: object
    count: int
    ids: tuple | None = None


def _cache_key(kind: WorkKind, user, today: datetime.date) -> str:
    return f"work:{kind.code}:{kind.scope(user)}:{today.isoformat()}"


def _stamped_count(kind: WorkKind, qs: QuerySet, stamp: Coalesce, kept: Kept | None):
    """The kind's count, or NULL while the stamp is still the kept one: SQL evaluates a
    CASE's branches lazily, so the costly count runs only after a change, in the same
    query."""
    if kept is None or kept.stamp is None:
        return _count_of(qs)
    return Case(
        When(Exact(stamp, kept.stamp), then=Value(None)),
        default=_count_of(qs),
        output_field=IntegerField(),
    )


def counts(user, today: datetime.date | None = None) -> dict:
    """How many records of each kind wait for `user`, and the header's other numbers:
    one query whatever the number of kinds (0 without a kind that applies). A stamped
    kind is counted in that query only when its stamp moved since it was last counted
    (kept in the cache)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    today = today or timezone.localdate()
    found: dict[str, object] = {}
    stamped: dict[str, tuple[WorkKind, Kept | None]] = {}
    for kind in WORK.kinds.values():
        qs = kind.records(user, today)
        if qs is None:
            continue
        stamp_qs = kind.stamp(user) if kind.stamp else None
        if stamp_qs is None:
            found[kind.code] = _count_of(qs)
            continue
        kept = cache.get(_cache_key(kind, user, today))
        stamp = Coalesce(Subquery(stamp_qs[:1]), 0)  # 0: nothing stamped yet
        stamped[kind.code] = (kind, kept)
        found[f"stamp:{kind.code}"] = stamp
        found[kind.code] = _stamped_count(kind, qs, stamp, kept)
    for name, records in WORK.header.items():
        qs = records(user)
        if qs is not None:
            found[name] = _count_of(qs)
    result: dict = dict.fromkeys([*WORK.kinds, *WORK.header], 0)
    if not found:
        return result
    aliases = {f"c{index}": code for index, code in enumerate(found)}
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(**{alias: found[code] for alias, code in aliases.items()})
        .first()
    ) or {}
    values = {code: row.get(alias) for alias, code in aliases.items()}
    for code, value in values.items():
        if not code.startswith("stamp:"):
            result[code] = value or 0
    for code, (kind, kept) in stamped.items():
        stamp = values.get(f"stamp:{code}")
        if values.get(code) is None and kept is not None:
            result[code] = kept.count  # unchanged since it was counted
        else:
            cache.set(_cache_key(kind, user, today), Kept(stamp, result[code]), STAMPED_TTL)
        result[f"stamp:{code}"] = stamp  # for `waiting_items`
    return result


def _by_ids(qs: QuerySet, ids: tuple) -> list:
    """The records of `ids` in that order, with `qs`'s related rows but not its filters
    (the ids were chosen by them); one the stamp has not yet seen deleted is left out."""
    found = qs.model._default_manager.filter(pk__in=ids)
    found.query.select_related = qs.query.select_related
    by_pk = {record.pk: record for record in found}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _kept_ids(kind: WorkKind, qs: QuerySet, user, today: datetime.date, numbers: dict) -> tuple:
    """A stamped kind's first ids, kept with its count until its stamp moves."""
    key = _cache_key(kind, user, today)
    stamp = numbers[f"stamp:{kind.code}"]
    kept = cache.get(key)
    if kept is not None and kept.stamp == stamp and kept.ids is not None:
        return kept.ids
    ids = tuple(qs.values_list("pk", flat=True)[:PER_KIND])
    cache.set(key, Kept(stamp, numbers.get(kind.code, 0), ids), STAMPED_TTL)
    return ids


@dataclass(frozen=True)
class KindSummary:
    code: str
    label: str
    count: int
    shown: int
    see_all: str

    @property
    def more(self) -> bool:
        return self.count > self.shown


@dataclass
class MyWork:
    """Someone's list: what waits (the PER_KIND soonest; undated last), per-kind totals,
    what is coming up and what was recently done."""

    waiting: list[WorkItem]
    kinds: list[KindSummary]
    coming_up: list[WorkItem]
    done: list[WorkItem]

    @property
    def total(self) -> int:
        return sum(kind.count for kind in self.kinds)

    @property
    def more(self) -> list[KindSummary]:
        """The kinds with more waiting than listed, which have a page of them all."""
        return [kind for kind in self.kinds if kind.more and kind.see_all]

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.coming_up or self.done)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "kinds": [
                {"kind": k.code, "label": k.label, "count": k.count, "see_all": k.see_all}
                for k in self.kinds
            ],
            "waiting": [item.as_dict() for item in self.waiting],
            "coming_up": [item.as_dict() for item in self.coming_up],
            "done": [item.as_dict() for item in self.done],
        }


def _soonest(item: WorkItem, order: int) -> tuple:
    return (item.due is None, item.due or datetime.date.max, order, item.title.lower())


def waiting_items(user, today: datetime.date, numbers: dict) -> list[WorkItem]:
    """At most PER_KIND waiting items of each kind, soonest first (one query per kind
    of which some wait for `user`); `numbers` are `counts(user, today)`."""
    rows: list[tuple[tuple, WorkItem]] = []
    for kind in WORK.kinds.values():
        if not numbers.get(kind.code):
            continue  # none waits (counted in the header's query): nothing to load
        qs = kind.records(user, today)
        if qs is None:
            continue
        stamp_key = f"stamp:{kind.code}"
        if stamp_key in numbers:
            # Its first ids were kept with its count (`counts`, this request), under the
            # stamp that still holds: the rows are loaded by id alone, without the rule's
            # cost over the whole branch.
            records = _by_ids(qs, _kept_ids(kind, qs, user, today, numbers))
        else:
            records = qs[:PER_KIND]
        for record in records:
            item = kind.item(record, today)
            rows.append((_soonest(item, kind.order), item))
    rows.sort(key=lambda row: row[0])
    return [item for _key, item in rows]


def _side(user, today: datetime.date, section: str) -> list[WorkItem]:
    items: list[WorkItem] = []
    for side in WORK.sides.values():
        if side.section != section:
            continue
        qs = side.records(user, today)
        if qs is None:
            continue
        items.extend(side.item(record, today) for record in qs[:PER_SIDE])
    if section == DONE:
        items.sort(key=lambda item: item.at or timezone.now(), reverse=True)
    else:
        items.sort(key=lambda item: (item.due or datetime.date.max, item.title.lower()))
    return items[:PER_SIDE]


def my_work(
    user, today: datetime.date | None = None, known_counts: dict[str, int] | None = None
) -> MyWork:
    """The start page's list for `user` (`known_counts`: `counts(user)` if already made)."""
    today = today or timezone.localdate()
    numbers = known_counts if known_counts is not None else counts(user, today)
    waiting = waiting_items(user, today, numbers)[:PER_KIND]
    shown: dict[str, int] = {}
    for item in waiting:
        shown[item.kind] = shown.get(item.kind, 0) + 1
    kinds = [
        KindSummary(
            kind.code,
            str(kind.label),
            numbers.get(kind.code, 0),
            shown.get(kind.code, 0),
            _address(kind.see_all),
        )
        for kind in WORK.kinds.values()
        if numbers.get(kind.code, 0)
    ]
    return MyWork(
        waiting=waiting,
        kinds=kinds,
        coming_up=_side(user, today, COMING_UP),
        done=_side(user, today, DONE),
    )


def request_counts(request) -> dict[str, int]:
    """`counts` for the request's user, made once per request (the header and the page
    share it)."""
    found = getattr(request, "_work_counts", None)
    if found is None:
        found = counts(getattr(request, "user", None))
        request._work_counts = found
    return found


def _address(name: str) -> str:
    return reverse(name) if name else ""


def waiting_total(numbers: dict[str, int]) -> int:
    """The number of things waiting, from `counts` (the header's other numbers left out)."""
    return sum(numbers.get(code, 0) for code in WORK.kinds)


def summary(user, today: datetime.date | None = None) -> list[KindSummary]:
    """Per kind, how many wait (kinds with none left out): the digest's first lines."""
    numbers = counts(user, today)
    return [
        KindSummary(kind.code, str(kind.label), numbers[kind.code], 0, _address(kind.see_all))
        for kind in WORK.kinds.values()
        if numbers.get(kind.code)
    ]


def kinds_in(items: Iterable[WorkItem]) -> set[str]:
    return {item.kind for item in items}
