"""Kinds, statuses and replies of meetings, with their named groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    CEPA_SESSION = "cepa_session", _("CEPA session")
    EXPERT_GROUP = "expert_group", _("Expert group meeting")
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    ASSESSMENT_MISSION = "assessment_mission", _("Assessment mission")
    OTHER = "other", _("Other")


class MeetingStatus(models.TextChoices):
    TENTATIVE = "tentative", pgettext_lazy("state", "Tentative")
    CONFIRMED = "confirmed", pgettext_lazy("state", "Confirmed")
    CANCELLED = "cancelled", pgettext_lazy("state", "Cancelled")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTICIPANTS = "participants", _("Participants only")


class ParticipantRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    EXPERT = "expert", _("Expert")
    SECRETARIAT = "secretariat", _("Secretariat")
    OBSERVER = "observer", _("Observer")


class Reply(models.TextChoices):
    INVITED = "invited", pgettext_lazy("meeting reply", "Invited")
    ACCEPTED = "accepted", pgettext_lazy("meeting reply", "Accepted")
    DECLINED = "declined", pgettext_lazy("meeting reply", "Declined")
    TENTATIVE = "tentative", pgettext_lazy("meeting reply", "Tentative")


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal feed")
    BRANCH = "branch", _("Branch feed")


# Fields whose change matters to a calendar: they raise the meeting's revision (SEQUENCE).
CALENDAR_FIELDS = ("title", "start", "end", "time_zone", "location", "online_link", "status")
