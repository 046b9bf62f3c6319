"""Thin Celery tasks of the organisation core."""

from celery import shared_task
from django.utils import timezone

from cepa_collab.models import Heartbeat


def record_heartbeat(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": timezone.now()})


@shared_task(name="cepa_collab.heartbeat")
def heartbeat() -> None:
    """Scheduled by beat every minute: proves beat schedules and a worker consumes."""
    record_heartbeat("worker")


@shared_task(name="cepa_collab.ping", ignore_result=False)
def ping() -> str:
    """A round trip through the broker and a worker (used by the real-worker test)."""
    record_heartbeat("worker")
    return "pong"
