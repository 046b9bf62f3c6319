"""The advisory requests' kinds of notification, registered with notifications
(`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import notification_kinds


@notification_kinds
class AdvisoryNotice(models.TextChoices):
    """What a notification of advisory requests is about; people choose how each kind
    reaches them."""

    ADVISORY = "advisory", _("Technical cooperation requests")
