"""Health of the services the app depends on: the database and the Celery broker."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connections

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Health:
    checks: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason goes to the log
        logger.warning("health: database check failed: %s", exc)
        return "unavailable"
    return "ok"


def check_broker() -> str:
    from cepa_collab.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            # A real round trip: declaring the default queue fails if the broker is gone
            # (the filesystem transport also needs its folders to be writable).
            channel = conn.default_channel
            channel.queue_declare(app.conf.task_default_queue, passive=False, durable=True)
    except Exception as exc:
        logger.warning("health: broker check failed: %s", exc)
        return "unavailable"
    return "ok"


def check_health() -> Health:
    return Health(checks={"database": check_database(), "broker": check_broker()})
