"""Telling people what concerns them.

For now a notification is a mail sent by a Celery task after the transaction that
caused it commits; the notification centre and preferences come with their own
issue and build on `notify`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send nothing from inside this block (used when building the demo world)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(user, *, subject: str, body: str, link: str = "") -> None:
    """Send `user` one message once the current transaction commits."""
    from notifications.tasks import send_message

    if not user.email or _muted.get():
        return
    kwargs = {"user_id": user.pk, "subject": subject, "body": body, "link": link}
    transaction.on_commit(lambda: send_message.delay(**kwargs))


def deliver(user, *, subject: str, body: str, link: str = "") -> None:
    text = body if not link else f"{body}\n\n{settings.SITE_URL}{link}\n"
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
