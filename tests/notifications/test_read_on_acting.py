"""Acting on an item marks its notifications read (`notifications.services.mark_read_for`):
only the person who acts, only the notifications about that item."""

from __future__ import annotations

import datetime

from django.urls import reverse

from meetings import services as meetings
from meetings.enums import Reply
from notifications import services
from notifications.models import Notification
from tests.factories import MeetingFactory, ParticipantFactory
from workflows import services as workflows
from workflows.enums import Recommendation
from workflows.notices import WorkflowNotice


def unread(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .order_by("pk")
        .values_list("link", flat=True)
    )


def other_item(user, link="/elsewhere/1/") -> Notification:
    return services.write(user, WorkflowNotice.DECISION, "About something else", link=link)


# --- the service ---------------------------------------------------------------------------


def test_mark_read_for_only_the_persons_notifications_of_those_links(reviewer, second_reviewer):
    mine = services.write(reviewer, WorkflowNotice.DECISION, "Mine", link="/item/1/")
    elsewhere = other_item(reviewer)
    theirs = services.write(second_reviewer, WorkflowNotice.DECISION, "Theirs", link="/item/1/")

    assert services.mark_read_for(reviewer, "/item/1/") == 1

    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert elsewhere.read_at is None
    assert theirs.read_at is None


def test_mark_read_for_without_a_link_marks_nothing(reviewer):
    services.write(reviewer, WorkflowNotice.DECISION, "No link")

    assert services.mark_read_for(reviewer, "") == 0
    assert unread(reviewer) == [""]


# --- review assignments ---------------------------------------------------------------------


def test_accepting_marks_the_invitation_read(in_review, owner, reviewer, second_reviewer, clock):
    mine, theirs = workflows.assign_reviewers(
        owner, in_review, [reviewer, second_reviewer], datetime.date(2026, 12, 11)
    )
    other_item(reviewer)
    link = reverse("workflows:review", args=[mine.pk])
    assert unread(reviewer) == [link, "/elsewhere/1/"]

    workflows.accept_assignment(reviewer, mine)

    assert unread(reviewer) == ["/elsewhere/1/"]
    assert unread(second_reviewer) == [reverse("workflows:review", args=[theirs.pk])]


def test_declining_marks_the_invitation_read(assignment, reviewer, clock):
    link = reverse("workflows:review", args=[assignment.pk])
    assert unread(reviewer) == [link]

    workflows.decline_assignment(reviewer, assignment, "Away that month")

    assert unread(reviewer) == []


def test_submitting_a_review_marks_its_reminders_read(assignment, reviewer, owner, clock):
    workflows.accept_assignment(reviewer, assignment)
    link = reverse("workflows:review", args=[assignment.pk])
    services.write(reviewer, WorkflowNotice.REVIEW_ASSIGNED, "Review due soon", link=link)
    other_item(reviewer)
    assert unread(reviewer) == [link, "/elsewhere/1/"]

    workflows.save_review(
        reviewer, assignment, recommendation=Recommendation.READY, comments="Sound."
    )
    assert unread(reviewer) == [link, "/elsewhere/1/"]  # a draft saved is not the act

    workflows.save_review(
        reviewer,
        assignment,
        recommendation=Recommendation.READY,
        comments="Sound.",
        submit=True,
    )

    assert unread(reviewer) == ["/elsewhere/1/"]


def test_deciding_marks_the_deliverables_notifications_read(
    assignment, reviewer, owner, chief, clock
):
    workflows.accept_assignment(reviewer, assignment)
    workflows.save_review(
        reviewer,
        assignment,
        recommendation=Recommendation.READY,
        comments="Sound.",
        submit=True,
    )
    link = reverse("workflows:deliverable", args=[assignment.deliverable_id])
    services.write(chief, WorkflowNotice.DECISION, "Ready for your decision", link=link)
    other_item(chief)
    owners_before = unread(owner)
    assert link in owners_before

    workflows.fire_transition(chief, assignment.deliverable_id, "approve")

    assert unread(chief) == ["/elsewhere/1/"]
    # the owner did not act: what they had unread stays so (and they are told of the decision)
    assert unread(owner) == [*owners_before, link]


# --- meetings -------------------------------------------------------------------------------


def test_replying_to_a_meeting_marks_its_invitation_read(reviewer, second_reviewer):
    meeting = MeetingFactory()
    other = MeetingFactory()
    ParticipantFactory(meeting=meeting, user=reviewer)
    ParticipantFactory(meeting=meeting, user=second_reviewer)
    ParticipantFactory(meeting=other, user=reviewer)
    link = reverse("meetings:detail", args=[meeting.pk])
    other_link = reverse("meetings:detail", args=[other.pk])
    assert unread(reviewer) == [link, other_link]

    meetings.set_reply(reviewer, meeting, Reply.ACCEPTED)

    assert unread(reviewer) == [other_link]
    assert unread(second_reviewer) == [link]
