"""Admin of the workflows records.

The admin never edits a deliverable's state: the field is read-only in every form, and the
actions that move deliverables ("Approve selected", "Cancel selected", …) call
`services.fire_transition` for each object with the admin user, so the same rules, reasons and
history lines hold here as in the pages and the API. Adding, editing (a new owner is a hand-over)
and deleting a deliverable go through `services.create_deliverable`,
`services.update_deliverable` (which writes the history line) and
`services.delete_deliverable`; the forms ask the services' checks first, so a refusal shows
on the form with the service's message. Versions, rounds, reviews and the
history are records of what happened and are shown read-only; uploaded files are never linked
(they are served only by the permission-checking views).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cepa_collab.admin_support import HistoryColumns, ReadOnlyAdmin, ReadOnlyInline
from cepa_collab.service_errors import SERVICE_ERRORS, add_service_errors, error_text
from workflows import queries, rules, services
from workflows.models import (
    TRANSITION_LABELS,
    AwayPeriod,
    Deliverable,
    DeliverableHistory,
    Product,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRound,
    Version,
)


class TransitionActionForm(helpers.ActionForm):
    """The admin's action bar, with the reasons some transitions need."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        help_text=_("Needed to cancel or return for revision."),
    )
    waiver_reason = forms.CharField(
        label=_("Waiver reason"),
        required=False,
        help_text=_("Needed to approve while reviews are outstanding."),
    )


# --- products and deliverables ---------------------------------------------------------


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "edition", "kind", "branch", "lead"]
    list_filter = ["branch", "kind"]
    search_fields = ["title", "edition"]
    list_select_related = ["branch", "lead"]
    raw_id_fields = ["lead"]


class VersionInline(ReadOnlyInline):
    model = Version
    fields = ["number", "original_name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    ordering = ["number"]


class ReviewRoundInline(ReadOnlyInline):
    model = ReviewRound
    fields = ["number", "version", "state", "opened_by", "opened_at", "closed_at"]
    readonly_fields = fields
    ordering = ["number"]


class DeliverableAdminForm(forms.ModelForm):
    """Checks what the service will check (`actor` is the admin user, set by the admin)."""

    actor = None

    class Meta:
        model = Deliverable
        # Never `state`: it moves only through the transitions (services.fire_transition).
        fields = ["product", "title", "kind", "owner", "due_date", "description"]

    def changes(self) -> dict:
        """The fields changed, as `services.update_deliverable` takes them."""
        return {
            name: self.cleaned_data[name]
            for name in services.DELIVERABLE_FIELDS
            if name in self.changed_data and name in self.cleaned_data
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                services.check_new_deliverable(
                    self.actor, cleaned["product"], cleaned["owner"], cleaned.get("due_date")
                )
            else:
                # The instance still holds the stored values here (the form sets them after).
                services.check_deliverable_changes(self.actor, self.instance, self.changes())
        except ValidationError as exc:
            add_service_errors(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, error_text(exc))
        return cleaned


def _transition_action(name: str):
    def action(modeladmin, request, queryset):
        modeladmin.fire(request, queryset, name)

    action.__name__ = f"fire_{name}"
    label = TRANSITION_LABELS[name]
    return admin.action(
        description=format_lazy(_("{action}: selected deliverables"), action=label),
        permissions=["change"],
    )(action)


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    form = DeliverableAdminForm
    action_form = TransitionActionForm
    list_display = ["title", "product", "owner", "state", "due_date"]
    list_filter = ["state", "kind", "product__branch"]
    search_fields = ["title", "product__title"]
    list_select_related = ["product__branch", "owner"]
    autocomplete_fields = ["product"]
    raw_id_fields = ["owner"]
    date_hierarchy = "due_date"
    inlines = [VersionInline, ReviewRoundInline]
    actions = [_transition_action(name) for name in TRANSITION_LABELS]

    def get_readonly_fields(self, request, obj=None):
        # The state moves only through transitions; the due date of an existing deliverable
        # moves only through services.change_due_date, which records old, new, who and why.
        fields = ["state", "state_changed_at", "created_at", "updated_at"]
        if obj is not None:
            fields.append("due_date")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a class made for this request
        return form

    def has_delete_permission(self, request, obj=None) -> bool:
        # Offered only where the service would accept it.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or rules.can_decide(obj, request.user))

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = services.update_deliverable(request.user, obj.pk, **form.changes())
            else:
                saved = services.create_deliverable(
                    request.user,
                    product=form.cleaned_data["product"],
                    owner=form.cleaned_data["owner"],
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    due_date=form.cleaned_data["due_date"],
                    description=form.cleaned_data["description"],
                )
        except SERVICE_ERRORS as exc:
            # Checked by the form already: only a change made meanwhile gets here.
            raise PermissionDenied(error_text(exc)) from exc
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request, obj):
        try:
            services.delete_deliverable(request.user, obj)
        except SERVICE_ERRORS as exc:
            # Offered only where the service accepts it: only a change made meanwhile.
            raise PermissionDenied(error_text(exc)) from exc

    def delete_queryset(self, request, queryset):
        """Each through the service; those it refuses are named, with the reason."""
        for deliverable in queryset.order_by("pk"):
            try:
                services.delete_deliverable(request.user, deliverable)
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{deliverable}: {error_text(exc)}", messages.ERROR)

    def fire(self, request, queryset, name: str) -> None:
        """Fire one transition on each selected deliverable through the service."""
        comment = request.POST.get("comment", "")
        waiver_reason = request.POST.get("waiver_reason", "")
        done = 0
        for deliverable in queryset.order_by("pk"):
            try:
                services.fire_transition(
                    request.user,
                    deliverable,
                    name,
                    comment=comment,
                    waiver_reason=waiver_reason,
                )
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{deliverable}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(action)s: %(count)d deliverable done.",
                    "%(action)s: %(count)d deliverables done.",
                    done,
                )
                % {"action": TRANSITION_LABELS[name], "count": done},
                messages.SUCCESS,
            )


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["deliverable", "number", "original_name", "content_type", "size", "created_at"]
    list_select_related = ["deliverable"]
    search_fields = ["deliverable__title", "original_name"]
    fields = [
        "deliverable",
        "number",
        "original_name",
        "stored_as",
        "content_type",
        "size",
        "notes",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("stored as"))
    def stored_as(self, obj) -> str:
        return obj.file.name


