"""Admin of the knowledge links: viewable, and removable through `knowledge.services.unlink`
(links are made on the deliverable's page, by its branch, where the rules are checked)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cepa_collab.admin_support import ReadOnlyAdmin
from cepa_collab.service_errors import error_text
from knowledge import services
from knowledge.models import KnowledgeLink


@admin.register(KnowledgeLink)
class KnowledgeLinkAdmin(ReadOnlyAdmin):
    list_display = ["deliverable", "source", "note", "created_by", "created_at"]
    list_select_related = ["deliverable", "request__country", "contribution", "created_by"]
    list_filter = ["deliverable__product__branch"]
    search_fields = ["deliverable__title", "request__title", "contribution__title", "note"]
    fields = ["deliverable", "request", "contribution", "note", "created_by", "created_at"]
    readonly_fields = fields
    actions = ["unlink_selected"]

    @admin.display(description=_("draws on"))
    def source(self, obj: KnowledgeLink) -> str:
        return str(obj.request or obj.contribution)

    @admin.action(description=_("Unlink the selected links"))
    def unlink_selected(self, request, queryset) -> None:
        done = 0
        for link in queryset.select_related("deliverable__product").order_by("pk"):
            try:
                services.unlink(request.user, link)
            except PermissionDenied as exc:
                self.message_user(request, f"{link}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d link removed.", "%(count)d links removed.", done)
                % {"count": done},
                messages.SUCCESS,
            )
