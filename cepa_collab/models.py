"""The organisation core: regions, Member States, branches and people."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import cache
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cepa_collab import documents, places
from cepa_collab.enums import InvitationState, Language, Role
from cepa_collab.names import display_name


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class HistoryEntry(models.Model):
    """One line of a record's history: who did what, when, from which state to which.

    Concrete histories (deliverables, advisory requests, contributions) add the record,
    the choices of `action` and the states of the record (`state_choices`); rows are
    written by the services in the transaction of the change (`write`, or `line` and
    `write_all` for an operation that writes several) and never edited.
    """

    # Without an actor: the system did it, or the person was removed before the history
    # was shared (the deliverables' former audit trail let them go). Anyone who acts now is
    # kept: a person named in a history is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # What the system says of the change, kept untranslated (a message marked with
    # gettext_noop and its parameters) so that each reader gets it in their own language.
    note = models.CharField(_("note"), max_length=300, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)

    # The record's states (a TextChoices), which `from_state` and `to_state` name.
    STATES: ClassVar[type[models.TextChoices] | None] = None

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @classmethod
    def line(cls, actor, action: str, comment: str = "", *, note="", params=None, **record):
        """One line, not saved yet: `comment` is the person's own words; `note` (marked with
        gettext_noop) and `params` say what happened."""
        return cls(
            actor=actor, action=action, comment=comment, note=note, params=params or {}, **record
        )

    @classmethod
    def write(cls, actor, action: str, comment: str = "", *, note="", params=None, **record):
        """One line, in the caller's transaction (see `line`)."""
        entry = cls.line(actor, action, comment, note=note, params=params, **record)
        entry.save(force_insert=True)
        return entry

    @classmethod
    def write_all(cls, lines: Iterable[HistoryEntry]) -> list:
        """The lines of one operation, in the caller's transaction, in one query, in order."""
        return cls.objects.bulk_create(list(lines))

    @property
    def summary(self) -> str:
        """The note in the active language, with its details ("" without a note)."""
        if not self.note:
            return ""
        try:
            return gettext(self.note) % self.display_params()
        except (KeyError, TypeError, ValueError):
            return self.note

    def display_params(self) -> dict:
        """The parameters as the note shows them (subclasses translate codes to labels)."""
        return dict(self.params)

    @property
    def actor_name(self) -> str:
        """Who did it, as others read them ("System" without an actor)."""
        if self.actor is None:
            return gettext("System")
        return display_name(self.actor)

    def state_choices(self) -> type[models.TextChoices] | None:
        """The states `from_state` and `to_state` name: the record's `STATES`."""
        return self.STATES

    def state_label(self, value: str) -> str:
        """A state's label in the active language ("" for none, the code if unknown)."""
        choices = self.state_choices()
        if not value or choices is None or value not in choices.values:
            return value
        return str(choices(value).label)

    @property
    def from_label(self) -> str:
        return self.state_label(self.from_state)

    @property
    def to_label(self) -> str:
        return self.state_label(self.to_state)


def document_path(instance: UploadedDocument, filename: str) -> str:
    """Where a document's file is stored, under MEDIA_ROOT (which no URL serves)."""
    return f"{instance.folder()}/{filename}"


class UploadedDocument(models.Model):
    """A file someone uploaded, as every app keeps it: accepted by its content, stored
    outside the web root under a safe name, served only as an attachment by a view that
    checked who asks. Create one with `cepa_collab.documents.store`, serve it with
    `cepa_collab.documents.serve`.

    A concrete document adds its record (a deliverable, a review, a request, a
    contribution) and says where its files go (`folder`). A numbered one (versions)
    has a `number` field and names, in `numbered_within`, the fields within which
    `store` counts them.
    """

    numbered_within: tuple[str, ...] = ()

    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        # A deleted document's file goes once the deletion commits (`documents.forget_file`:
        # deletions come by cascade too, where no service sees the rows go).
        super().__init_subclass__(**kwargs)
        post_delete.connect(documents.forget_file, sender=cls)

    def folder(self) -> str:
        """The folder of this document's file, relative to MEDIA_ROOT."""
        raise NotImplementedError

    @property
    def extension(self) -> str:
        """The extension of the type the content was accepted as."""
        kind = documents.document_type(self.content_type)
        if kind is not None:
            return kind.extension
        name = self.file.name or ""
        return name.rsplit(".", 1)[-1].lower() if "." in name else "bin"

    def download_name(self) -> str:
        """The name the file is downloaded under: the one it was uploaded with, with the
        extension its content says (`documents.content_disposition` makes it safe)."""
        return documents.uploaded_name(self.original_name, self.extension)


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _iana_zones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone (for example Europe/Paris)."),
            code="invalid_time_zone",
            params={"value": value},
        )


