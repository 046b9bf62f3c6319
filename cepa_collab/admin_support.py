"""Admin bases: records that only the services write."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HistoryColumns:
    """Columns of a history line (`cepa_collab.models.HistoryEntry`) as people read it: the
    states' labels and what happened, in the reader's language."""

    @admin.display(description=_("from"))
    def from_label(self, entry) -> str:
        return entry.from_label

    @admin.display(description=_("to"))
    def to_label(self, entry) -> str:
        return entry.to_label

    @admin.display(description=_("details"))
    def details(self, entry) -> str:
        return entry.summary
