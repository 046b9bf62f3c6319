"""Admin of meetings, participants, agenda items and calendar tokens.

A meeting is created and changed through `meetings.services` (the same rules as the pages:
a change of time, place, status or title raises its revision, the SEQUENCE calendars read);
it is cancelled only by the "Cancel selected meetings" action, with a reason, never by
editing its status; its revision and cancellation are read-only. Calendar tokens are
shown without their hash and revoked by an action (they are issued only by their owner,
on the subscriptions page).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cepa_collab.service_errors import SERVICE_ERRORS, error_text
from meetings import services
from meetings.enums import MeetingStatus
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant


class CancelActionForm(helpers.ActionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, help_text=_("Needed to cancel meetings.")
    )


class MeetingAdminForm(forms.ModelForm):
    online_link = forms.URLField(label=_("online link"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "description",
            "branch",
            "country",
            "start",
            "end",
            "time_zone",
            "location",
            "online_link",
            "visibility",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            # Cancelling needs a reason: the action does it.
            self.fields["status"].choices = [
                (value, label)
                for value, label in self.fields["status"].choices
                if value != MeetingStatus.CANCELLED
            ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The meeting must end after it starts."))
        return cleaned


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["user", "name", "email", "role", "reply"]
    raw_id_fields = ["user"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "notes", "deliverable"]
    raw_id_fields = ["deliverable"]
    ordering = ["position", "pk"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingAdminForm
    action_form = CancelActionForm
    list_display = ["title", "kind", "branch", "start", "time_zone", "status", "visibility"]
    list_filter = ["status", "kind", "visibility", "branch", "country__region"]
    search_fields = ["title", "location", "description"]
    list_select_related = ["branch"]
    date_hierarchy = "start"
    inlines = [ParticipantInline, AgendaItemInline]
    actions = ["cancel_selected"]

    def get_readonly_fields(self, request, obj=None):
        fields = ["revision", "cancel_reason", "cancelled_at", "created_by", "created_at"]
        fields.append("updated_at")
        if obj is not None:
            # A meeting stays in its branch; a cancelled one keeps its status.
            fields.append("branch")
            if obj.is_cancelled:
                fields.append("status")
        return fields

    def save_model(self, request, obj, form, change):
        editable = [name for name in services.EDITABLE_FIELDS if name in form.cleaned_data]
        if change:
            changes = {
                name: form.cleaned_data[name] for name in editable if name in form.changed_data
            }
            saved = services.update_meeting(request.user, obj.pk, **changes)
        else:
            saved = services.create_meeting(
                request.user,
                branch=form.cleaned_data["branch"],
                **{name: form.cleaned_data[name] for name in editable},
            )
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db
        for name in ("revision", "created_by_id", "created_at", "updated_at"):
            setattr(obj, name, getattr(saved, name))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Participant:
            return super().save_formset(request, form, formset, change)
        # Invitations and removals go through the services, which tell the people concerned
        # and send them the calendar file; a changed role or reply is saved as it is.
        meeting = form.instance
        participants = formset.save(commit=False)
        for participant in formset.deleted_objects:
            services.remove_participant(request.user, meeting, participant)
        for participant in participants:
            if participant.pk is None:
                services.add_participant(
                    request.user,
                    meeting,
                    user=participant.user,
                    name=participant.name,
                    email=participant.email,
                    role=participant.role,
                )
            else:
                participant.save()
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            # Participants and agenda are part of what feeds show: mark the meeting changed.
            Meeting.objects.filter(pk=form.instance.pk).update(updated_at=timezone.now())

    @admin.action(description=_("Cancel selected meetings"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        reason = request.POST.get("reason", "")
        done = 0
        for meeting in queryset.order_by("pk"):
            try:
                services.cancel_meeting(request.user, meeting, reason)
            except SERVICE_ERRORS as exc:
                self.message_user(request, f"{meeting}: {error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d meeting cancelled.", "%d meetings cancelled.", done) % done,
                messages.SUCCESS,
            )


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "role", "reply"]
    list_filter = ["role", "reply"]
    list_select_related = ["meeting", "user"]
    search_fields = ["name", "email", "user__username", "user__last_name", "meeting__title"]
    raw_id_fields = ["meeting", "user"]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "position", "deliverable"]
    list_select_related = ["meeting", "deliverable"]
    search_fields = ["title", "meeting__title"]
    raw_id_fields = ["meeting", "deliverable"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by their owner only; here they are seen (never their hash) and
    revoked."""

    list_display = ["user", "kind", "branch", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", "revoked_at"]
    list_select_related = ["user", "branch"]
    search_fields = ["user__username", "user__last_name", "prefix"]
    fields = ["user", "kind", "branch", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            done += services.revoke_token(token.user, token.kind)
        self.message_user(
            request,
            ngettext("%d token revoked.", "%d tokens revoked.", done) % done,
            messages.SUCCESS,
        )