class Region(models.Model):
    """One of the five regional repositories of the UN e/m-Government Knowledge Repository."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        """The name in the active language (`cepa_collab.places`)."""
        return places.region_name(self.code, self.name)


class MemberState(models.Model):
    """A United Nations Member State (ISO 3166-1 codes, names from pycountry)."""

    iso3 = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166 alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="member_states", verbose_name=_("region")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Member State")
        verbose_name_plural = _("Member States")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="memberstate_iso3_upper"
            ),
            models.CheckConstraint(
                condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="memberstate_iso2_upper"
            ),
        ]

    def __str__(self) -> str:
        """The name in the active language (`cepa_collab.places`); `name` is the English."""
        return places.country_name(self.iso2, self.name)


class Branch(TimeStampedModel):
    """A branch of DPADM (e-Government Branch, PACB, DMB)."""

    code = models.SlugField(_("short code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Profile(TimeStampedModel):
    """What CEPA Collab knows of a person beyond Django's user.

    Roles are the user's groups (one group per `Role`), so that model permissions
    come with the role; see `roles_for`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("branch"),
    )
    country = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("country"),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="profile_language_known"
            ),
        ]

    def __str__(self) -> str:
        return display_name(self.user)


def roles_for(user) -> list[Role]:
    """The roles a user holds, in the order of `Role`; uses prefetched groups if present."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_cepa_roles", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}
        cached = [role for role in Role if role.value in names]
        user._cepa_roles = cached
    return list(cached)


class Heartbeat(models.Model):
    """The last time a background process (Celery worker, beat) was seen alive."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ChangeCounter(models.Model):
    """A number that grows whenever something in its domain changes (e.g. "calendar": any
    meeting, participant, assignment or deliverable). Readers cache work under its value."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("change counter")
        verbose_name_plural = _("change counters")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (pending, or expired without an answer)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self, now=None):
        return self.open().filter(expires_at__gt=now or timezone.now())


class Invitation(TimeStampedModel):
    """An invitation to join CEPA Collab with a role, sent to an e-mail address.

    The link mailed to the address carries a signed token; only its SHA-256 is kept
    (`token_hash`), so the table never holds a usable link. Issue, resend, revoke and accept
    through `cepa_collab.invitations`. Its state (`state`) follows from its dates: accepted,
    revoked, expired (past `expires_at`) or pending.
    """

    email = models.EmailField(_("e-mail address"), max_length=254)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    # The invitable roles are the external ones (`EXTERNAL_ROLES`): they belong to a
    # country (a focal point's Member State, a CEPA member's own), never to a branch.
    country = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    expires_at = models.DateTimeField(_("expires"))
    token_hash = models.CharField(_("token digest"), max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # At most one open invitation per address (compared as stored: lower case).
            models.UniqueConstraint(
                "email",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.CEPA_MEMBER, Role.FOCAL_POINT]),
                name="invitation_external_role",
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.CEPA_MEMBER) | models.Q(country__isnull=False),
                name="invitation_focal_point_country",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="invitation_email_lower_case",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def state(self) -> InvitationState:
        """Accepted, revoked, expired (now past `expires_at`) or pending."""
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    def get_state_display(self) -> str:
        return str(self.state.label)
