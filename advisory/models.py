"""Advisory requests of Member States (technical cooperation): the request and its state
machine, documents with versions, milestones and comments.

State changes go through `advisory.services`; the transitions say which states connect
and who may fire each one (`permission=`, predicates in `advisory.rules`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from advisory import rules
from advisory.enums import (
    REQUEST_OPEN_STATES,
    Channel,
    DocumentKind,
    MilestoneState,
    RequestAction,
    RequestKind,
    RequestState,
)
from advisory.rules import MACHINE, TRANSITION_LABELS  # noqa: F401 (their home was here)
from cepa_collab import documents
from cepa_collab.models import (
    Branch,
    HistoryEntry,
    MemberState,
    TimeStampedModel,
    UploadedDocument,
)
from workflows.enums import DeliverableState


def milestone_late(due_date: datetime.date | None, *, owed: bool, today=None) -> bool:
    """The overdue rule of milestones, written once: a milestone still owed (open, on an
    open request) whose due date has passed."""
    return owed and due_date is not None and due_date < (today or timezone.localdate())


class AdvisoryRequest(ConcurrentTransitionMixin, TimeStampedModel):
    """A Member State's request for technical cooperation, from receipt to closure."""

    country = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="advisory_requests",
        verbose_name=_("Member State"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="advisory_requests",
        verbose_name=_("branch"),
    )
    kind = models.CharField(_("kind of support"), max_length=30, choices=RequestKind.choices)
    channel = models.CharField(_("received through"), max_length=30, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    state = FSMField(_("state"), default=RequestState.RECEIVED, choices=RequestState.choices)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_advisory_requests",
        verbose_name=_("lead Inter-Regional Advisor"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="advisory_teams",
        verbose_name=_("team"),
    )
    mission = models.OneToOneField(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advisory_request",
        verbose_name=_("assessment mission"),
    )
    plan_review = models.OneToOneField(
        "workflows.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advisory_request",
        verbose_name=_("review of the plan of action"),
        help_text=_("The deliverable through which the plan of action goes to review."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("advisory request")
        verbose_name_plural = _("advisory requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values), name="advisoryrequest_state_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RequestKind.values), name="advisoryrequest_kind_known"
            ),
        ]
        indexes = [
            models.Index(fields=["country", "state"], name="advisory_country_state"),
            models.Index(fields=["branch", "received_on"], name="advisory_branch_received"),
        ]

    def __str__(self) -> str:
        return f"{self.country.name}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in REQUEST_OPEN_STATES

    @property
    def next_milestone_overdue(self) -> bool:
        """Whether the next open milestone (`queries.with_next_milestone`) is late."""
        return milestone_late(getattr(self, "next_milestone_due", None), owed=self.is_open)

    # --- conditions -------------------------------------------------------------------
    def has_mission(self) -> bool:
        return self.mission_id is not None

    def has_plan(self) -> bool:
        return self.documents.filter(kind=DocumentKind.PLAN_OF_ACTION).exists()

    def plan_not_in_review(self) -> bool:
        """The plan cannot be agreed with the country while a review round is open on it."""
        if self.plan_review_id is None:
            return True
        return self.plan_review.state != DeliverableState.IN_REVIEW

    # --- transitions (fired only through advisory.services.fire_transition) ----------
    @transition(
        field=state,
        source=RequestState.RECEIVED,
        target=RequestState.ACCEPTED,
        permission=rules.can_decide,
    )
    def accept(self) -> None:
        """The branch chief accepts the request (a lead is named)."""

    @transition(
        field=state,
        source=RequestState.RECEIVED,
        target=RequestState.DECLINED,
        permission=rules.can_decide,
    )
    def decline(self) -> None:
        """The branch chief declines, with a reason."""

    @transition(
        field=state,
        source=RequestState.ACCEPTED,
        target=RequestState.MISSION_PLANNED,
        conditions=[has_mission],
        permission=rules.can_lead,
    )
    def plan_mission(self) -> None:
        """The assessment mission is scheduled (a meeting of kind assessment mission)."""

    @transition(
        field=state,
        source=RequestState.MISSION_PLANNED,
        target=RequestState.MISSION_COMPLETED,
        permission=rules.can_lead,
    )
    def complete_mission(self) -> None:
        """The mission took place."""

    @transition(
        field=state,
        source=[RequestState.MISSION_COMPLETED, RequestState.PLAN_DRAFTED],
        target=RequestState.ANALYSIS,
        permission=rules.can_lead,
    )
    def start_analysis(self) -> None:
        """The lead analyses the programme's strengths and weaknesses (or revises the plan)."""

    @transition(
        field=state,
        source=RequestState.ANALYSIS,
        target=RequestState.PLAN_DRAFTED,
        conditions=[has_plan],
        permission=rules.can_lead,
    )
    def draft_plan(self) -> None:
        """A plan of action is drafted: the country's focal point may read and comment on it."""

    @transition(
        field=state,
        source=RequestState.PLAN_DRAFTED,
        target=RequestState.PLAN_AGREED,
        conditions=[plan_not_in_review],
        permission=rules.can_lead,
    )
    def agree_plan(self) -> None:
        """The plan of action is agreed with the country."""

    @transition(
        field=state,
        source=RequestState.PLAN_AGREED,
        target=RequestState.FOLLOW_UP,
        permission=rules.can_lead,
    )
    def start_follow_up(self) -> None:
        """The plan is carried out; milestones are followed up."""

    @transition(
        field=state,
        source=[
            RequestState.ACCEPTED,
            RequestState.MISSION_COMPLETED,
            RequestState.ANALYSIS,
            RequestState.PLAN_AGREED,
            RequestState.FOLLOW_UP,
        ],
        target=RequestState.CLOSED,
        permission=rules.can_decide,
    )
    def close(self) -> None:
        """The branch chief closes the request."""


class RequestDocument(UploadedDocument):
    """One version of a mission report, an analysis or a plan of action."""

    numbered_within = ("request", "kind")

    request = models.ForeignKey(AdvisoryRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    number = models.PositiveIntegerField(_("version"))
    notes = models.TextField(_("notes"), blank=True)
    review_version = models.OneToOneField(
        "workflows.Version",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advisory_document",
        verbose_name=_("version sent to review"),
    )

    class Meta:
        ordering = ["request", "kind", "-number"]
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "number"], name="requestdocument_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="requestdocument_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number}"

    def folder(self) -> str:
        return f"advisory/{self.request_id}/{self.kind}/v{self.number}"

    def download_name(self) -> str:
        return documents.download_name(
            f"{self.request.title} {self.kind.replace('_', ' ')}", self.number, self.extension
        )


