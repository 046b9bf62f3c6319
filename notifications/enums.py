"""Notifications' own kinds of notification, delivery preferences and mail states.

The other kinds of notification and every kind of deadline belong to the apps that own
them, which register them (`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import notification_kinds


@notification_kinds
class NotificationKind(models.TextChoices):
    """What a notification of this app is about; people choose how each kind reaches them."""

    REMINDER = "reminder", _("Deadline reminders")
    ESCALATION = "escalation", _("Overdue items in my branch")


class Delivery(models.TextChoices):
    """How a kind of notification reaches a person besides the notification centre."""

    IMMEDIATE = "immediate", _("Mail at once")
    DIGEST = "digest", _("Daily digest at 08:00")
    NONE = "none", _("Do not mail")


DEFAULT_DELIVERY = Delivery.IMMEDIATE


class MailState(models.TextChoices):
    """Where a mail is: claimed (pending), handed to SMTP (sending), then done. Uncertain: it
    was handed over and the server's reply never came (or its worker died while sending), so
    it may have gone; it is never resent automatically, a person settles it."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCERTAIN = "uncertain", _("Uncertain: may have gone")
    SKIPPED = "skipped", _("Not sent")
    DIGEST = "digest", _("Waiting for the digest")


MAIL_DONE_STATES = (MailState.SENT, MailState.FAILED, MailState.SKIPPED)
