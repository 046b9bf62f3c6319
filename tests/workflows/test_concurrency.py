"""Two people firing transitions on the same deliverable at the same moment: one wins, the
other gets a clear conflict, and the state and the audit trail stay consistent.

Each thread has its own database connection and transaction; a barrier lines them up. The
winner holds the row lock (`select_for_update`) until the loser is seen waiting for it in
pg_stat_activity, so the two transactions provably overlap (without the lock the test fails).

PostgreSQL only: `select_for_update` proves nothing on SQLite, and pytest's SQLite test database
is in memory with a shared cache, where a second writer fails at once with "database table is
locked" (the busy timeout does not apply there) instead of waiting. It is skipped on SQLite
unless REQUIRE_SERVICES=1, which CI sets while running on PostgreSQL.

A transactional test starts from whatever the previous one left: pytest-django empties the
database after each, so the reference data (branches, role groups) is loaded here again.
Not `serialized_rollback`: restoring the snapshot fails with a duplicate AnonymousUser once an
earlier transactional test's flush has re-run post_migrate (guardian re-creates that user).
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from cepa_collab.enums import Role
from cepa_collab.exceptions import ServiceConflict
from cepa_collab.reference_data import load_reference_data
from cepa_collab.roles import sync_roles
from tests.factories import PDF_BYTES, branch, person
from tests.markers import needs_postgresql
from workflows import services
from workflows.enums import (
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    RoundState,
)
from workflows.models import Deliverable, DeliverableHistory, ReviewRound

S = DeliverableState
TIMEOUT = 20  # seconds; only reached if something is broken
TARGETS = {"approve": S.APPROVED, "return_for_revision": S.REVISING}


pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql("select_for_update proves nothing on SQLite"),
]


@pytest.fixture
def in_review():
    load_reference_data(django_apps)
    sync_roles()
    chief = person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb")
    owner = person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb")
    product = services.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.SURVEY,
        title="UN E-Government Survey",
        edition="2026",
    )
    deliverable = services.create_deliverable(
        owner,
        product=product,
        owner=owner,
        title="Chapter 3",
        kind=DeliverableKind.CHAPTER,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.fire_transition(owner, deliverable, "start_drafting")
    upload = SimpleUploadedFile("draft.pdf", PDF_BYTES, content_type="application/pdf")
    services.upload_version(owner, deliverable, upload)
    services.fire_transition(owner, deliverable, "submit_for_review")
    return deliverable, chief


def _others_wait_for_a_lock() -> bool:
    """PostgreSQL: another session of this database is blocked waiting for a lock."""
    with connection.cursor() as cursor:
        # pg_stat_activity is a snapshot per transaction: take a fresh one on each look.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def hold_the_lock_until_contended(monkeypatch):
    """On PostgreSQL, the first thread to lock the row keeps it until the other thread is
    blocked on that lock, so that the two transactions really overlap."""
    if connection.vendor != "postgresql":
        return
    real_lock = services._lock
    guard = threading.Lock()
    state = {"first": True}

    def contended_lock(deliverable):
        locked = real_lock(deliverable)
        with guard:
            first, state["first"] = state["first"], False
        if first:
            deadline = time.monotonic() + TIMEOUT
            while not _others_wait_for_a_lock():
                assert time.monotonic() < deadline, "the other transaction never waited"
        return locked

    monkeypatch.setattr(services, "_lock", contended_lock)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("approve", ""), ("return_for_revision", "Section 2 is thin.")),
        (("approve", ""), ("approve", "")),
        (("return_for_revision", "Redo."), ("return_for_revision", "Redo it.")),
    ],
    ids=["approve-vs-return", "approve-twice", "return-twice"],
)
def test_conflicting_transitions_at_the_same_moment_one_wins(
    in_review, hold_the_lock_until_contended, first, second
):
    # given a deliverable in review and its chief on two pages at once
    deliverable, chief = in_review
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    outcomes: dict[int, object] = {}

    def fire(slot: int, name: str, comment: str) -> None:
        try:
            barrier.wait()
            result = services.fire_transition(chief, deliverable.pk, name, comment=comment)
            outcomes[slot] = (name, result.state)
        except Exception as exc:  # recorded and asserted on below
            outcomes[slot] = exc
        finally:
            connection.close()

    # when both fire at the same moment, each in its own transaction and connection
    threads = [
        threading.Thread(target=fire, args=(slot, *action))
        for slot, action in enumerate([first, second])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    # then exactly one wins and the other gets a conflict
    wins = [o for o in outcomes.values() if isinstance(o, tuple)]
    conflicts = [o for o in outcomes.values() if isinstance(o, ServiceConflict)]
    assert (len(wins), len(conflicts)) == (1, 1), outcomes
    ((winner, won_state),) = wins
    assert winner in {first[0], second[0]}
    assert won_state == TARGETS[winner]
    assert "is not possible: the deliverable is now" in conflicts[0].message

    # and the state, the round and the audit trail agree with the winner: one row for the step
    assert Deliverable.objects.values_list("state", flat=True).get(pk=deliverable.pk) == won_state
    transitions = DeliverableHistory.objects.filter(
        deliverable=deliverable, action=DeliverableAction.TRANSITION
    )
    assert list(transitions.values_list("from_state", "to_state")) == [
        (S.PLANNED, S.DRAFTING),
        (S.DRAFTING, S.IN_REVIEW),
        (S.IN_REVIEW, won_state),
    ]
    rounds = ReviewRound.objects.filter(deliverable=deliverable)
    assert list(rounds.values_list("state", flat=True)) == [RoundState.CLOSED]
