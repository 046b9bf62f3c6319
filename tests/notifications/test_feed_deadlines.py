"""The personal calendar feed takes its deadlines from `notifications.Deadline`, the one
place that says what is due, from whom, by when: a new assignment appears in the
reviewer's feed, a submitted review leaves it, a moved due date moves the event. UIDs stay
what they were (`review-<assignment>`, `deliverable-<deliverable>`), so calendars keep
their events across the change."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from advisory.deadlines import AdvisoryDeadline
from meetings import services as meeting_services
from notifications.models import Deadline, due_moment
from workflows import services as workflows
from workflows.enums import Recommendation

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def feed_url(user) -> str:
    """The person's personal feed, with a new token."""
    return reverse("meetings:personal_feed", args=[meeting_services.reset_token(user)])


def events(response) -> list[tuple[str, str, datetime.date]]:
    """(UID, SUMMARY, DTSTART) of each event of the feed."""
    parsed = icalendar.Calendar.from_ical(response.content)
    return [
        (str(event["UID"]), str(event["SUMMARY"]), event.decoded("DTSTART"))
        for event in parsed.walk("VEVENT")
    ]


def uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{settings.SITE_HOST}"


def test_new_assignment_appears_in_reviewers_feed(client, clock, in_review, owner, reviewer):
    # given the reviewer's feed, read while nothing is due from them
    url = feed_url(reviewer)
    first = client.get(url)
    assert events(first) == []

    # when they are assigned a review due on 11 December
    clock.shift(MINUTE)
    [assignment] = workflows.assign_reviewers(
        owner, in_review, [reviewer], datetime.date(2026, 12, 11)
    )

    # then their feed changed and holds it, under the review's UID
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert events(response) == [
        (
            uid("review", assignment.pk),
            "Review due: Chapter 3: Digital government",
            datetime.date(2026, 12, 11),
        )
    ]
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["URL"]) == f"{settings.SITE_URL}/reviews/{assignment.pk}/"


def test_submitted_review_disappears_from_the_feed(client, clock, assignment, reviewer):
    # given the reviewer's feed with the review in it
    url = feed_url(reviewer)
    first = client.get(url)
    assert [summary for _uid, summary, _due in events(first)] == [
        "Review due: Chapter 3: Digital government"
    ]

    # when they submit it
    clock.shift(MINUTE)
    workflows.save_review(
        reviewer,
        assignment,
        recommendation=Recommendation.READY,
        comments="Ready to go.",
        submit=True,
    )

    # then the feed changed and the deadline is gone
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert events(response) == []


def test_moved_due_date_moves_the_event(client, clock, deliverable, owner):
    # given the owner's feed with the deliverable due on 29 January
    url = feed_url(owner)
    first = client.get(url)
    assert events(first) == [
        (
            uid("deliverable", deliverable.pk),
            "Due: Chapter 3: Digital government",
            datetime.date(2027, 1, 29),
        )
    ]

    # when the due date moves a week later (a minute after: the feed's stamp follows
    # Deadline.updated_at)
    clock.shift(MINUTE)
    workflows.change_due_date(owner, deliverable, datetime.date(2027, 2, 5), "Late data")

    # then the same event (same UID) is on the new day
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert events(response) == [
        (
            uid("deliverable", deliverable.pk),
            "Due: Chapter 3: Digital government",
            datetime.date(2027, 2, 5),
        )
    ]


def test_feed_shows_any_open_deadline_of_the_person_only(client, clock, reviewer, second_reviewer):
    # given deadlines kept by another app (an advisory milestone), one done, one far away,
    # and one of someone else
    def due(user, object_id: int, day: datetime.date, **fields) -> Deadline:
        return Deadline.objects.create(
            kind=AdvisoryDeadline.MILESTONE,
            object_id=object_id,
            user=user,
            title=f"Milestone {object_id}",
            link=f"/advisory/{object_id}/",
            due_date=day,
            due_at=due_moment(day, "UTC"),
            **fields,
        )

    due(reviewer, 1, datetime.date(2026, 12, 20))
    due(reviewer, 2, datetime.date(2026, 12, 21), done_at=timezone.now())
    due(reviewer, 3, datetime.date(2029, 1, 1))
    due(second_reviewer, 4, datetime.date(2026, 12, 22))

    # when the reviewer reads their feed
    response = client.get(feed_url(reviewer))

    # then only their open deadline within the feed's window is there
    assert events(response) == [
        (uid("milestone", 1), "Due: Milestone 1", datetime.date(2026, 12, 20))
    ]


@pytest.mark.parametrize("size", [5, 50])
def test_personal_feed_deadline_queries_fixed(
    client, clock, reviewer, django_assert_num_queries, size
):
    # given `size` open deadlines
    Deadline.objects.bulk_create(
        Deadline(
            kind=AdvisoryDeadline.MILESTONE,
            object_id=number,
            user=reviewer,
            title=f"Milestone {number}",
            link=f"/advisory/{number}/",
            due_date=datetime.date(2026, 12, 10) + datetime.timedelta(days=number),
            due_at=due_moment(datetime.date(2026, 12, 10), "UTC"),
        )
        for number in range(size)
    )
    url = feed_url(reviewer)

    # cold: token, last use, change counter, stamp, meetings, deadlines
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(events(response)) == size
