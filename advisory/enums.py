"""Kinds, channels and states of advisory requests (technical cooperation)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    STRATEGY = "strategy", _("National ICT / e-government strategy")
    ASSESSMENT = "assessment", _("Assessment of an e-government programme")
    WORKSHOP = "workshop", _("Capacity-building workshop")
    POLICY_ADVICE = "policy_advice", _("Policy or legal advice")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    LETTER = "letter", _("Official letter")
    EMAIL = "email", _("E-mail")
    MISSION = "mission", _("Permanent Mission")
    RESIDENT_COORDINATOR = "resident_coordinator", _("UN Resident Coordinator")
    MEETING = "meeting", _("At a meeting")
    OTHER = "other", _("Other")


class RequestState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("state", "Received")
    ACCEPTED = "accepted", pgettext_lazy("state", "Accepted")
    DECLINED = "declined", pgettext_lazy("state", "Declined")
    MISSION_PLANNED = "mission_planned", pgettext_lazy("state", "Assessment mission planned")
    MISSION_COMPLETED = "mission_completed", pgettext_lazy("state", "Mission completed")
    ANALYSIS = "analysis", pgettext_lazy("state", "Analysis")
    PLAN_DRAFTED = "plan_drafted", pgettext_lazy("state", "Plan of action drafted")
    PLAN_AGREED = "plan_agreed", pgettext_lazy("state", "Plan of action agreed")
    FOLLOW_UP = "follow_up", pgettext_lazy("state", "In follow-up")
    CLOSED = "closed", pgettext_lazy("state", "Closed")


REQUEST_OPEN_STATES = tuple(
    state for state in RequestState if state not in (RequestState.DECLINED, RequestState.CLOSED)
)
REQUEST_FINAL_STATES = (RequestState.DECLINED, RequestState.CLOSED)
# From these states on, a plan of action exists that the country's focal point may read.
PLAN_VISIBLE_STATES = (
    RequestState.PLAN_DRAFTED,
    RequestState.PLAN_AGREED,
    RequestState.FOLLOW_UP,
    RequestState.CLOSED,
)


class DocumentKind(models.TextChoices):
    MISSION_REPORT = "mission_report", _("Mission report")
    ANALYSIS = "analysis", _("Analysis (strengths and weaknesses)")
    PLAN_OF_ACTION = "plan_of_action", _("Plan of action")


# Documents the focal point of the country may read (never the internal ones).
COUNTRY_DOCUMENT_KINDS = (DocumentKind.PLAN_OF_ACTION,)


class MilestoneState(models.TextChoices):
    OPEN = "open", pgettext_lazy("state", "Open")
    DONE = "done", pgettext_lazy("state", "Done")
    CANCELLED = "cancelled", pgettext_lazy("state", "Cancelled")


class RequestAction(models.TextChoices):
    """What a line of a request's history records."""

    CREATED = "created", _("Recorded")
    TRANSITION = "transition", _("State change")
    TEAM = "team", _("Lead and team")
    MISSION = "mission", _("Assessment mission")
    DOCUMENT = "document", _("Document")
    MILESTONE = "milestone", _("Milestone")
    PLAN_REVIEW = "plan_review", _("Review of the plan of action")
