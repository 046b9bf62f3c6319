"""Reminders through the real services: a Celery worker consuming from the configured broker
(Redis in CI, the filesystem transport by default), the configured database (PostgreSQL in
CI) and a real SMTP server on a local port (aiosmtpd), with real time: nothing is eager.

The worker runs in this process and consumes a queue of its own, which every task goes to
(the default queue is switched for the test), so no other worker can take the tasks.
Waiting for it is polling a condition with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
import threading
import time
import uuid
import zoneinfo
from collections.abc import Callable

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.utils import formats, timezone

from cepa_collab.celery import app
from cepa_collab.enums import Role
from cepa_collab.tasks import ping
from notifications import reminders
from notifications.enums import MailState, NotificationKind
from notifications.mail import read_unsubscribe_token
from notifications.models import Notification, Reminder
from notifications.services import muted
from tests.factories import branch, pdf, person
from tests.servers import forget_routing
from workflows import services
from workflows.enums import DeliverableKind, ProductKind

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT = 10.0  # seconds: the most a condition may take to come true
# Real zones spread around the clock: at any instant one of them is between 10:00 and 22:00.
ZONES = [
    "Pacific/Kiritimati",
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/Paris",
    "UTC",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
]


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT):
    """Poll `condition` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout:.0f} s: {what}")
        time.sleep(0.05)


# --- a local SMTP server -----------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler keeping what it accepts; it may refuse the first few DATA."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.refuse_first = refuse_first
        self.attempts = 0
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self.attempts <= self.refuse_first:
                return "451 4.3.0 Temporary failure, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 2.0.0 OK"

    def received(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        with self._lock:
            return list(self.messages)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smtp(settings, handler: Mailbox):
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "notifications.smtp.EmailBackend"  # as settings.py with EMAIL_HOST
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return controller


@pytest.fixture
def mailbox(settings):
    handler = Mailbox()
    controller = _smtp(settings, handler)
    yield handler
    controller.stop()


@pytest.fixture
def flaky_mailbox(settings):
    """Answers 451 (temporary failure) to the first message, accepts the next ones."""
    handler = Mailbox(refuse_first=1)
    controller = _smtp(settings, handler)
    yield handler
    controller.stop()


# --- a real worker on a queue of its own ------------------------------------------------------


@pytest.fixture
def worker(monkeypatch):
    """A worker thread consuming a fresh queue that every task is sent to; not eager."""
    queue = f"test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    # The sentinel task's result comes back through memory (the worker is in this process).
    monkeypatch.setitem(app.conf, "result_backend", "cache+memory://")
    # Earlier eager tests made Celery cache a "disabled" backend: drop it.
    monkeypatch.setattr(app, "_backend_cache", None)
    monkeypatch.delattr(app._local, "backend", raising=False)
    forget_routing(app)
    try:
        with start_worker(
            app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]
        ):
            yield queue
    finally:
        forget_routing(app)  # built again, when next used, from the restored configuration


def drain(queue: str) -> None:
    """Return once the worker has taken everything enqueued before: one worker thread
    takes its queue in order, so a sentinel task done means the ones before it are done."""
    assert ping.apply_async(queue=queue).get(timeout=WAIT) == "pong"


# --- a review due in two days ---------------------------------------------------------------


def _zone_between_10_and_22(now: datetime.datetime) -> str:
    for zone in ZONES:
        if 10 <= now.astimezone(zoneinfo.ZoneInfo(zone)).hour < 22:
            return zone
    raise AssertionError(f"no zone of {ZONES} is between 10:00 and 22:00 at {now}")


@pytest.fixture
def review_due_in_two_days(chief):
    """A reviewer whose local 09:00 has passed today, with a review due the day after
    tomorrow (local): the sweep is in its "2 days before" window now."""
    now = timezone.now()
    zone = _zone_between_10_and_22(now)
    reviewer = person(Role.CEPA_MEMBER, username="amina", country="GHA", time_zone=zone)
    owner = person(Role.BRANCH_STAFF, username="owner", branch_code="e-govb")
    due = now.astimezone(zoneinfo.ZoneInfo(zone)).date() + datetime.timedelta(days=2)
    with muted():  # the assignment's own notification is not what these tests are about
        product = services.create_product(
            chief,
            branch=branch("e-govb"),
            kind=ProductKind.SURVEY,
            title="UN E-Government Survey",
            edition="2026",
            lead=chief,
        )
        deliverable = services.create_deliverable(
            owner,
            product=product,
            owner=owner,
            title="Chapter 3: Digital government",
            kind=DeliverableKind.CHAPTER,
            due_date=due + datetime.timedelta(days=60),
        )
        services.fire_transition(owner, deliverable, "start_drafting")
        services.upload_version(owner, deliverable, pdf("draft.pdf"))
        services.fire_transition(owner, deliverable, "submit_for_review")
        (assignment,) = services.assign_reviewers(owner, deliverable, [reviewer], due)
    return assignment


