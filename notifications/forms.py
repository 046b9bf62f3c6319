"""Forms of the notification centre: marking read, and how each kind of notification is mailed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import Form
from notifications.enums import Delivery
from notifications.kinds import NOTIFICATION_KINDS

# What each choice means, said in full on the preferences page.
DELIVERY_CHOICES = [
    (Delivery.IMMEDIATE.value, _("Mail at once")),
    (Delivery.DIGEST.value, _("Daily digest at 08:00 your time")),
    (Delivery.NONE.value, _("Do not mail")),
]
# ... and what it means; %(zone)s is the person's time zone.
DELIVERY_HELP = {
    Delivery.IMMEDIATE.value: _("A mail for each notification, as it happens."),
    Delivery.DIGEST.value: _(
        "One mail a day at 08:00 in your time zone (%(zone)s), with what came since the "
        "previous digest."
    ),
    Delivery.NONE.value: _("No mail: read them in the notification centre."),
}


class MarkReadForm(Form):
    """One of the person's notifications to mark read; `open` also goes to its link."""

    notification = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    open = forms.BooleanField(required=False)


class NextForm(Form):
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class PreferencesForm(Form):
    """One radio group per kind of notification: mail at once, daily digest, or no mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NOTIFICATION_KINDS:
            # The error summary lists messages without their labels: each names its kind.
            named = {"kind": kind.label}
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=DELIVERY_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how “%(kind)s” reach you.") % named,
                    # %(value)s is left for Django to fill in with what was sent.
                    "invalid_choice": _("“%(value)s” is not a way to receive “%(kind)s”.")
                    % {**named, "value": "%(value)s"},
                },
            )

    def choices(self) -> dict[str, str]:
        """{kind: delivery} as chosen (call after is_valid)."""
        return {kind: self.cleaned_data[kind] for kind in NOTIFICATION_KINDS.values()}
