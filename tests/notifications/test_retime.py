"""A person's time zone decides when their deadlines fall due (REMINDER_HOUR local)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cepa_collab.services import update_preferences
from notifications.models import Deadline


def test_changing_time_zone_moves_the_due_moment_of_open_deadlines(assignment, reviewer):
    # given a review due on 11 December for a reviewer in Accra (UTC+0): due at 09:00 UTC
    row = Deadline.objects.get(user=reviewer)
    assert row.due_at == datetime.datetime(2026, 12, 11, 9, 0, tzinfo=datetime.UTC)

    # when the reviewer moves to Tokyo (UTC+9)
    update_preferences(reviewer, time_zone="Asia/Tokyo")

    # then the review falls due at 09:00 in Tokyo, i.e. midnight UTC, on the same date
    row.refresh_from_db()
    assert (row.due_date, row.due_at) == (
        datetime.date(2026, 12, 11),
        datetime.datetime(2026, 12, 11, 0, 0, tzinfo=datetime.UTC),
    )


def test_a_bad_time_zone_changes_no_deadline(assignment, reviewer):
    before = list(Deadline.objects.values_list("pk", "due_at"))

    with pytest.raises(ValidationError):
        update_preferences(reviewer, time_zone="Mars/Olympus_Mons")

    assert list(Deadline.objects.values_list("pk", "due_at")) == before
