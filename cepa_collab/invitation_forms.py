"""The forms of the invitation pages: they read input; `cepa_collab.invitations` decides."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from cepa_collab.enums import Language
from cepa_collab.forms import Form
from cepa_collab.models import MemberState


class InviteForm(Form):
    addresses = forms.CharField(
        label=_("E-mail addresses"),
        help_text=_(
            "One a line: the address alone, or “Name <address>”. Everyone on the list is "
            "invited with the same role (up to 100 at a time)."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        max_length=30_000,
        error_messages={"required": _("Enter the e-mail addresses of the people to invite.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the role of the people you invite.")},
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=MemberState.objects.order_by("name"),
        required=False,
        help_text=_("Required for a focal point: the Member State they speak for."),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=Language.choices,
        error_messages={"required": _("Choose the language of the invitation.")},
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        # Django's field template shows help text as HTML: the example's <address> is text.
        self.fields["addresses"].help_text = escape(self.fields["addresses"].help_text)
        if len(roles) == 1:
            self.fields["role"].initial = roles[0].value


class AcceptForm(Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={"required": _("Enter your first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Enter your last name.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(password_validation.password_validators_help_text_html, str)(),
        error_messages={"required": _("Choose a password.")},
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter your password again.")},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password_again")
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ."))
        return data
