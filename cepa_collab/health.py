"""Health of the services the app depends on: the database and the Celery broker.

Each check runs in a thread of its own, on a connection of its own, and the answer never
waits more than `BUDGET_SECONDS` for them: a service that accepts connections but never
answers (a frozen Redis or PostgreSQL) makes `/healthz` answer 503 in time, instead of
holding the web worker until gunicorn kills it. A check still waiting is abandoned; its
own connection and socket timeouts end it soon after (the database's connect timeout,
`BROKER_TIMEOUT_SECONDS` for Redis).

The worker's heartbeat (written every minute by a worker, scheduled by beat) is reported
as its age in seconds: it tells whether the worker and beat run, but does not make the
web process unhealthy (restarting the web would not restart a worker).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils import timezone
from kombu import Connection

from cepa_collab.models import Heartbeat

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0
BUDGET_SECONDS = 2.0  # the longest `/healthz` waits for its checks (they run side by side)


@dataclass(frozen=True)
class Health:
    checks: dict[str, str]
    worker_heartbeat_age: int | None = None  # seconds; None if never seen or unknown

    @property
    def ok(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


@dataclass
class _DatabaseFindings:
    state: str = "unavailable"
    heartbeat_age: int | None = None


def check_database(findings: _DatabaseFindings | None = None) -> str:
    """SELECT 1 on a connection of this thread (closed after), and the heartbeat's age."""
    findings = findings if findings is not None else _DatabaseFindings()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        findings.state = "ok"
        last_seen = (
            Heartbeat.objects.filter(name="worker").values_list("last_seen", flat=True).first()
        )
        if last_seen is not None:
            findings.heartbeat_age = max(0, int((timezone.now() - last_seen).total_seconds()))
    except Exception as exc:  # any failure means "down"; the reason goes to the log
        logger.warning("health: database check failed: %s", exc)
    finally:
        connections["default"].close()
    return findings.state


def check_broker() -> str:
    """Connect to the broker named by the settings, with a fresh connection every time."""
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    filesystem = url.startswith("filesystem:")
    if not filesystem:  # a Redis that accepts and never answers fails within the timeout
        options = {
            **options,
            "socket_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        }
    try:
        with Connection(
            url,
            transport=getattr(settings, "CELERY_BROKER_TRANSPORT", None),
            transport_options=options,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            if filesystem:
                folder = options.get("data_folder_out", "")
                if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                    raise OSError(f"broker folder {folder!r} is not writable")
            else:
                conn.default_channel.client.ping()
    except Exception as exc:
        logger.warning("health: broker check failed: %s", exc)
        return "unavailable"
    return "ok"


def _run_side_by_side(checks: dict[str, Callable[[], str]], budget: float) -> dict[str, str]:
    results: dict[str, str] = {}

    def run(name: str, check: Callable[[], str]) -> None:
        results[name] = check()

    threads = {
        name: threading.Thread(target=run, args=(name, check), name=f"healthz-{name}", daemon=True)
        for name, check in checks.items()
    }
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + budget
    for name, thread in threads.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            logger.warning("health: %s check did not answer within %.1f s", name, budget)
    return {name: results.get(name, "unavailable") for name in checks}


def check_health() -> Health:
    database = _DatabaseFindings()
    checks = _run_side_by_side(
        {"database": lambda: check_database(database), "broker": check_broker}, BUDGET_SECONDS
    )
    age = database.heartbeat_age if checks["database"] == "ok" else None
    return Health(checks=checks, worker_heartbeat_age=age)
