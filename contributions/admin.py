"""Admin of contributions: for oversight, read-only.

Contributions are proposed and edited by their authors in the app, and move only through
`services.fire_transition`: the admin's actions ("Start review", "Accept", "Return for
revision" of the selected contributions) call it for each with the admin user, so the same
rules, comments, deadlines and notifications hold here as in the pages and the API. Files are
never linked (they are served only by the permission-checking views). The history, written
by the services, is shown read-only under the contribution.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cepa_collab.admin_support import HistoryColumns, ReadOnlyAdmin, ReadOnlyInline
from cepa_collab.service_errors import SERVICE_ERRORS, error_text
from cepa_collab.viewer import is_admin
from contributions import services
from contributions.models import (
    TRANSITION_LABELS,
    Attachment,
    Contribution,
    ContributionHistory,
)
from workflows.admin import TransitionActionForm

# The transitions of the branch's staff (submitting and withdrawing are the author's).
ADMIN_TRANSITIONS = ("start_review", "accept", "return_for_revision")


class ContributionActionForm(TransitionActionForm):
    """The action bar with the comment a return needs (no waiver here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["waiver_reason"]
        self.fields["comment"].help_text = _("Needed to return for revision; sent to the author.")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class HistoryInline(HistoryColumns, ReadOnlyInline):
    """The contribution's history, oldest first: never added, changed or deleted here."""

    model = ContributionHistory
    fields = ["at", "actor", "action", "from_label", "to_label", "comment"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("at", "pk")

    def has_view_permission(self, request, obj=None) -> bool:
        # Admins see every contribution's history (contributions.rules.sees_history); the
        # roles carry no model permission on the history itself.
        return is_admin(request.user) or super().has_view_permission(request, obj)


def _transition_action(name: str):
    def action(modeladmin, request, queryset):
        modeladmin.fire(request, queryset, name)

    action.__name__ = f"fire_{name}"
    return admin.action(
        description=format_lazy(
            _("{action}: selected contributions"), action=TRANSITION_LABELS[name]
        ),
        permissions=["change"],
    )(action)


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    action_form = ContributionActionForm
    list_display = ["title", "kind", "country", "author", "branch", "state", "review_due"]
    list_filter = ["state", "kind", "category", "branch"]
    search_fields = ["title", "author__username", "author__last_name", "country__name"]
    list_select_related = ["author", "country", "branch"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline, HistoryInline]
    actions = [_transition_action(name) for name in ADMIN_TRANSITIONS]
    fields = [
        "title",
        "kind",
        "state",
        "author",
        "branch",
        "country",
        "summary",
        "innovation",
        "transferability",
        "links",
        "category",
        "year",
        "document_url",
        "product",
        "deliverable",
        "submitted_at",
        "review_due",
        "reviewer",
        "review_comment",
        "decided_at",
        "incorporated_into",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None) -> bool:
        # The actions need "change" on the list; every form field stays read-only.
        return obj is None and request.user.has_perm("contributions.change_contribution")

    def fire(self, request, queryset, name: str) -> None:
        """Fire one transition on each selected contribution through the service."""
        comment = request.POST.get("comment", "")
        done = 0
        for contribution in queryset.order_by("pk"):
            try:
                services.fire_transition(request.user, contribution, name, comment=comment)
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{contribution}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(action)s: %(count)d contribution done.",
                    "%(action)s: %(count)d contributions done.",
                    done,
                )
                % {"action": TRANSITION_LABELS[name], "count": done},
                messages.SUCCESS,
            )


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "contribution", "content_type", "size", "created_at"]
    list_select_related = ["contribution"]
    search_fields = ["original_name", "contribution__title"]
    fields = [
        "contribution",
        "original_name",
        "stored_as",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("stored as"))
    def stored_as(self, obj) -> str:
        return obj.file.name
