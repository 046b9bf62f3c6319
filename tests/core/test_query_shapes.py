"""The shapes of the queries that keep the start page and the cockpit fast as data grows.

Measured at 100 times the benchmark data (`python -m bench --only 'growth_*' --scale
growth=100`, README), each of these read every row of a table before keeping a handful:

- the cockpit's list joined the branch's products and sorted all its deliverables before
  taking a page (270 ms at 100,000); through EXISTS the database walks the due-date index
  and stops after the page (under 1 ms);
- the cockpit's meetings section grouped a join over every upcoming meeting before taking
  five (150 ms at 50,000); counted by correlated subqueries it counts for the five only;
- "recently done" joined every review a person ever submitted to sort them (200 ms at
  11,000); a submitted assignment's `responded_at` is its submission, read off the index
  (reviewer, state, responded_at).

Plans differ between SQLite and PostgreSQL and with table sizes, so these tests assert the
shape of the SQL each reads with, which is what the fix is; the benchmark shows the time.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cepa_collab import work
from meetings import cockpit as meetings_cockpit
from tests.factories import MeetingFactory, ParticipantFactory, ReviewAssignmentFactory
from workflows import dashboard
from workflows.dashboard import DashboardFilters
from workflows.enums import AssignmentState

pytestmark = pytest.mark.django_db


def test_the_cockpit_list_reads_the_branch_through_exists_not_a_join(chief, staff):
    ReviewAssignmentFactory()  # a deliverable of the e-Government Branch
    branch = staff.profile.branch

    sql = str(dashboard.deliverable_rows(branch, DashboardFilters()).values("pk").query)

    assert "EXISTS" in sql
    assert "JOIN" not in sql


def test_the_cockpit_meetings_rows_are_counted_per_row_not_grouped(cepa_member):
    meeting = MeetingFactory()  # in 20 days, of the e-Government Branch
    ParticipantFactory(meeting=meeting, user=cepa_member)

    with CaptureQueriesContext(connection) as captured:
        (section,) = meetings_cockpit.meeting_sections([meeting.branch_id], timezone.localdate(), 5)

    rows_sql = captured.captured_queries[-1]["sql"]
    assert [row.title for row in section.rows] == [meeting.title]
    outer = rows_sql.rsplit('FROM "meetings_meeting"', 1)[1]  # after the subqueries
    assert "GROUP BY" not in outer
    assert "JOIN" not in outer
    assert outer.rstrip().endswith("LIMIT 5")


def test_recently_done_reviews_read_the_assignment_not_every_review(cepa_member):
    done = ReviewAssignmentFactory(reviewer=cepa_member, state=AssignmentState.SUBMITTED)
    done.responded_at = timezone.now()
    done.save(update_fields=["responded_at"])

    side = work.WORK.sides["reviews_submitted"]
    sql = str(side.records(cepa_member, timezone.localdate()).query)

    assert '"workflows_reviewassignment"."responded_at" >=' in sql
    assert 'ORDER BY "workflows_reviewassignment"."responded_at" DESC' in sql
