"""States and kinds of the workflows app, with their named groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProductKind(models.TextChoices):
    SURVEY = "survey", _("Survey")
    COMPENDIUM = "compendium", _("Compendium")
    TOOLKIT = "toolkit", _("Toolkit")
    KNOWLEDGE_REPOSITORY = "knowledge_repository", _("Knowledge repository")
    GUIDELINE = "guideline", _("Guideline")
    TRAINING_COURSE = "training_course", _("Training course")
    REPORT = "report", _("Report")
    PLANS_OF_ACTION = "plans_of_action", _("Plans of action (technical cooperation)")
    OTHER = "other", _("Other")


class DeliverableKind(models.TextChoices):
    CHAPTER = "chapter", _("Chapter")
    VOLUME = "volume", _("Volume")
    GUIDELINE = "guideline", _("Guideline")
    TOOLKIT = "toolkit", _("Toolkit")
    TRAINING_COURSE = "training_course", _("Online training course")
    REPORT = "report", _("Report")
    DATASET = "dataset", _("Data set")
    PLAN_OF_ACTION = "plan_of_action", _("Plan of action")
    OTHER = "other", _("Other")


class DeliverableState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("state", "Planned")
    DRAFTING = "drafting", pgettext_lazy("state", "Drafting")
    IN_REVIEW = "in_review", pgettext_lazy("state", "In review")
    REVISING = "revising", pgettext_lazy("state", "Revising")
    APPROVED = "approved", pgettext_lazy("state", "Approved")
    PUBLISHED = "published", pgettext_lazy("state", "Published")
    CANCELLED = "cancelled", pgettext_lazy("state", "Cancelled")


# Open states are not final yet; final states never change again. A deliverable can be
# cancelled while it is still being produced (DELIVERABLE_ACTIVE_STATES), not once approved.
DELIVERABLE_OPEN_STATES = (
    DeliverableState.PLANNED,
    DeliverableState.DRAFTING,
    DeliverableState.IN_REVIEW,
    DeliverableState.REVISING,
    DeliverableState.APPROVED,
)
DELIVERABLE_FINAL_STATES = (DeliverableState.PUBLISHED, DeliverableState.CANCELLED)
# States in which the deliverable is still being produced (it can be late).
DELIVERABLE_ACTIVE_STATES = (
    DeliverableState.PLANNED,
    DeliverableState.DRAFTING,
    DeliverableState.IN_REVIEW,
    DeliverableState.REVISING,
)


class RoundState(models.TextChoices):
    OPEN = "open", pgettext_lazy("state", "Open")
    CLOSED = "closed", pgettext_lazy("state", "Closed")


class AssignmentState(models.TextChoices):
    INVITED = "invited", pgettext_lazy("state", "Invited")
    ACCEPTED = "accepted", pgettext_lazy("state", "Accepted")
    DECLINED = "declined", pgettext_lazy("state", "Declined")
    SUBMITTED = "submitted", pgettext_lazy("state", "Submitted")
    WITHDRAWN = "withdrawn", pgettext_lazy("state", "Withdrawn")


# An outstanding assignment still owes a review.
ASSIGNMENT_OUTSTANDING_STATES = (AssignmentState.INVITED, AssignmentState.ACCEPTED)
# The reviewer keeps access to the draft in these states.
ASSIGNMENT_ACCESS_STATES = (
    AssignmentState.INVITED,
    AssignmentState.ACCEPTED,
    AssignmentState.SUBMITTED,
)
ASSIGNMENT_FINAL_STATES = (
    AssignmentState.DECLINED,
    AssignmentState.SUBMITTED,
    AssignmentState.WITHDRAWN,
)


class Recommendation(models.TextChoices):
    READY = "ready", _("Ready")
    MINOR_REVISION = "minor_revision", _("Minor revision")
    MAJOR_REVISION = "major_revision", _("Major revision")
    NOT_READY = "not_ready", _("Not ready")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("state", "Submitted")


class DeliverableAction(models.TextChoices):
    """What a line of a deliverable's history records."""

    TRANSITION = "transition", _("State change")
    DUE_DATE = "due_date", _("Due date change")
    ASSIGNMENT = "assignment", _("Reviewer assignment")
    VERSION = "version", _("New version")
    EDITED = "edited", _("Edited")
