"""Mail under SMTP faults, against a real SMTP server started by the test (aiosmtpd on a
local port) that can be made silent after the DATA, slow, or silent at the QUIT.

- Silent after DATA: the message was handed over and no reply came; it may have been
  delivered, so it is recorded uncertain with the exchange, never resent automatically
  (before: retried, 10 reminders arrived 6 times each).
- Slow: a 100-mail batch goes on one connection per task, each task bounded by time and
  handing the rest on (before: a new connection per message and a batch that outlived
  its time limits); every mail once, none left "sending".
- The soft time limit arriving while the reply is awaited makes the mail uncertain and
  stops the batch, handing the rest on.
- A QUIT left unanswered after a 250 changes nothing: the mail went.

Time in the batch loop is an injected clock where the test is about time; the servers'
delays are real but a fraction of a second, so each test takes a few seconds at most.
"""

from __future__ import annotations

import asyncio
import datetime
import email
import email.policy
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from cepa_collab.enums import Role
from notifications import delivery, reminders, smtp
from notifications.enums import MailState
from notifications.models import Deadline, Notification, Reminder
from tests.factories import person
from tests.notifications.test_real_worker import _free_port, drain, wait_for
from tests.notifications.test_real_worker import worker as worker  # the fixture
from workflows.deadlines import WorkflowDeadline

UTC = datetime.UTC
SEVEN_DAYS_BEFORE = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TIMEOUT = 0.25  # EMAIL_TIMEOUT in these tests: a silent server costs this much per mail


class Server:
    """An aiosmtpd handler that keeps what it accepts, and answers the DATA after
    `data_delay` seconds (past EMAIL_TIMEOUT: silent after DATA, from the client's side)
    and the QUIT after `quit_delay` seconds."""

    def __init__(self, data_delay: float = 0.0, quit_delay: float = 0.0) -> None:
        self.data_delay = data_delay
        self.quit_delay = quit_delay
        self.messages: list[email.message.EmailMessage] = []
        self.peers: list[tuple] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:  # accepted (queued for delivery) before answering
            self.messages.append(message)
            self.peers.append(session.peer)
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 2.0.0 OK queued"

    async def handle_QUIT(self, server, session, envelope) -> str:
        if self.quit_delay:
            await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(message["Message-ID"] for message in self.messages)

    def connections(self) -> int:
        with self._lock:
            return len(set(self.peers))

    def count(self) -> int:
        with self._lock:
            return len(self.messages)


@pytest.fixture
def serve(settings):
    """Start a `Server` on a free port and point the mail settings at it."""
    controllers = []

    def start(handler: Server) -> Server:
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "notifications.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = TIMEOUT
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def due_reminders(count: int) -> list[int]:
    """`count` claimed reminders to one reviewer, each of its own deadline, their tasks
    not enqueued (bulk: cheap for a 100-mail batch)."""
    reviewer = person(Role.CEPA_MEMBER, username="amina", country="GHA", time_zone="UTC")
    now = timezone.now()
    due = now.date() + datetime.timedelta(days=2)
    deadlines = Deadline.objects.bulk_create(
        Deadline(
            kind=WorkflowDeadline.REVIEW,
            object_id=number,
            user=reviewer,
            title=f"Chapter {number}",
            link=f"/reviews/{number}/",
            due_date=due,
            due_at=now + datetime.timedelta(days=2),
        )
        for number in range(1, count + 1)
    )
    rows = Reminder.objects.bulk_create(
        Reminder(
            deadline=deadline,
            recipient=reviewer,
            offset_days=-2,
            due_date=due,
            created_at=now,
            next_attempt_at=now + datetime.timedelta(hours=1),
        )
        for deadline in deadlines
    )
    return [row.pk for row in rows]


def states(ids: list[int]) -> Counter:
    return Counter(Reminder.objects.filter(pk__in=ids).values_list("state", flat=True))


