"""Enqueueing this app's Celery tasks by their names.

The tasks (`notifications.tasks`) are thin: they call the services, delivery and the
sweeps. Those modules enqueue the next step by the task's name, so that none of them
imports the tasks module that imports them. Every process knows every task by name
(`CepaCollabConfig.ready` imports the apps' `tasks` modules); with Celery eager (the
tests), the named task runs in-process all the same.

Enqueueing happens after commit, when the change is already done: a broker that is down
must not turn it into an error. What could not be enqueued stays pending in the database,
and the sweeps (`sweep_notifications`, `sweep_reminders`, `sweep_digests`) enqueue it again
once the broker is back. The log says so once per outage, not once per message; while the
broker was found unreachable less than `PAUSE` ago, no further attempt is made, so a
request that schedules many mails does not wait on the broker for each.
"""

from __future__ import annotations

import logging
import time

from celery import current_app
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

DELIVER_REMINDERS = "notifications.deliver_reminders"
DELIVER_NOTIFICATION = "notifications.deliver_notification"
DELIVER_DIGEST = "notifications.deliver_digest"

PAUSE = 10.0  # seconds without new attempts after the broker was found unreachable
# One quick retry (Celery's default is three): the sweep is the real retry.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


class _Outage:
    """The broker's state as this process last saw it (monotonic time, or None)."""

    since: float | None = None
    last_failure: float = 0.0


def enqueue(task: str, **kwargs) -> bool:
    """Send the task named `task` with keyword arguments `kwargs` (call it after commit);
    True if the broker took it, False if it is unreachable (the sweep sends it later).
    A name no process registered raises KeyError rather than queueing a lost message."""
    signature = current_app.tasks[task]
    if current_app.conf.task_always_eager:  # the tests: the task runs here and now
        signature.apply_async(kwargs=kwargs)
        return True
    now = time.monotonic()
    if _Outage.since is not None and now - _Outage.last_failure < PAUSE:
        return False
    try:
        signature.apply_async(kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except (OperationalError, OSError) as exc:
        _Outage.last_failure = time.monotonic()
        if _Outage.since is None:
            _Outage.since = _Outage.last_failure
            logger.warning(
                "broker unreachable (%s): %s(%s) and what follows stay pending; "
                "the sweeps enqueue them again once the broker is back",
                exc,
                task,
                ", ".join(f"{key}={value!r}" for key, value in kwargs.items()),
            )
        return False
    if _Outage.since is not None:
        _Outage.since = None
        logger.warning("broker reachable again: enqueueing resumed")
    return True