# --- review rounds and reviews -----------------------------------------------------------


class ReviewAssignmentInline(ReadOnlyInline):
    model = ReviewAssignment
    fk_name = "round"
    fields = ["reviewer", "state", "due_date", "conflict_of_interest", "responded_at"]
    readonly_fields = fields


@admin.register(ReviewRound)
class ReviewRoundAdmin(ReadOnlyAdmin):
    list_display = ["deliverable", "number", "version", "state", "opened_at", "closed_at"]
    list_filter = ["state"]
    list_select_related = ["deliverable", "version__deliverable"]
    search_fields = ["deliverable__title"]
    inlines = [ReviewAssignmentInline]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    """Assignments are made by `services.assign_reviewers` (which grants the object
    permissions) and withdrawn by `services.withdraw_assignment` (which revokes them)."""

    action_form = TransitionActionForm
    list_display = ["reviewer", "deliverable", "round", "state", "due_date", "responded_at"]
    list_filter = ["state", "conflict_of_interest"]
    list_select_related = ["reviewer", "deliverable", "round__deliverable"]
    search_fields = ["deliverable__title", "reviewer__username", "reviewer__last_name"]
    fields = [
        "round",
        "deliverable",
        "reviewer",
        "due_date",
        "state",
        "decline_reason",
        "conflict_of_interest",
        "assigned_by",
        "responded_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["withdraw_selected"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Withdraw selected assignments"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        reason = request.POST.get("comment", "")
        done = 0
        for assignment in queryset.order_by("pk"):
            try:
                services.withdraw_assignment(request.user, assignment, reason=reason)
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{assignment}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d assignment withdrawn.", "%d assignments withdrawn.", done) % done,
                messages.SUCCESS,
            )


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "recommendation", "status", "submitted_at"]
    list_filter = ["status", "recommendation"]
    list_select_related = ["assignment__reviewer", "assignment__round__deliverable"]
    search_fields = ["assignment__deliverable__title", "assignment__reviewer__username"]
    fields = [
        "assignment",
        "recommendation",
        "comments",
        "annotated_as",
        "status",
        "submitted_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # Blind review holds here too: not the others' reviews of a round one still reviews.
        return super().get_queryset(request).filter(queries.not_blind(request.user, "assignment__"))

    @admin.display(description=_("annotated file"))
    def annotated_as(self, obj) -> str:
        return obj.annotated_file.file.name if hasattr(obj, "annotated_file") else ""


@admin.register(DeliverableHistory)
class DeliverableHistoryAdmin(HistoryColumns, ReadOnlyAdmin):
    """The deliverables' history, written by the services: read here, never edited."""

    list_display = ["at", "deliverable", "action", "from_label", "to_label", "actor", "details"]
    list_filter = ["action"]
    list_select_related = ["deliverable", "actor", "assignment__reviewer"]
    search_fields = ["deliverable__title", "comment"]
    date_hierarchy = "at"
    fields = [
        "deliverable",
        "assignment",
        "at",
        "actor",
        "action",
        "from_label",
        "to_label",
        "details",
        "comment",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The details name the assignment's reviewer: loaded with the line.
        return super().get_queryset(request).select_related("actor", "assignment__reviewer")


# --- reviewers -------------------------------------------------------------------------


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "themes", "max_assignments"]
    search_fields = ["user__username", "user__last_name", "themes"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["regions"]


@admin.register(AwayPeriod)
class AwayPeriodAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "start", "end", "note"]
    list_select_related = ["reviewer"]
    search_fields = ["reviewer__username", "reviewer__last_name", "note"]
    raw_id_fields = ["reviewer"]
    date_hierarchy = "start"