def expected_subject(assignment) -> str:
    date = formats.date_format(assignment.due_date, "DATE_FORMAT")
    return f"Due in 2 days ({date}): Review of “Chapter 3: Digital government”"


def _reminder_of(user) -> Reminder:
    return Reminder.objects.get(recipient=user)


def test_a_reminder_is_mailed_by_smtp_exactly_once(
    settings, review_due_in_two_days, mailbox, worker
):
    reviewer = review_due_in_two_days.reviewer

    # when beat's sweep runs: the reminder is claimed and its mail enqueued after commit
    first = reminders.sweep_reminders()

    # then the worker mails it: one SMTP message, to the reviewer, multipart, with the
    # unsubscribe header, and the reminder is settled as sent
    assert len(first.claimed) == 1
    wait_for(mailbox.received, "the reminder reached the SMTP server")
    wait_for(
        lambda: _reminder_of(reviewer).state == MailState.SENT, "the reminder was settled as sent"
    )
    (recipients, message), *more = mailbox.received()
    assert more == []
    assert recipients == ["amina@example.org"]
    assert message["To"] == "amina@example.org"
    # (the subject is RFC 2047 encoded and folded: the parsed value starts with the fold)
    assert message["Subject"].strip() == expected_subject(review_due_in_two_days)
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    unsubscribe = message["List-Unsubscribe"].strip()
    prefix, suffix = f"<{settings.SITE_URL}/notifications/unsubscribe/", "/>"
    assert unsubscribe.startswith(prefix) and unsubscribe.endswith(suffix)
    token = unsubscribe.removeprefix(prefix).removesuffix(suffix)
    assert read_unsubscribe_token(token) == {"u": reviewer.pk, "k": "reminder"}

    # when the sweep runs again, and everything enqueued so far has been worked off
    second = reminders.sweep_reminders()
    drain(worker)

    # then nothing more was claimed or mailed
    assert (second.claimed, second.requeued) == ([], [])
    assert len(mailbox.received()) == 1
    reminder = _reminder_of(reviewer)
    assert (reminder.state, reminder.attempts, reminder.offset_days) == (MailState.SENT, 1, -2)
    assert reminder.sent_at is not None
    notification = Notification.objects.get(reminder=reminder)
    assert (notification.user, notification.kind, notification.state) == (
        reviewer,
        NotificationKind.REMINDER,
        MailState.SENT,
    )
    assert notification.subject == expected_subject(review_due_in_two_days)


def test_a_mail_refused_mid_send_is_retried_and_delivered_once(
    settings, review_due_in_two_days, flaky_mailbox, worker
):
    # given retries one second apart, and an SMTP server that answers the first DATA with 451
    settings.MAIL_RETRY_BACKOFF = 1
    reviewer = review_due_in_two_days.reviewer

    # when the sweep claims the reminder
    claimed = reminders.sweep_reminders().claimed

    # then the first send fails mid-transaction with the server, the task is retried after
    # its countdown, and the second attempt delivers the message, once
    assert len(claimed) == 1
    wait_for(flaky_mailbox.received, "the retried reminder reached the SMTP server")
    wait_for(
        lambda: _reminder_of(reviewer).state == MailState.SENT, "the reminder was settled as sent"
    )
    drain(worker)
    assert flaky_mailbox.attempts == 2
    (recipients, message), *more = flaky_mailbox.received()
    assert more == []
    assert recipients == ["amina@example.org"]
    assert message["Subject"].strip() == expected_subject(review_due_in_two_days)
    reminder = _reminder_of(reviewer)
    assert (reminder.state, reminder.attempts, reminder.last_error) == (MailState.SENT, 2, "")
    assert Notification.objects.get(reminder=reminder).state == MailState.SENT
