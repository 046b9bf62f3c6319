"""No secret reaches a log, in any mode: the records are captured as the configured
handlers print them (Django's own console handler included, which prints with DEBUG on)."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from cepa_collab.log_filters import redact

RAW = "AbCdEf0123456789_-xyzXYZ0123456789abcdefghi"


def _handlers_for(name: str) -> list[logging.Handler]:
    """Every handler a record logged on `name` reaches, walking up to the root."""
    handlers: list[logging.Handler] = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        handlers.extend(logger.handlers)
        if not logger.propagate:
            break
        logger = logger.parent
    return handlers


@pytest.fixture
def printed():
    """What the configured stream handlers print, for the loggers a request writes to."""
    buffer = io.StringIO()
    swapped: list[tuple[logging.StreamHandler, object]] = []
    names = ["django.security.csrf", "django.request", "django.server", "axes", "cepa_collab"]
    for handler in {h for name in names for h in _handlers_for(name)}:
        if isinstance(handler, logging.StreamHandler):
            swapped.append((handler, handler.setStream(buffer)))
    yield buffer
    for handler, stream in swapped:
        handler.setStream(stream)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.django_db
def test_csrf_failure_log_never_prints_a_feed_token(settings, printed, debug):
    # given DEBUG on (Django's console handler prints) or off
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)

    # when a form posts to a private feed's URL without a CSRF token
    response = client.post(f"/calendar/feed/{RAW}.ics?token={RAW}", {"password": "hunter2-secret"})

    # then the refusal is logged with the token cut to six characters, never whole
    output = printed.getvalue()
    assert response.status_code == 403
    assert "Forbidden (CSRF cookie not set.): /calendar/feed/AbCdEf….ics" in output
    assert RAW not in output
    assert "hunter2-secret" not in output


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.django_db
def test_not_found_log_never_prints_a_reset_token(settings, printed, client, debug):
    settings.DEBUG = debug

    client.get("/accounts/reset/MQ/cz0abc-0123456789abcdef0123456789abcdef/extra/")

    output = printed.getvalue()
    assert "Not Found: /accounts/reset/MQ/…/extra/" in output
    assert "0123456789abcdef0123456789abcdef" not in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"GET /calendar/branch/{RAW}.ics", "GET /calendar/branch/AbCdEf….ics"),
        ("/accounts/reset/MQ/set-password/", "/accounts/reset/MQ/set-password/"),
        ("/accounts/reset/MQ/cz0abc-0123456789abcdef/", "/accounts/reset/MQ/…/"),
        ("/x/?token=abcdef123456&page=2", "/x/?token=[redacted]&page=2"),
        ("POST password=hunter2&otp=123456", "POST password=[redacted]&otp=[redacted]"),
        (
            "Cookie: sessionid=k3y0fs3ss10n; csrftoken=abc",
            "Cookie: sessionid=[redacted]; csrftoken=[redacted]",
        ),
        (
            "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
            "Authorization: Token [redacted]",
        ),
        (
            "{'username': 'amina', 'password': 'hunter2'}",
            "{'username': 'amina', 'password': '[redacted]'}",
        ),
        ('{"otp": "123456", "token": "abc"}', '{"otp": "[redacted]", "token": "[redacted]"}'),
        ("recovery code=ab12cd34ef", "recovery code=[redacted]"),
        ("GET /invitation/AbCdEf0123456789xyz/ 200", "GET /invitation/AbCdEf…/ 200"),
        ("GET /meetings/3/ 200", "GET /meetings/3/ 200"),
        ("Token successfully refreshed", "Token successfully refreshed"),
    ],
)
def test_redact_removes_every_kind_of_secret(text, expected):
    assert redact(text) == expected


def test_filter_redacts_arguments_and_tracebacks_of_a_record():
    # given a record whose arguments and exception hold secrets
    logger = logging.getLogger("cepa_collab.tests.redaction")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(_configured_filter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"bad feed /calendar/feed/{RAW}.ics password=hunter2")
        except ValueError:
            # when it is logged
            logger.exception(
                "request %s failed with %s", f"/calendar/feed/{RAW}.ics", {"otp": "654321"}
            )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True

    # then neither the message nor the traceback prints them
    output = buffer.getvalue()
    assert "/calendar/feed/AbCdEf….ics" in output
    assert RAW not in output
    assert "hunter2" not in output
    assert "654321" not in output
    assert "Traceback" in output


def _configured_filter() -> logging.Filter:
    from django.conf import settings
    from django.utils.module_loading import import_string

    spec = settings.LOGGING["filters"]["redact_secrets"]["()"]
    return import_string(spec)()
