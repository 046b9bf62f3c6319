"""Enqueueing this app's Celery tasks by their names.

The tasks (`notifications.tasks`) are thin: they call the services, delivery and the
sweeps. Those modules enqueue the next step by the task's name, so that none of them
imports the tasks module that imports them. Every process knows every task by name
(`CepaCollabConfig.ready` imports the apps' `tasks` modules); with Celery eager (the
tests), the named task runs in-process all the same.
"""

from __future__ import annotations

from celery import current_app

DELIVER_REMINDERS = "notifications.deliver_reminders"
DELIVER_NOTIFICATION = "notifications.deliver_notification"
DELIVER_DIGEST = "notifications.deliver_digest"


def enqueue(task: str, **kwargs) -> None:
    """Send the task named `task` with keyword arguments `kwargs` (call it after commit).
    A name no process registered raises KeyError rather than queueing a lost message."""
    current_app.tasks[task].delay(**kwargs)
