"""The header's unread count, counted with the start page's numbers in one query
(`cepa_collab.work`)."""

from __future__ import annotations

from cepa_collab.work import WORK
from notifications.models import Notification

WORK.register_header_count(
    "unread_notifications",
    lambda user: Notification.objects.filter(user_id=user.pk, read_at__isnull=True),
)
