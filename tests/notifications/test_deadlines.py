"""`Deadline` answers "what is due, for whom, when": the workflow services keep it in step,
`sync` makes the rows of some records exactly what they owe, and `rebuild` recomputes
every registered source."""

from __future__ import annotations

import datetime

import pytest

from cepa_collab.enums import Role
from notifications import deadlines
from notifications.models import Deadline, ReminderPolicy, due_moment
from tests.factories import branch, person
from workflows import services
from workflows.deadlines import WorkflowDeadline
from workflows.enums import Recommendation

UTC = datetime.UTC


def open_rows() -> list[tuple]:
    return list(
        Deadline.objects.filter(done_at__isnull=True)
        .order_by("kind", "object_id")
        .values_list("kind", "user__username", "due_date", "due_at")
    )


# --- kept in step by the workflow -------------------------------------------------------------


def test_deliverable_and_review_deadlines_follow_the_workflow(clock, assignment, in_review):
    # given a deliverable in review (owner in UTC) with a reviewer in Accra
    # then both owe something, due at 09:00 their time
    assert open_rows() == [
        (
            WorkflowDeadline.DELIVERABLE,
            "owner",
            datetime.date(2027, 1, 29),
            datetime.datetime(2027, 1, 29, 9, 0, tzinfo=UTC),
        ),
        (
            WorkflowDeadline.REVIEW,
            "amina",
            datetime.date(2026, 12, 11),
            datetime.datetime(2026, 12, 11, 9, 0, tzinfo=UTC),
        ),
    ]
    row = Deadline.objects.get(kind=WorkflowDeadline.REVIEW)
    assert (row.title, row.link, row.branch) == (
        "Chapter 3: Digital government",
        f"/reviews/{assignment.pk}/",
        branch("e-govb"),
    )


def test_submitted_review_is_done_and_approved_deliverable_too(
    clock, assignment, in_review, reviewer, chief
):
    services.save_review(
        reviewer, assignment, recommendation=Recommendation.READY, comments="Fine.", submit=True
    )
    assert [row[:2] for row in open_rows()] == [(WorkflowDeadline.DELIVERABLE, "owner")]

    services.fire_transition(chief, in_review, "approve")

    assert open_rows() == []
    assert set(Deadline.objects.values_list("done_at", flat=True)) == {clock_now()}


def test_declined_review_is_done(clock, assignment, reviewer):
    services.decline_assignment(reviewer, assignment, "On leave.")

    assert [row[:2] for row in open_rows()] == [(WorkflowDeadline.DELIVERABLE, "owner")]


def test_reviewer_in_tokyo_owes_the_review_at_nine_tokyo_time(clock, in_review, owner):
    tokyo = person(Role.CEPA_MEMBER, username="kenji", time_zone="Asia/Tokyo")

    services.assign_reviewers(owner, in_review, [tokyo], datetime.date(2026, 12, 11))

    row = Deadline.objects.get(kind=WorkflowDeadline.REVIEW)
    assert row.due_at == datetime.datetime(2026, 12, 11, 0, 0, tzinfo=UTC)


# --- sync ------------------------------------------------------------------------------------


@pytest.fixture
def amina(reviewer):
    return reviewer


def entry(user, object_id=1, due=datetime.date(2026, 12, 11), title="Chapter 3"):
    return deadlines.Entry(
        object_id=object_id, user_id=user.pk, due_date=due, title=title, link=f"/x/{object_id}/"
    )


def test_sync_creates_moves_closes_and_reopens(clock, amina, second_reviewer):
    # given two records owed by two people
    deadlines.sync(WorkflowDeadline.REVIEW, [1, 2], [entry(amina, 1), entry(second_reviewer, 2)])
    assert [row[:3] for row in open_rows()] == [
        (WorkflowDeadline.REVIEW, "amina", datetime.date(2026, 12, 11)),
        (WorkflowDeadline.REVIEW, "bruno", datetime.date(2026, 12, 11)),
    ]
    # bruno is in São Paulo (UTC-3): due at 12:00 UTC
    assert open_rows()[1][3] == datetime.datetime(2026, 12, 11, 12, 0, tzinfo=UTC)

    # when the first moves and the second is no longer owed
    deadlines.sync(
        WorkflowDeadline.REVIEW, [1, 2], [entry(amina, 1, due=datetime.date(2026, 12, 18))]
    )

    # then the first is updated in place and the second done
    assert [row[:3] for row in open_rows()] == [
        (WorkflowDeadline.REVIEW, "amina", datetime.date(2026, 12, 18))
    ]
    assert Deadline.objects.count() == 2

    # when the second is owed again, it reopens its row
    deadlines.sync(WorkflowDeadline.REVIEW, [2], [entry(second_reviewer, 2)])
    assert Deadline.objects.count() == 2
    assert len(open_rows()) == 2


