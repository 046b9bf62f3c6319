"""What a person may see of the notification centre: their own notifications, nobody else's.

Pages and the API load notifications through here only: a list from `visible_notifications`,
one notification from `get_notification_for_user`, which answers 404 for another person's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import Notification

# Columns a list never shows (the .ics text of a meeting notification can be long).
NOT_LISTED = ("attachment", "last_error")


def visible_notifications(user, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The person's own notifications, newest first; only unread ones (`unread=True`) or
    only read ones (`unread=False`) if asked."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=user.pk).defer(*NOT_LISTED)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-pk")


def get_notification_for_user(user, pk) -> Notification:
    """The person's own notification, or Http404 (another person's, unknown, malformed id)."""
    try:
        return visible_notifications(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notification.") from None
