"""Logging filter that cuts invitation tokens out of log lines.

Request logs (django.request, django.server, gunicorn.access) print the path, and the path
of an invitation's page holds its token (`/invitation/<token>/`): it is logged as its first
six characters and "…", too few to use. Imported by the logging configuration, before
Django's apps load: no Django imports.
"""

from __future__ import annotations

import logging
import re

SHOWN = 6
_PATH = re.compile(r"(/invitation/)([^\s\"'?#/]+)")


def redact(text: str) -> str:
    """`text` with every invitation token cut to its first characters."""
    return _PATH.sub(lambda match: f"{match.group(1)}{match.group(2)[:SHOWN]}…", text)


class RedactInvitationTokens(logging.Filter):
    """Rewrite a record's message with invitation tokens cut; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for the handler to report
            return True
        if "/invitation/" in message:
            redacted = redact(message)
            if redacted != message:
                record.msg = redacted
                record.args = ()
        return True
