"""`notify`: a notification is part of the change it reports (stored in the caller's
transaction, mailed only after commit), in the person's language and time zone, and
reaches them as they prefer for its kind. The workflow's events notify the right people,
once each."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from cepa_collab.enums import Role
from meetings.notices import MeetingNotice
from notifications import services
from notifications.enums import Delivery, MailState
from notifications.models import Notification
from notifications.services import N_
from tests.factories import person
from tests.notifications.conftest import START, pdf
from workflows import services as workflows
from workflows.enums import Recommendation
from workflows.models import ReviewAssignment
from workflows.notices import WorkflowNotice

pytestmark = pytest.mark.django_db

SUBJECT = N_("Review requested: %(title)s, due %(due)s")
BODY = N_("You are asked to review “%(title)s” by %(due)s.")
PARAMS = {"title": "Chapter 3", "due": datetime.date(2026, 12, 11)}


def tell(user, kind: str = WorkflowNotice.REVIEW_ASSIGNED):
    return services.notify(
        user, kind, subject=SUBJECT, body=BODY, params=PARAMS, link="/reviews/mine/"
    )


def notes() -> list[tuple[str, str]]:
    """(username, kind) of every notification, oldest first."""
    return list(Notification.objects.order_by("pk").values_list("user__username", "kind"))


# --- transaction and preference ---------------------------------------------------------------


def test_notify_rolled_back_with_its_change_leaves_nothing(
    clock, reviewer, django_capture_on_commit_callbacks
):
    # when the change that notifies is rolled back
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell(reviewer)
        raise RuntimeError("the change failed")

    # then there is no notification, and no mail, not even enqueued
    assert Notification.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_notify_immediate_mails_once_only_after_commit(
    clock, reviewer, django_capture_on_commit_callbacks
):
    # when a notification is written (immediate is the default)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = tell(reviewer)
        # then nothing is mailed before the transaction commits
        assert mail.outbox == []
        assert Notification.objects.get().state == MailState.PENDING

    # and once it commits, one mail goes, and the record says it went
    assert len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()  # a retried task sends nothing more
    [message] = mail.outbox
    assert message.to == [reviewer.email]
    assert message.subject == "Review requested: Chapter 3, due 11 December 2026"
    note.refresh_from_db()
    assert (note.state, note.sent_at, note.attempts) == (MailState.SENT, START, 1)


def test_notify_digest_preference_waits_for_the_digest(
    clock, reviewer, django_capture_on_commit_callbacks
):
    services.set_preferences(reviewer, {WorkflowNotice.REVIEW_ASSIGNED: Delivery.DIGEST})

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        note = tell(reviewer)

    assert (note.state, note.digest_id) == (MailState.DIGEST, None)
    assert callbacks == []
    assert mail.outbox == []


def test_notify_none_preference_stores_without_mail(
    clock, reviewer, django_capture_on_commit_callbacks
):
    services.set_preferences(reviewer, {WorkflowNotice.REVIEW_ASSIGNED: Delivery.NONE})

    with django_capture_on_commit_callbacks(execute=True):
        note = tell(reviewer)

    # kept in the notification centre, unread, never mailed
    assert note.state == MailState.SKIPPED
    assert list(services.notifications_of(reviewer)) == [note]
    assert services.unread_count(reviewer) == 1
    assert mail.outbox == []


def test_notify_preference_is_per_kind(clock, reviewer, django_capture_on_commit_callbacks):
    services.set_preferences(reviewer, {WorkflowNotice.DECISION: Delivery.NONE})

    with django_capture_on_commit_callbacks(execute=True):
        assigned = tell(reviewer, WorkflowNotice.REVIEW_ASSIGNED)
        decided = tell(reviewer, WorkflowNotice.DECISION)

    assigned.refresh_from_db()
    assert (assigned.state, decided.state) == (MailState.SENT, MailState.SKIPPED)
    assert len(mail.outbox) == 1


def test_notify_muted_does_nothing(clock, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), services.muted():
        assert tell(reviewer) is None

    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_notify_inactive_user_does_nothing(clock, reviewer, django_capture_on_commit_callbacks):
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        assert tell(reviewer) is None

    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("delivery", [Delivery.IMMEDIATE, Delivery.DIGEST])
def test_notify_user_without_address_stored_not_mailed(
    clock, django_capture_on_commit_callbacks, delivery
):
    nameless = person(Role.CEPA_MEMBER, username="noaddress", email="")
    services.set_preferences(nameless, {WorkflowNotice.REVIEW_ASSIGNED: delivery})

    with django_capture_on_commit_callbacks(execute=True):
        note = tell(nameless)

    assert (note.user, note.state) == (nameless, MailState.SKIPPED)
    assert mail.outbox == []


def test_notify_writes_in_the_users_language_and_time_zone(clock):
    # given a French speaker in Paris and an English speaker in Sao Paulo
    claire = person(Role.CEPA_MEMBER, username="claire", time_zone="Europe/Paris", language="fr")
    bruno = person(Role.CEPA_MEMBER, username="bruno", time_zone="America/Sao_Paulo")
    at = datetime.datetime(2026, 12, 11, 7, 30, tzinfo=datetime.UTC)

    # when both are told of the same moment
    for user in (claire, bruno):
        services.notify(
            user,
            MeetingNotice.MEETING,
            subject=N_("Meeting changed: %(title)s, %(start)s"),
            params={"title": "EGM", "start": at},
        )

    # then each reads it in their language, at their own clock time (Claire's words depend on
    # the French catalogue, her date does not)
    subjects = dict(Notification.objects.values_list("user__username", "subject"))
    assert subjects["bruno"] == "Meeting changed: EGM, 11 December 2026, 04:30"
    assert subjects["claire"].endswith("EGM, 11 décembre 2026, 08:30")


# --- workflow events --------------------------------------------------------------------------


def test_assigning_reviewers_notifies_each_reviewer_once(
    in_review, owner, reviewer, second_reviewer
):
    before = Notification.objects.count()

    workflows.assign_reviewers(
        owner, in_review, [reviewer, second_reviewer], datetime.date(2026, 12, 11)
    )

    assert notes()[before:] == [
        ("amina", WorkflowNotice.REVIEW_ASSIGNED),
        ("bruno", WorkflowNotice.REVIEW_ASSIGNED),
    ]
    amina = Notification.objects.get(user=reviewer)
    assert amina.subject == "Review requested: Chapter 3: Digital government, due 11 December 2026"
    # each is led to their own assignment (acting on it marks the notification read)
    assert amina.link == reverse(
        "workflows:review", args=[ReviewAssignment.objects.get(reviewer=reviewer).pk]
    )


def test_withdrawing_an_assignment_notifies_the_reviewer_once(assignment, owner):
    before = Notification.objects.count()

    workflows.withdraw_assignment(owner, assignment, reason="Conflict of interest")

    assert notes()[before:] == [("amina", WorkflowNotice.REVIEW_WITHDRAWN)]


def test_declining_notifies_the_owner_once(assignment, reviewer):
    before = Notification.objects.count()

    workflows.decline_assignment(reviewer, assignment, "Travelling that week")

    assert notes()[before:] == [("owner", WorkflowNotice.REVIEW_WITHDRAWN)]


def test_submitting_a_review_notifies_the_owner_once(assignment, reviewer):
    before = Notification.objects.count()

    workflows.save_review(
        reviewer,
        assignment,
        recommendation=Recommendation.MINOR_REVISION,
        comments="Tighten section 2.",
        submit=True,
    )

    # the owner once; and the chief, as it was the round's only review owed
    assert notes()[before:] == [
        ("owner", WorkflowNotice.REVIEW_SUBMITTED),
        ("chief", WorkflowNotice.DECISION_READY),
    ]
    note = Notification.objects.get(kind=WorkflowNotice.REVIEW_SUBMITTED)
    assert note.link == f"/deliverables/{assignment.deliverable_id}/"


@pytest.mark.parametrize(
    ("transition", "comment", "state"),
    [
        ("approve", "", "Approved"),
        ("return_for_revision", "Shorten chapter 3.", "Revising"),
    ],
)
def test_decision_notifies_owner_and_round_reviewers_not_the_actor(
    in_review, owner, reviewer, second_reviewer, chief, transition, comment, state
):
    # given two reviewers of the round who both submitted
    workflows.assign_reviewers(
        owner, in_review, [reviewer, second_reviewer], datetime.date(2026, 12, 11)
    )
    for assignment in in_review.assignments.all():
        workflows.save_review(
            assignment.reviewer,
            assignment,
            recommendation=Recommendation.READY,
            comments="Fine.",
            submit=True,
        )
    before = Notification.objects.count()

    # when the chief decides
    workflows.fire_transition(chief, in_review, transition, comment=comment)

    # then the owner and both reviewers are told, once each; the chief is not
    decided = sorted(notes()[before:])
    assert decided == [
        ("amina", WorkflowNotice.DECISION),
        ("bruno", WorkflowNotice.DECISION),
        ("owner", WorkflowNotice.DECISION),
    ]
    note = Notification.objects.get(user=owner, kind=WorkflowNotice.DECISION)
    assert note.subject == f"Chapter 3: Digital government: {state}"
    assert note.link == f"/deliverables/{in_review.pk}/"


def test_decision_does_not_notify_reviewers_of_an_earlier_round(
    in_review, owner, reviewer, second_reviewer, chief
):
    # given Amina reviewed round 1, and round 2 is reviewed by Bruno
    [first] = workflows.assign_reviewers(owner, in_review, [reviewer], datetime.date(2026, 12, 11))
    workflows.save_review(
        reviewer, first, recommendation=Recommendation.NOT_READY, comments="No.", submit=True
    )
    workflows.fire_transition(chief, in_review, "return_for_revision", comment="Rework it.")
    workflows.upload_version(owner, in_review, pdf("draft-2.pdf"))
    workflows.fire_transition(owner, in_review, "submit_for_review")
    [second] = workflows.assign_reviewers(
        owner, in_review, [second_reviewer], datetime.date(2026, 12, 18)
    )
    workflows.save_review(
        second_reviewer, second, recommendation=Recommendation.READY, comments="Ok.", submit=True
    )
    before = Notification.objects.count()

    workflows.fire_transition(chief, in_review, "approve")

    assert sorted(notes()[before:]) == [
        ("bruno", WorkflowNotice.DECISION),
        ("owner", WorkflowNotice.DECISION),
    ]
