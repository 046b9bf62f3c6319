"""The form bases every page uses."""

from __future__ import annotations

from django import forms

from cepa_collab import documents


class Form(forms.Form):
    """Labels without a trailing colon (they read better in both languages)."""

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
