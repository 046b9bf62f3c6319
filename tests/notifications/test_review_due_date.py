"""Moving a review assignment's due date: the owner or the chief, while the review is
outstanding; the reviewer is told, the reminders start over for the new date, the
deliverable's audit trail keeps the change."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from rest_framework.test import APIClient

from cepa_collab.enums import Role
from notifications import reminders
from notifications.models import Notification, Reminder
from tests.factories import person
from workflows import services
from workflows.enums import DeliverableAction
from workflows.models import DeliverableHistory, ReviewAssignment

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
# The fixtures' assignment is due Friday 11 December 2026, 09:00 in Accra (UTC).
REVIEW_DUE = datetime.datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
REVIEW = "Review of “Chapter 3: Digital government”"
URL = "/api/v1/review-assignments/{}/due-date/"


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run() -> list[tuple[str, str]]:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminders.sweep_reminders()
        return [(message.to[0], message.subject) for message in mail.outbox[before:]]

    return run


def _post(user, assignment, **data):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(URL.format(assignment.pk), data, format="json")


def test_a_moved_review_date_rearms_its_reminders(clock, assignment, owner, sweep):
    # given the reviewer's "2 days before" reminder sent
    clock.move_to(REVIEW_DUE - 2 * DAY)
    assert sweep() == [("amina@example.org", f"Due in 2 days (11 December 2026): {REVIEW}")]

    # when the owner gives a week more
    services.change_assignment_due_date(
        owner, assignment, datetime.date(2026, 12, 18), "The annex arrives on Monday."
    )
    mail.outbox.clear()

    # then the old date's "due today" never goes: the new date's reminders go in their turn
    clock.move_to(REVIEW_DUE)
    assert sweep() == [("amina@example.org", f"Due in 7 days (18 December 2026): {REVIEW}")]
    clock.move_to(REVIEW_DUE + 5 * DAY)
    assert sweep() == [("amina@example.org", f"Due in 2 days (18 December 2026): {REVIEW}")]
    assert list(
        Reminder.objects.filter(deadline__kind="review")
        .order_by("pk")
        .values_list("offset_days", "due_date")
    ) == [
        (-2, datetime.date(2026, 12, 11)),
        (-7, datetime.date(2026, 12, 18)),
        (-2, datetime.date(2026, 12, 18)),
    ]


def test_the_reviewer_is_told_and_the_audit_trail_keeps_it(clock, assignment, owner, reviewer):
    services.change_assignment_due_date(
        owner, assignment, datetime.date(2026, 12, 18), "The annex arrives on Monday."
    )

    note = Notification.objects.filter(user=reviewer).latest("pk")
    assert note.subject == "Review of “Chapter 3: Digital government” now due 18 December 2026"
    assert "it was due 11 December 2026" in note.body
    assert "The annex arrives on Monday." in note.body
    entry = DeliverableHistory.objects.filter(action=DeliverableAction.DUE_DATE).get()
    assert (entry.assignment_id, entry.old_due_date, entry.new_due_date, entry.comment) == (
        assignment.pk,
        datetime.date(2026, 12, 11),
        datetime.date(2026, 12, 18),
        "The annex arrives on Monday.",
    )


@pytest.mark.django_db
def test_api_owner_and_chief_may_the_reviewer_and_others_may_not(
    clock, assignment, owner, chief, reviewer, second_reviewer
):
    other_staff = person(Role.BRANCH_STAFF, username="other_staff", branch_code="pacb")

    refused = {
        "reviewer": _post(
            reviewer, assignment, due_date="2026-12-30", reason="More time"
        ).status_code,
        "bruno": _post(second_reviewer, assignment, due_date="2026-12-30", reason="x").status_code,
        "other": _post(other_staff, assignment, due_date="2026-12-30", reason="x").status_code,
    }
    unchanged = ReviewAssignment.objects.get(pk=assignment.pk).due_date
    by_owner = _post(owner, assignment, due_date="2026-12-18", reason="Annex late.")
    by_chief = _post(chief, assignment, due_date="2026-12-21", reason="Holidays.")

    assert refused == {"reviewer": 403, "bruno": 404, "other": 404}
    assert unchanged == datetime.date(2026, 12, 11)
    assert (by_owner.status_code, by_owner.json()["due_date"]) == (200, "2026-12-18")
    assert (by_chief.status_code, by_chief.json()["due_date"]) == (200, "2026-12-21")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"reason": "x"}, {"due_date": ["This field is required."]}),
        (
            {"due_date": "2026-12-11", "reason": "x"},
            {"due_date": ["That is already the due date."]},
        ),
        ({"due_date": "2026-12-01", "reason": "x"}, {"due_date": ["The due date is in the past."]}),
        ({"due_date": "2026-12-18", "reason": "  "}, {"reason": ["Say why the due date moves."]}),
        ({"due_date": "soon", "reason": "x"}, None),
    ],
)
def test_api_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    clock, assignment, owner, data, errors
):
    response = _post(owner, assignment, **data)

    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert list(response.json()) == ["due_date"]
    assert ReviewAssignment.objects.get(pk=assignment.pk).due_date == datetime.date(2026, 12, 11)
    assert not DeliverableHistory.objects.filter(action=DeliverableAction.DUE_DATE).exists()


def test_a_submitted_review_keeps_its_date(clock, assignment, owner, reviewer):
    services.save_review(
        reviewer, assignment, recommendation="ready", comments="Fine.", submit=True
    )

    response = _post(owner, assignment, due_date="2026-12-18", reason="Late.")

    assert response.status_code == 409
    assert ReviewAssignment.objects.get(pk=assignment.pk).due_date == datetime.date(2026, 12, 11)


# --- the page --------------------------------------------------------------------------------


def _page(assignment) -> str:
    return f"/assignments/{assignment.pk}/due-date/"


def test_page_owner_and_chief_may_the_reviewer_and_others_may_not(
    client, clock, assignment, owner, chief, reviewer, second_reviewer
):
    other_staff = person(Role.BRANCH_STAFF, username="other_staff", branch_code="pacb")
    statuses = {}
    for user in (reviewer, second_reviewer, other_staff):
        client.force_login(user)
        statuses[user.username] = (
            client.get(_page(assignment)).status_code,
            client.post(
                _page(assignment), {"due_date": "2026-12-30", "reason": "Mine."}
            ).status_code,
        )
    unchanged = ReviewAssignment.objects.get(pk=assignment.pk).due_date
    client.force_login(owner)
    form = client.get(_page(assignment))
    moved = client.post(
        _page(assignment), {"due_date": "2026-12-18", "reason": "Annex late."}, follow=True
    )

    assert statuses == {"amina": (403, 403), "bruno": (404, 404), "other_staff": (404, 404)}
    assert unchanged == datetime.date(2026, 12, 11)
    assert form.status_code == 200
    assert 'value="2026-12-11"' in form.content.decode()
    assert moved.redirect_chain == [(f"/deliverables/{assignment.deliverable_id}/", 302)]
    page = moved.content.decode()
    name, by = reviewer.get_full_name(), owner.get_full_name()
    assert f"The review by {name} is now due 18 December 2026; they were told." in page
    assert (
        f"<td>{by}</td>\n        <td>Due date change</td>\n"
        "        <td></td>\n"
        f"        <td>Review by {name}. Due date moved from 2026-12-11 to 2026-12-18.</td>\n"
        "        <td>Annex late.</td>"
    ) in page
    assert ReviewAssignment.objects.get(pk=assignment.pk).due_date == datetime.date(2026, 12, 18)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_date": "", "reason": "x"}, "This field is required."),
        ({"due_date": "2026-12-01", "reason": "x"}, "The due date is in the past."),
        ({"due_date": "2026-12-18", "reason": ""}, "This field is required."),
    ],
)
def test_page_bad_input_shows_the_error_and_changes_nothing(
    client, clock, assignment, owner, data, message
):
    client.force_login(owner)

    response = client.post(_page(assignment), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ReviewAssignment.objects.get(pk=assignment.pk).due_date == datetime.date(2026, 12, 11)


def test_deliverable_page_offers_the_change_to_the_owner_only(
    client, clock, assignment, owner, reviewer
):
    link = f'href="{_page(assignment)}"'
    client.force_login(owner)
    for_owner = client.get(f"/deliverables/{assignment.deliverable_id}/").content.decode()
    client.force_login(reviewer)
    for_reviewer = client.get(f"/deliverables/{assignment.deliverable_id}/").content.decode()

    assert link in for_owner
    assert link not in for_reviewer


def test_other_reviewers_do_not_see_the_move_in_the_timeline(
    client, clock, assignment, owner, second_reviewer
):
    services.assign_reviewers(
        owner, assignment.deliverable, [second_reviewer], datetime.date(2026, 12, 11)
    )
    services.change_assignment_due_date(owner, assignment, datetime.date(2026, 12, 18), "Late.")
    client.force_login(second_reviewer)

    page = client.get(f"/deliverables/{assignment.deliverable_id}/").content.decode()

    assert f"Review by {assignment.reviewer.get_full_name()}" not in page
    assert "Due date moved" not in page
