"""Health of the services the app depends on: the database and the Celery broker."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from kombu import Connection

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
    """Connect to the broker named by the settings, with a fresh connection every time."""
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(
            url, transport_options=options, connect_timeout=BROKER_TIMEOUT_SECONDS
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            if conn.transport_cls == "filesystem" or url.startswith("filesystem:"):
                folder = options.get("data_folder_out", "")
                if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                    raise OSError(f"broker folder {folder!r} is not writable")
            else:
                conn.default_channel.client.ping()
    except Exception as exc:
        logger.warning("health: broker check failed: %s", exc)
        return "unavailable"
    return "ok"


def check_health() -> Health:
    return Health(checks={"database": check_database(), "broker": check_broker()})