# --- silent after DATA -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mail_whose_reply_never_came_is_uncertain_and_never_resent(serve, settings, caplog):
    # given a server that accepts the message and answers long after EMAIL_TIMEOUT
    server = serve(Server(data_delay=4 * TIMEOUT))
    (pk,) = due_reminders(1)

    # when the reminder is delivered, then delivered again (a duplicated task), and swept
    first = delivery.deliver_reminder(pk)
    second = delivery.deliver_reminder(pk)
    sweep = reminders.sweep_reminders(timezone.now() + datetime.timedelta(days=1))

    # then it was handed over once, and is uncertain (not failed, not pending): never resent
    row = Reminder.objects.get(pk=pk)
    assert (first, second, sweep.requeued, sweep.stuck) == (False, False, [], 0)
    assert server.count() == 1
    assert (row.state, row.attempts, row.lease_until, row.sent_at) == (
        MailState.UNCERTAIN,
        1,
        None,
        None,
    )
    assert row.last_error.startswith(
        "The message was handed over, but the server's reply never came. "
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    )
    assert Notification.objects.get(reminder=row).state == MailState.UNCERTAIN
    # the exchange shows how far it got, step by step, and that the reply never came
    steps = [line.split(" s ", 1)[1] for line in row.smtp_exchange.splitlines()]
    assert [step.split(" ")[0] for step in steps] == [
        "connect",
        "<",  # 220 greeting
        ">",  # EHLO
        "<",
        ">",  # MAIL FROM
        "<",
        ">",  # RCPT TO
        "<",
        ">",  # DATA
        "<",  # 354
        ">",  # the message
        "<",  # no reply
        "!",
    ]
    assert steps[0] == f"connect 127.0.0.1:{settings.EMAIL_PORT}"
    assert steps[6:11] == [
        "> rcpt TO:<amina@example.org>",
        "< 250 OK",
        "> data",
        "< 354 End data with <CR><LF>.<CR><LF>",
        steps[10],
    ]
    assert steps[10].startswith("> (the message, ") and steps[10].endswith(" and its final dot)")
    assert steps[11] == (
        "< no reply (SMTPServerDisconnected: Connection unexpectedly closed: timed out)"
    )
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"Mailing Reminder {pk} is uncertain: it was handed to SMTP and no reply came "
        "(SMTPServerDisconnected: Connection unexpectedly closed: timed out). It is not sent "
        "again automatically: check the SMTP log, then mark it as sent or send it again in "
        "the admin."
    ]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_silent_smtp_after_data_with_a_real_worker_sends_no_duplicate(serve, worker, settings):
    # given retries one second apart (they would come within the test), and a server silent
    # after the DATA: it queues each message and answers after the client gave up
    settings.MAIL_RETRY_BACKOFF, settings.MAIL_MAX_ATTEMPTS = 1, 3
    server = serve(Server(data_delay=4 * TIMEOUT))
    ids = due_reminders(10)

    # when the ten reminders are enqueued and a real worker delivers them
    # (the test reads the server until the worker is done, never the database that the
    # worker writes: SQLite's shared in-memory test database locks whole tables)
    delivery.enqueue_reminders(ids)
    wait_for(lambda: server.count() >= 10, "the ten reached the server")
    drain(worker)

    # then each was handed over once (0 duplicates), and all ten wait for a person
    assert server.count() == 10
    assert sorted(server.message_ids().values()) == [1] * 10
    assert states(ids) == {MailState.UNCERTAIN: 10}
    assert list(Reminder.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == [1] * 10


# --- slow: a 100-mail batch ------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_slow_smtp_for_a_100_mail_batch_delivers_each_once_on_few_connections(
    serve, worker, settings
):
    # given a server slow to accept each message, and batches of half a second (60 s in
    # production: a quarter of the soft time limit)
    settings.MAIL_BATCH_SECONDS = 0.5
    server = serve(Server(data_delay=0.005))
    settings.EMAIL_TIMEOUT = 2
    ids = due_reminders(100)

    # when one task is enqueued with the hundred of them, as a sweep does
    delivery.enqueue_reminders(ids)
    wait_for(lambda: server.count() >= 100, "the hundred reached the server", timeout=30)
    drain(worker)

    # then every mail went once, none is left sending, pending or uncertain, and the
    # batch was handed on from task to task, each on one connection
    ids_seen = server.message_ids()
    assert (server.count(), len(ids_seen), set(ids_seen.values())) == (100, 100, {1})
    assert states(ids) == {MailState.SENT: 100}
    assert 2 <= server.connections() <= 50


