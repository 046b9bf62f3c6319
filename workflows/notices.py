"""The workflow's kinds of notification, registered with notifications (`notifications.kinds`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import notification_kinds


@notification_kinds
class WorkflowNotice(models.TextChoices):
    """What a notification of the workflow is about; people choose how each kind reaches them."""

    REVIEW_ASSIGNED = "review_assigned", _("Reviews assigned to me")
    REVIEW_WITHDRAWN = "review_withdrawn", _("Reviews withdrawn or declined")
    REVIEW_SUBMITTED = "review_submitted", _("Reviews submitted on my deliverables")
    DECISION = "decision", _("Decisions on deliverables")
    DECISION_READY = "decision_ready", _("Ready for your decision")