def test_sync_leaves_other_records_and_kinds_alone(clock, amina):
    deadlines.sync(WorkflowDeadline.REVIEW, [1, 2], [entry(amina, 1), entry(amina, 2)])
    deadlines.sync(WorkflowDeadline.DELIVERABLE, [1], [entry(amina, 1)])

    deadlines.sync(WorkflowDeadline.REVIEW, [1], [])

    opened = Deadline.objects.filter(done_at__isnull=True).order_by("kind", "object_id")
    assert list(opened.values_list("kind", "object_id")) == [
        (WorkflowDeadline.DELIVERABLE, 1),
        (WorkflowDeadline.REVIEW, 2),
    ]


def test_close_marks_the_records_done(clock, amina):
    deadlines.sync(WorkflowDeadline.REVIEW, [1, 2], [entry(amina, 1), entry(amina, 2)])

    deadlines.close(WorkflowDeadline.REVIEW, [1])

    assert list(deadlines.open_deadlines_for(amina).values_list("object_id", flat=True)) == [2]


def test_due_moment_falls_back_to_utc_for_an_unknown_zone():
    assert due_moment(datetime.date(2026, 12, 11), "Mars/Olympus") == datetime.datetime(
        2026, 12, 11, 9, 0, tzinfo=UTC
    )


def test_due_moment_follows_reminder_hour(settings):
    settings.REMINDER_HOUR = 17

    assert due_moment(datetime.date(2026, 12, 11), "Africa/Addis_Ababa") == datetime.datetime(
        2026, 12, 11, 14, 0, tzinfo=UTC
    )


# --- rebuild ----------------------------------------------------------------------------------


def test_rebuild_recomputes_every_registered_source(clock, assignment, in_review, amina):
    # given the table damaged: a row lost, one wrongly closed, one left open for nothing
    Deadline.objects.filter(kind=WorkflowDeadline.REVIEW).delete()
    Deadline.objects.filter(kind=WorkflowDeadline.DELIVERABLE).update(done_at=clock_now())
    deadlines.sync(WorkflowDeadline.REVIEW, [999], [entry(amina, 999)])
    expected = [
        (
            WorkflowDeadline.DELIVERABLE,
            "owner",
            datetime.date(2027, 1, 29),
            datetime.datetime(2027, 1, 29, 9, 0, tzinfo=UTC),
        ),
        (
            WorkflowDeadline.REVIEW,
            "amina",
            datetime.date(2026, 12, 11),
            datetime.datetime(2026, 12, 11, 9, 0, tzinfo=UTC),
        ),
    ]

    # when the deadlines are rebuilt
    count = deadlines.rebuild()

    # then they are what the workflow says again
    assert count == 2
    assert open_rows() == expected
    assert Deadline.objects.get(object_id=999).done_at is not None


def test_rebuild_of_one_kind_leaves_the_others(clock, assignment):
    Deadline.objects.all().delete()

    count = deadlines.rebuild([WorkflowDeadline.REVIEW])

    assert count == 1
    assert [row[:2] for row in open_rows()] == [(WorkflowDeadline.REVIEW, "amina")]


def clock_now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()


def test_policy_offsets_and_validation():
    policy = ReminderPolicy(kind=WorkflowDeadline.REVIEW)
    assert policy.offsets() == [-7, -2, 0, 3, 6, 9, 12, 15]

    policy = ReminderPolicy(
        kind=WorkflowDeadline.REVIEW, days_before="14, 1", overdue_every_days=7, overdue_max=2
    )
    assert policy.offsets() == [-14, -1, 7, 14]
