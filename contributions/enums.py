"""Kinds, repository categories and states of CEPA members' contributions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContributionKind(models.TextChoices):
    CASE_STUDY = "case_study", _("Case study for the Compendium")
    REPOSITORY_ENTRY = "repository_entry", _("Knowledge repository entry")
    WRITTEN_INPUT = "written_input", _("Written input to a product")


class RepositoryCategory(models.TextChoices):
    """The three categories of the UN e/m-Government Knowledge Repository."""

    POLICY = "policy", _("E-government policy")
    LEGAL = "legal", _("Legal framework")
    INSTITUTIONAL = "institutional", _("Institutional setting / CIO")


class ContributionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("state", "Submitted")
    UNDER_REVIEW = "under_review", pgettext_lazy("state", "Under review")
    ACCEPTED = "accepted", pgettext_lazy("state", "Accepted")
    RETURNED = "returned", pgettext_lazy("state", "Returned for revision")
    WITHDRAWN = "withdrawn", pgettext_lazy("state", "Withdrawn")


# Waiting for branch staff: a deadline for them.
AWAITING_REVIEW_STATES = (ContributionState.SUBMITTED, ContributionState.UNDER_REVIEW)
# The author may still withdraw.
WITHDRAWABLE_STATES = (
    ContributionState.DRAFT,
    ContributionState.SUBMITTED,
    ContributionState.UNDER_REVIEW,
    ContributionState.RETURNED,
)
# What branch staff see (a draft is the author's own until submitted).
STAFF_VISIBLE_STATES = (
    ContributionState.SUBMITTED,
    ContributionState.UNDER_REVIEW,
    ContributionState.ACCEPTED,
    ContributionState.RETURNED,
    ContributionState.WITHDRAWN,
)


class ContributionAction(models.TextChoices):
    """What a line of a contribution's history records."""

    CREATED = "created", _("Proposed")
    EDITED = "edited", _("Edited")
    TRANSITION = "transition", _("State change")
    ATTACHMENT = "attachment", _("Attachment")
    INCORPORATED = "incorporated", _("Incorporated")
