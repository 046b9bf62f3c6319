"""Products, deliverables, versions, review rounds, assignments, reviews and their history.

State changes go through `workflows.services`; the transitions declared here say
which states connect, who may fire each one (`permission=`) and on what
conditions, so that pages, API and admin share one machine.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cepa_collab import documents
from cepa_collab.models import Branch, HistoryEntry, Region, TimeStampedModel, UploadedDocument
from cepa_collab.names import display_name
from workflows import rules
from workflows.enums import (
    ASSIGNMENT_OUTSTANDING_STATES,
    DELIVERABLE_ACTIVE_STATES,
    AssignmentState,
    DeliverableAction,
    DeliverableKind,
    DeliverableState,
    ProductKind,
    Recommendation,
    ReviewStatus,
    RoundState,
)
from workflows.rules import MACHINE, TRANSITION_LABELS  # noqa: F401 (their home was here)


class Product(TimeStampedModel):
    """A product of a branch, e.g. the UN E-Government Survey 2026 or a Compendium volume."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="products", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ProductKind.choices)
    title = models.CharField(_("title"), max_length=200)
    edition = models.CharField(_("edition or year"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_products",
        verbose_name=_("lead"),
    )

    class Meta:
        ordering = ["branch__code", "title", "edition"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "title", "edition"], name="product_unique_title_edition"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProductKind.values), name="product_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.edition}".strip()


class DeliverableQuerySet(models.QuerySet):
    """Deliverables, with the overdue rule written once (`overdue_q`)."""

    @staticmethod
    def overdue_q(today: datetime.date) -> Q:
        """Late: due before `today` and still being produced (planned to revising)."""
        return Q(due_date__lt=today, state__in=DELIVERABLE_ACTIVE_STATES)

    def overdue(self, today: datetime.date | None = None) -> DeliverableQuerySet:
        return self.filter(self.overdue_q(today or timezone.localdate()))

    def not_overdue(self, today: datetime.date | None = None) -> DeliverableQuerySet:
        return self.exclude(self.overdue_q(today or timezone.localdate()))

    def awaiting_decision(self, today: datetime.date | None = None) -> DeliverableQuerySet:
        """In review and waiting for the chief's decision: its open round has at least one
        reviewer who did not decline or withdraw, and no review still owed that is not yet
        due (every review is in, or the ones missing are past their due date).

        Counted over the open rounds (few: one per deliverable in review), each joined to its
        own assignments by the round's index. Asked as correlated EXISTS instead, SQLite
        without statistics walked the (state, due date) index of every assignment for each
        deliverable (20 s at 10,000 deliverables)."""
        today = today or timezone.localdate()
        counted = (*ASSIGNMENT_OUTSTANDING_STATES, AssignmentState.SUBMITTED)
        waiting_rounds = (
            ReviewRound.objects.filter(state=RoundState.OPEN)
            .annotate(
                reviewers=models.Count("assignments", filter=Q(assignments__state__in=counted)),
                owed_not_due=models.Count(
                    "assignments",
                    filter=Q(
                        assignments__state__in=ASSIGNMENT_OUTSTANDING_STATES,
                        assignments__due_date__gte=today,
                    ),
                ),
            )
            .filter(reviewers__gt=0, owed_not_due=0)
            .values("deliverable_id")
        )
        return self.filter(state=DeliverableState.IN_REVIEW, pk__in=waiting_rounds)


