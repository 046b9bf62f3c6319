"""The discussions' kinds of notification, registered with notifications
(`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import notification_kinds


@notification_kinds
class DiscussionNotice(models.TextChoices):
    """What a notification of discussions is about; people choose how each kind reaches them."""

    MENTION = "mention", _("Mentions in discussions")
