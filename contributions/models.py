"""Contributions of CEPA members: case studies for the Compendium, entries for the
knowledge repository, written input to a product; and their review by branch staff.

State changes go through `contributions.services`."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cepa_collab.models import (
    Branch,
    HistoryEntry,
    MemberState,
    TimeStampedModel,
    UploadedDocument,
)
from contributions import rules
from contributions.enums import (
    AWAITING_REVIEW_STATES,
    WITHDRAWABLE_STATES,
    ContributionAction,
    ContributionKind,
    ContributionState,
    RepositoryCategory,
)
from contributions.rules import MACHINE, TRANSITION_LABELS  # noqa: F401 (their home was here)


class Contribution(ConcurrentTransitionMixin, TimeStampedModel):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ContributionKind.choices)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("branch")
    )
    country = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("country"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    innovation = models.TextField(_("what is innovative"), blank=True)
    transferability = models.TextField(_("why it is transferable and adaptable"), blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One address per line."))
    category = models.CharField(
        _("repository category"), max_length=20, choices=RepositoryCategory.choices, blank=True
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    document_url = models.URLField(_("document address"), blank=True, max_length=500)
    product = models.ForeignKey(
        "workflows.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("product"),
    )
    deliverable = models.ForeignKey(
        "workflows.Deliverable",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="input_contributions",
        verbose_name=_("for deliverable"),
    )
    state = FSMField(_("state"), default=ContributionState.DRAFT, choices=ContributionState.choices)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions_reviewed",
        verbose_name=_("reviewer"),
    )
    review_comment = models.TextField(_("reviewer's comments"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    incorporated_into = models.ForeignKey(
        "workflows.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incorporated_contributions",
        verbose_name=_("incorporated into"),
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ContributionState.values), name="contribution_state_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ContributionKind.values), name="contribution_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind=ContributionKind.REPOSITORY_ENTRY) | ~Q(category=""),
                name="contribution_repository_entry_has_category",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "state"], name="contribution_author_state"),
            models.Index(fields=["branch", "state"], name="contribution_branch_state"),
            models.Index(fields=["country", "kind", "state"], name="contribution_country"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def review_overdue(self) -> bool:
        """The review is late: still awaited (submitted or under review) and due before
        today (the rule of `contributions.deadlines`)."""
        return (
            self.state in AWAITING_REVIEW_STATES
            and self.review_due is not None
            and self.review_due < timezone.localdate()
        )

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    # --- transitions (fired only through contributions.services.fire_transition) ----
    @transition(
        field=state,
        source=[ContributionState.DRAFT, ContributionState.RETURNED],
        target=ContributionState.SUBMITTED,
        permission=rules.is_author,
    )
    def submit(self) -> None:
        """The author sends it to the branch."""

    @transition(
        field=state,
        source=ContributionState.SUBMITTED,
        target=ContributionState.UNDER_REVIEW,
        permission=rules.can_review,
    )
    def start_review(self) -> None:
        """A member of the branch's staff takes it up."""

    @transition(
        field=state,
        source=ContributionState.UNDER_REVIEW,
        target=ContributionState.ACCEPTED,
        permission=rules.can_review,
    )
    def accept(self) -> None:
        """Accepted: it may be incorporated into a deliverable."""

    @transition(
        field=state,
        source=ContributionState.UNDER_REVIEW,
        target=ContributionState.RETURNED,
        permission=rules.can_review,
    )
    def return_for_revision(self) -> None:
        """Returned to the author with comments."""

    @transition(
        field=state,
        source=list(WITHDRAWABLE_STATES),
        target=ContributionState.WITHDRAWN,
        permission=rules.is_author,
    )
    def withdraw(self) -> None:
        """The author withdraws it."""


class Attachment(UploadedDocument):
    """A file the author attached to their contribution (downloaded under its own name)."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta:
        ordering = ["contribution", "created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    def folder(self) -> str:
        return f"contributions/{self.contribution_id}"


class ContributionHistory(HistoryEntry):
    """The contribution's history: proposed, edited, state changes with the reviewer's
    comments, files, incorporation."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=30, choices=ContributionAction.choices)

    STATES = ContributionState

    class Meta(HistoryEntry.Meta):
        verbose_name = _("contribution history entry")
        verbose_name_plural = _("contribution history")
        indexes = [models.Index(fields=["contribution", "at"], name="contribhistory_at")]

    def display_params(self) -> dict:
        params = super().display_params()
        if isinstance(params.get("fields"), list):
            names = []
            for name in params["fields"]:
                try:
                    names.append(str(Contribution._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:
                    names.append(str(name))
            params["fields"] = ", ".join(names)
        return params
