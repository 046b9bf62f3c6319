"""The form bases every page uses.

- Labels have no trailing colon (they read better in every language).
- A select's empty choice reads in words: "Choose…" in a form, "Any" in a filter
  (`FilterForm`, and `FilterSet` for django-filter's API filters), never Django's raw
  "---------" or "None". A label a form chose itself ("All regions") is kept.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as api_filters

from cepa_collab import documents

# The empty choice of a select in a form, and in a filter.
CHOOSE = pgettext_lazy("empty choice", "Choose…")
ANY = pgettext_lazy("empty choice of a filter", "Any")

# Labels that are not words: Django's "---------", a bare dash, nothing, "None".
_RAW_LABEL = re.compile(r"^\s*(?:[-–—_.…]*|None)\s*$")


def _is_raw(label) -> bool:
    """An empty_label that is not words (None there means "no empty choice": kept)."""
    return label is not None and bool(_RAW_LABEL.match(str(label)))


def _is_raw_choice(label) -> bool:
    """The label of an empty choice that is not words (None would read "None")."""
    return label is None or _is_raw(label)


def label_empty_choice(field: forms.Field, label) -> None:
    """Give `field`'s empty choice `label` where it has none in words (idempotent)."""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return
    if isinstance(field, forms.ModelChoiceField) or hasattr(field, "empty_label"):
        # ModelChoiceField and django-filter's fields draw the empty choice from empty_label
        # (None: the form wants no empty choice).
        if _is_raw(field.empty_label):
            field.empty_label = label
            # the widget may still hold choices bound to the field it was copied from
            field.widget.choices = field.choices
        return
    if isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if any(value in ("", None) and _is_raw_choice(text) for value, text in choices):
            field.choices = [
                (value, label if value in ("", None) and _is_raw_choice(text) else text)
                for value, text in choices
            ]


class EmptyChoiceLabels:
    """Form mixin: each select's empty choice reads `empty_choice_label` as it is drawn."""

    empty_choice_label = CHOOSE

    def __getitem__(self, name):
        # Every way of drawing a field goes through here (so choices a subclass sets after
        # __init__ are labelled too).
        if name in self.fields:
            label_empty_choice(self.fields[name], self.empty_choice_label)
        return super().__getitem__(name)


class Form(EmptyChoiceLabels, forms.Form):
    """The base of every form of the pages (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        """A file the request stopped reading at the upload limit is an error of its
        field (the service would refuse it too; the other fields are not asked for it)."""
        super().full_clean()
        if not self.is_bound or not hasattr(self.files, "getlist"):
            return
        for name in self.fields:
            for upload in self.files.getlist(self.add_prefix(name)):
                message = documents.refusal(upload)
                if message and message not in self.errors.get(name, []):
                    self.add_error(name, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FilterForm(Form):
    """The base of a list's filters (GET): an empty choice reads "Any"."""

    empty_choice_label = ANY


class _FilterSetForm(EmptyChoiceLabels, forms.Form):
    empty_choice_label = ANY


class FilterSet(api_filters.FilterSet):
    """The API's FilterSet (django-filter's, for REST framework) whose form, shown by the
    browsable API, says "Any" for an empty choice."""

    def get_form_class(self):
        form_class = super().get_form_class()
        if issubclass(form_class, EmptyChoiceLabels):
            return form_class
        return type(form_class.__name__, (_FilterSetForm, form_class), {})
