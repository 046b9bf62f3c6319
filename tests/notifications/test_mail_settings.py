"""Every mail and timing setting is checked at start-up: a value that would make mail go
twice, never, or past the task's time limits is refused with a message naming the variable.

The settings module is executed afresh (in this process, with the environment given) as
each process does at start-up; Django's own settings object is left alone."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[2] / "cepa_collab" / "settings.py"


def start(monkeypatch, **env: str) -> dict:
    """The settings a process would start with under `env` (DEBUG on, as in development)."""
    monkeypatch.setenv("DEBUG", "1")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS), run_name="settings_at_start_up")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MAIL_LEASE_SECONDS", "-5", "MAIL_LEASE_SECONDS=-5: use a positive whole number."),
        ("MAIL_REQUEUE_SECONDS", "0", "MAIL_REQUEUE_SECONDS=0: use a positive whole number."),
        ("MAIL_RETRY_BACKOFF_MAX", "-1", "MAIL_RETRY_BACKOFF_MAX=-1: use a positive whole number."),
        ("EMAIL_TIMEOUT", "0", "EMAIL_TIMEOUT=0: use a positive whole number."),
        ("MAIL_RETRY_BACKOFF", "0", "MAIL_RETRY_BACKOFF=0: use a positive whole number."),
        ("MAIL_MAX_ATTEMPTS", "0", "MAIL_MAX_ATTEMPTS=0: use a positive whole number."),
        ("REMINDER_SWEEP_SECONDS", "-1", "REMINDER_SWEEP_SECONDS=-1: use a positive whole number."),
        (
            "CONTRIBUTION_REVIEW_DAYS",
            "0",
            "CONTRIBUTION_REVIEW_DAYS=0: use a positive whole number.",
        ),
        ("EMAIL_PORT", "0", "EMAIL_PORT=0: use a port from 1 to 65535."),
        ("EMAIL_PORT", "70000", "EMAIL_PORT=70000: use a port from 1 to 65535."),
        ("REMINDER_HOUR", "24", "REMINDER_HOUR=24: use an hour from 0 to 23."),
        ("MAIL_LEASE_SECONDS", "seven", "MAIL_LEASE_SECONDS='seven' is not an integer."),
        (
            "MAIL_RETRY_BACKOFF_MAX",
            "30",
            "MAIL_RETRY_BACKOFF_MAX=30 must be at least MAIL_RETRY_BACKOFF (60 s).",
        ),
        (
            "EMAIL_TIMEOUT",
            "60",
            "EMAIL_TIMEOUT=60 is too long: a mail batch (60 s) and three SMTP waits must end "
            "before the task's soft time limit (240 s); use at most 59.",
        ),
        (
            "MAIL_LEASE_SECONDS",
            "300",
            "MAIL_LEASE_SECONDS=300 must exceed the task time limit (300 s), or a mail still "
            "being handed over is taken for one whose worker died.",
        ),
        (
            "DEFAULT_FROM_EMAIL",
            "CEPA Collab",
            "DEFAULT_FROM_EMAIL='CEPA Collab': use an address such as "
            "'CEPA Collab <noreply@example.org>'.",
        ),
    ],
)
def test_a_bad_mail_or_timing_setting_is_refused_at_start_up_naming_it(
    monkeypatch, variable, value, message
):
    with pytest.raises(ImproperlyConfigured) as refused:
        start(monkeypatch, **{variable: value})

    assert str(refused.value) == message


def test_the_defaults_start_with_a_batch_well_inside_the_soft_limit(monkeypatch):
    defaults = start(monkeypatch)

    assert defaults["MAIL_LEASE_SECONDS"] > defaults["CELERY_TASK_TIME_LIMIT"]
    assert (defaults["MAIL_BATCH_SECONDS"], defaults["EMAIL_TIMEOUT"]) == (60, 30)
    # a batch, a reconnection, a message and a QUIT end before the soft limit
    assert defaults["CELERY_TASK_SOFT_TIME_LIMIT"] > 60 + 3 * 30


def test_edge_values_start(monkeypatch):
    found = start(
        monkeypatch,
        EMAIL_TIMEOUT="59",
        MAIL_LEASE_SECONDS="301",
        MAIL_REQUEUE_SECONDS="1",
        MAIL_RETRY_BACKOFF="5",
        MAIL_RETRY_BACKOFF_MAX="5",
        DEFAULT_FROM_EMAIL="noreply@cepa.example.org",
    )

    assert (found["EMAIL_TIMEOUT"], found["MAIL_LEASE_SECONDS"]) == (59, 301)
    assert found["DEFAULT_FROM_EMAIL"] == "noreply@cepa.example.org"
