"""Kinds of deadline and notification, delivery preferences and mail states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    """What is due. Each kind has its own reminder policy."""

    DELIVERABLE = "deliverable", _("Deliverable")
    REVIEW = "review", _("Review assignment")
    MILESTONE = "milestone", _("Advisory milestone")
    CONTRIBUTION = "contribution", _("Contribution awaiting review")


class NotificationKind(models.TextChoices):
    """What a notification is about; people choose how each kind reaches them."""

    REMINDER = "reminder", _("Deadline reminders")
    ESCALATION = "escalation", _("Overdue items in my branch")
    REVIEW_ASSIGNED = "review_assigned", _("Reviews assigned to me")
    REVIEW_WITHDRAWN = "review_withdrawn", _("Reviews withdrawn or declined")
    REVIEW_SUBMITTED = "review_submitted", _("Reviews submitted on my deliverables")
    DECISION = "decision", _("Decisions on deliverables")
    MEETING = "meeting", _("Meetings created, changed or cancelled")
    CONTRIBUTION = "contribution", _("Contributions accepted or returned")
    ADVISORY = "advisory", _("Technical cooperation requests")


class Delivery(models.TextChoices):
    """How a kind of notification reaches a person besides the notification centre."""

    IMMEDIATE = "immediate", _("Mail at once")
    DIGEST = "digest", _("Daily digest at 08:00")
    NONE = "none", _("Do not mail")


DEFAULT_DELIVERY = Delivery.IMMEDIATE


class MailState(models.TextChoices):
    """Where a mail is: claimed (pending), handed to SMTP (sending), then done."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")
    DIGEST = "digest", _("Waiting for the digest")


MAIL_DONE_STATES = (MailState.SENT, MailState.FAILED, MailState.SKIPPED)