class Deliverable(ConcurrentTransitionMixin, TimeStampedModel):
    """A concrete output of a product, moved from plan to publication by review rounds."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="deliverables", verbose_name=_("product")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=DeliverableKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_deliverables",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    state = FSMField(
        _("state"),
        max_length=20,
        choices=DeliverableState.choices,
        default=DeliverableState.PLANNED,
        protected=True,
    )
    description = models.TextField(_("description"), blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        indexes = [
            # Lists are ordered by due date: walking this index stops after one page.
            models.Index(fields=["due_date", "id"], name="deliverable_due_id"),
            models.Index(fields=["state", "due_date"], name="deliverable_state_due"),
            models.Index(fields=["owner", "state"], name="deliverable_owner_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliverableState.values), name="deliverable_state_known"
            ),
        ]
        permissions = [("review_deliverable", "Can review the deliverable as an assigned reviewer")]

    def __str__(self) -> str:
        return self.title

    @property
    def branch_id(self) -> int:
        return self.product.branch_id

    def is_overdue_on(self, today: datetime.date) -> bool:
        """`DeliverableQuerySet.overdue_q` for this one deliverable."""
        return self.state in DELIVERABLE_ACTIVE_STATES and self.due_date < today

    @property
    def overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    @cached_property
    def open_round(self) -> ReviewRound | None:
        """The open review round with its version (one query, then kept)."""
        return self.rounds.filter(state=RoundState.OPEN).select_related("version").first()

    # --- conditions -------------------------------------------------------------
    def has_unreviewed_version(self) -> bool:
        """A version exists that no earlier round reviewed (needed to open a round)."""
        latest = self.versions.order_by("-number").first()
        if latest is None:
            return False
        return not self.rounds.filter(version=latest).exists()

    # --- transitions (fired only through workflows.services.fire_transition) ----
    @transition(
        field=state,
        source=DeliverableState.PLANNED,
        target=DeliverableState.DRAFTING,
        permission=rules.can_manage,
    )
    def start_drafting(self) -> None:
        """The owner starts writing."""

    @transition(
        field=state,
        source=[DeliverableState.DRAFTING, DeliverableState.REVISING],
        target=DeliverableState.IN_REVIEW,
        conditions=[has_unreviewed_version],
        permission=rules.can_manage,
    )
    def submit_for_review(self) -> None:
        """Open a review round on the newest version (owner or chief)."""

    @transition(
        field=state,
        source=DeliverableState.IN_REVIEW,
        target=DeliverableState.REVISING,
        permission=rules.can_decide,
    )
    def return_for_revision(self) -> None:
        """The chief sends the draft back to its owner."""

    @transition(
        field=state,
        source=DeliverableState.IN_REVIEW,
        target=DeliverableState.APPROVED,
        permission=rules.can_decide,
    )
    def approve(self) -> None:
        """The chief approves (a waiver is needed while reviews are outstanding)."""

    @transition(
        field=state,
        source=DeliverableState.APPROVED,
        target=DeliverableState.PUBLISHED,
        permission=rules.can_decide,
    )
    def publish(self) -> None:
        """The approved deliverable is published."""

    @transition(
        field=state,
        source=list(DELIVERABLE_ACTIVE_STATES),
        target=DeliverableState.CANCELLED,
        permission=rules.can_decide,
    )
    def cancel(self) -> None:
        """The chief cancels a deliverable still being produced: never once approved (the
        decision stands; it is then published)."""


class Version(UploadedDocument):
    """A numbered upload of a deliverable's draft (files live outside the web root)."""

    numbered_within = ("deliverable",)

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["deliverable", "number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} v{self.number}"

    def folder(self) -> str:
        return f"deliverables/{self.deliverable_id}/v{self.number}"

    def download_name(self) -> str:
        return documents.download_name(self.deliverable.title, self.number, self.extension)


class ReviewRound(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="rounds")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveIntegerField(_("round"))
    state = models.CharField(
        _("state"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the chief was told the round waits for their decision (claimed once per round).
    decision_requested_at = models.DateTimeField(
        _("decision requested"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["deliverable", "number"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"], name="round_unique_number"),
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=Q(state=RoundState.OPEN),
                name="round_one_open_per_deliverable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} — round {self.number}"


class ReviewAssignmentQuerySet(models.QuerySet):
    """Review assignments, with the overdue rule written once (`overdue_q`)."""

    @staticmethod
    def overdue_q(today: datetime.date) -> Q:
        """Late: due before `today` and the review still owed (invited or accepted)."""
        return Q(due_date__lt=today, state__in=ASSIGNMENT_OUTSTANDING_STATES)

    def overdue(self, today: datetime.date | None = None) -> ReviewAssignmentQuerySet:
        return self.filter(self.overdue_q(today or timezone.localdate()))


class ReviewAssignment(TimeStampedModel):
    """A version given to a reviewer (usually a CEPA member) with a due date."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    # Denormalised from the round so that lists filter and join in one step.
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    due_date = models.DateField(_("due date"))
    state = FSMField(
        _("state"), max_length=20, choices=AssignmentState.choices, default=AssignmentState.INVITED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    conflict_of_interest = models.BooleanField(_("conflict of interest declared"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When the reviewer last answered: accepted, declined or (last of all) submitted.
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["round", "reviewer"], name="assignment_unique_reviewer")
        ]
        indexes = [
            # A person's assignments in one state, soonest due first: the start page's
            # invitations and reviews to write read their first rows off this index.
            models.Index(
                fields=["reviewer", "state", "due_date", "id"], name="assignment_reviewer_state_due"
            ),
            models.Index(fields=["state", "due_date"], name="assignment_state_due"),
            # A person's reviews submitted lately, newest first (the start page's "recently
            # done"): `responded_at` of a submitted assignment is when it was submitted.
            models.Index(
                fields=["reviewer", "state", "responded_at"], name="assignment_reviewer_answered"
            ),
            # "My reviews" by due date, a page at a time (`queries.MyReviews`).
            models.Index(fields=["reviewer", "due_date", "id"], name="assignment_reviewer_due"),
        ]

    def __str__(self) -> str:
        return f"{display_name(self.reviewer)} — {self.round}"

    @property
    def is_outstanding(self) -> bool:
        return self.state in ASSIGNMENT_OUTSTANDING_STATES

    @property
    def overdue(self) -> bool:
        """`ReviewAssignmentQuerySet.overdue_q` for this one assignment, today."""
        return self.is_outstanding and self.due_date < timezone.localdate()

    @transition(
        field=state,
        source=AssignmentState.INVITED,
        target=AssignmentState.ACCEPTED,
        permission=rules.is_reviewer,
    )
    def accept(self) -> None:
        """The reviewer agrees to review."""

    @transition(
        field=state,
        source=[AssignmentState.INVITED, AssignmentState.ACCEPTED],
        target=AssignmentState.DECLINED,
        permission=rules.is_reviewer,
    )
    def decline(self) -> None:
        """The reviewer declines, with a reason (or a conflict of interest)."""

    @transition(
        field=state,
        source=[AssignmentState.INVITED, AssignmentState.ACCEPTED],
        target=AssignmentState.SUBMITTED,
        permission=rules.is_reviewer,
    )
    def submit(self) -> None:
        """The reviewer submits their review."""

    @transition(
        field=state,
        source=[AssignmentState.INVITED, AssignmentState.ACCEPTED],
        target=AssignmentState.WITHDRAWN,
        permission=rules.can_manage_assignment,
    )
    def withdraw(self) -> None:
        """The owner or chief takes the assignment back."""


class Review(TimeStampedModel):
    """A reviewer's recommendation and comments on one assignment (draft until submitted)."""

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    comments = models.TextField(_("comments"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["assignment"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.DRAFT)
                | (~Q(recommendation="") & Q(submitted_at__isnull=False)),
                name="review_submitted_has_recommendation",
            )
        ]

    def __str__(self) -> str:
        return f"Review by {display_name(self.assignment.reviewer)} ({self.get_status_display()})"


class AnnotatedFile(UploadedDocument):
    """The file a reviewer annotated, with their review (`review.annotated_file`; a new
    upload replaces it). Seen by those who may see the review."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="annotated_file", verbose_name=_("review")
    )

    class Meta:
        ordering = ["review"]
        verbose_name = _("annotated file")
        verbose_name_plural = _("annotated files")

    def __str__(self) -> str:
        return self.original_name

    def folder(self) -> str:
        return f"reviews/{self.review.assignment_id}"

    def download_name(self) -> str:
        assignment = self.review.assignment
        return documents.download_name(
            f"{assignment.deliverable.title} annotated review",
            assignment.round.version.number,
            self.extension,
        )


class DeliverableHistory(HistoryEntry):
    """The deliverable's history: state changes, due date changes, versions, and each
    review assignment's steps (those lines name their assignment)."""

    # What the history says of a change, marked for translation and stored untranslated in
    # `note`: each reader reads it in their own language.
    UPLOADED = gettext_noop("Version %(n)d uploaded.")
    DUE_DATE_MOVED = gettext_noop("Due date moved from %(old)s to %(new)s.")
    WAIVED = gettext_noop("Waiver: %(reason)s")
    ROUND_CLOSED = gettext_noop("The review round was closed.")
    CHANGED = gettext_noop("Changed: %(fields)s.")
    HANDED_OVER = gettext_noop("Handed over to %(owner)s.")
    CHANGED_AND_HANDED_OVER = gettext_noop("Changed: %(fields)s. Handed over to %(owner)s.")

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="history", verbose_name=_("deliverable")
    )
    assignment = models.ForeignKey(
        ReviewAssignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review assignment"),
    )
    action = models.CharField(_("action"), max_length=30, choices=DeliverableAction.choices)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("deliverable history entry")
        verbose_name_plural = _("deliverable history")
        indexes = [models.Index(fields=["deliverable", "at"], name="deliverablehistory_at")]

    def state_choices(self) -> type[models.TextChoices]:
        # An assignment's line names the assignment's states, any other the deliverable's.
        return AssignmentState if self.assignment_id else DeliverableState

    def display_params(self) -> dict:
        params = super().display_params()
        if isinstance(params.get("fields"), list):  # an edit: the fields' names, translated
            params["fields"] = ", ".join(
                str(Deliverable._meta.get_field(name).verbose_name) for name in params["fields"]
            )
        return params

    @property
    def summary(self) -> str:
        """The note in the active language; an assignment's line first says whose review."""
        about = super().summary
        if self.assignment_id is None:
            return about
        reviewer = self.assignment.reviewer
        review = gettext("Review by %(reviewer)s.") % {"reviewer": display_name(reviewer)}
        return f"{review} {about}".strip()

    @property
    def old_due_date(self) -> datetime.date | None:
        """The due date before a due date change (else None)."""
        return _date(self.params.get("old")) if self.action == DeliverableAction.DUE_DATE else None

    @property
    def new_due_date(self) -> datetime.date | None:
        """The due date after a due date change (else None)."""
        return _date(self.params.get("new")) if self.action == DeliverableAction.DUE_DATE else None


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class ReviewerProfile(TimeStampedModel):
    """A CEPA member's side as a reviewer: expertise, capacity."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    themes = models.CharField(
        _("themes of expertise"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. e-participation, open data, cybersecurity."),
    )
    regions = models.ManyToManyField(Region, blank=True, verbose_name=_("regions of expertise"))
    max_assignments = models.PositiveSmallIntegerField(_("most assignments at once"), default=3)
    conflicts = models.TextField(
        _("standing conflicts of interest"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Organisations, countries, projects or people you could not review impartially, "
            "e.g. a ministry you advise. Staff see it when they choose reviewers."
        ),
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self) -> str:
        return display_name(self.user)

    @property
    def theme_list(self) -> list[str]:
        return [theme.strip().lower() for theme in self.themes.split(",") if theme.strip()]


class AwayPeriod(models.Model):
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("away period")
        verbose_name_plural = _("away periods")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="away_end_after")
        ]

    def __str__(self) -> str:
        return f"{display_name(self.reviewer)}: {self.start} – {self.end}"


# django-guardian direct foreign-key permission tables for the objects listed per user.
class DeliverableUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Deliverable, on_delete=models.CASCADE)


class DeliverableGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Deliverable, on_delete=models.CASCADE)


class VersionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Version, on_delete=models.CASCADE)


class VersionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Version, on_delete=models.CASCADE)


# --- rounds (issue 16): the owner's response to a round's reviews ----------------------------


class OwnerResponse(TimeStampedModel):
    """The owner's response to the reviews of a closed round, written while revising and
    sent with the next version: free text, and optionally a reply to each review
    (`points`). Seen by those who see the whole deliverable and by the reviewers of the
    later rounds (`workflows.responses.visible_response`)."""

    round = models.OneToOneField(
        ReviewRound,
        on_delete=models.CASCADE,
        related_name="owner_response",
        verbose_name=_("round answered"),
    )
    text = models.TextField(_("response to the reviews"), max_length=20000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )

    class Meta:
        ordering = ["round"]
        verbose_name = _("owner's response")
        verbose_name_plural = _("owner's responses")

    def __str__(self) -> str:
        return f"{self.round} — response"


class ResponsePoint(models.Model):
    """The owner's reply to one review of the round their response answers."""

    response = models.ForeignKey(
        OwnerResponse, on_delete=models.CASCADE, related_name="points", verbose_name=_("response")
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="response_points", verbose_name=_("review")
    )
    text = models.TextField(_("reply"), max_length=20000)

    class Meta:
        ordering = ["response", "review"]
        verbose_name = _("reply to a review")
        verbose_name_plural = _("replies to reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "review"], name="response_point_one_per_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response} — review {self.review_id}"


# --- review forms, scores and declarations (issue 16, items 1 and 2) ---------------------
# A product's review form (criteria with a scale, guidance and an optional weight, and the
# reviewers' guidelines) is copied into each round when it opens: the round's form does
# not change when the product's does. Reviews score each criterion of their round's form.


class ScoreScale(models.IntegerChoices):
    """The highest score of a criterion (scores run from 1)."""

    THREE = 3, _("1 to 3")
    FIVE = 5, _("1 to 5")
    TEN = 10, _("1 to 10")


class ProductReviewForm(TimeStampedModel):
    """The review form a product's rounds open with (`workflows.review_forms`)."""

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, related_name="review_form", verbose_name=_("product")
    )
    guidelines = models.TextField(_("reviewer guidelines"), blank=True, max_length=10000)

    class Meta:
        ordering = ["product"]
        verbose_name = _("review form")
        verbose_name_plural = _("review forms")

    def __str__(self) -> str:
        return str(self.product)


class CriterionFields(models.Model):
    """What a criterion says, on a product's form and on a round's copy of it."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("criterion"), max_length=100)
    guidance = models.TextField(_("guidance"), blank=True, max_length=2000)
    scale = models.PositiveSmallIntegerField(
        _("scale"), choices=ScoreScale.choices, default=ScoreScale.FIVE
    )
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_weight(self):
        """The weight in the weighted total: 1 when none is given."""
        return self.weight if self.weight is not None else 1


class FormCriterion(CriterionFields):
    form = models.ForeignKey(ProductReviewForm, on_delete=models.CASCADE, related_name="criteria")

    class Meta(CriterionFields.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gt=0),
                name="formcriterion_weight_positive",
            )
        ]


class RoundReviewForm(models.Model):
    """The form a round opened with (frozen: a copy of its product's then)."""

    round = models.OneToOneField(
        ReviewRound, on_delete=models.CASCADE, related_name="form", verbose_name=_("round")
    )
    guidelines = models.TextField(_("reviewer guidelines"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["round"]
        verbose_name = _("round's review form")
        verbose_name_plural = _("rounds' review forms")

    def __str__(self) -> str:
        return str(self.round)


class RoundCriterion(CriterionFields):
    form = models.ForeignKey(RoundReviewForm, on_delete=models.CASCADE, related_name="criteria")

    class Meta(CriterionFields.Meta):
        verbose_name = _("round's criterion")
        verbose_name_plural = _("rounds' criteria")


class CriterionScore(models.Model):
    """A reviewer's score of one criterion of their round's form."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RoundCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["review", "criterion__position", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1), name="score_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ChiefComments(TimeStampedModel):
    """A reviewer's comments for the chief and the owner only (never other reviewers)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="for_chief")
    text = models.TextField(_("comments for the chief and owner only"), max_length=20000)

    class Meta:
        ordering = ["review"]
        verbose_name = _("comments for the chief")
        verbose_name_plural = _("comments for the chief")

    def __str__(self) -> str:
        return f"{self.review}"


class ConflictDeclaration(models.Model):
    """What a reviewer declared when accepting: no conflict of interest, or which."""

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="declaration"
    )
    has_conflict = models.BooleanField(_("conflict of interest declared"), default=False)
    details = models.TextField(_("the conflict of interest"), blank=True, max_length=2000)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        ordering = ["assignment"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [
            models.CheckConstraint(
                condition=Q(has_conflict=False, details="")
                | (Q(has_conflict=True) & ~Q(details="")),
                name="declaration_conflict_has_details",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment}"


# --- texts of versions and comparisons between them (issue 16, items 5 and 6) -------------
# Filled by Celery tasks (`workflows.tasks`, services in `workflows.texts` and
# `workflows.comparison`); pages and the API only read them.


class TextStatus(models.TextChoices):
    PENDING = "pending", _("being prepared")
    READY = "ready", _("ready")
    UNREADABLE = "unreadable", _("unreadable")


class VersionText(TimeStampedModel):
    """The text read from a version's file, cut into sections (headings, pages, sheets or
    slides): `sections` is a list of {"title", "level", "paragraphs"}."""

    version = models.OneToOneField(Version, on_delete=models.CASCADE, related_name="text")
    status = models.CharField(
        _("status"), max_length=10, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    # Why it could not be read (`cepa_collab.extraction.REASONS`), when unreadable.
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    sections = models.JSONField(_("sections"), default=list, blank=True)
    words = models.PositiveIntegerField(_("words"), default=0)
    chars = models.PositiveIntegerField(_("characters"), default=0)
    truncated = models.BooleanField(_("cut at the size limit"), default=False)

    class Meta:
        ordering = ["version"]
        verbose_name = _("version text")
        verbose_name_plural = _("version texts")

    def __str__(self) -> str:
        return f"{self.version}: {self.status}"


class VersionComparison(TimeStampedModel):
    """The word-level difference from `old` to `new` (two versions of one deliverable):
    `ops` is a list of [op, text] with op "=", "+" or "-"."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="comparisons"
    )
    old = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    new = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    added = models.PositiveIntegerField(_("words added"), default=0)
    removed = models.PositiveIntegerField(_("words removed"), default=0)
    ops = models.JSONField(_("differences"), default=list, blank=True)
    # As the page shows them, prepared once: long unchanged runs cut to their ends, with
    # ["…", n] for the n words left out (the page never loads `ops`).
    shown = models.JSONField(_("differences shown"), default=list, blank=True)

    class Meta:
        ordering = ["deliverable", "old", "new"]
        verbose_name = _("version comparison")
        verbose_name_plural = _("version comparisons")
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="comparison_unique_pair"),
            models.CheckConstraint(
                condition=~Q(old=models.F("new")), name="comparison_two_versions"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable}: v{self.old_id} → v{self.new_id}"