class Milestone(TimeStampedModel):
    """A dated step of a request's plan, owed by its lead (a deadline for reminders)."""

    request = models.ForeignKey(
        AdvisoryRequest, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="advisory_milestones",
        verbose_name=_("lead"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MilestoneState.choices, default=MilestoneState.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MilestoneState.values), name="milestone_state_known"
            ),
        ]
        indexes = [models.Index(fields=["request", "due_date"], name="milestone_request_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        """Late: open, on an open request, and due before today (`milestone_late`)."""
        return milestone_late(
            self.due_date, owed=self.state == MilestoneState.OPEN and self.request.is_open
        )


class Comment(models.Model):
    """A comment on a request (or on one of its documents). Internal notes are never
    shown to the country's focal point."""

    request = models.ForeignKey(AdvisoryRequest, on_delete=models.CASCADE, related_name="comments")
    document = models.ForeignKey(
        RequestDocument,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("document"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    internal = models.BooleanField(
        _("internal note"), default=True, help_text=_("Hidden from the Member State.")
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]


class RequestHistory(HistoryEntry):
    """The request's history: recorded, state changes (with their comments), lead and team,
    mission, documents, milestones, review of the plan. Internal: never shown to the
    country's focal point."""

    request = models.ForeignKey(AdvisoryRequest, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=30, choices=RequestAction.choices)

    STATES = RequestState

    class Meta(HistoryEntry.Meta):
        verbose_name = _("request history entry")
        verbose_name_plural = _("request history")
        indexes = [models.Index(fields=["request", "at"], name="requesthistory_at")]

    def display_params(self) -> dict:
        params = super().display_params()
        if params.get("document") in DocumentKind.values:
            params["document"] = DocumentKind(params["document"]).label
        return params
