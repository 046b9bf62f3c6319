"""The logging filter that keeps secrets out of every log line, in every mode.

Request logs (django.request, django.security.csrf, django.server, gunicorn.access) print
paths and query strings, and some of them hold secrets: the token of a private calendar
feed (`/calendar/feed/<token>.ics`, `/calendar/branch/<token>.ics`: cut to its first six
characters and "…", enough to tell feeds apart), the token of a password-reset link
(`/accounts/reset/<uid>/<token>/`: removed), and `key=value` or `"key": "value"` pairs
named like a secret (password, token, otp, code, secret, session id, CSRF token, API key:
the value removed), `Authorization: Token …`/`Bearer …` headers, and the token of an
invitation's link (`/invitation/<token>/`, cut as cepa_collab.invitation_log_filter says).

`RedactSecrets` rewrites a record's message with its arguments, and its traceback, before
any handler prints it; the settings put it on every handler, so records that propagate
from any logger pass through it. Imported by the logging configuration, before Django's
apps load: no Django imports.
"""

from __future__ import annotations

import logging
import re
import traceback

from cepa_collab import invitation_log_filter

SHOWN = 6
REDACTED = "[redacted]"

_FEED_PATH = re.compile(r"(/calendar/(?:feed|branch)/)([^\s\"'?#/]+)")
# Django's reset link: /accounts/reset/<uidb64>/<token>/ (its own "set-password" step kept).
_RESET_PATH = re.compile(r"(/accounts/reset/[^/\s\"'?#]+/)(?!set-password/)([^/\s\"'?#]+)")
_SECRET_NAMES = (
    r"password\d?|new_password\d|old_password|passwd|pwd|"
    r"token|otp|otp_token|code|secret|totp|recovery_code|"
    r"sessionid|session_key|session|csrftoken|csrfmiddlewaretoken|api_key|apikey|key"
)
# key=value in query strings, form bodies and cookie headers.
_PAIR = re.compile(rf"(?i)\b({_SECRET_NAMES})=([^&\s\"';,]+)")
# 'key': 'value' and "key": "value" in dicts and JSON.
_QUOTED = re.compile(rf"(?i)([\"'])({_SECRET_NAMES})\1(\s*:\s*)([\"'])(.*?)(?<!\\)\4")
# A credential after "Token"/"Bearer" (with a digit in it: not an ordinary word).
_AUTHORIZATION = re.compile(r"(?i)\b(Token|Bearer)\s+(?=\S*\d)[A-Za-z0-9._~+/=-]{8,}")


def _cut_feed(match: re.Match) -> str:
    token = match.group(2)
    suffix = ".ics" if token.endswith(".ics") else ""
    token = token.removesuffix(".ics")
    return f"{match.group(1)}{token[:SHOWN]}…{suffix}"


def _blank_quoted(match: re.Match) -> str:
    quote, name, colon, value_quote = match.group(1, 2, 3, 4)
    return f"{quote}{name}{quote}{colon}{value_quote}{REDACTED}{value_quote}"


def redact(text: str) -> str:
    """`text` with every secret it holds cut (feed tokens) or removed (all others)."""
    text = _FEED_PATH.sub(_cut_feed, text)
    text = invitation_log_filter.redact(text)
    text = _RESET_PATH.sub(lambda match: f"{match.group(1)}…", text)
    text = _PAIR.sub(lambda match: f"{match.group(1)}={REDACTED}", text)
    text = _QUOTED.sub(_blank_quoted, text)
    return _AUTHORIZATION.sub(lambda match: f"{match.group(1)} {REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Rewrite a record's message (arguments merged in) and its traceback with secrets
    removed; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for the handler to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        if record.exc_info and record.exc_info[0] is not None:
            # The formatter prints exc_text when it is set: give it the redacted traceback.
            if not record.exc_text:
                record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
