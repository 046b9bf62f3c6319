"""People are named by their full name (falling back to the login) in every message, mail and
notification text — never by the login alone (issue 15, item 6)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from advisory import services as advisory
from advisory.enums import RequestState
from cepa_collab.enums import Role
from cepa_collab.names import display_name
from notifications.models import Notification
from tests.factories import (
    AwayPeriodFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    person,
)
from workflows import services as workflows
from workflows.enums import AssignmentState
from workflows.notices import WorkflowNotice


@pytest.fixture
def wanjiru(db):
    return person(
        Role.CEPA_MEMBER, username="wanjiru", country="GHA", first_name="Wanjiru", last_name="Kamau"
    )


def test_display_name_full_name_else_login(db):
    # given a person with a name and one without
    named = person(username="wk", first_name="Wanjiru", last_name="Kamau")
    nameless = person(username="nameless", first_name="", last_name="")

    # then the named reads by name, the nameless by login
    assert (display_name(named), display_name(nameless)) == ("Wanjiru Kamau", "nameless")


def test_decline_notice_names_the_reviewer_not_their_login(wanjiru):
    # given wanjiru invited to review a deliverable
    assignment = ReviewAssignmentFactory(reviewer=wanjiru)
    owner = assignment.deliverable.owner

    # when she declines
    workflows.decline_assignment(wanjiru, assignment, "No time this month.")

    # then the owner's notification reads her name
    notice = Notification.objects.get(user=owner, kind=WorkflowNotice.REVIEW_WITHDRAWN)
    title = assignment.deliverable.title
    assert notice.body == f"Wanjiru Kamau declined to review “{title}”."


def test_assigning_someone_twice_names_them(wanjiru):
    # given wanjiru already assigned in the open round
    assignment = ReviewAssignmentFactory(reviewer=wanjiru)
    deliverable = assignment.deliverable

    # when the owner assigns her again
    with pytest.raises(ValidationError) as caught:
        workflows.assign_reviewers(deliverable.owner, deliverable, [wanjiru], assignment.due_date)

    # then the message names her, and nothing changed
    assert caught.value.message_dict == {
        "reviewers": ["Wanjiru Kamau is already assigned in this round."]
    }
    assert list(deliverable.assignments.values_list("reviewer__username", "state")) == [
        ("wanjiru", AssignmentState.INVITED)
    ]


def test_team_outside_the_branch_names_the_person(request_in, ira):
    # given an accepted request and someone of another branch
    accepted = request_in(RequestState.ACCEPTED)
    outsider = person(
        Role.BRANCH_STAFF, username="pb", branch_code="pacb", first_name="Priya", last_name="Bose"
    )

    # when the lead puts them on the team
    with pytest.raises(ValidationError) as caught:
        advisory.set_team(ira, accepted, members=[outsider])

    # then the message names them, and the team is unchanged
    assert caught.value.message_dict == {"team": ["Priya Bose is not in the branch."]}
    assert list(accepted.team.values_list("username", flat=True)) == ["teammate"]


def test_records_about_a_person_read_as_their_name(wanjiru):
    # given wanjiru's assignment, reviewer profile and away period
    assignment = ReviewAssignmentFactory(reviewer=wanjiru)
    profile = ReviewerProfileFactory(user=wanjiru)
    away = AwayPeriodFactory(
        reviewer=wanjiru, start=datetime.date(2030, 1, 1), end=datetime.date(2030, 1, 2)
    )

    # then the admin's messages and lists (str) read her name
    assert (str(assignment).split(" — ")[0], str(profile), str(away)) == (
        "Wanjiru Kamau",
        "Wanjiru Kamau",
        "Wanjiru Kamau: 2030-01-01 – 2030-01-02",
    )
