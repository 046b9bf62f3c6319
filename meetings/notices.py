"""The meetings' kinds of notification, registered with notifications (`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import notification_kinds


@notification_kinds
class MeetingNotice(models.TextChoices):
    """What a notification of meetings is about; people choose how each kind reaches them."""

    MEETING = "meeting", _("Meetings created, changed or cancelled")
