"""Meetings, their participants and agenda, and the secret tokens of private calendar feeds."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cepa_collab.models import Branch, MemberState, TimeStampedModel, validate_time_zone
from cepa_collab.names import display_name
from meetings.enums import MeetingKind, MeetingStatus, ParticipantRole, Reply, TokenKind, Visibility


class Meeting(TimeStampedModel):
    """An expert group meeting, CEPA session, workshop, seminar or assessment mission."""

    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("branch")
    )
    country = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("host country"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.CONFIRMED
    )
    # Grows on every change that matters to a calendar: it is the event's SEQUENCE.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["start", "id"], name="meeting_start_id"),
            models.Index(fields=["visibility", "start"], name="meeting_visibility_start"),
            # A country's meetings, latest first, a page at a time (the country page).
            models.Index(fields=["country", "start", "id"], name="meeting_country_start"),
            # A branch's meetings to come, soonest first (the cockpit's section).
            models.Index(fields=["branch", "start", "id"], name="meeting_branch_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class Participant(TimeStampedModel):
    """A person taking part: a user, or an external person known by name and e-mail."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_participations",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.EXPERT
    )
    reply = models.CharField(
        _("reply"), max_length=20, choices=Reply.choices, default=Reply.INVITED
    )

    class Meta:
        ordering = ["meeting", "role", "name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="participant_unique_user",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="participant_named"
            ),
        ]
        indexes = [models.Index(fields=["user", "meeting"], name="participant_user_meeting")]

    def __str__(self) -> str:
        if self.user_id:
            return display_name(self.user)
        return self.name


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    deliverable = models.ForeignKey(
        "workflows.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("deliverable"),
    )

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


def hash_token(raw: str) -> str:
    """What is stored of a calendar token: its SHA-256 (the token itself is shown once)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarToken(models.Model):
    """The secret of a private feed URL, stored only as its SHA-256 hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TokenKind.choices)
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    # The first characters only, to recognise a token in the page and in logs.
    prefix = models.CharField(_("token prefix"), max_length=8)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["user", "kind", "-created_at"]
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_token_one_active_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.prefix}… ({self.user})"
