"""The notifications admin: the reminder policy is edited with its validation, deadlines
and mail records are shown read-only with their filters, and "Send again" / "Mark as sent"
go through `notifications.delivery` (sending an uncertain mail again needs a tick,
because it may send it twice)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import translation

from cepa_collab.enums import Role
from notifications import delivery, reminders
from notifications.enums import MailState
from notifications.models import Deadline, Notification, Reminder, ReminderPolicy
from tests.factories import person
from tests.notifications.test_delivery import BACKEND, FlakyBackend
from workflows.deadlines import WorkflowDeadline
from workflows.notices import WorkflowNotice

UTC = datetime.UTC
SEVEN_DAYS_BEFORE = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
MODELS = ["reminderpolicy", "deadline", "reminder", "notification", "digest"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff_chief(db):
    """A chief with access to the admin site, but no permission on notifications."""
    return person(Role.BRANCH_CHIEF, username="staffchief", branch_code="e-govb", is_staff=True)


def logged_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = BACKEND
    FlakyBackend.failures, FlakyBackend.crash, FlakyBackend.silent = 0, False, False
    yield FlakyBackend
    FlakyBackend.failures, FlakyBackend.crash, FlakyBackend.silent = 0, False, False


@pytest.fixture
def claimed(clock, assignment) -> int:
    """The review's "7 days before" reminder, claimed; its task has not run."""
    clock.move_to(SEVEN_DAYS_BEFORE)
    (pk,) = reminders.sweep_reminders().claimed
    mail.outbox.clear()
    return pk


@pytest.fixture
def failed(claimed, smtp, settings) -> int:
    """The reminder, given up after its only allowed attempt."""
    settings.MAIL_MAX_ATTEMPTS = 1
    smtp.failures = 1
    delivery.deliver_reminder(claimed)
    settings.MAIL_MAX_ATTEMPTS = 6
    assert Reminder.objects.get(pk=claimed).state == MailState.FAILED
    return claimed


@pytest.fixture
def stuck(claimed, smtp, clock) -> int:
    """The reminder, left in "sending" by a worker killed mid-send, its lease over."""
    smtp.crash = True
    with pytest.raises(SystemExit):
        delivery.deliver_reminder(claimed)
    smtp.crash = False
    clock.move_to(SEVEN_DAYS_BEFORE + datetime.timedelta(minutes=20))
    return claimed


@pytest.fixture
def uncertain(claimed, smtp) -> int:
    """The reminder, handed to SMTP whose reply never came."""
    smtp.silent = True
    assert delivery.deliver_reminder(claimed) is False
    smtp.silent = False
    mail.outbox.clear()
    assert Reminder.objects.get(pk=claimed).state == MailState.UNCERTAIN
    return claimed


def run_action(client, action: str, pks, model="reminder", **extra):
    return client.post(
        reverse(f"admin:notifications_{model}_changelist"),
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks],
            "index": "0",
            **extra,
        },
        follow=True,
    )


def state_of(pk: int) -> tuple:
    row = Reminder.objects.get(pk=pk)
    return row.state, row.attempts


# --- who opens what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "secretariat_admin"])
@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_open_for_admins(request, client, claimed, who, model):
    logged_in(client, request.getfixturevalue(who))

    response = client.get(reverse(f"admin:notifications_{model}_changelist"))

    assert response.status_code == 200


def test_admin_preferences_are_for_the_secretariat_admin_not_for_branch_people(
    client, claimed, superuser, secretariat_admin, staff_chief
):
    url = reverse("admin:notifications_notificationpreference_changelist")

    assert logged_in(client, superuser).get(url).status_code == 200
    assert logged_in(client, secretariat_admin).get(url).status_code == 200
    assert logged_in(client, staff_chief).get(url).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_are_403_for_staff_without_permission(client, claimed, staff_chief, model):
    logged_in(client, staff_chief)

    response = client.get(reverse(f"admin:notifications_{model}_changelist"))

    assert response.status_code == 403


