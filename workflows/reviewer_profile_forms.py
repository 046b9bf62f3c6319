"""Forms of a CEPA member's reviewer profile (a section of their account page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import DateInput, Form
from cepa_collab.models import Region
from workflows.reviewer_profiles import MOST_AT_ONCE


class ReviewerProfileForm(Form):
    themes = forms.CharField(
        label=_("Themes of expertise"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. e-participation, open data, cybersecurity."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions of expertise"),
        queryset=Region.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose regions from the list.")},
    )
    max_assignments = forms.IntegerField(
        label=_("Most reviews at once"),
        min_value=1,
        max_value=MOST_AT_ONCE,
        help_text=_("Staff see when you have reached it, and ask others first."),
        error_messages={
            "required": _("Enter how many reviews you can take on at once."),
            "invalid": _("Enter a whole number, like 3."),
            "min_value": _("Enter a number from 1 to %(most)d.") % {"most": MOST_AT_ONCE},
            "max_value": _("Enter a number from 1 to %(most)d.") % {"most": MOST_AT_ONCE},
        },
    )
    conflicts = forms.CharField(
        label=_("Standing conflicts of interest"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Organisations, countries, projects or people you could not review impartially, "
            "e.g. a ministry you advise. Staff see it when they choose reviewers."
        ),
    )


class AwayPeriodForm(Form):
    start = forms.DateField(
        label=_("First day away"),
        widget=DateInput,
        error_messages={
            "required": _("Enter the first day you are away."),
            "invalid": _("Enter a date like 2026-12-24."),
        },
    )
    end = forms.DateField(
        label=_("Last day away"),
        widget=DateInput,
        error_messages={
            "required": _("Enter the last day you are away."),
            "invalid": _("Enter a date like 2026-12-24."),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example: on mission, on leave."),
    )
