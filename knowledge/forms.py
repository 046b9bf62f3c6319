"""Forms of the country, region and link pages: they check shapes, the services check the
rules."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cepa_collab.forms import Form
from cepa_collab.models import Region
from knowledge.services import NOTE_MAX_LENGTH


class CountryFilterForm(Form):
    """The filters of the countries page (GET); an invalid value is ignored."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    active = forms.BooleanField(label=_("With activity only"), required=False)

    def __init__(self, *args, regions: list[Region], **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions"))] + [
            (region.code, str(region)) for region in regions
        ]

    def narrows(self) -> bool:
        """Whether a valid filter narrows the list."""
        return any(self.values())

    def values(self) -> tuple[str, bool]:
        """(region code or "", active only)."""
        if not self.is_bound or not self.is_valid():
            return "", False
        return self.cleaned_data["region"] or "", bool(self.cleaned_data["active"])


class _LinkForm(Form):
    note = forms.CharField(
        label=_("How the deliverable uses it (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 60}),
    )


class LinkRequestForm(_LinkForm):
    """The deliverable draws on an advisory request's findings."""

    request = forms.ModelChoiceField(
        label=_("Advisory request"),
        queryset=None,
        empty_label=_("Choose a request"),
        error_messages={"required": _("Choose the request the deliverable draws on.")},
    )
    field_order = ["request", "note"]

    def __init__(self, *args, requests: QuerySet, **kwargs):
        kwargs.setdefault("prefix", "req")
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = requests
        self.fields["request"].label_from_instance = lambda r: (
            f"{r.country.name}: {r.title} ({r.get_state_display()})"
        )


class LinkContributionForm(_LinkForm):
    """The deliverable cites an accepted contribution."""

    contribution = forms.ModelChoiceField(
        label=_("Accepted contribution"),
        queryset=None,
        empty_label=_("Choose a contribution"),
        error_messages={"required": _("Choose the contribution the deliverable cites.")},
    )
    field_order = ["contribution", "note"]

    def __init__(self, *args, contributions: QuerySet, **kwargs):
        kwargs.setdefault("prefix", "con")
        super().__init__(*args, **kwargs)
        self.fields["contribution"].queryset = contributions
        self.fields["contribution"].label_from_instance = lambda c: (
            f"{c.country.name + ': ' if c.country_id else ''}{c.title} ({c.get_kind_display()})"
        )
