"""The SMTP transport of the mail records: Django's SMTP backend, made to say how far a
message got.

- A message whose content was handed over (the DATA's content sent, up to its final dot)
  but whose reply never came (a timeout, a closed connection, the task's soft time limit)
  may have been delivered: sending it raises `Uncertain`, and `notifications.delivery`
  records it for a person to settle instead of sending it again. Any failure before that
  point (connection, MAIL, RCPT, DATA refused, the content not sent whole) or any answer
  to the content (250, 4xx, 5xx) is certain.
- Each step is bounded by one deadline of `EMAIL_TIMEOUT` seconds: opening the connection
  (connect, greeting, STARTTLS, login), each message (EHLO, MAIL, RCPT, DATA, content,
  reply) and the QUIT, however the server dribbles its replies across several reads.
- The transcript of the last exchange (commands and replies, never the credentials nor
  the message's content) is kept as `last_exchange`, shown in the admin.
- One connection serves many messages: open it, send one message per `send_messages`
  call, close it. A failed message drops the connection without QUIT (its state is
  unknown); the next message opens a new one. Closing never raises for a QUIT left
  unanswered: the messages were answered already.
"""

from __future__ import annotations

import smtplib
import time

from django.core.mail.backends import smtp

MAX_LINE = 300
MAX_TRANSCRIPT = 4000


class Uncertain(Exception):
    """The message was handed over but its reply never came: it may have been delivered."""

    def __init__(self, transcript: str) -> None:
        super().__init__("The message was handed over, but the server's reply never came.")
        self.transcript = transcript


class _Recording:
    """What `smtplib.SMTP` does, with a deadline per step and a transcript."""

    def __init__(self, *args, **kwargs) -> None:
        self.lines: list[str] = []
        self.handed_over = False
        self._started = time.monotonic()
        self._deadline: float | None = None
        self._in_command = False
        self._hidden = False
        super().__init__(*args, **kwargs)

    # -- the clock -----------------------------------------------------------------------

    def begin(self, *, keep: bool = False) -> None:
        """Start a step (a message, the QUIT): a new deadline; a new transcript unless
        `keep` (the message right after opening keeps the opening's lines)."""
        self._deadline = time.monotonic() + self.timeout
        self.handed_over = False
        if not keep:
            self.lines, self._started = [], time.monotonic()

    def _apply_deadline(self) -> None:
        if self.sock is None or self._deadline is None:
            return
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the server took longer than {self.timeout} s")
        self.sock.settimeout(min(self.timeout, remaining))

    # -- the transcript ------------------------------------------------------------------

    def record(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        self.lines.append(f"+{elapsed:.3f} s {text}"[:MAX_LINE])

    def transcript(self) -> str:
        text = "\n".join(self.lines)
        if len(text) > MAX_TRANSCRIPT:
            text = "…\n" + text[-MAX_TRANSCRIPT:]
        return text

    # -- smtplib, instrumented -------------------------------------------------------------

    def connect(self, host="localhost", port=0, source_address=None):
        self._deadline = time.monotonic() + self.timeout
        self.record(f"connect {host}:{port or self.default_port}")
        return super().connect(host, port, source_address)

    def login(self, user, password, *, initial_response_ok=True):
        self.ehlo_or_helo_if_needed()  # recorded; what follows is not
        self.record("> AUTH (credentials not recorded)")
        self._hidden = True
        try:
            return super().login(user, password, initial_response_ok=initial_response_ok)
        finally:
            self._hidden = False

    def putcmd(self, cmd, args=""):
        if not self._hidden:
            self.record(f"> {cmd} {args}".rstrip())
        self._in_command = True
        try:
            super().putcmd(cmd, args)
        finally:
            self._in_command = False

    def send(self, s):
        self._apply_deadline()
        if self._in_command:
            return super().send(s)
        # smtplib sends nothing but commands and a message's content: this is the content,
        # ending with its final dot; once it is all sent, the server may deliver it.
        self.record(f"> (the message, {len(s)} bytes, and its final dot)")
        super().send(s)
        self.handed_over = True
        return None

    def getreply(self):
        try:
            self._apply_deadline()
            code, message = super().getreply()
        except Exception as exc:
            self.record(f"< no reply ({type(exc).__name__}: {exc})")
            raise
        self.handed_over = False  # answered: the server said what became of the message
        lines = message.decode("utf-8", "replace").splitlines() or [""]
        more = f" (+{len(lines) - 1} lines)" if len(lines) > 1 else ""
        self.record(f"< {code} {'…' if self._hidden else lines[0]}{more}")
        return code, message


class RecordingSMTP(_Recording, smtplib.SMTP):
    pass


class RecordingSMTP_SSL(_Recording, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend on the recording connection; see the module's docstring."""

    last_exchange = ""
    _fresh = False  # the connection was just opened: its first message keeps those lines

    @property
    def connection_class(self):
        return RecordingSMTP_SSL if self.use_ssl else RecordingSMTP

    def open(self):
        try:
            opened = super().open()
        except BaseException as exc:
            partial = self._partial_connection
            lines = partial.transcript() if partial is not None else ""
            self.last_exchange = lines or (
                f"connect {self.host}:{self.port}\n! {type(exc).__name__}: {exc}"
            )
            self._drop()
            raise
        if opened:
            self._fresh = True
        return opened

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        with self._lock:
            self.last_exchange = ""
            opened = self.open()
            if not self.connection or opened is None:
                return 0
            sent = 0
            try:
                for message in email_messages:
                    self.connection.begin(keep=self._fresh)
                    self._fresh = False
                    try:
                        if self._send(message):
                            sent += 1
                    except BaseException as exc:
                        handed_over = self.connection.handed_over
                        self.connection.record(f"! {type(exc).__name__}: {exc}")
                        self.last_exchange = self.connection.transcript()
                        self._drop()
                        if handed_over and isinstance(exc, Exception):
                            raise Uncertain(self.last_exchange) from exc
                        raise
                    self.last_exchange = self.connection.transcript()
            finally:
                if opened:
                    self.close()
            return sent

    def close(self) -> None:
        """QUIT within its own deadline; a QUIT left unanswered just drops the connection."""
        for name in ("_partial_connection", "connection"):
            connection = getattr(self, name)
            setattr(self, name, None)
            if connection is None:
                continue
            connection.begin(keep=True)
            try:
                connection.quit()
            except OSError:  # smtplib's errors too; never a soft time limit
                connection.close()

    def _drop(self) -> None:
        """Close the socket without QUIT: the exchange stopped in an unknown state."""
        for name in ("_partial_connection", "connection"):
            connection = getattr(self, name)
            setattr(self, name, None)
            if connection is not None:
                connection.close()
