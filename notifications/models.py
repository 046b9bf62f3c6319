"""Deadlines, the reminder policy, reminders, notifications, preferences and digests.

`Deadline` is the one place that answers "what is due, for whom, when": the
services of the apps that own deadlines keep it in step (`notifications.deadlines`).
`Reminder`, `Notification` and `Digest` each carry one mail through
pending → sending → sent (or failed, or skipped); see `notifications.delivery`.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cepa_collab.models import Branch
from notifications.enums import DEFAULT_DELIVERY, Delivery, MailState
from notifications.kinds import DEADLINE_KINDS, MAX_LENGTH, NOTIFICATION_KINDS

# A kind is a plain string: the apps register theirs (`notifications.kinds`), so a new one
# needs no migration here; the registry gives its label.
KIND_HELP = _("One of the kinds the apps register.")


class Deadline(models.Model):
    """Something due on a date from one person: a deliverable from its owner, a review
    from its reviewer. `due_at` is the due date at `REMINDER_HOUR` in that person's time
    zone; reminder offsets count from it."""

    kind = models.CharField(_("kind"), max_length=MAX_LENGTH, help_text=KIND_HELP)
    object_id = models.PositiveBigIntegerField(_("object id"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("responsible"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("branch"),
    )
    title = models.CharField(_("title"), max_length=300)
    link = models.CharField(_("link"), max_length=300)
    due_date = models.DateField(_("due date"))
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "user"], name="deadline_unique_item_person"
            ),
        ]
        indexes = [
            # The sweep reads open deadlines by kind and due moment, nothing else.
            models.Index(
                fields=["kind", "due_at"],
                name="deadline_open_kind_due",
                condition=Q(done_at__isnull=True),
            ),
            models.Index(fields=["user", "due_date"], name="deadline_user_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.due_date})"

    def get_kind_display(self) -> str:
        return DEADLINE_KINDS.label(self.kind)

    @property
    def is_open(self) -> bool:
        return self.done_at is None


def _days_list(value: str) -> list[int]:
    try:
        days = sorted(
            {int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True
        )
    except ValueError as exc:
        raise ValidationError(_("Write whole numbers of days separated by commas.")) from exc
    if any(day < 0 or day > 365 for day in days):
        raise ValidationError(_("Each number of days must be between 0 and 365."))
    return days


def validate_days_before(value: str) -> None:
    _days_list(value)


class ReminderPolicy(models.Model):
    """When the people responsible for one kind of deadline are reminded."""

    kind = models.CharField(_("kind"), max_length=MAX_LENGTH, unique=True, help_text=KIND_HELP)
    days_before = models.CharField(
        _("days before"),
        max_length=100,
        default="7,2,0",
        validators=[validate_days_before],
        help_text=_("Reminders this many days before the due date; 0 is on the day."),
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("while overdue, every (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    overdue_max = models.PositiveSmallIntegerField(
        _("while overdue, at most (times)"),
        default=5,
        validators=[MaxValueValidator(20)],
    )
    escalate = models.BooleanField(
        _("tell the branch chief when overdue"),
        default=True,
        help_text=_("Each overdue reminder also goes, once, to the chief of the item's branch."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1), name="reminderpolicy_every_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def get_kind_display(self) -> str:
        return DEADLINE_KINDS.label(self.kind)

    def offsets(self) -> list[int]:
        """Offsets in days from the due moment, in time order: -7, -2, 0, 3, 6, …"""
        before = [-day for day in _days_list(self.days_before)]
        overdue = [self.overdue_every_days * n for n in range(1, self.overdue_max + 1)]
        return sorted(set(before) | set(overdue))


class MailRecord(models.Model):
    """One mail's progress: claimed, handed to SMTP under a lease, then settled (sent,
    failed, skipped, or uncertain until a person settles it)."""

    state = models.CharField(
        _("mail state"), max_length=10, choices=MailState.choices, default=MailState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    stuck_reported_at = models.DateTimeField(_("reported stuck"), null=True, blank=True)
    smtp_exchange = models.TextField(
        _("last SMTP exchange"),
        blank=True,
        default="",
        db_default="",  # the sweep's INSERT … SELECT names only the columns it sets
        help_text=_("Commands and replies of the last attempt (no credentials, no content)."),
    )

    class Meta:
        abstract = True


class Reminder(MailRecord):
    """The claim that one reminder of one deadline goes to one person, once.

    The unique constraint is the "sent" record: the sweep inserts it in the
    transaction that decides to send; a due date moved (a new `due_date`) arms a
    fresh set."""

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("deadline")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    offset_days = models.SmallIntegerField(_("offset (days from due)"))
    due_date = models.DateField(_("for due date"))
    escalation = models.BooleanField(_("escalation to the chief"), default=False)
    created_at = models.DateTimeField(_("claimed"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "offset_days", "recipient", "due_date"],
                name="reminder_once_per_offset_recipient",
            ),
            models.CheckConstraint(
                condition=Q(state__in=MailState.values), name="reminder_state_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"],
                name="reminder_unsettled",
                condition=Q(state__in=[MailState.PENDING, MailState.SENDING]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} → {self.recipient} ({self.offset_days:+d} d)"


class Digest(MailRecord):
    """One person's daily digest for one local date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name=_("user"),
    )
    local_date = models.DateField(_("local date"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-local_date", "-pk"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="digest_once_per_day"),
            models.CheckConstraint(
                condition=Q(state__in=MailState.values), name="digest_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.local_date}"


class Notification(MailRecord):
    """One entry of a person's notification centre, written in their language.

    Its mail goes at once (state pending), with the next digest (state digest), or
    not at all (skipped), as the person prefers for its kind."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=MAX_LENGTH, help_text=KIND_HELP)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=100, blank=True)
    attachment = models.TextField(_("attachment (iCalendar)"), blank=True)
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("reminder"),
    )
    digest = models.ForeignKey(
        Digest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("digest"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MailState.values), name="notification_state_known"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user"], name="notification_user_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(
                fields=["user", "created_at"],
                name="notification_awaiting_digest",
                condition=Q(state=MailState.DIGEST, digest__isnull=True),
            ),
            models.Index(
                fields=["state", "next_attempt_at"],
                name="notification_unsettled",
                condition=Q(state__in=[MailState.PENDING, MailState.SENDING]),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_kind_display(self) -> str:
        return NOTIFICATION_KINDS.label(self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one kind of notification reaches one person (no row: `DEFAULT_DELIVERY`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=MAX_LENGTH, help_text=KIND_HELP)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=DEFAULT_DELIVERY
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind"),
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values), name="preference_delivery_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.delivery}"

    def get_kind_display(self) -> str:
        return NOTIFICATION_KINDS.label(self.kind)


def due_moment(due_date: datetime.date, time_zone: str) -> datetime.datetime:
    """The instant a date-only deadline falls due for a person in `time_zone`."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    hour = datetime.time(settings.REMINDER_HOUR)
    return datetime.datetime.combine(due_date, hour, tzinfo=zone).astimezone(datetime.UTC)
