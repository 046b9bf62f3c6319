"""Each deliverable and review assignment page shows the next reminder it will trigger and
when, in the viewer's time; the reviews list does so for every outstanding assignment in
a fixed number of queries."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cepa_collab.enums import Role
from cepa_collab.services import update_preferences
from notifications import deadlines, reminders
from notifications.models import Deadline, Reminder
from tests.factories import person
from workflows import services
from workflows.deadlines import WorkflowDeadline
from workflows.enums import AssignmentState, DeliverableKind, Recommendation
from workflows.models import Deliverable, ReviewAssignment, ReviewRound, Version

UTC = datetime.UTC
REVIEW_DUE = datetime.datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
CHAPTER_DUE = datetime.datetime(2027, 1, 29, 9, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


def logged_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def full_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- the helper ---------------------------------------------------------------------------------


def test_next_reminder_walks_the_offsets_as_they_are_claimed(clock, assignment):
    row = Deadline.objects.get(kind=WorkflowDeadline.REVIEW)

    # before anything: the "7 days before" one, at its moment
    assert reminders.next_reminder(row) == (-7, REVIEW_DUE - 7 * DAY)

    # its moment come but not swept yet: due now
    clock.move_to(REVIEW_DUE - 7 * DAY + datetime.timedelta(minutes=2))
    assert reminders.next_reminder(row) == (
        -7,
        REVIEW_DUE - 7 * DAY + datetime.timedelta(minutes=2),
    )

    # swept: the "2 days before" one
    reminders.sweep_reminders()
    assert reminders.next_reminder(row) == (-2, REVIEW_DUE - 2 * DAY)

    # a missed window is skipped: the next is the one whose window is still ahead
    clock.move_to(REVIEW_DUE + DAY)
    assert reminders.next_reminder(row) == (0, REVIEW_DUE + DAY)

    # after the last overdue step nothing more
    clock.move_to(REVIEW_DUE + 18 * DAY)
    assert reminders.next_reminder(row) is None


def test_next_reminder_of_a_done_deadline_is_none(clock, assignment, reviewer):
    services.save_review(
        reviewer, assignment, recommendation=Recommendation.READY, comments="Fine.", submit=True
    )

    assert reminders.next_reminder(Deadline.objects.get(kind=WorkflowDeadline.REVIEW)) is None


def test_next_reminders_in_batch_take_two_queries(clock, assignment, django_assert_num_queries):
    rows = list(Deadline.objects.order_by("kind"))

    with django_assert_num_queries(2):
        found = reminders.next_reminders(rows)

    assert {pk: (n.offset, n.at) for pk, n in found.items()} == {
        rows[0].pk: (-7, CHAPTER_DUE - 7 * DAY),
        rows[1].pk: (-7, REVIEW_DUE - 7 * DAY),
    }


# --- the deliverable page -----------------------------------------------------------------------


def test_deliverable_page_shows_the_owner_next_reminder(client, clock, deliverable, owner):
    text = page(logged_in(client, owner), reverse("workflows:deliverable", args=[deliverable.pk]))

    assert (
        f"<dt>Next reminder</dt><dd>To {full_name(owner)}: 7 days before, on "
        '<time datetime="2027-01-22T09:00:00+00:00">22 January 2027, 09:00 (UTC)</time></dd>'
    ) in text


def test_deliverable_page_shows_the_reminder_in_the_viewer_time(client, clock, deliverable, chief):
    # given the chief in New York (UTC-5 in January), the owner in UTC
    update_preferences(chief, time_zone="America/New_York")

    text = page(logged_in(client, chief), reverse("workflows:deliverable", args=[deliverable.pk]))

    assert "7 days before, on <time datetime=" in text
    assert "22 January 2027, 04:00 (America/New_York)</time>" in text


def test_deliverable_page_moves_to_the_next_reminder_once_one_went(
    client, clock, deliverable, owner
):
    clock.move_to(CHAPTER_DUE - 7 * DAY)
    reminders.sweep_reminders()

    text = page(logged_in(client, owner), reverse("workflows:deliverable", args=[deliverable.pk]))

    assert "2 days before, on <time datetime=" in text
    assert "27 January 2027, 09:00 (UTC)</time>" in text


def test_deliverable_page_says_when_every_reminder_has_gone(client, clock, deliverable, owner):
    clock.move_to(CHAPTER_DUE + 20 * DAY)

    text = page(logged_in(client, owner), reverse("workflows:deliverable", args=[deliverable.pk]))

    assert "<dt>Next reminder</dt><dd>None: every reminder has gone.</dd>" in text


def test_deliverable_page_shows_no_reminder_once_approved_or_to_a_reviewer(
    client, clock, assignment, in_review, reviewer, chief
):
    url = reverse("workflows:deliverable", args=[in_review.pk])
    assert "Next reminder" not in page(logged_in(client, reviewer), url)

    services.fire_transition(chief, in_review, "approve", waiver_reason="Urgent.")

    assert "Next reminder" not in page(logged_in(client, chief), url)


# --- the reviewer's pages -----------------------------------------------------------------------


def test_review_page_shows_the_reviewer_next_reminder(client, clock, assignment, reviewer):
    text = page(logged_in(client, reviewer), reverse("workflows:review", args=[assignment.pk]))

    assert "<dt>Next reminder</dt><dd>7 days before, on <time datetime=" in text
    assert "4 December 2026, 09:00 (Africa/Accra)</time></dd>" in text


def test_review_page_shows_no_reminder_once_submitted(client, clock, assignment, reviewer):
    services.save_review(
        reviewer, assignment, recommendation=Recommendation.READY, comments="Fine.", submit=True
    )

    text = page(logged_in(client, reviewer), reverse("workflows:review", args=[assignment.pk]))

    assert "Next reminder" not in text


def test_my_reviews_shows_the_next_reminder_of_outstanding_assignments(
    client, clock, assignment, in_review, reviewer
):
    # given the review's "2 days before" reminder sent
    clock.move_to(REVIEW_DUE - 2 * DAY)
    reminders.sweep_reminders()

    text = page(logged_in(client, reviewer), reverse("workflows:my_reviews"))

    assert text.count("Next reminder: ") == 1
    assert "Next reminder: on the day, on <time datetime=" in text
    assert "11 December 2026, 09:00 (Africa/Accra)</time>" in text


def _seed(owner, product, reviewer, count: int, start: int) -> None:
    """`count` deliverables in review, each with an assignment of `reviewer` (in every
    state in turn), and their deadlines (rebuilt from the workflow)."""
    made = Deliverable.objects.bulk_create(
        Deliverable(
            product=product,
            owner=owner,
            title=f"Deliverable {start + i}",
            kind=DeliverableKind.CHAPTER,
            due_date=datetime.date(2027, 3, 1),
            state="in_review",
        )
        for i in range(count)
    )
    versions = Version.objects.bulk_create(
        Version(
            deliverable=d,
            number=1,
            file=f"deliverables/{d.pk}/v1/draft.pdf",
            original_name="draft.pdf",
            content_type="application/pdf",
            size=10,
            uploaded_by=owner,
        )
        for d in made
    )
    rounds = ReviewRound.objects.bulk_create(
        ReviewRound(deliverable=v.deliverable, version=v, number=1, opened_by=owner)
        for v in versions
    )
    states = list(AssignmentState)
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=r,
            deliverable=r.deliverable,
            reviewer=reviewer,
            due_date=datetime.date(2026, 12, 2) + datetime.timedelta(days=i % 12 - 3),
            state=states[i % len(states)],
            assigned_by=owner,
        )
        for i, r in enumerate(rounds)
    )
    deadlines.rebuild()
    reminders.sweep_reminders()


def test_my_reviews_runs_a_fixed_number_of_queries(
    client, clock, owner, product, reviewer, django_assert_num_queries
):
    logged_in(client, reviewer)
    _seed(owner, product, reviewer, 10, 0)
    # session, user, profile (time zone), roles, unread count, the page's count and rows,
    # then the next reminders: deadlines, policies, reminders claimed
    with django_assert_num_queries(10):
        page(client, reverse("workflows:my_reviews"))
    _seed(owner, product, reviewer, 50, 10)

    with django_assert_num_queries(10):
        page(client, reverse("workflows:my_reviews"))

    assert Deadline.objects.filter(kind=WorkflowDeadline.REVIEW, done_at__isnull=True).count() == 24
    assert Reminder.objects.filter(recipient=reviewer).count() > 10


def test_deliverable_page_next_reminder_costs_three_queries_or_one_without_deadline(
    client, clock, deliverable, owner, django_assert_num_queries
):
    logged_in(client, owner)
    url = reverse("workflows:deliverable", args=[deliverable.pk])
    # the deadline is looked up; if there is one, its policy and its reminders too
    with django_assert_num_queries(18 + 2):  # 3: the discussion (discussions.panels)
        page(client, url)
    Deadline.objects.all().delete()

    with django_assert_num_queries(18):
        page(client, url)


def test_staff_reviewer_in_another_zone_gets_their_own_time(client, clock, in_review, owner):
    kiri = person(Role.CEPA_MEMBER, username="kiri", time_zone="Pacific/Auckland")
    (mine,) = services.assign_reviewers(owner, in_review, [kiri], datetime.date(2026, 12, 11))

    text = page(logged_in(client, kiri), reverse("workflows:review", args=[mine.pk]))

    assert "7 days before, on <time datetime=" in text
    assert "4 December 2026, 09:00 (Pacific/Auckland)</time>" in text
