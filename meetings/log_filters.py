"""Logging filter that shortens private feed tokens in log lines.

Request logs (django.request, django.server, gunicorn.access) print the path, and the
path of a private feed holds its secret token: `/calendar/feed/<token>.ics` and
`/calendar/branch/<token>.ics` are logged as their first six characters and "…".
Imported by the logging configuration, before Django's apps load: no Django imports.
"""

from __future__ import annotations

import logging
import re

SHOWN = 6
_FEED_PATH = re.compile(r"(/calendar/(?:feed|branch)/)([^\s\"'?#/]+)")


def redact(text: str) -> str:
    """`text` with every feed token cut to its first characters."""

    def cut(match: re.Match) -> str:
        token = match.group(2)
        suffix = ".ics" if token.endswith(".ics") else ""
        token = token.removesuffix(".ics")
        return f"{match.group(1)}{token[:SHOWN]}…{suffix}"

    return _FEED_PATH.sub(cut, text)


class RedactFeedTokens(logging.Filter):
    """Rewrite a record's message with feed tokens shortened; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for the handler to report
            return True
        if "/calendar/" in message:
            redacted = redact(message)
            if redacted != message:
                record.msg = redacted
                record.args = ()
        return True
