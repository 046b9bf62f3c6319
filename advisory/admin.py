"""Admin of advisory requests (technical cooperation).

As for deliverables (`workflows.admin`): the state of a request is never edited here; the
actions that move requests ("Accept: selected requests", …) call `services.fire_transition`
for each one with the admin user, so the same rules and reasons hold as in the pages and the
API. The lead, the team and the mission change through the request's page (services
`set_team`, `schedule_mission`); documents, milestones and comments are records shown
read-only, and uploaded files are never linked (only the permission-checking views serve
them). Milestones are closed through `services.complete_milestone`. The request's history
and the review of its plan of action (a deliverable, see `services.send_plan_for_review`)
are shown read-only: they are written by the services only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from advisory import services
from advisory.models import (
    TRANSITION_LABELS,
    AdvisoryRequest,
    Comment,
    Milestone,
    RequestDocument,
    RequestHistory,
)
from cepa_collab.admin_support import HistoryColumns, ReadOnlyAdmin, ReadOnlyInline
from cepa_collab.names import display_name
from cepa_collab.service_errors import SERVICE_ERRORS, error_text


class RequestActionForm(helpers.ActionForm):
    """The admin's action bar, with what some transitions need."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        help_text=_("Needed to decline: the reason, which the Member State sees."),
    )
    lead = forms.CharField(
        label=_("Lead (user name)"),
        required=False,
        help_text=_("To accept: the lead Inter-Regional Advisor, unless already named."),
    )


class DocumentInline(ReadOnlyInline):
    model = RequestDocument
    fields = [
        "kind",
        "number",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "review_version",
    ]
    readonly_fields = fields
    ordering = ["kind", "number"]
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("uploaded_by", "review_version__deliverable")
        )


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["title", "due_date", "lead", "state", "done_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lead")

    ordering = ["due_date", "pk"]


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ["created_at", "author", "internal", "document", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "document")

    ordering = ["created_at", "pk"]


class HistoryInline(HistoryColumns, ReadOnlyInline):
    model = RequestHistory
    fields = ["at", "actor", "action", "from_state", "to_state", "details", "comment"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class AdvisoryRequestAdminForm(forms.ModelForm):
    class Meta:
        model = AdvisoryRequest
        # Never the state, the lead, the team, the mission or the plan's review: they move
        # through the services.
        fields = ["country", "branch", "kind", "channel", "received_on", "title", "description"]


def _transition_action(name: str):
    def action(modeladmin, request, queryset):
        modeladmin.fire(request, queryset, name)

    action.__name__ = f"fire_{name}"
    return admin.action(
        description=format_lazy(_("{action}: selected requests"), action=TRANSITION_LABELS[name]),
        permissions=["change"],
    )(action)


@admin.register(AdvisoryRequest)
class AdvisoryRequestAdmin(admin.ModelAdmin):
    form = AdvisoryRequestAdminForm
    action_form = RequestActionForm
    list_display = ["title", "country", "branch", "kind", "state", "lead", "received_on"]
    list_filter = ["state", "kind", "branch", "country__region"]
    search_fields = ["title", "country__name", "country__iso3"]
    list_select_related = ["country", "branch", "lead"]
    date_hierarchy = "received_on"
    inlines = [DocumentInline, MilestoneInline, CommentInline]
    # "plan_mission" is fired by scheduling the mission on the request's page.
    actions = [_transition_action(name) for name in TRANSITION_LABELS if name != "plan_mission"]

    def get_inlines(self, request, obj):
        # A request being recorded has no history yet.
        return [*self.inlines, HistoryInline] if obj is not None else self.inlines

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "state",
            "state_changed_at",
            "decline_reason",
            "lead",
            "team_names",
            "mission",
            "plan_review",
            "created_by",
            "created_at",
            "updated_at",
        ]
        if obj is not None:
            # The branch and the country decide who sees the request: fixed once recorded.
            fields += ["country", "branch"]
        return fields

    @admin.display(description=_("team"))
    def team_names(self, obj) -> str:
        if obj is None or obj.pk is None:
            return ""
        return ", ".join(display_name(p) for p in obj.team.all())

    def save_model(self, request, obj, form, change):
        if change:
            # Only the fields of the form that changed (never the state) are saved here.
            if form.changed_data:
                obj.save(update_fields=[*form.changed_data, "updated_at"])
            return
        created = services.register_request(
            request.user,
            **{name: form.cleaned_data[name] for name in AdvisoryRequestAdminForm.Meta.fields},
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db

    def fire(self, request, queryset, name: str) -> None:
        """Fire one transition on each selected request through the service."""
        comment = request.POST.get("comment", "")
        lead_name = request.POST.get("lead", "").strip()
        lead = None
        if lead_name:
            lead = get_user_model().objects.filter(username=lead_name).first()
            if lead is None:
                message = _("No user is called “%(name)s”.") % {"name": lead_name}
                self.message_user(request, message, messages.ERROR)
                return
        done = 0
        for advisory_request in queryset.order_by("pk"):
            try:
                services.fire_transition(
                    request.user, advisory_request, name, comment=comment, lead=lead
                )
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{advisory_request}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(action)s: %(count)d request done.",
                    "%(action)s: %(count)d requests done.",
                    done,
                )
                % {"action": TRANSITION_LABELS[name], "count": done},
                messages.SUCCESS,
            )


