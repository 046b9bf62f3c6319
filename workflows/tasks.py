"""Thin Celery tasks of the workflows app (beat runs them; see `CELERY_BEAT_SCHEDULE`)."""

from celery import shared_task

from workflows import services

_TASK = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="workflows.request_decisions", **_TASK)
def request_decisions() -> int:
    """Beat, hourly: tell the chiefs of the deliverables whose missing reviews are past due
    that they can decide (once per round)."""
    return services.request_decisions()
