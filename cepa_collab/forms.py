"""The form bases every page uses."""

from __future__ import annotations

from django import forms


class Form(forms.Form):
    """Labels without a trailing colon (they read better in both languages)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
