"""The form of a person's own account page: name, e-mail address, time zone and language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cepa_collab.enums import Language
from cepa_collab.forms import Form
from cepa_collab.zones import zone_choices


class AccountForm(Form):
    """Shapes only: whether the address is another account's is the service's to say."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Notifications and reminders are mailed here."),
        error_messages={
            "required": _("Enter your e-mail address: notifications are sent there."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_(
            "Dates, deadlines and the daily digest follow it. Grouped by continent: type "
            "the first letters of a city to jump to it."
        ),
        error_messages={
            "required": _("Choose your time zone."),
            "invalid_choice": _("Choose a time zone from the list."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Of the pages and of the mails you receive."),
        choices=Language.choices,
        error_messages={
            "required": _("Choose your language."),
            "invalid_choice": _("Choose one of the languages offered."),
        },
    )

    def __init__(self, *args, current_zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["time_zone"].choices = zone_choices(current_zone)
