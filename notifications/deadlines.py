"""Keeping `Deadline` in step with the records that owe something.

The app that owns a kind of deadline describes, for one of its records, who owes
what by when (`Entry` rows) and calls `sync` from the service that changed it; it
also registers the kind in its own `deadlines` module (`register`: label, every entry
still owed, how a reminder names the item, policy defaults), so that `rebuild` can
recompute every deadline of that kind (after a data migration, an import, or edits
made around the services), and the pages, the admin and the API can name it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cepa_collab.services import CALENDAR, bump_counter, follow_time_zone
from notifications.kinds import DEADLINE_KINDS, deadline_kind
from notifications.models import Deadline, due_moment


@dataclasses.dataclass(frozen=True)
class Entry:
    """One person owing one record by a date."""

    object_id: int
    user_id: int
    due_date: datetime.date
    title: str
    link: str
    branch_id: int | None = None


BATCH = 1000
UPDATED_FIELDS = ["due_date", "due_at", "title", "link", "branch_id", "done_at"]

# Register a kind of deadline: `register(SomeDeadline.KIND, entries=lambda: ..., describe=...,
# policy={...})`, from the owning app's `deadlines` module (see `notifications.kinds`).
register = deadline_kind


def registered_kinds() -> list[str]:
    """Every registered kind of deadline, in order."""
    return DEADLINE_KINDS.values()


def _time_zones(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        get_user_model()
        .objects.filter(pk__in=set(user_ids))
        .values_list("pk", "profile__time_zone")
        .order_by()
    )


def sync(kind: str, object_ids: Iterable[int], entries: Iterable[Entry]) -> bool:
    """Make the open deadlines of `kind` for `object_ids` exactly `entries`.

    A person no longer owing is marked done; a moved due date updates the row (its
    reminders were claimed for the old date, so the new one's are armed); a record
    owed again reopens its row. Returns whether anything changed."""
    return sync_all([(kind, object_ids, entries)])


@transaction.atomic
def sync_all(changes: Iterable[tuple[str, Iterable[int], Iterable[Entry]]]) -> bool:
    """`sync` several kinds at once (a deliverable and its reviews): one transaction, and
    the calendar counter moved once if anything changed. Returns whether anything did."""
    wanted = []
    for kind, object_ids, entries in changes:
        object_ids = set(object_ids)
        wanted.append((kind, object_ids, [e for e in entries if e.object_id in object_ids]))
    zones = _time_zones(entry.user_id for _kind, _ids, entries in wanted for entry in entries)
    changed = False
    for kind, object_ids, entries in wanted:
        rows = Deadline.objects.filter(kind=kind, object_id__in=object_ids)
        changed |= _apply(kind, rows, entries, zones)
    if changed:
        bump_counter(CALENDAR)  # personal calendar feeds list the open deadlines
    return changed


def _apply(
    kind: str, rows: QuerySet[Deadline], entries: list[Entry], zones: dict[int, str]
) -> bool:
    """Make the deadlines in `rows` (and new ones) exactly the open `entries` (`zones`: the
    time zones of the people owing); returns whether anything changed (the caller moves
    the calendar counter)."""
    now = timezone.now()
    existing = {(row.object_id, row.user_id): row for row in rows.order_by()}
    # One entry per person and record (the last one given wins).
    wanted = {(entry.object_id, entry.user_id): entry for entry in entries}
    create, update = [], []
    for key, entry in wanted.items():
        fields = {
            "due_date": entry.due_date,
            "due_at": due_moment(entry.due_date, zones.get(entry.user_id) or "UTC"),
            "title": entry.title[:300],
            "link": entry.link[:300],
            "branch_id": entry.branch_id,
            "done_at": None,
        }
        row = existing.get(key)
        if row is None:
            create.append(
                Deadline(kind=kind, object_id=entry.object_id, user_id=entry.user_id, **fields)
            )
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = now
            update.append(row)
    Deadline.objects.bulk_create(create, batch_size=BATCH)
    Deadline.objects.bulk_update(update, [*UPDATED_FIELDS, "updated_at"], batch_size=BATCH)
    gone = [row.pk for key, row in existing.items() if key not in wanted and row.done_at is None]
    for start in range(0, len(gone), BATCH):
        Deadline.objects.filter(pk__in=gone[start : start + BATCH]).update(
            done_at=now, updated_at=now
        )
    return bool(create or update or gone)


def close(kind: str, object_ids: Iterable[int]) -> None:
    """Nothing of these records is owed any more."""
    now = timezone.now()
    closed = Deadline.objects.filter(
        kind=kind, object_id__in=set(object_ids), done_at__isnull=True
    ).update(done_at=now, updated_at=now)
    if closed:
        bump_counter(CALENDAR)


def rebuild(kinds: Iterable[str] | None = None) -> int:
    """Recompute the open deadlines of every registered source (or of `kinds`), each kind
    in one transaction; returns how many deadlines are open after, of every kind.

    Reminders already claimed are kept: a deadline that comes back with the same due
    date is not reminded twice."""
    for kind in kinds or DEADLINE_KINDS.values():
        with transaction.atomic():
            entries = list(DEADLINE_KINDS[kind].entries())
            zones = _time_zones(entry.user_id for entry in entries)
            if _apply(kind, Deadline.objects.filter(kind=kind), entries, zones):
                bump_counter(CALENDAR)
    return Deadline.objects.filter(done_at__isnull=True).count()


@follow_time_zone
def retime_user(user) -> None:
    """The person's time zone changed: their open deadlines fall due at their new 09:00
    (`cepa_collab.services.update_preferences` calls it, in its transaction).

    Reminders are keyed by due date, so nothing already sent goes again."""
    zone = user.profile.time_zone
    now = timezone.now()
    rows = list(Deadline.objects.filter(user=user, done_at__isnull=True))
    for row in rows:
        row.due_at = due_moment(row.due_date, zone)
        row.updated_at = now
    Deadline.objects.bulk_update(rows, ["due_at", "updated_at"], batch_size=BATCH)


def open_deadlines_for(user) -> QuerySet[Deadline]:
    return Deadline.objects.filter(user=user, done_at__isnull=True).order_by("due_at", "pk")