# --- time in the batch loop --------------------------------------------------------------------


class CountingBackend(locmem.EmailBackend):
    """The in-memory backend, counting the connections opened."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True


@pytest.mark.django_db
def test_a_batch_starts_no_mail_after_its_time_and_hands_the_rest_on(settings):
    # given mails that take 25 s each on the batch's clock, and a batch of 60 s
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery_faults.CountingBackend"
    CountingBackend.opened = 0
    settings.MAIL_BATCH_SECONDS = 60
    ids = due_reminders(5)
    ticks = iter(range(0, 1000, 25))
    mail.outbox.clear()

    # when the batch runs
    batch = delivery.deliver_reminder_batch(ids, clock=lambda: next(ticks))

    # then two mails went (started at 25 s and 50 s), the third was not started at 75 s,
    # and the three left are handed on untouched
    assert (batch.sent, batch.retry, batch.rest) == (ids[:2], {}, ids[2:])
    assert len(mail.outbox) == 2
    assert states(ids) == {MailState.SENT: 2, MailState.PENDING: 3}
    assert Reminder.objects.filter(pk__in=ids[2:], attempts=0).count() == 3


@pytest.mark.django_db
def test_a_batch_uses_one_smtp_connection(serve):
    server = serve(Server())
    ids = due_reminders(5)

    batch = delivery.deliver_reminder_batch(ids)

    assert (batch.sent, batch.rest) == (ids, [])
    assert (server.count(), server.connections()) == (5, 1)


@pytest.mark.django_db
def test_the_soft_time_limit_while_the_reply_is_awaited_makes_the_mail_uncertain(
    serve, monkeypatch
):
    # given the soft time limit striking while the first message's reply is awaited
    server = serve(Server())
    ids = due_reminders(3)
    original = smtp.RecordingSMTP.getreply

    def interrupted(self):
        if self.handed_over:  # the server has the message; its reply is on its way
            wait_for(lambda: server.count() == 1, "the server accepted the message")
            raise SoftTimeLimitExceeded()
        return original(self)

    monkeypatch.setattr(smtp.RecordingSMTP, "getreply", interrupted)

    # when the batch runs
    batch = delivery.deliver_reminder_batch(ids)

    # then the first is uncertain (never resent: its next task finds it settled), the batch
    # stopped there and handed the rest on, untouched
    assert (batch.sent, batch.retry, batch.rest) == ([], {}, ids)
    assert server.count() == 1
    assert states(ids) == {MailState.UNCERTAIN: 1, MailState.PENDING: 2}
    assert Reminder.objects.get(pk=ids[0]).last_error.endswith(
        "SoftTimeLimitExceeded: SoftTimeLimitExceeded()"
    )
    monkeypatch.undo()
    again = delivery.deliver_reminder_batch(batch.rest)
    assert (again.sent, server.count()) == (ids[1:], 3)


# --- certain outcomes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_quit_left_unanswered_after_the_250_does_not_make_the_mail_fail(serve):
    # given a server that accepts the message at once and never answers the QUIT in time
    server = serve(Server(quit_delay=4 * TIMEOUT))
    (pk,) = due_reminders(1)

    # when it is delivered on a connection of its own
    assert delivery.deliver_reminder(pk) is True

    # then it is sent, once
    row = Reminder.objects.get(pk=pk)
    assert (row.state, row.attempts, row.last_error, server.count()) == (MailState.SENT, 1, "", 1)
    assert "< 250 2.0.0 OK queued" in row.smtp_exchange


@pytest.mark.django_db
def test_a_mail_refused_after_the_data_is_certain_and_retried(serve, settings):
    # given a server that answers the content with a temporary failure
    class Refusing(Server):
        async def handle_DATA(self, server, session, envelope) -> str:
            return "451 4.3.0 Try again later"

    serve(Refusing())
    (pk,) = due_reminders(1)

    with pytest.raises(delivery.RetryLater):
        delivery.deliver_reminder(pk)

    row = Reminder.objects.get(pk=pk)
    assert (row.state, row.attempts) == (MailState.PENDING, 1)
    assert row.last_error == "SMTPDataError: (451, b'4.3.0 Try again later')"
    replies = [line.split(" s ", 1)[1] for line in row.smtp_exchange.splitlines()]
    answer = replies.index("< 451 4.3.0 Try again later")
    assert replies[answer - 1].startswith("> (the message, ")
    assert replies[answer + 1 :] == [
        "> rset",
        "< 250 OK",
        "! SMTPDataError: (451, b'4.3.0 Try again later')",
    ]


@pytest.mark.django_db
def test_no_server_is_a_certain_failure_with_the_exchange(settings):
    settings.EMAIL_BACKEND = "notifications.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 1
    (pk,) = due_reminders(1)

    with pytest.raises(delivery.RetryLater):
        delivery.deliver_reminder(pk)

    row = Reminder.objects.get(pk=pk)
    assert (row.state, row.attempts) == (MailState.PENDING, 1)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.smtp_exchange.startswith(f"connect 127.0.0.1:{settings.EMAIL_PORT}\n! ")


# --- the Message-ID ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_message_id_is_derived_from_the_record_and_kept_when_sent_again(
    serve, django_capture_on_commit_callbacks
):
    # given a reminder whose first handover was uncertain
    server = serve(Server(data_delay=4 * TIMEOUT))
    (pk,) = due_reminders(1)
    delivery.deliver_reminder(pk)
    row = Reminder.objects.get(pk=pk)
    expected = f"<reminder.{pk}.{int(row.created_at.timestamp())}@127.0.0.1>"

    # when a person sends it again (the server now answers in time)
    server.data_delay = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.send_again(Reminder, [pk]) == [pk]

    # then both copies carry the same Message-ID, the record's
    assert [message["Message-ID"] for message in server.messages] == [expected, expected]
    assert Reminder.objects.get(pk=pk).state == MailState.SENT


# --- what the exchange never records ------------------------------------------------------------


@pytest.mark.django_db
def test_the_exchange_never_records_the_credentials(settings):
    # given a server that asks for a password (AUTH PLAIN/LOGIN over the local connection)
    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password == b"s3cret-Pa55")

    server = Server()
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=_free_port(),
        auth_require_tls=False,
        authenticator=authenticator,
    )
    controller.start()
    try:
        settings.EMAIL_BACKEND = "notifications.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "cepa", "s3cret-Pa55"
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        (pk,) = due_reminders(1)

        assert delivery.deliver_reminder(pk) is True
    finally:
        controller.stop()

    exchange = Reminder.objects.get(pk=pk).smtp_exchange
    steps = [line.split(" s ", 1)[1] for line in exchange.splitlines()]
    assert server.count() == 1
    auth = steps.index("> AUTH (credentials not recorded)")
    assert steps[auth + 1] == "< 235 …"  # the rest of the exchange went unrecorded
    assert "s3cret" not in exchange and "czNjcmV0" not in exchange  # nor its base64
    assert "cepa" not in exchange.replace("@", " ").split()
