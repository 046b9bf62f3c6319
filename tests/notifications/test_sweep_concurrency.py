"""Two sweeps at the same instant (beat firing twice, two workers) claim disjoint sets of
reminders whose union is everything due: the unique constraint and ON CONFLICT DO NOTHING
settle the race, so no reminder is claimed (or mailed) twice.

Each thread has its own database connection and transaction; a barrier lines them up. The
first sweep to have claimed holds its transaction open until the other one is seen waiting
for a lock in pg_stat_activity (its INSERT waits on the first one's uncommitted rows), so
the two transactions provably overlap.

PostgreSQL only, like tests/workflows/test_concurrency.py: pytest's SQLite test database is
in memory with a shared cache, where a second writer fails at once instead of waiting. It
is skipped on SQLite unless REQUIRE_SERVICES=1, which CI sets while running on PostgreSQL.
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from cepa_collab.enums import Role
from notifications import deadlines, delivery, reminders
from notifications.models import Reminder, due_moment
from tests.factories import branch, person
from tests.markers import needs_postgresql
from workflows.deadlines import WorkflowDeadline

TIMEOUT = 20  # seconds; only reached if something is broken
PEOPLE = 5
PER_PERSON = 8  # each: 4 due "7 days before", 4 "3 days overdue" (+ an escalation each)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql("concurrent writers"),
]


def _others_wait_for_a_lock() -> bool:
    """PostgreSQL: another session of this database is blocked waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def due_world():
    """Open deadlines of five people of e-govb, with a chief: returns (now, due count)."""
    person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb")
    people = [
        person(Role.BRANCH_STAFF, username=f"staff{i}", branch_code="e-govb") for i in range(PEOPLE)
    ]
    due = timezone.now().date() + datetime.timedelta(days=30)
    now = due_moment(due, "UTC") - datetime.timedelta(days=7) + datetime.timedelta(hours=1)
    entries = []
    for n, user in enumerate(people):
        for i in range(PER_PERSON):
            overdue = i % 2 == 1
            entries.append(
                deadlines.Entry(
                    object_id=n * 100 + i,
                    user_id=user.pk,
                    due_date=due - datetime.timedelta(days=10 if overdue else 0),
                    title=f"Item {n}.{i}",
                    link=f"/items/{n}/{i}/",
                    branch_id=branch("e-govb").pk,
                )
            )
    deadlines.sync(WorkflowDeadline.REVIEW, [e.object_id for e in entries], entries)
    reminders_due = len(entries) + len(entries) // 2  # the overdue ones escalate
    return now, reminders_due


@pytest.fixture
def enqueued(monkeypatch):
    """The ids each sweep enqueued after its commit (no mail is sent here)."""
    found: list[list[int]] = []
    guard = threading.Lock()

    def record(ids):
        with guard:
            found.append(sorted(ids))

    monkeypatch.setattr(delivery, "enqueue_reminders", record)
    return found


@pytest.fixture
def hold_until_contended(monkeypatch):
    """The first sweep to have claimed keeps its transaction open until the other sweep
    waits for a lock (its INSERT on the same keys), so the two really overlap."""
    real = delivery.requeue_due
    guard = threading.Lock()
    state = {"first": True}

    def contended(model, now):
        with guard:
            first, state["first"] = state["first"], False
        if first:
            deadline = time.monotonic() + TIMEOUT
            while not _others_wait_for_a_lock():
                assert time.monotonic() < deadline, "the other sweep never waited"
                time.sleep(0.01)
        return real(model, now)

    monkeypatch.setattr(delivery, "requeue_due", contended)


def test_two_sweeps_at_the_same_instant_claim_disjoint_sets(
    due_world, enqueued, hold_until_contended
):
    # given 40 deadlines, 20 of them overdue: 60 reminders due at `now`
    now, due = due_world
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    outcomes: dict[int, object] = {}

    def sweep(slot: int) -> None:
        try:
            barrier.wait()
            outcomes[slot] = reminders.sweep_reminders(now).claimed
        except Exception as exc:  # recorded and asserted on below
            outcomes[slot] = exc
        finally:
            connection.close()

    # when two sweeps run at the same instant, each in its own transaction and connection
    threads = [threading.Thread(target=sweep, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    # then they claimed disjoint sets whose union is everything due: one claimed all
    first, second = outcomes[0], outcomes[1]
    assert isinstance(first, list) and isinstance(second, list), outcomes
    assert set(first).isdisjoint(second)
    assert len(first) + len(second) == due == 60
    assert sorted([len(first), len(second)]) == [0, 60]
    # and each reminder is recorded, and enqueued, once
    rows = Reminder.objects.values_list("deadline_id", "offset_days", "recipient_id", "due_date")
    assert len(set(rows)) == Reminder.objects.count() == 60
    assert sorted(pk for ids in enqueued for pk in ids) == sorted(first + second)
    assert Reminder.objects.filter(escalation=True).count() == 20


def test_sweeps_over_partly_claimed_work_share_it_without_duplicates(due_world, enqueued):
    # given some of the due reminders already claimed by an earlier sweep
    now, due = due_world
    reminders.sweep_reminders(now)
    Reminder.objects.filter(pk__in=Reminder.objects.order_by("pk").values("pk")[:25]).delete()
    barrier = threading.Barrier(4, timeout=TIMEOUT)
    outcomes: dict[int, object] = {}

    def sweep(slot: int) -> None:
        try:
            barrier.wait()
            outcomes[slot] = reminders.sweep_reminders(now).claimed
        except Exception as exc:  # recorded and asserted on below
            outcomes[slot] = exc
        finally:
            connection.close()

    # when four sweeps race for what is left
    threads = [threading.Thread(target=sweep, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    # then the 25 missing ones were claimed once in all
    claimed = [pk for ids in outcomes.values() for pk in ids]
    assert len(claimed) == len(set(claimed)) == 25, outcomes
    assert Reminder.objects.count() == due
