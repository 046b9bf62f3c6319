"""What the higher apps add to the branch cockpit (`workflows.dashboard`), by registry.

Workflows knows deliverables only; the cockpit also shows plans of action in review and
milestones (advisory), contributions awaiting review (contributions) and upcoming meetings
with unanswered invitations (meetings). Each of those apps registers, in its own
``cockpit`` module (imported by `WorkflowsConfig.ready`, Django's autodiscovery), a
section provider and, if it gives staff work, a load provider:

- `SECTIONS`: ``provider(branch_ids, today, limit) -> list[Section]``: per branch the
  count and the flagged count, and the first `limit` rows (soonest first) over all the
  branches asked, each flagged row with its reasons in words; a fixed number of queries
  (one grouped count and one bounded list) whatever the number of records;
- `LOADS`: ``provider(branch_ids, today) -> list[LoadColumn]``: per person, how much of
  that app's work they lead (one grouped query).

Workflows imports none of them: an app that is not installed adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import ngettext


@dataclass(frozen=True)
class Row:
    """One record of a section: what it is, where to act, by when, who carries it, and why
    it is flagged (empty when it is on track)."""

    title: str
    url: str
    due: datetime.date | None
    who: str
    reasons: tuple[str, ...] = ()
    about: str = ""
    starts: datetime.date | None = None  # for an event, its day (instead of a due date)

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


@dataclass
class Section:
    """One kind of work of the branch: `counts[branch_id] = (total, flagged)`."""

    key: str  # the anchor of the section on the page (letters, digits and hyphens)
    title: str
    definition: str  # what is counted and when a row is flagged, in words
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    list_url: str = ""  # the full list in its own app, if it has one
    order: int = 100  # where it comes on the page (lower first), whatever the app order

    @property
    def total(self) -> int:
        return sum(total for total, _flagged in self.counts.values())

    @property
    def flagged(self) -> int:
        return sum(flagged for _total, flagged in self.counts.values())

    def count_for(self, branch_id: int) -> tuple[int, int]:
        return self.counts.get(branch_id, (0, 0))


@dataclass(frozen=True)
class LoadColumn:
    """A column of the staff workload: `counts[user_id]` of that kind of work."""

    key: str
    label: str
    counts: dict[int, int]


SectionProvider = Callable[[Sequence[int], datetime.date, int], list[Section]]
LoadProvider = Callable[[Sequence[int], datetime.date], list[LoadColumn]]


class Registry:
    """Providers in the order they were registered (each once; usable as a decorator)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: list[Callable] = []

    def __repr__(self) -> str:
        return f"<cockpit.Registry {self.name}: {len(self._providers)}>"

    def register(self, provider: Callable) -> Callable:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, *args) -> list:
        return [item for provider in self._providers for item in provider(*args)]


SECTIONS = Registry("cockpit sections")
LOADS = Registry("cockpit staff loads")


def sections(branch_ids: Sequence[int], today: datetime.date, limit: int) -> list[Section]:
    found = SECTIONS.collect(list(branch_ids), today, limit)
    return sorted(found, key=lambda section: section.order)


def loads(branch_ids: Sequence[int], today: datetime.date) -> list[LoadColumn]:
    return LOADS.collect(list(branch_ids), today)


# --- the reasons a row is flagged, in words (one wording for every app) -----------------


def days_late(due: datetime.date | None, today: datetime.date) -> str | None:
    """ "3 days late" when `due` has passed, else None."""
    if due is None or due >= today:
        return None
    n = (today - due).days
    return ngettext("%(n)d day late", "%(n)d days late", n) % {"n": n}


def silent_for(since: datetime.date | None, today: datetime.date, days: int) -> str | None:
    """ "reviewer has not answered in 12 days" once `days` have passed since `since`."""
    if since is None or (today - since).days < days:
        return None
    n = (today - since).days
    return ngettext(
        "reviewer has not answered in %(n)d day",
        "reviewer has not answered in %(n)d days",
        n,
    ) % {"n": n}