@admin.register(RequestDocument)
class RequestDocumentAdmin(ReadOnlyAdmin):
    list_display = ["request", "kind", "number", "original_name", "size", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["request__country"]
    search_fields = ["request__title", "original_name"]
    fields = [
        "request",
        "kind",
        "number",
        "original_name",
        "stored_as",
        "content_type",
        "size",
        "notes",
        "uploaded_by",
        "created_at",
        "review_version",
    ]
    readonly_fields = fields

    @admin.display(description=_("stored as"))
    def stored_as(self, obj) -> str:
        return obj.file.name


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """Milestones are added and moved on the request's page; here they are listed and closed
    (through `services.complete_milestone`)."""

    list_display = ["title", "request", "due_date", "lead", "state", "done_at"]
    list_filter = ["state"]
    list_select_related = ["request__country", "lead"]
    search_fields = ["title", "request__title"]
    date_hierarchy = "due_date"
    fields = ["request", "title", "due_date", "lead", "state", "done_at", "created_at"]
    readonly_fields = fields
    actions = ["mark_done", "cancel_selected"]

    # Every field is read-only; the change permission only enables the actions.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _close(self, request, queryset, *, cancelled: bool) -> None:
        done = 0
        for milestone in queryset.order_by("pk"):
            try:
                services.complete_milestone(request.user, milestone, cancelled=cancelled)
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{milestone}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d milestone closed.", "%d milestones closed.", done) % done,
                messages.SUCCESS,
            )

    @admin.action(description=_("Mark selected milestones done"), permissions=["change"])
    def mark_done(self, request, queryset):
        self._close(request, queryset, cancelled=False)

    @admin.action(description=_("Cancel selected milestones"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._close(request, queryset, cancelled=True)


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "request", "author", "internal"]
    list_filter = ["internal"]
    list_select_related = ["request__country", "author"]
    search_fields = ["request__title", "text"]
    fields = ["request", "document", "author", "internal", "text", "created_at"]
    readonly_fields = fields


@admin.register(RequestHistory)
class RequestHistoryAdmin(HistoryColumns, ReadOnlyAdmin):
    list_display = ["at", "request", "action", "from_state", "to_state", "actor"]
    list_filter = ["action"]
    list_select_related = ["request__country", "actor"]
    search_fields = ["request__title", "comment"]
    date_hierarchy = "at"
    fields = [
        "request",
        "at",
        "actor",
        "action",
        "from_state",
        "to_state",
        "details",
        "comment",
    ]
    readonly_fields = fields
