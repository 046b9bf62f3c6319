"""Thin Celery tasks of the organisation core."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from cepa_collab import invitations
from cepa_collab.models import Heartbeat

logger = logging.getLogger(__name__)


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


@shared_task(
    name=invitations.SEND_TASK,
    bind=True,
    max_retries=None,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_invitation(self, *, invitation_id: int) -> None:
    """Mail an invitation with a new link; a mail failure is retried with a backoff (each
    attempt issues a new link, so a link never travels through the broker)."""
    try:
        invitations.send(invitation_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries + 1 >= settings.MAIL_MAX_ATTEMPTS:
            logger.error("Invitation %s could not be mailed: %s", invitation_id, type(exc).__name__)
            return
        countdown = min(
            settings.MAIL_RETRY_BACKOFF * 2**self.request.retries, settings.MAIL_RETRY_BACKOFF_MAX
        )
        raise self.retry(countdown=countdown) from exc
