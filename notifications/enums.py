"""Notifications' own kinds of notification, delivery preferences and mail states.

The other kinds of notification and every kind of deadline belong to the apps that own
them, which register them (`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

    PENDING = "pending", pgettext_lazy("state", "Pending")
    SENDING = "sending", pgettext_lazy("state", "Sending")
    SENT = "sent", pgettext_lazy("state", "Sent")
    FAILED = "failed", pgettext_lazy("state", "Failed")
    UNCERTAIN = "uncertain", pgettext_lazy("state", "Uncertain: may have gone")
    SKIPPED = "skipped", pgettext_lazy("state", "Not sent")
    DIGEST = "digest", pgettext_lazy("state", "Waiting for the digest")


MAIL_DONE_STATES = (MailState.SENT, MailState.FAILED, MailState.SKIPPED)
