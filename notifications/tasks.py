"""Thin Celery tasks of the notifications app."""

from celery import shared_task
from django.contrib.auth import get_user_model

from notifications import services


@shared_task(
    name="notifications.send_message",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def send_message(*, user_id: int, subject: str, body: str, link: str = "") -> None:
    """Mail one message to one person; returns quietly if the person is gone."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    services.deliver(user, subject=subject, body=body, link=link)
