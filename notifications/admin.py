"""Admin of the reminder policy, deadlines, reminders, notifications and digests.

The reminder policy (offsets per kind of deadline) is edited here. Deadlines are kept in
step by the services of the apps that own them (`rebuild_deadlines` recomputes them) and
are shown read-only; so are the mail records, with their `Message-ID` and their last SMTP
exchange, except for two actions that go through `notifications.delivery`: "Send again"
(a failed or an uncertain record goes back to pending and is enqueued at once — an
uncertain one's mail may already have gone, so sending it again needs a tick) and "Mark
as sent" (the SMTP log or the recipient shows it went, or it should not go any more).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from notifications import delivery, mail, reminders
from notifications.enums import MailState
from notifications.kinds import DEADLINE_KINDS, NOTIFICATION_KINDS, Registry
from notifications.models import (
    Deadline,
    Digest,
    MailRecord,
    Notification,
    NotificationPreference,
    Reminder,
    ReminderPolicy,
)

# --- kinds: a plain string stored, the registered kinds offered and labelled ----------------


def kind_filter(registry: Registry, field: str = "kind") -> type[admin.SimpleListFilter]:
    """A list filter by the registered kinds, with their labels."""

    class KindFilter(admin.SimpleListFilter):
        title = _("kind")
        parameter_name = field

        def lookups(self, request, model_admin):
            return registry.choices()

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field: self.value()})
            return queryset

    return KindFilter


class KindLabelMixin:
    """The `kind` column shows the registered label (the stored value if unknown)."""

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj) -> str:
        return obj.get_kind_display()


class ReminderPolicyForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=DEADLINE_KINDS.choices)

    class Meta:
        model = ReminderPolicy
        fields = ["kind", "days_before", "overdue_every_days", "overdue_max", "escalate"]


class NotificationPreferenceForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=NOTIFICATION_KINDS.choices)

    class Meta:
        model = NotificationPreference
        fields = ["user", "kind", "delivery"]


class ActionsOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services: viewable, never added, edited or deleted here;
    unlike the kernel's ReadOnlyAdmin the change permission is kept, for the actions
    ("retry now", "mark as sent") that go through the services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.readonly_fields)


# --- the reminder policy ----------------------------------------------------------------


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(KindLabelMixin, admin.ModelAdmin):
    form = ReminderPolicyForm
    list_display = [
        "kind_label",
        "days_before",
        "overdue_every_days",
        "overdue_max",
        "escalate",
        "schedule",
        "updated_at",
    ]
    fields = ["kind", "days_before", "overdue_every_days", "overdue_max", "escalate", "schedule"]
    readonly_fields = ["schedule"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # no row means the defaults: edit the row instead

    @admin.display(description=_("reminders"))
    def schedule(self, obj: ReminderPolicy) -> str:
        try:
            offsets = obj.offsets()
        except Exception:  # an invalid value typed in the form; the form says why
            return "—"
        return ", ".join(reminders.offset_label(offset) for offset in offsets) or "—"


# --- deadlines ---------------------------------------------------------------------------


class OpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("state", "Open")), ("done", pgettext_lazy("state", "Done"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(Deadline)
class DeadlineAdmin(KindLabelMixin, ActionsOnlyAdmin):
    list_display = ["title", "kind_label", "user", "branch", "due_date", "due_at", "done_at"]
    list_filter = [kind_filter(DEADLINE_KINDS), OpenFilter, "branch"]
    search_fields = ["title"]
    list_select_related = ["user", "branch"]
    date_hierarchy = "due_date"

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- mail records ------------------------------------------------------------------------


class SendAgainActionForm(helpers.ActionForm):
    send_twice_ok = forms.BooleanField(
        label=_("Send uncertain mails again too"),
        required=False,
        help_text=_(
            "An uncertain mail was handed to the mail server and may have gone already: "
            "sending it again may deliver it twice. Check the SMTP log first."
        ),
    )


class UncertainFilter(admin.SimpleListFilter):
    title = _("to settle")
    parameter_name = "uncertain"

    def lookups(self, request, model_admin):
        return [("yes", _("Uncertain, or stuck in “sending” past the lease"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(delivery.needs_a_person(queryset.model, timezone.now()))
        return queryset


class MailRecordAdmin(ActionsOnlyAdmin):
    """Mail records with the "Send again" and "Mark as sent" actions."""

    action_form = SendAgainActionForm
    actions = ["send_again", "mark_sent"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "message_id"]

    @admin.display(description=_("Message-ID"))
    def message_id(self, obj: MailRecord) -> str:
        return mail.message_id(obj)

    @admin.display(description=_("to settle"), boolean=True)
    def is_uncertain(self, obj: MailRecord) -> bool:
        return obj.state == MailState.UNCERTAIN or (
            obj.state == MailState.SENDING
            and bool(obj.lease_until and obj.lease_until < timezone.now())
        )

    @admin.action(description=_("Send again (failed or uncertain)"), permissions=["change"])
    def send_again(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        uncertain = (
            self.model.objects.filter(pk__in=ids)
            .filter(delivery.needs_a_person(self.model, timezone.now()))
            .count()
        )
        if uncertain and not request.POST.get("send_twice_ok"):
            self.message_user(
                request,
                ngettext(
                    "%(count)d of the selected mails is uncertain and may have gone already: "
                    "tick “Send uncertain mails again too” to send it again. Nothing was "
                    "changed.",
                    "%(count)d of the selected mails are uncertain and may have gone already: "
                    "tick “Send uncertain mails again too” to send them again. Nothing was "
                    "changed.",
                    uncertain,
                )
                % {"count": uncertain},
                messages.WARNING,
            )
            return
        done = delivery.send_again(self.model, ids)
        self._report(request, len(ids), len(done), _("sent again"))

    @admin.action(description=_("Mark as sent"), permissions=["change"])
    def mark_sent(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        done = delivery.mark_sent(self.model, ids)
        self._report(request, len(ids), len(done), _("marked as sent"))

    def _report(self, request, chosen: int, done: int, what) -> None:
        if done:
            self.message_user(
                request,
                ngettext("%(count)d mail %(what)s.", "%(count)d mails %(what)s.", done)
                % {"count": done, "what": what},
                messages.SUCCESS,
            )
        if chosen > done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected mail was left as it was (already settled, or still "
                    "being sent).",
                    "%(count)d selected mails were left as they were (already settled, or still "
                    "being sent).",
                    chosen - done,
                )
                % {"count": chosen - done},
                messages.WARNING,
            )


@admin.register(Reminder)
class ReminderAdmin(MailRecordAdmin):
    list_display = [
        "deadline",
        "recipient",
        "offset",
        "escalation",
        "state",
        "attempts",
        "next_attempt_at",
        "is_uncertain",
        "sent_at",
        "created_at",
    ]
    list_filter = [
        "state",
        "escalation",
        UncertainFilter,
        kind_filter(DEADLINE_KINDS, "deadline__kind"),
    ]
    search_fields = ["deadline__title", "recipient__username", "recipient__email"]
    list_select_related = ["deadline", "recipient"]
    readonly_fields = ["offset"]

    @admin.display(description=_("reminder"), ordering="offset_days")
    def offset(self, obj: Reminder) -> str:
        return reminders.offset_label(obj.offset_days)


@admin.register(Notification)
class NotificationAdmin(KindLabelMixin, MailRecordAdmin):
    list_display = [
        "subject",
        "user",
        "kind_label",
        "state",
        "attempts",
        "is_uncertain",
        "created_at",
        "sent_at",
        "read_at",
    ]
    list_filter = [kind_filter(NOTIFICATION_KINDS), "state", UncertainFilter]
    search_fields = ["subject", "user__username", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(Digest)
class DigestAdmin(MailRecordAdmin):
    list_display = ["user", "local_date", "state", "attempts", "is_uncertain", "sent_at"]
    list_filter = ["state", UncertainFilter]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "local_date"


# --- preferences -------------------------------------------------------------------------


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(KindLabelMixin, admin.ModelAdmin):
    form = NotificationPreferenceForm
    list_display = ["user", "kind_label", "delivery", "updated_at"]
    list_filter = [kind_filter(NOTIFICATION_KINDS), "delivery"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
