"""The mails: plain text and HTML from the same content, in the recipient's language, with
a direct absolute link, a subject that says what is due and when, and the headers mail
clients use to offer unsubscribing and to hold back automatic replies."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from cepa_collab.enums import Role
from notifications import mail, services
from notifications.enums import MailState, NotificationKind
from notifications.models import Deadline, Digest, Reminder, due_moment
from tests.factories import person
from workflows.deadlines import WorkflowDeadline
from workflows.notices import WorkflowNotice

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 12, 11)
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


@pytest.fixture
def claire(db):
    return person(
        Role.CEPA_MEMBER, username="claire", country="SEN", time_zone="Europe/Paris", language="fr"
    )


def note(user, subject="Review requested: Chapter 3", body="Please review it.", **fields):
    return services.write(
        user, WorkflowNotice.REVIEW_ASSIGNED, subject, body, link="/reviews/7/", **fields
    )


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def reminder_for(user, offset_days: int, *, escalation: bool = False, recipient=None) -> Reminder:
    deadline = Deadline.objects.create(
        kind=WorkflowDeadline.REVIEW,
        object_id=7,
        user=user,
        title="Chapter 3: Digital government",
        link="/reviews/7/",
        due_date=DUE,
        due_at=due_moment(DUE, user.profile.time_zone),
    )
    return Reminder.objects.create(
        deadline=deadline,
        recipient=recipient or user,
        offset_days=offset_days,
        due_date=DUE,
        escalation=escalation,
        created_at=timezone.now(),
    )


# --- shape ------------------------------------------------------------------------------------


def test_notification_mail_multipart_with_absolute_link(clock, reviewer):
    message = mail.notification_message(note(reviewer))

    assert message.to == [reviewer.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Review requested: Chapter 3"
    link = f"{settings.SITE_URL}/reviews/7/"
    assert f"Open it: {link}" in message.body
    assert f'<a href="{link}"' in html_of(message)
    assert message.message().get_content_type() == "multipart/alternative"


def test_mail_headers_unsubscribe_and_auto_submitted(clock, reviewer):
    message = mail.notification_message(note(reviewer))

    headers = message.extra_headers
    unsubscribe = headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    assert unsubscribe.endswith("/>")
    token = unsubscribe.removeprefix(f"<{settings.SITE_URL}/notifications/unsubscribe/")[:-2]
    assert mail.read_unsubscribe_token(token) == {
        "u": reviewer.pk,
        "k": WorkflowNotice.REVIEW_ASSIGNED,
    }
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Content-Language"] == "en"
    # the same links are in the text, for people whose client shows no such button
    assert unsubscribe[1:-1] in message.body
    assert f"{settings.SITE_URL}/notifications/preferences/" in message.body


def test_user_content_escaped_in_html_and_plain_in_text(clock, reviewer):
    # given a notification whose title and text came from people
    written = note(
        reviewer,
        subject='Review requested: <script>alert("x")</script> & co',
        body="Comment: <b>too long</b> & unclear",
    )

    message = mail.notification_message(written)

    html = html_of(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "Comment: &lt;b&gt;too long&lt;/b&gt; &amp; unclear" in html
    # the text part says it as written: no entities, and no markup of ours
    assert 'Review requested: <script>alert("x")</script> & co' in message.body
    assert "Comment: <b>too long</b> & unclear" in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body
    ours = TAG.findall(message.body.replace("<script>", "").replace("</script>", ""))
    assert [tag for tag in ours if tag not in {"<b>", "</b>"}] == []


def test_subject_is_one_line(clock, reviewer):
    written = note(reviewer, subject="Review requested:\n  Chapter 3\r\nBcc: x@example.org")

    message = mail.notification_message(written)

    assert message.subject == "Review requested: Chapter 3 Bcc: x@example.org"
    assert "\n" not in message.message()["Subject"].replace("\n ", " ")


def test_calendar_attachment_is_text_calendar_publish(clock, reviewer):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"
    written = note(reviewer, attachment_name="meeting.ics", attachment=ics)

    message = mail.notification_message(written)

    [part] = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert (part.get_param("method"), part.get_param("charset")) == ("PUBLISH", "utf-8")
    assert part.get_filename() == "meeting.ics"
    assert part.get_payload(decode=True).decode() == ics
    # the whole message holds text, HTML and the file
    types = [item.get_content_type() for item in message.message().walk()]
    assert types == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]


# --- reminders: what is due and when ----------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "subject"),
    [
        (-7, "Due in 7 days (11 December 2026): Review of “Chapter 3: Digital government”"),
        (-1, "Due in 1 day (11 December 2026): Review of “Chapter 3: Digital government”"),
        (0, "Due today (11 December 2026): Review of “Chapter 3: Digital government”"),
        (3, "Overdue by 3 days (due 11 December 2026): Review of “Chapter 3: Digital government”"),
    ],
)
def test_reminder_subject_says_what_is_due_and_when(clock, reviewer, offset, subject):
    reminder = reminder_for(reviewer, offset)

    written_subject, body = mail.reminder_text(reminder)

    assert written_subject == subject
    assert body == "Review of “Chapter 3: Digital government” is due on 11 December 2026."


def test_escalation_names_the_person_late(clock, reviewer, chief):
    reminder = reminder_for(reviewer, 3, escalation=True, recipient=chief)

    subject, body = mail.reminder_text(reminder)

    name = reviewer.get_full_name()
    assert subject == (
        "Overdue by 3 days (due 11 December 2026): "
        f"Review of “Chapter 3: Digital government” — {name}"
    )
    assert f"from {name}, is not done yet" in body


# --- French -----------------------------------------------------------------------------------


def test_french_recipient_mail_in_french(clock, claire):
    # given a reminder for a French-speaking reviewer, written as delivery writes it
    reminder = reminder_for(claire, -7)
    written = services.write(
        claire,
        NotificationKind.REMINDER,
        *mail.reminder_text(reminder),
        link="/reviews/7/",
        reminder=reminder,
    )

    message = mail.notification_message(written)

    # then the date is French whatever the catalogue already translates, and the mail says
    # it is French
    assert "11 décembre 2026" in message.subject
    assert "11 décembre 2026" in message.body
    html = html_of(message)
    assert '<html lang="fr" dir="ltr">' in html
    assert "11 décembre 2026" in html
    assert message.extra_headers["Content-Language"] == "fr"


def test_french_digest_dates_in_french(clock, claire):
    digest = Digest.objects.create(user=claire, local_date=DUE, state=MailState.PENDING)
    items = [note(claire, subject=f"Item {number}", digest=digest) for number in (1, 2)]

    message = mail.digest_message(digest, items)

    assert "11 décembre 2026" in message.subject
    assert "11 décembre 2026" in message.body
    assert '<html lang="fr" dir="ltr">' in html_of(message)
