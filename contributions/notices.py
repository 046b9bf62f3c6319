"""The contributions' kinds of notification, registered with notifications
(`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import notification_kinds


@notification_kinds
class ContributionNotice(models.TextChoices):
    """What a notification of contributions is about; people choose how each kind reaches them."""

    CONTRIBUTION = "contribution", _("Contributions accepted or returned")