def test_admin_lists_send_other_people_to_sign_in(client, claimed, owner):
    for user in [None, owner]:
        if user is not None:
            logged_in(client, user)
        response = client.get(reverse("admin:notifications_reminder_changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_admin_deadlines_and_reminders_cannot_be_added_or_edited(client, claimed, superuser):
    logged_in(client, superuser)

    for model in ["deadline", "reminder", "notification", "digest"]:
        assert client.get(reverse(f"admin:notifications_{model}_add")).status_code == 403
    page = client.get(reverse("admin:notifications_reminder_change", args=[claimed]))
    assert list(page.context["adminform"].form.fields) == []


# --- filters ----------------------------------------------------------------------------------


def test_deadline_list_filters_by_kind_status_and_branch_and_searches_titles(
    client, assignment, in_review, secretariat_admin
):
    logged_in(client, secretariat_admin)
    url = reverse("admin:notifications_deadline_changelist")
    review = Deadline.objects.get(kind=WorkflowDeadline.REVIEW)
    chapter = Deadline.objects.get(kind=WorkflowDeadline.DELIVERABLE)
    Deadline.objects.filter(pk=chapter.pk).update(done_at=SEVEN_DAYS_BEFORE)

    def listed(query: dict) -> list[int]:
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(row.pk for row in response.context["cl"].result_list)

    assert listed({"kind": "review"}) == [review.pk]
    assert listed({"status": "open"}) == [review.pk]
    assert listed({"status": "done"}) == [chapter.pk]
    assert listed({"branch__id__exact": str(review.branch_id)}) == sorted([review.pk, chapter.pk])
    assert listed({"q": "Digital"}) == sorted([review.pk, chapter.pk])
    assert listed({"q": "Foreword"}) == []


def test_reminder_list_filters_the_ones_to_settle(client, stuck, secretariat_admin, clock):
    # given a stuck reminder (not yet swept), and later an uncertain one and a pending one
    logged_in(client, secretariat_admin)
    url = reverse("admin:notifications_reminder_changelist")
    before_sweep = client.get(url, {"uncertain": "yes"}).context["cl"].result_list
    clock.move_to(datetime.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    reminders.sweep_reminders()

    to_settle = client.get(url, {"uncertain": "yes"}).context["cl"].result_list
    uncertain = client.get(url, {"state__exact": "uncertain"}).context["cl"].result_list
    pending = client.get(url, {"state__exact": "pending"}).context["cl"].result_list
    escalations = client.get(url, {"escalation__exact": "1"}).context["cl"].result_list

    assert [row.pk for row in before_sweep] == [stuck]
    assert [row.pk for row in to_settle] == [row.pk for row in uncertain] == [stuck]
    assert sorted(row.offset_days for row in pending) == [3, 3]
    assert [row.recipient.username for row in escalations] == ["chief"]


def test_an_uncertain_reminder_is_shown_as_such_with_its_smtp_exchange(
    client, uncertain, secretariat_admin
):
    logged_in(client, secretariat_admin)

    listing = client.get(reverse("admin:notifications_reminder_changelist"))
    page = client.get(reverse("admin:notifications_reminder_change", args=[uncertain]))

    # the list says "uncertain", not "failed", and ticks it as one to settle
    (row,) = listing.context["cl"].result_list
    assert (row.pk, row.get_state_display()) == (uncertain, "Uncertain: may have gone")
    assert "Uncertain: may have gone" in listing.content.decode()
    # the record's page shows the last SMTP exchange, its error and its Message-ID
    html = page.content.decode()
    assert "&lt; 354 Go ahead<br>&gt; (the message)<br>&lt; no reply" in html
    assert (
        "The message was handed over, but the server&#x27;s reply never came. "
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    ) in html
    created = int(Reminder.objects.get(pk=uncertain).created_at.timestamp())
    assert f"&lt;reminder.{uncertain}.{created}@127.0.0.1&gt;" in html


def test_an_uncertain_reminder_is_sent_again_only_with_the_tick(
    client, uncertain, secretariat_admin, django_capture_on_commit_callbacks
):
    logged_in(client, secretariat_admin)

    with django_capture_on_commit_callbacks(execute=True):
        refused = run_action(client, "send_again", [uncertain])
    assert texts(refused) == [
        "1 of the selected mails is uncertain and may have gone already: tick “Send "
        "uncertain mails again too” to send it again. Nothing was changed."
    ]
    assert state_of(uncertain) == (MailState.UNCERTAIN, 1)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, "send_again", [uncertain], send_twice_ok="on")
    assert texts(response) == ["1 mail sent again."]
    assert state_of(uncertain) == (MailState.SENT, 1)
    assert len(mail.outbox) == 1
    created = int(Reminder.objects.get(pk=uncertain).created_at.timestamp())
    assert mail.outbox[0].extra_headers["Message-ID"] == (
        f"<reminder.{uncertain}.{created}@127.0.0.1>"
    )


def test_an_uncertain_reminder_marked_as_sent_is_settled_without_mailing(
    client, uncertain, secretariat_admin
):
    logged_in(client, secretariat_admin)

    response = run_action(client, "mark_sent", [uncertain])

    row = Reminder.objects.get(pk=uncertain)
    assert texts(response) == ["1 mail marked as sent."]
    assert (row.state, row.sent_at) == (MailState.SENT, SEVEN_DAYS_BEFORE)
    assert Notification.objects.get(reminder=row).state == MailState.SENT
    assert mail.outbox == []


# --- the reminder policy -------------------------------------------------------------------------


def test_policy_with_bad_days_shows_a_form_error_and_saves_nothing(client, secretariat_admin):
    logged_in(client, secretariat_admin)

    response = client.post(
        reverse("admin:notifications_reminderpolicy_add"),
        {
            "kind": WorkflowDeadline.REVIEW,
            "days_before": "7, soon",
            "overdue_every_days": "3",
            "overdue_max": "5",
            "escalate": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "days_before": ["Write whole numbers of days separated by commas."]
    }
    assert not ReminderPolicy.objects.exists()


def test_policy_edited_in_the_admin_changes_the_offsets(client, secretariat_admin):
    logged_in(client, secretariat_admin)

    response = client.post(
        reverse("admin:notifications_reminderpolicy_add"),
        {
            "kind": WorkflowDeadline.REVIEW,
            "days_before": "3",
            "overdue_every_days": "7",
            "overdue_max": "2",
        },
    )

    assert response.status_code == 302
    assert reminders.policies()[WorkflowDeadline.REVIEW].offsets() == [-3, 7, 14]
    assert reminders.policies()[WorkflowDeadline.REVIEW].escalate is False
    listing = client.get(reverse("admin:notifications_reminderpolicy_changelist"))
    assert "3 days before, 7 days overdue, 14 days overdue" in listing.content.decode()


# --- actions -----------------------------------------------------------------------------------


def test_send_again_sends_a_failed_reminder_once(
    client, failed, secretariat_admin, django_capture_on_commit_callbacks
):
    logged_in(client, secretariat_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, "send_again", [failed])

    assert texts(response) == ["1 mail sent again."]
    assert state_of(failed) == (MailState.SENT, 1)
    assert Notification.objects.get(reminder_id=failed).state == MailState.SENT
    assert len(mail.outbox) == 1


def test_send_again_of_a_stuck_reminder_needs_the_tick(
    client, stuck, secretariat_admin, django_capture_on_commit_callbacks
):
    logged_in(client, secretariat_admin)

    # when sent again without ticking "Send uncertain mails again too"
    with django_capture_on_commit_callbacks(execute=True):
        refused = run_action(client, "send_again", [stuck])

    # then nothing changed and the admin is told why
    assert texts(refused) == [
        "1 of the selected mails is uncertain and may have gone already: tick “Send "
        "uncertain mails again too” to send it again. Nothing was changed."
    ]
    assert state_of(stuck) == (MailState.SENDING, 1)
    assert mail.outbox == []

    # when sent again with the tick, then it is sent again, once
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, "send_again", [stuck], send_twice_ok="on")
    assert texts(response) == ["1 mail sent again."]
    assert state_of(stuck) == (MailState.SENT, 1)
    assert len(mail.outbox) == 1


def test_send_again_leaves_sent_and_in_flight_reminders(
    client, claimed, secretariat_admin, django_capture_on_commit_callbacks
):
    delivery.deliver_reminder(claimed)
    mail.outbox.clear()
    logged_in(client, secretariat_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, "send_again", [claimed], send_twice_ok="on")

    assert texts(response) == [
        "1 selected mail was left as it was (already settled, or still being sent)."
    ]
    assert state_of(claimed) == (MailState.SENT, 1)
    assert mail.outbox == []


def test_mark_as_sent_settles_a_stuck_reminder_without_mailing(client, stuck, secretariat_admin):
    logged_in(client, secretariat_admin)

    response = run_action(client, "mark_sent", [stuck])

    row = Reminder.objects.get(pk=stuck)
    assert texts(response) == ["1 mail marked as sent."]
    assert (row.state, row.lease_until, row.sent_at) == (
        MailState.SENT,
        None,
        SEVEN_DAYS_BEFORE + datetime.timedelta(minutes=20),
    )
    assert Notification.objects.get(reminder=row).state == MailState.SENT
    assert mail.outbox == []


def test_actions_are_refused_to_staff_without_permission(
    client, stuck, staff_chief, django_capture_on_commit_callbacks
):
    logged_in(client, staff_chief)

    with django_capture_on_commit_callbacks(execute=True):
        retry = run_action(client, "send_again", [stuck], send_twice_ok="on")
        mark = run_action(client, "mark_sent", [stuck])

    assert (retry.status_code, mark.status_code) == (403, 403)
    assert state_of(stuck) == (MailState.SENDING, 1)
    assert mail.outbox == []


def test_send_again_of_a_failed_notification(
    client, clock, reviewer, smtp, settings, secretariat_admin, django_capture_on_commit_callbacks
):
    from notifications import services
    from notifications.services import N_

    settings.MAIL_MAX_ATTEMPTS = 1
    smtp.failures = 1
    notification = services.notify(reviewer, WorkflowNotice.DECISION, subject=N_("Approved"))
    delivery.deliver_notification(notification.pk)
    settings.MAIL_MAX_ATTEMPTS = 6
    logged_in(client, secretariat_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, "send_again", [notification.pk], model="notification")

    notification.refresh_from_db()
    assert texts(response) == ["1 mail sent again."]
    assert (notification.state, notification.attempts) == (MailState.SENT, 1)
    assert [message.subject for message in mail.outbox] == ["Approved"]
